"""`copier update` from every earlier state a user can hold, on a clone WITHOUT tags.

This is how crossflake reaches users (its main branch, no release tags), so
copier versions every commit `0.0.0.post<N>.dev0+<hash>` and no `version:`
gated migration would ever run. Each earlier state (tagless_history.py: the
0.1.0 and 0.2.0 release commits and a commit after each) is generated at the
real commit with a user's non-default answers, edited the way users edit
(generated files and their own), committed, and updated to the work tree
with `copier update --trust --defaults`, through copier's command line. The
updated project must keep every answer (renamed as CHANGELOG.md documents),
every edit, show conflict markers only where the template and the user
changed the same lines, and its flake must still evaluate.

One update per state is shared by the tests of this module (a module fixture):
an update costs about ten seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from copier import run_copy
from project_helpers import (
    append,
    commit_all,
    files_with_markers,
    insert_after,
    rejected_files,
)
from support import TEMPLATE_ROOT, require_tool, resolve_targets
from tagless_history import EARLIER_STATES, EarlierState, TaglessClone
from template_history import git

pytestmark = pytest.mark.update

ANSWERS_FILE = ".copier-answers.yml"
# The line .cargo/config.toml ends with since 0.2.0; sections appended below it merge.
CLOSING_MARKER = "Settings of your own go below this line"

# The user's edits in generated files, on lines the template keeps.
FLAKE_INPUTS_NOTE = "    # My own note: every input is pinned in flake.lock.\n"
FLAKE_SHELL_SETTING = '            MY_OWN_SETTING = "kept through updates";\n'
CARGO_ALIAS = '\n# My own alias.\n[alias]\nxtask = "run --package xtask --"\n'
# ... and in the files that are the user's after generation.
CARGO_PROFILE = "\n[profile.release]\nlto = true\n"
README_NOTES = "\n## My own notes\n\nKept by every update.\n"
OWN_SOURCES = {
    "bin": {
        "src/main.rs": 'mod cli;\n\nfn main() {\n    println!("{}", cli::banner());\n}\n',
        "src/cli.rs": 'pub fn banner() -> &\'static str {\n    "my own program"\n}\n',
    },
    "lib": {
        "src/lib.rs": "pub mod extra;\n\npub fn answer() -> u32 {\n    extra::FORTY_TWO\n}\n",
        "src/extra.rs": "pub const FORTY_TWO: u32 = 42;\n",
    },
}
USER_OWNED = ["Cargo.toml", "README.md"]


def saved_answers(project: Path) -> dict[str, object]:
    """The project's .copier-answers.yml."""
    return yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))


def generate_at(clone: TaglessClone, state: EarlierState, project: Path) -> Path:
    """`copier copy --trust --vcs-ref <commit>` of the tagless clone, then the first commit."""
    run_copy(
        str(clone.root),
        str(project),
        data=state.answers,
        defaults=True,
        unsafe=True,
        vcs_ref=clone.commit_of(state.commit),
        quiet=True,
    )
    commit_all(project, f"Start from crossflake {state.name}")
    return project


def edit_like_a_user(project: Path) -> dict[str, str]:
    """Edit generated and own files, commit; the user-owned files' text afterwards."""
    insert_after(project / "flake.nix", "  inputs = {", FLAKE_INPUTS_NOTE)
    insert_after(project / "flake.nix", "devShell = pkgs.mkShell {", FLAKE_SHELL_SETTING)
    append(project / ".cargo/config.toml", CARGO_ALIAS)
    append(project / "Cargo.toml", CARGO_PROFILE)
    append(project / "README.md", README_NOTES)
    crate_type = str(saved_answers(project).get("crate_type", "bin"))
    for name, text in OWN_SOURCES[crate_type].items():
        (project / name).write_text(text, encoding="utf-8")
    commit_all(project, "My own edits")
    return {
        name: (project / name).read_text(encoding="utf-8")
        for name in [*USER_OWNED, *OWN_SOURCES[crate_type]]
    }


def copier_update(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`copier update --trust --defaults [options]` in the project, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults", *options],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


@dataclass(frozen=True)
class Updated:
    """One earlier state, generated, edited and updated."""

    state: EarlierState
    clone: TaglessClone
    project: Path
    own_files: dict[str, str]  # user-owned files as the user left them
    expected_conflicts: list[str]
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module", params=EARLIER_STATES, ids=lambda state: state.name)
def updated(
    request: pytest.FixtureRequest, tagless: TaglessClone, tmp_path_factory: pytest.TempPathFactory
) -> Updated:
    """The state's project after `copier update --trust --defaults` to the work tree."""
    state: EarlierState = request.param
    project = generate_at(tagless, state, tmp_path_factory.mktemp(state.name) / "project")
    # Before 0.2.0 the config had no closing line: a section appended at its end
    # meets the line 0.2.0 adds there, which is a conflict (CHANGELOG.md, 0.2.0).
    had_marker = CLOSING_MARKER in (project / ".cargo/config.toml").read_text(encoding="utf-8")
    own_files = edit_like_a_user(project)
    result = copier_update(project)
    return Updated(
        state,
        tagless,
        project,
        own_files,
        [] if had_marker else [".cargo/config.toml"],
        result,
    )


def test_update_succeeds_and_lands_on_the_newest_commit(updated: Updated) -> None:
    assert updated.result.returncode == 0, updated.result.stderr
    assert "No git tags found in template" in updated.result.stderr, "the clone must be tagless"
    assert "Traceback" not in updated.result.stderr
    commit = str(saved_answers(updated.project)["_commit"])
    assert updated.clone.head.startswith(commit), (commit, updated.clone.head)


def test_every_answer_is_kept_or_renamed_as_documented(updated: Updated) -> None:
    answers = saved_answers(updated.project)
    expected = updated.state.after_update()
    assert {name: answers.get(name) for name in expected} == expected


def test_renames_are_announced(updated: Updated) -> None:
    """The rename of a saved answer is said on the terminal, never silent."""
    renamed = "renamed targets: wasm32-wasi -> wasm32-wasip1" in updated.result.stdout
    assert renamed == ("wasm32-wasi" in updated.state.answers.get("targets", []))


def test_user_edits_are_kept(updated: Updated) -> None:
    project = updated.project
    for name, text in updated.own_files.items():
        assert (project / name).read_text(encoding="utf-8") == text, name
    flake = (project / "flake.nix").read_text(encoding="utf-8")
    assert FLAKE_INPUTS_NOTE in flake
    assert FLAKE_SHELL_SETTING in flake
    assert CARGO_ALIAS.strip() in (project / ".cargo/config.toml").read_text(encoding="utf-8")


def test_conflict_markers_only_where_template_and_user_changed_the_same_lines(
    updated: Updated,
) -> None:
    assert files_with_markers(updated.project) == updated.expected_conflicts
    assert rejected_files(updated.project) == []


def test_the_updated_flake_evaluates_with_the_kept_answers(updated: Updated) -> None:
    """`nix flake show` with the eval-only stubs: every kept target is a package, and the
    user's dev-shell setting is still in the shell."""
    require_tool("nix", "the updated project's flake is evaluated")
    from nixenv import eval_json, flake_show

    answers = saved_answers(updated.project)
    packages = flake_show(updated.project)["packages"]["x86_64-linux"]
    triples = [target["triple"] for target in resolve_targets(TEMPLATE_ROOT, answers)]
    assert set(triples) <= set(packages), (triples, sorted(packages))
    shell = "devShells.x86_64-linux.default.MY_OWN_SETTING"
    assert eval_json(updated.project, shell) == "kept through updates"


def test_check_update_tells_a_tagless_project_what_it_runs_and_what_is_newer(
    tagless: TaglessClone, tmp_path: Path
) -> None:
    """Tagless, `copier check-update` compares commits: `0.0.0.post<N>.dev0+<hash>`, N
    counting main's commits, so any newer commit on main is "a new version" (README)."""
    state = next(state for state in EARLIER_STATES if state.name == "0.2.0")
    project = generate_at(tagless, state, tmp_path / "project")
    check = [sys.executable, "-m", "copier", "check-update"]

    shown = subprocess.run(check, cwd=project, capture_output=True, text=True, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "Current version is 0.0.0.post" in shown.stdout
    assert f"+{state.commit}" in shown.stdout  # the project's commit, as README says
    assert f"+{updated_commit(tagless)}" in shown.stdout
    quiet = subprocess.run([*check, "--quiet"], cwd=project, capture_output=True, check=False)
    assert quiet.returncode == 2

    assert copier_update(project).returncode == 0
    commit_all(project, "Update crossflake")
    quiet = subprocess.run([*check, "--quiet"], cwd=project, capture_output=True, check=False)
    assert quiet.returncode == 0, quiet.stderr


def updated_commit(clone: TaglessClone) -> str:
    """The abbreviated hash copier shows for the clone's newest commit."""
    return git(clone.root, "rev-parse", "--short", "HEAD").strip()


def copy_project(project: Path, destination: Path) -> Path:
    """A copy of a committed project (git included), to update it another way."""
    shutil.copytree(project, destination, symlinks=True)
    return destination
