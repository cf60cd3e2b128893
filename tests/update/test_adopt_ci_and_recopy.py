"""Adoption next to a crate's own CI, and the report after the adoption is committed.

A crate that already has workflows (a quarter of published ones) must adopt with exit 0 and no
`--overwrite`: crossflake's workflow is `.github/workflows/crossflake.yml`, added only when
asked (`ci` defaults to `none` for such a crate; tests/update/test_adopt_crate_shapes.py covers
that default), and the report warns when the crate's own workflows may release on tags too.

Once the user has committed the adoption (as the next steps say), following the report's own
fix (`copier recopy --overwrite --data ...`) replaces crossflake's earlier output: that is no
user edit and the report must not call it one; an edit the user made to such a file is.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from copier import run_recopy
from crate_shapes import EXISTING_CI, PROGRAM_NAMED_OTHERWISE, digests
from project_helpers import append, commit_all, copy_release, tracked
from template_history import TemplateHistory, git

pytestmark = pytest.mark.update

WORKFLOW = ".github/workflows/crossflake.yml"


def test_asking_for_ci_adds_crossflakes_workflow_beside_the_crates_own(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    crate = EXISTING_CI.write(tmp_path / "ci-owner")
    git(crate, "init", "--quiet")
    commit_all(crate, "My crate")
    before = digests(crate, list(EXISTING_CI.files))

    # No overwrite: copier would stop on any conflict (run_copy raises then).
    copy_release(history, crate, {**EXISTING_CI.answers, "ci": "github"}, history.new)

    out = capfd.readouterr().out
    assert digests(crate, list(EXISTING_CI.files)) == before
    assert WORKFLOW in tracked(crate)
    assert "crossflake's is .github/workflows/crossflake.yml beside them" in out
    assert "release.yml may publish releases on tags too" in out
    assert "ci.yml may publish" not in out


def recopy(crate: Path, **data: str) -> None:
    """The report's own fix: `copier recopy --trust --defaults --overwrite --data ...`."""
    run_recopy(str(crate), data=data, defaults=True, overwrite=True, unsafe=True, quiet=True)


def test_recopy_after_the_committed_adoption_tells_crossflakes_output_from_user_edits(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    shape = PROGRAM_NAMED_OTHERWISE
    crate = shape.write(tmp_path / "fd-find")
    git(crate, "init", "--quiet")
    commit_all(crate, "My crate")
    copy_release(history, crate, shape.answers, history.new)
    commit_all(crate, "Start from crossflake")
    capfd.readouterr()

    # The description fix changes flake.nix: crossflake's own earlier output, replaced.
    recopy(crate, description="Find entries in the file system")
    out = capfd.readouterr().out
    assert "nothing to fix" in out, out
    assert "replaced your committed version" not in out, out
    assert "replacing your edits" not in out, out

    # Control: an edit of the user's to a crossflake file, committed, then a recopy.
    commit_all(crate, "Description from Cargo.toml")
    append(crate / ".cargo/config.toml", "# my own setting\n")
    commit_all(crate, "My cargo setting")
    capfd.readouterr()
    recopy(crate)
    out = capfd.readouterr().out
    assert ".cargo/config.toml: crossflake regenerated it, replacing your edits" in out, out
    assert "flake.nix:" not in out, out
