"""Adopting an existing crate: `copier copy --trust <crossflake> .` inside it.

The crate's own files must come out byte-identical (`_skip_if_exists`) with
no crate file added, the flake, toolchain and cargo config must be generated
and git-tracked around them, and hooks/adopt_check.py must report, without
failing the copy, every answer that does not describe the crate: name,
edition, bin or lib. tests/update/test_adopt_crate_shapes.py covers the
shapes of published crates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from adopt_check import Adoption, report_adoption
from copier import run_recopy
from crate_shapes import LIB_ONLY, MULTI_BIN, SHAPES, WORKSPACE_ROOT, CrateShape, digests
from project_helpers import commit_all, copy_release, render_plain, tracked
from support import CATALOG
from template_history import TemplateHistory, git
from template_output import files_in, read_answers, skipped_if_existing, template_output

pytestmark = pytest.mark.update

GENERATED = [
    "flake.nix",
    "nix/outputs.nix",
    "nix/local.nix",
    "rust-toolchain.toml",
    ".cargo/config.toml",
    ".envrc",
]
ANSWERS_FILE = ".copier-answers.yml"


def adopt(history: TemplateHistory, crate: Path, answers: dict[str, Any]) -> None:
    """What the README tells users to run inside their crate."""
    copy_release(history, crate, answers, history.new)


def adopt_report(history: TemplateHistory, crate: Path) -> None:
    """The adoption report alone, as the task prints it after a copy of the newest release."""
    answers = read_answers(crate, ANSWERS_FILE)
    commit = git(history.root, "rev-parse", history.new).strip()
    with template_output(history.root, commit, answers, ANSWERS_FILE) as reference:
        report_adoption(
            Adoption(
                crate,
                reference,
                answers,
                theirs=[*skipped_if_existing(history.root), ANSWERS_FILE],
                editions=list(CATALOG["rust"]["editions"]),
            )
        )


def existing_crate(shape: CrateShape, root: Path, *, in_git: bool) -> Path:
    """The user's crate on disk, committed to its own repository when in_git."""
    shape.write(root)
    if in_git:
        git(root, "init", "--quiet")
        commit_all(root, "My crate")
    return root


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.id for shape in SHAPES])
def test_adoption_keeps_the_crate_byte_identical_and_tracks_the_generated_files(
    history: TemplateHistory, tmp_path: Path, shape: CrateShape
) -> None:
    in_git = shape is not MULTI_BIN  # one crate that is not a git repository yet
    crate = existing_crate(shape, tmp_path / shape.id, in_git=in_git)
    before = digests(crate, list(shape.files))

    adopt(history, crate, shape.answers)

    assert digests(crate, list(shape.files)) == before
    for name in [*GENERATED, ANSWERS_FILE]:
        assert (crate / name).is_file(), name
    files = tracked(crate)
    assert set(GENERATED) | {ANSWERS_FILE} <= files
    if not in_git:
        # A crate outside git becomes a repository holding the whole folder: the
        # flake must see every source, not only the files the template names.
        assert {"Cargo.toml", "Cargo.lock", "src/main.rs"} <= files
        assert {"src/bin/mt-cli.rs", "src/server.rs"} <= files


def test_adopt_check_reports_that_a_matching_crate_matches_and_lists_its_binaries(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    crate = existing_crate(MULTI_BIN, tmp_path / "multi-tool", in_git=False)

    adopt(history, crate, MULTI_BIN.answers)

    out = capfd.readouterr().out
    assert "crossflake adopt check: nothing to fix (package multi-tool, edition 2021)." in out
    assert "MISMATCH" not in out
    assert (
        "binaries: mt-cli (src/bin/mt-cli.rs), mt-server (src/server.rs), "
        "multi-tool (src/main.rs) (from cargo metadata)." in out
    )
    assert "puts all of them in result/bin" in out
    assert "this crate was not in git" in out and "staged the whole folder" in out


def test_adopt_check_reports_every_mismatch_with_its_fix_and_never_fails_the_copy(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A library adopted with the default answers: wrong name and edition; crate_type
    follows the layout, and no sample source turns the library into a program."""
    crate = existing_crate(LIB_ONLY, tmp_path / "checkout", in_git=True)
    before = digests(crate, list(LIB_ONLY.files))

    adopt(history, crate, {})

    out = capfd.readouterr().out
    assert "crossflake adopt check: 2 thing(s) to fix" in out
    assert (
        'FIX   package name: Cargo.toml says "pure-lib", the answer crate_name is "checkout"' in out
    )
    assert "how: copier recopy --trust --defaults --overwrite --data crate_name=pure-lib" in out
    assert "FIX   edition: Cargo.toml says 2021, the answer edition is 2024" in out
    assert "how: copier recopy --trust --defaults --overwrite --data edition=2021" in out
    assert "crate_type" not in out
    assert read_answers(crate, ANSWERS_FILE)["crate_type"] == "lib"
    assert not (crate / "src/main.rs").exists()
    assert digests(crate, list(LIB_ONLY.files)) == before  # reported, never rewritten


def test_following_the_advised_fix_makes_the_answers_match(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    crate = existing_crate(LIB_ONLY, tmp_path / "checkout", in_git=True)
    adopt(history, crate, {})
    before = digests(crate, list(LIB_ONLY.files))

    fixed = {"crate_name": "pure-lib", "edition": "2021"}
    capfd.readouterr()
    run_recopy(str(crate), data=fixed, defaults=True, overwrite=True, unsafe=True, quiet=True)

    out = capfd.readouterr().out
    assert "nothing to fix (package pure-lib, edition 2021)." in out
    assert digests(crate, list(LIB_ONLY.files)) == before


def test_adopt_check_says_a_workspace_root_is_not_a_package(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    crate = existing_crate(WORKSPACE_ROOT, tmp_path / "workspace", in_git=True)

    adopt(history, crate, WORKSPACE_ROOT.answers)

    out = capfd.readouterr().out
    assert "Cargo.toml is a workspace root (no [package])" in out
    assert "they were not checked" in out
    assert (
        "workspace (members: app, util): the flake builds every member, like `cargo build` "
        "there: app, util." in out
    )
    assert not (crate / "src").exists()  # no sample source at a virtual root


def test_adopt_check_never_fails_on_an_unparsable_manifest(
    tmp_path: Path, history: TemplateHistory, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Cargo.toml").write_text("[package\nname = 'broken'\n")
    (tmp_path / ANSWERS_FILE).write_text("crate_name: broken\ncrate_type: bin\nedition: '2021'\n")
    before = (tmp_path / "Cargo.toml").read_bytes()

    adopt_report(history, tmp_path)

    assert "FIX   cannot check Cargo.toml: Cargo.toml is not valid TOML" in capfd.readouterr().out
    assert (tmp_path / "Cargo.toml").read_bytes() == before


def test_adopt_check_is_silent_on_a_fresh_project(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A new project's Cargo.toml is the template's own: nothing to report."""
    adopt(history, tmp_path / "fresh", {"crate_name": "fresh"})
    assert "adopt check" not in capfd.readouterr().out


def test_adopt_check_points_to_git_when_overwrite_replaced_a_file_of_the_crate(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """rust-toolchain.toml is not kept (the flake and rustup need crossflake's), so
    --overwrite replaces the crate's own; the report says so and where the old one is.
    Its own .cargo/config.toml stays, --overwrite or not (crossflake's settings go beside)."""
    crate = tmp_path / "own-files"
    LIB_ONLY.write(crate)
    (crate / ".cargo").mkdir()
    (crate / ".cargo/config.toml").write_text("[build]\njobs = 2\n")
    (crate / "rust-toolchain.toml").write_text('[toolchain]\nchannel = "1.80.0"\n')
    git(crate, "init", "--quiet")
    commit_all(crate, "My crate")

    copy_release(history, crate, LIB_ONLY.answers, history.new, overwrite=True)

    out = capfd.readouterr().out
    assert (
        "rust-toolchain.toml: crossflake replaced your committed version; merge your settings "
        "back from `git diff HEAD -- rust-toolchain.toml`." in out
    )
    assert '[toolchain]\nchannel = "1.80.0"\n' in git(crate, "show", "HEAD:rust-toolchain.toml")
    assert (crate / ".cargo/config.toml").read_text() == "[build]\njobs = 2\n"
    assert ".cargo/config.toml: crossflake replaced" not in out
    assert (crate / ".cargo/crossflake.toml").is_file()


@pytest.mark.parametrize(
    "answers",
    [
        {"crate_name": "plain"},
        {
            "crate_name": "exact",
            "crate_type": "lib",
            "edition": "2021",
            "toolchain": "1.85.0",
            "hosts": ["x86_64-linux", "x86_64-darwin"],
            "nixpkgs_branch": "nixos-26.05",
            "targets": ["x86_64-linux", "aarch64-darwin", "wasm32-wasip1"],
            "linking": "dynamic",
            "glibc": "2.28",
            "author": 'Ada "Countess" Lovelace',
        },
    ],
    ids=["defaults", "exact-toolchain-dynamic-darwin-wasi"],
)
def test_the_tasks_reference_is_what_copier_wrote(
    history: TemplateHistory, tmp_path: Path, answers: dict[str, Any]
) -> None:
    """The task tells crossflake's files from the user's by comparing them with copier's
    own output for the saved answers (hooks/template_output.py): that output must be
    the project, file for file and byte for byte, or the report would be wrong."""
    project = render_plain(history, tmp_path / "rendered", answers)
    saved = read_answers(project, ANSWERS_FILE)
    commit = git(history.root, "rev-parse", history.new).strip()
    with template_output(history.root, commit, saved, ANSWERS_FILE) as reference:
        assert files_in(reference) == files_in(project)
        for relative in files_in(project):
            same = (reference / relative).read_bytes() == (project / relative).read_bytes()
            assert same or relative == ANSWERS_FILE, relative
