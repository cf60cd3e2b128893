"""Adopting a crate that has its own `flake.nix`: kept, never replaced, and wired by the user.

Crates that already use Nix used to stop the adoption with exit 1 ("conflict ... Consider
using --overwrite"), and `--overwrite` replaced their flake. Now, with copier's API exactly as
the README says to run it (`--defaults`, no `--overwrite`):

- the copy succeeds, the crate's flake.nix is byte-identical, crossflake writes nix/ beside
  it (and no flake.nix), the answers file records `kept_files`, and the report names the one
  remaining step with the lines to paste (inputs, the nix/outputs.nix call, `nix flake lock`);
- recopy, and `copier update` from a tagged release and from a tagless clone, keep the flake
  byte-identical while nix/ follows the template: no conflict markers, no `.rej`.

That a flake wired with the report's lines evaluates, builds and runs a target is
tests/nix/test_adopted_own_flake.py (rungs 1 and 3).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from copier import run_copy, run_recopy
from crate_shapes import OWN_FLAKE, digests
from project_helpers import (
    commit_all,
    copier_update,
    copy_release,
    files_with_markers,
    rejected_files,
    update,
)
from tagless_history import TaglessClone
from template_history import TemplateHistory, git
from template_output import read_answers, template_output

pytestmark = pytest.mark.update

ANSWERS_FILE = ".copier-answers.yml"
OUTPUTS = "nix/outputs.nix"


def adopted_crate(root: Path) -> Path:
    """The crate, committed in its own repository, as a user has it before adopting."""
    crate = OWN_FLAKE.write(root / OWN_FLAKE.answers["crate_name"])
    git(crate, "init", "--quiet")
    commit_all(crate, "My crate")
    return crate


def assert_nix_rendered_by(project: Path, template: Path, commit: str) -> None:
    """nix/ is exactly what that template commit renders for the saved answers, and that
    render writes no flake.nix."""
    answers = read_answers(project, ANSWERS_FILE)
    with template_output(template, commit, answers, ANSWERS_FILE) as reference:
        assert not (reference / "flake.nix").exists(), "the reference must not write flake.nix"
        for path in sorted((reference / "nix").glob("*.nix")):
            if path.name != "local.nix":  # the user's from its creation on
                relative = path.relative_to(reference).as_posix()
                assert (project / relative).read_text() == path.read_text(), relative


def test_the_copy_succeeds_without_overwrite_and_says_how_to_wire_the_flake(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    crate = adopted_crate(tmp_path)
    before = digests(crate, list(OWN_FLAKE.files))

    copy_release(history, crate, OWN_FLAKE.answers, history.new)  # raises on exit != 0

    out = capfd.readouterr().out
    assert digests(crate, list(OWN_FLAKE.files)) == before
    assert read_answers(crate, ANSWERS_FILE)["kept_files"] == ["flake.nix"]
    assert OUTPUTS in git(crate, "ls-files")
    assert "crossflake adopt check: 1 thing(s) to fix" in out, out
    assert "  FIX   flake.nix is yours and was kept as it is" in out
    for line in (
        'url = "github:nix-community/fenix";',
        'url = "github:nix-community/naersk";',
        "crossflake = import ./nix/outputs.nix {",
        "nixpkgs.lib.recursiveUpdate crossflake (",
        "(3) nix flake lock && git add flake.nix flake.lock, then nix build .#<target>",
    ):
        assert line in out, line


def test_recopy_and_update_keep_the_flake_and_bring_nix_up_to_date(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Adopted at v0.1.0 (whose nix/outputs.nix differs), updated to v0.2.0, then recopied."""
    crate = adopted_crate(tmp_path)
    before = digests(crate, list(OWN_FLAKE.files))
    copy_release(history, crate, OWN_FLAKE.answers, history.old)
    old_outputs = (crate / OUTPUTS).read_text()
    commit_all(crate, "Adopt crossflake 0.1.0")

    update(crate)

    assert digests(crate, list(OWN_FLAKE.files)) == before
    assert (crate / OUTPUTS).read_text() != old_outputs, "the update brought nothing"
    assert_nix_rendered_by(crate, history.root, git(history.root, "rev-parse", history.new).strip())
    assert files_with_markers(crate) == [] and rejected_files(crate) == []
    assert read_answers(crate, ANSWERS_FILE)["kept_files"] == ["flake.nix"]
    commit_all(crate, "Update crossflake")
    capfd.readouterr()

    run_recopy(str(crate), defaults=True, overwrite=True, unsafe=True, quiet=True)

    assert digests(crate, list(OWN_FLAKE.files)) == before
    assert git(crate, "status", "--porcelain").strip() == "", "a recopy must change nothing"


def test_a_tagless_update_keeps_the_flake(tagless: TaglessClone, tmp_path: Path) -> None:
    """As users get crossflake (no tags): adopted at the work tree's commit, then updated
    with `copier update --trust --defaults` to a later commit that rewords nix/outputs.nix."""
    clone = Path(shutil.copytree(tagless.root, tmp_path / "crossflake"))
    crate = adopted_crate(tmp_path)
    before = digests(crate, list(OWN_FLAKE.files))
    run_copy(
        str(clone),
        str(crate),
        data=OWN_FLAKE.answers,
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    commit_all(crate, "Adopt crossflake")
    template = clone / "template/nix/outputs.nix.jinja"
    text = template.read_text(encoding="utf-8")
    reworded = text.replace("# nix/outputs.nix: crossflake's,", "# nix/outputs.nix (reworded):", 1)
    assert reworded != text
    template.write_text(reworded, encoding="utf-8")
    git(clone, "commit", "--quiet", "-am", "Reword nix/outputs.nix")

    result = copier_update(crate)

    assert result.returncode == 0, result.stderr
    assert digests(crate, list(OWN_FLAKE.files)) == before
    assert (crate / OUTPUTS).read_text().startswith("# nix/outputs.nix (reworded):")
    assert files_with_markers(crate) == [] and rejected_files(crate) == []
    assert read_answers(crate, ANSWERS_FILE)["kept_files"] == ["flake.nix"]
