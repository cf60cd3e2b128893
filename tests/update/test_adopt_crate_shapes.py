"""Adopting crates shaped like published ones must never break them.

Each shape (tests/update/crate_shapes.py) is adopted the way the README says,
with `--defaults` and only the name and edition given, then checked as its
author would: the copy succeeds, every file of the crate is byte-identical
and nothing crate-like was added (no sample source, lock file or second
README), cargo still reads and builds it (rustup's cargo, offline except for
the `cc` crate), the adopt report is right about it, and the next steps name
the programs cargo really builds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from crate_layout import (
    built_programs,
    cargo_metadata,
    crate_layout,
    programs_from_manifests,
)
from crate_shapes import (
    CC_BUILD_LIB,
    PUBLISHED_SHAPES,
    ZERO_DEP_LIB_IGNORED_LOCK,
    CrateShape,
    digests,
    lock,
)
from post_generate import main as post_generate
from project_helpers import commit_all, copy_release, tracked
from support import require_tool
from template_history import TemplateHistory, git
from template_output import read_answers

pytestmark = pytest.mark.update

# What adoption may add to a crate; anything else would be a surprise.
NIX_FILES = {
    "nix/outputs.nix",
    "nix/targets.nix",
    "nix/toolchain.nix",
    "nix/crate.nix",
    "nix/zig-runtime.nix",
    "nix/build.nix",
    "nix/build-tools.nix",
    "nix/runners.nix",
    "nix/checks.nix",
    "nix/dev-shell.nix",
    "nix/read-local.nix",
    "nix/local.nix",
}
BIN_NIX_FILES = {
    "nix/apps.nix",
    "nix/release.nix",
    "nix/images.nix",
    "nix/sbom.nix",
    "nix/installers/default.nix",
    "nix/installers/install.sh",
    "nix/installers/install.ps1",
}
GENERATED = {
    "flake.nix",
    *NIX_FILES,
    "rust-toolchain.toml",
    ".cargo/config.toml",
    ".envrc",
    ".copier-answers.yml",
    "PLATFORMS.md",
    ".github/workflows/crossflake.yml",  # ci=github, the default without workflows of its own
    ".cargo/crossflake.toml",  # beside the crate's own .cargo/config.toml, which stays
}
CRATE_FILES = {"Cargo.lock", "src/main.rs", "src/lib.rs", "README.md"}


def cargo(crate: Path, *args: str, target_dir: Path) -> subprocess.CompletedProcess[str]:
    """rustup's cargo on the stable toolchain: RUSTUP_TOOLCHAIN overrides the toolchain
    files (crossflake's lists cross targets rustup would try to download)."""
    env = {**os.environ, "RUSTUP_TOOLCHAIN": "stable", "CARGO_TARGET_DIR": str(target_dir)}
    command = [require_tool("cargo", "checks adopted crates still build"), *args]
    return subprocess.run(command, cwd=crate, env=env, capture_output=True, text=True)


def files_of(root: Path) -> set[str]:
    """Every file under root, .git aside."""
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.mark.parametrize("shape", PUBLISHED_SHAPES, ids=[shape.id for shape in PUBLISHED_SHAPES])
def test_adopting_a_crate_keeps_it_intact_building_and_rightly_reported(
    history: TemplateHistory, tmp_path: Path, shape: CrateShape, capfd: pytest.CaptureFixture[str]
) -> None:
    crate = shape.write(tmp_path / shape.answers["crate_name"])
    git(crate, "init", "--quiet")
    commit_all(crate, "My crate")
    before = digests(crate, list(shape.files))
    answers = {key: shape.answers[key] for key in ("crate_name", "edition")}

    # --defaults: crate_type must come from the crate's layout. No --overwrite: nothing
    # crossflake writes may collide with the crate's files (copier would stop, exit 1).
    copy_release(history, crate, answers, history.new)

    out = capfd.readouterr().out
    assert digests(crate, list(shape.files)) == before
    added = files_of(crate) - set(shape.files)
    assert added <= GENERATED | BIN_NIX_FILES | ({".gitignore"} - set(shape.files)), added
    assert not (added & CRATE_FILES), "adoption wrote a crate file"
    if "README.mkd" in shape.files:
        assert not (crate / "README.md").exists()
    assert read_answers(crate, ".copier-answers.yml")["crate_type"] == shape.answers["crate_type"]
    own_ci = any(relative.startswith(".github/workflows/") for relative in shape.files)
    own_config = ".cargo/config.toml" in shape.files
    expected = GENERATED - {".github/workflows/crossflake.yml"} if own_ci else GENERATED
    # Without a config of its own, crossflake's settings are .cargo/config.toml itself.
    expected = expected if own_config else expected - {".cargo/crossflake.toml"}
    assert tracked(crate) >= expected
    assert own_ci != (crate / ".github/workflows/crossflake.yml").exists()
    assert own_config == (crate / ".cargo/crossflake.toml").exists()
    kept = [name for name in (".cargo/config.toml", "flake.nix") if name in shape.files]
    kept_files = read_answers(crate, ".copier-answers.yml").get("kept_files")
    assert kept_files == (kept or None)
    assert (
        "Cargo.lock" in tracked(crate)
        or "Cargo.lock" not in shape.files
        or ("git add -f Cargo.lock" in out)
    )

    # The report: right about this crate, with each fix it needs.
    assert "crossflake adopt check" in out
    for line in shape.report:
        assert line in out, line
    if shape.fixes:
        assert f"crossflake adopt check: {shape.fixes} thing(s) to fix" in out, out
    else:
        assert "thing(s) to fix" not in out, out

    # cargo still reads and builds the crate, and agrees with the report.
    metadata = cargo(
        crate, "metadata", "--no-deps", "--offline", "--format-version=1", target_dir=tmp_path
    )
    assert metadata.returncode == 0, metadata.stderr
    assert set(built_programs(crate).binaries) == shape.binaries
    build_copy = shutil.copytree(
        crate, tmp_path / "build-copy", ignore=shutil.ignore_patterns(".git")
    )
    offline = [] if shape is CC_BUILD_LIB else ["--offline"]
    build = cargo(build_copy, "build", *offline, target_dir=tmp_path / "target")
    assert build.returncode == 0, build.stderr


@pytest.mark.parametrize("shape", PUBLISHED_SHAPES, ids=[shape.id for shape in PUBLISHED_SHAPES])
def test_reading_the_manifests_finds_the_programs_cargo_metadata_finds(
    tmp_path: Path, shape: CrateShape
) -> None:
    """The fallback for a missing or too old cargo agrees with cargo on every shape."""
    crate = shape.write(tmp_path / shape.id)
    require_tool("cargo", "is the reference for the manifest reading")
    metadata = cargo_metadata(crate)
    assert metadata is not None
    from_cargo = built_programs(crate)
    from_manifests = programs_from_manifests(crate, crate_layout(crate))
    assert from_cargo.source == "cargo metadata"
    assert set(from_manifests.binaries) == set(from_cargo.binaries) == shape.binaries
    assert sorted(from_manifests.packages) == sorted(from_cargo.packages)


def test_the_task_on_an_adopted_crate_with_an_ignored_lock_never_fails_and_stages_nothing_ignored(
    history: TemplateHistory, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A lock generated as advised stays ignored: both runs exit 0 and say `git add -f`."""
    shape = ZERO_DEP_LIB_IGNORED_LOCK
    crate = shape.write(tmp_path / shape.answers["crate_name"])
    git(crate, "init", "--quiet")
    commit_all(crate, "My crate")
    copy_release(history, crate, shape.answers, history.new)
    (crate / "Cargo.lock").write_text(lock("tinylib"))
    capfd.readouterr()

    for operation in ("copy", "update"):
        argv = [f"--operation={operation}", f"--template={history.root}", f"--project={crate}"]
        assert post_generate(argv) == 0
    captured = capfd.readouterr()
    assert "Cargo.lock: git ignores it (.gitignore)" in captured.out
    assert "how: git add -f Cargo.lock" in captured.out
    assert "Cargo.lock" not in tracked(crate)
    assert "failed" not in captured.err
