"""Adopting a crate that has its own `.cargo/config.toml`: kept, joined, never replaced.

Published crates that already cross-compile or keep project-wide cargo settings
(aliases, a `[build]` section, a `[target.<triple>] linker`) used to stop the
adoption with exit 1 ("conflict ... Consider using --overwrite"), and
`--overwrite` replaced their file. Now, with copier's API exactly as the README
says to run it (`--defaults`, no `--overwrite`):

- the copy succeeds, the crate's config is byte-identical, crossflake's settings
  are `.cargo/crossflake.toml`, and the answers file records `kept_files`;
- each key both files set is reported with the two exact lines (file and line
  number read back from the files on disk) and which one wins where;
- recopy, and `copier update` from a tagged release and from a tagless clone,
  keep the config byte-identical, bring the template's change into
  crossflake.toml, and leave it exactly what the new version renders: no second
  copy of any table, no conflict markers, no `.rej`, nothing else changed.

That the settings take effect with real cargo builds is tests/cross/test_kept_cargo_config.py
(rung 2); that the dev shell carries them is tests/nix/test_adopted_shapes_eval.py (rung 1).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from copier import run_recopy
from crate_shapes import (
    OWN_CARGO_CONFIG_ALIASES_BUILD,
    OWN_CARGO_CONFIG_CROSS_LINKER,
    CrateShape,
    digests,
)
from project_helpers import (
    commit_all,
    copier_update,
    copy_release,
    files_with_markers,
    rejected_files,
    update,
)
from tagless_history import TaglessClone
from template_history import (
    CARGO_SETTINGS_TEMPLATE,
    OLD_CARGO_CONFIG_FIRST_LINE,
    TemplateHistory,
    git,
)
from template_output import read_answers, template_output

pytestmark = pytest.mark.update

ANSWERS_FILE = ".copier-answers.yml"
OURS = ".cargo/crossflake.toml"
THEIRS = ".cargo/config.toml"


def adopted_crate(root: Path, shape: CrateShape = OWN_CARGO_CONFIG_CROSS_LINKER) -> Path:
    """The crate, committed in its own repository, as a user has it before adopting."""
    crate = shape.write(root / shape.answers["crate_name"])
    git(crate, "init", "--quiet")
    commit_all(crate, "My crate")
    return crate


def line_number(path: Path, table: str, key: str) -> int:
    """Where `key = ...` sits under `[table]` in the file on disk (1-based)."""
    current = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("["):
            current = line.strip()
        elif current == f"[{table}]" and line.startswith(f"{key} ="):
            return number
    raise AssertionError(f"{key} not under [{table}] in {path}")


def target_tables(path: Path) -> list[str]:
    """Every `[target.<triple>]` header of the file, in order, duplicates included."""
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("[target.")
    ]


def assert_rendered_by(project: Path, template: Path, commit: str) -> None:
    """crossflake.toml is exactly what that template commit renders for the saved answers."""
    answers = read_answers(project, ANSWERS_FILE)
    with template_output(template, commit, answers, ANSWERS_FILE) as reference:
        assert not (reference / THEIRS).exists(), "the reference must not write config.toml"
        assert (project / OURS).read_text() == (reference / OURS).read_text()
    tables = target_tables(project / OURS)
    assert len(tables) == len(set(tables)), tables


def test_the_copy_succeeds_without_overwrite_and_quotes_each_clash_from_both_files(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    shape = OWN_CARGO_CONFIG_CROSS_LINKER
    crate = adopted_crate(tmp_path)
    before = digests(crate, list(shape.files))

    copy_release(history, crate, shape.answers, history.new)  # raises on exit != 0

    out = capfd.readouterr().out
    assert digests(crate, list(shape.files)) == before
    assert read_answers(crate, ANSWERS_FILE)["kept_files"] == [THEIRS]
    assert (crate / OURS).is_file()
    assert OURS in git(crate, "ls-files")
    triple = "aarch64-unknown-linux-musl"
    ours_line = line_number(crate / OURS, f"target.{triple}", "runner")
    assert (
        f"  FIX   target.{triple}.runner is set both ways:\n"
        f'          yours:        {THEIRS}:3  runner = "qemu-aarch64 -L /usr/aarch64-linux-musl"\n'
        f'          crossflake\'s: {OURS}:{ours_line}  runner = "qemu-aarch64"\n'
        "        in `nix develop` the flake's runner wins "
        "(CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUNNER); with "
        f"`cargo zigbuild --config {OURS}` crossflake's wins; plain cargo uses yours.\n"
        f"        how: delete line 3 of {THEIRS} to run {triple} crossflake's way everywhere"
    ) in out, out
    assert f"  FIX   target.{triple}.linker is set in yours only:" in out
    # A linker for a target crossflake does not build is no clash.
    assert "armv7-unknown-linux-gnueabihf" not in out
    assert "crossflake adopt check: 2 thing(s) to fix" in out


def test_build_rustflags_are_reported_with_crossflakes_line(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    crate = adopted_crate(tmp_path, OWN_CARGO_CONFIG_ALIASES_BUILD)

    copy_release(history, crate, OWN_CARGO_CONFIG_ALIASES_BUILD.answers, history.new)

    out = capfd.readouterr().out
    first = "x86_64-unknown-linux-musl"
    ours_line = line_number(crate / OURS, f"target.{first}", "rustflags")
    assert (
        "  FIX   build.rustflags is set both ways:\n"
        f'          yours:        {THEIRS}:7  rustflags = ["--cfg", "aliased_build"]\n'
        f"          crossflake's: {OURS}:{ours_line}  "
        'rustflags = ["-C", "target-feature=+crt-static"]\n'
    ) in out, out
    # x86_64-pc-windows-gnu has no rustflags of crossflake's: the user's still apply there.
    assert "stop applying to x86_64-unknown-linux-musl, aarch64-unknown-linux-musl in" in out


def test_recopy_and_update_keep_the_config_and_duplicate_nothing(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Adopted at v0.1.0 (whose crossflake.toml has another first line), updated to v0.2.0,
    then recopied: the user's file never changes and crossflake.toml is each time exactly
    what the release renders."""
    shape = OWN_CARGO_CONFIG_CROSS_LINKER
    crate = adopted_crate(tmp_path)
    before = digests(crate, list(shape.files))
    copy_release(history, crate, shape.answers, history.old)
    assert (crate / OURS).read_text().startswith(OLD_CARGO_CONFIG_FIRST_LINE)
    commit_all(crate, "Adopt crossflake 0.1.0")

    update(crate)

    assert digests(crate, list(shape.files)) == before
    assert not (crate / OURS).read_text().startswith(OLD_CARGO_CONFIG_FIRST_LINE)
    assert_rendered_by(crate, history.root, git(history.root, "rev-parse", history.new).strip())
    assert files_with_markers(crate) == [] and rejected_files(crate) == []
    assert read_answers(crate, ANSWERS_FILE)["kept_files"] == [THEIRS]
    changed = git(crate, "status", "--porcelain").splitlines()
    assert not any(THEIRS in line for line in changed), changed
    commit_all(crate, "Update crossflake")
    capfd.readouterr()

    run_recopy(str(crate), defaults=True, overwrite=True, unsafe=True, quiet=True)

    assert digests(crate, list(shape.files)) == before
    assert git(crate, "status", "--porcelain").strip() == "", "a recopy must change nothing"


def test_a_tagless_update_keeps_the_config_and_brings_the_change(
    tagless: TaglessClone, tmp_path: Path
) -> None:
    """As users get crossflake (no tags): adopted at the work tree's commit, then updated
    with `copier update --trust --defaults` to a later commit that rewords crossflake.toml."""
    shape = OWN_CARGO_CONFIG_CROSS_LINKER
    clone = Path(shutil.copytree(tagless.root, tmp_path / "crossflake"))
    crate = adopted_crate(tmp_path)
    before = digests(crate, list(shape.files))
    copy_release_from(clone, crate, shape.answers)
    commit_all(crate, "Adopt crossflake")
    template = clone / CARGO_SETTINGS_TEMPLATE
    reworded = "# Per-target settings for cargo-zigbuild, reworded by a later commit, from the same"
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = reworded + "\n"
    template.write_text("".join(lines), encoding="utf-8")
    git(clone, "commit", "--quiet", "-am", "Reword the cargo settings")

    result = copier_update(crate)

    assert result.returncode == 0, result.stderr
    assert digests(crate, list(shape.files)) == before
    assert (crate / OURS).read_text().startswith(reworded + "\n")
    assert_rendered_by(crate, clone, git(clone, "rev-parse", "HEAD").strip())
    assert files_with_markers(crate) == [] and rejected_files(crate) == []
    assert read_answers(crate, ANSWERS_FILE)["kept_files"] == [THEIRS]


def copy_release_from(clone: Path, crate: Path, answers: dict[str, str]) -> None:
    """`copier copy --trust --defaults` of a tagless clone's HEAD, through copier's API."""
    from copier import run_copy

    run_copy(
        str(clone), str(crate), data=answers, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD"
    )


def test_a_kept_files_answer_naming_another_file_is_refused(
    history: TemplateHistory, tmp_path: Path
) -> None:
    """kept_files switches which file crossflake writes: only files it can keep are accepted,
    and the copy stops before writing anything."""
    from copier.errors import CopierError

    crate = tmp_path / "refused"
    with pytest.raises((CopierError, ValueError)) as raised:
        copy_release(
            history,
            crate,
            {"crate_name": "refused", "kept_files": ["rust-toolchain.toml"]},
            history.new,
        )
    assert 'crossflake cannot keep "rust-toolchain.toml" as yours' in str(raised.value)
    assert not crate.exists() or not any(crate.iterdir())
