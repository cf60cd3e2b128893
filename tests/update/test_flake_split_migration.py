"""The move from the one-file flake.nix to nix/: what the migration moves, and what it leaves.

Issue 25 split the generated flake.nix into nix/ and gave users nix/local.nix.
hooks/flake_split.py, run by `copier update` before it merges, compares a project's
one-file flake.nix with what the old template generated and moves the dev-shell additions
it recognises with certainty into nix/local.nix (tests/update/test_tagless_updates.py
shows those updates end without a conflict). Here:

* `moved_edits` on the flake 4ed88e1 generated, edited in each way the module names, so
  each rule is seen to take what it should and leave the rest;
* a real update (tagless clone, 4ed88e1 to the work tree) of a project whose dev-shell edit
  is not recognised: the edit is not lost, it shows as a conflict in flake.nix, and the
  update still creates nix/local.nix (untouched by the migration) and stages it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from copier import run_copy
from flake_split import moved_edits, with_entries
from project_helpers import (
    CONFLICT_END,
    CONFLICT_START,
    commit_all,
    copier_update,
    files_with_markers,
    insert_after,
)
from tagless_history import TaglessClone
from template_history import git
from template_output import template_output

pytestmark = pytest.mark.update

ONE_FILE_FLAKE = "4ed88e1"
ANSWERS = {"crate_name": "split-demo", "hosts": ["x86_64-linux"], "targets": ["x86_64-linux"]}
SHELL = "devShell = pkgs.mkShell {"


@pytest.fixture(scope="module")
def generated(tagless: TaglessClone) -> str:
    """flake.nix as 4ed88e1 generated it for ANSWERS."""
    commit = tagless.commit_of(ONE_FILE_FLAKE)
    with template_output(tagless.root, commit, ANSWERS, ".copier-answers.yml") as output:
        return (output / "flake.nix").read_text(encoding="utf-8")


def edited(text: str, anchor: str, addition: str) -> str:
    """`text` with `addition` inserted after the one line holding `anchor`."""
    lines = text.splitlines(keepends=True)
    [index] = [i for i, line in enumerate(lines) if anchor in line]
    return "".join([*lines[: index + 1], addition, *lines[index + 1 :]])


def test_variables_and_packages_of_the_dev_shell_move(generated: str) -> None:
    users = edited(generated, SHELL, '            # Mine.\n            MY_VAR = "a \\"b\\"";\n')
    users = edited(users, "devToolchain\n", "              # Tools.\n              pkgs.just\n")
    users = edited(users, SHELL, "            nativeBuildInputs = [ pkgs.jq pkgs.gh ];\n")
    moved = moved_edits(generated, users)
    assert moved.env == ["# Mine.", 'MY_VAR = "a \\"b\\"";']
    assert moved.packages == ["pkgs.jq", "pkgs.gh", "# Tools.", "pkgs.just"]
    kept = [line for i, line in enumerate(users.splitlines()) if i not in moved.lines]
    assert kept == generated.splitlines(), "only the moved lines leave flake.nix"


@pytest.mark.parametrize(
    "addition",
    [
        # A shell hook is no environment variable, nor is a lower-case attribute.
        '            shellHook = "echo hello";\n',
        # An interpolation or a let-binding of the flake would not exist in nix/local.nix.
        '            MY_PATH = "${pkgs.hello}/bin";\n',
        "            nativeBuildInputs = [ devToolchain ];\n",
        # A library for the shell: nix/local.nix's buildInputs would reach the builds too.
        "            buildInputs = [ pkgs.openssl ];\n",
    ],
)
def test_what_is_not_certain_stays(generated: str, addition: str) -> None:
    assert not moved_edits(generated, edited(generated, SHELL, addition))


def test_a_bare_package_outside_the_shells_list_stays(generated: str) -> None:
    """pkgs.just among a cross build's nativeBuildInputs is not a dev-shell tool."""
    users = edited(generated, "pkgs.removeReferencesTo", "                  pkgs.just\n")
    assert not moved_edits(generated, users)


def test_entries_land_in_their_list(tagless: TaglessClone) -> None:
    with template_output(tagless.root, tagless.head, ANSWERS, ".copier-answers.yml") as output:
        local = (output / "nix/local.nix").read_text(encoding="utf-8")
    text = with_entries(local, "devShellEnv = {", ['A = "1";'])
    assert '  devShellEnv = {\n    A = "1";\n' in text


def test_an_edit_the_migration_does_not_know_shows_as_a_conflict(
    tagless: TaglessClone, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    run_copy(
        str(tagless.root),
        str(project),
        data=ANSWERS,
        defaults=True,
        unsafe=True,
        vcs_ref=tagless.commit_of(ONE_FILE_FLAKE),
        quiet=True,
    )
    commit_all(project, "Start")
    hook = '            shellHook = "echo my own hook";\n'
    insert_after(project / "flake.nix", SHELL, hook)
    commit_all(project, "My shell hook")

    result = copier_update(project)

    assert result.returncode == 0, result.stderr
    assert "moved your dev-shell additions" not in result.stdout + result.stderr
    flake = (project / "flake.nix").read_text(encoding="utf-8")
    assert CONFLICT_START in flake and CONFLICT_END in flake
    assert hook in flake[flake.index(CONFLICT_START) : flake.index(CONFLICT_END)]
    assert files_with_markers(project) == ["flake.nix"]
    # The new layout arrived beside it, nix/local.nix as the template has it, staged.
    assert (project / "nix/outputs.nix").is_file()
    assert "shellHook" not in (project / "nix/local.nix").read_text(encoding="utf-8")
    assert "nix/local.nix" in git(project, "ls-files", "nix").split()
