"""Rung 0 (parse): every answer set in the matrix renders, and every generated
file is well-formed for its own tool: TOML parses, Nix parses, Rust is
rustfmt-clean, and the git hook tracked every file.

What this does not prove: that the flake evaluates (tests/nix) or that the
binaries build and run (tests/cross).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cases import case_id, matrix
from support import CATALOG, read_toml, render, require_tool

TOML_FILES = ["Cargo.toml", "Cargo.lock", "rust-toolchain.toml", ".cargo/config.toml"]
# The flake: flake.nix (inputs, hosts) calls nix/outputs.nix, which reads one
# file per concern and the user's nix/local.nix.
NIX_FILES = [
    "flake.nix",
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
]
BIN_NIX_FILES = [
    "nix/apps.nix",
    "nix/release.nix",
    "nix/sbom.nix",
    "nix/installers/default.nix",
    "nix/installers/install.sh",
    "nix/installers/install.ps1",
]
ALWAYS_GENERATED = [
    *NIX_FILES,
    *TOML_FILES,
    "README.md",
    "PLATFORMS.md",
    ".gitignore",
    ".envrc",
    ".copier-answers.yml",
]


@pytest.fixture(params=matrix(), ids=case_id)
def generated(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    """The matrix case's answers and the project copier rendered from them."""
    answers = request.param
    return answers, render(tmp_path / "project", answers, run_tasks=True)


def test_every_expected_file_is_generated(generated: tuple[dict[str, Any], Path]) -> None:
    answers, project = generated
    for name in ALWAYS_GENERATED:
        assert (project / name).is_file(), name
    bin = answers["crate_type"] == "bin"
    for name in BIN_NIX_FILES:
        assert (project / name).is_file() == bin, name
    with_images = bin and answers.get("images", True) and "linux" in target_families(answers)
    assert (project / "nix/images.nix").is_file() == with_images
    generated_nix = (p for p in project.glob("nix/**/*") if p.is_file())
    assert sorted(p.relative_to(project).as_posix() for p in generated_nix) == sorted(
        [name for name in NIX_FILES if name.startswith("nix/")]
        + (BIN_NIX_FILES if bin else [])
        + (["nix/images.nix"] if with_images else [])
    )
    main, lib = project / "src/main.rs", project / "src/lib.rs"
    assert main.is_file() == (answers["crate_type"] == "bin")
    assert lib.is_file() == (answers["crate_type"] == "lib")


def test_toml_files_parse(generated: tuple[dict[str, Any], Path]) -> None:
    answers, project = generated
    for name in TOML_FILES:
        read_toml(project / name)
    lock = read_toml(project / "Cargo.lock")
    assert lock["version"] == 3, "Cargo.lock v3 so that older cargo reads it"
    package = read_toml(project / "Cargo.toml")["package"]
    assert package["name"] == answers["crate_name"]
    assert package["edition"] == answers["edition"]


def test_nix_files_parse(generated: tuple[dict[str, Any], Path]) -> None:
    _, project = generated
    nix_instantiate = require_tool("nix-instantiate", "parses generated Nix")
    for nix_file in project.rglob("*.nix"):
        result = subprocess.run(
            [nix_instantiate, "--parse", str(nix_file)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{nix_file.name}: {result.stderr}"


def target_families(answers: dict[str, Any]) -> set[str]:
    """The catalog families of the answers' targets (linux, windows, darwin, wasm)."""
    return {CATALOG["targets"][target]["family"] for target in answers["targets"]}


def test_nix_files_read_on_their_own(generated: tuple[dict[str, Any], Path]) -> None:
    """Each Nix file opens with a header naming it, who owns it and where the user's own
    changes go; no line is over 100 columns; flake.nix fits on one screen."""
    _, project = generated
    flake = (project / "flake.nix").read_text(encoding="utf-8")
    assert len(flake.splitlines()) <= 60, "flake.nix should fit on one screen"
    assert "nix/local.nix" in flake.split("{", 1)[0], "flake.nix's header names nix/local.nix"
    for path in [project / "flake.nix", *sorted(project.glob("nix/**/*.nix"))]:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(project).as_posix()
        for number, line in enumerate(text.splitlines(), 1):
            assert len(line) <= 100, f"{name}:{number} is {len(line)} columns long"
        if name == "flake.nix":
            continue
        header = text.split("\n{", 1)[0]
        assert header.startswith(f"# {name}: "), f"{name} does not start with its own name"
        if name == "nix/local.nix":
            assert "YOURS" in header and "never rewrites" in header
        else:
            assert "crossflake's, rewritten by `copier update`" in header, name
            assert "nix/local.nix" in header, f"{name}'s header says nothing of nix/local.nix"


def test_every_nix_file_is_read_by_the_flake(generated: tuple[dict[str, Any], Path]) -> None:
    """No file in nix/ is left out of the flake, and none it imports is missing."""
    _, project = generated
    imported = {"nix/outputs.nix"}
    for path in project.glob("nix/*.nix"):
        text = path.read_text(encoding="utf-8")
        imported |= {f"nix/{name}" for name in re.findall(r"\./([a-z-]+\.nix)\b", text)}
    on_disk = {path.relative_to(project).as_posix() for path in project.glob("nix/*.nix")}
    assert imported == on_disk
    assert "import ./nix/outputs.nix" in (project / "flake.nix").read_text(encoding="utf-8")


def test_rust_sources_are_rustfmt_clean(generated: tuple[dict[str, Any], Path]) -> None:
    answers, project = generated
    rustfmt = require_tool("rustfmt", "checks generated Rust formatting")
    sources = sorted(str(p) for p in (project / "src").glob("*.rs"))
    result = subprocess.run(
        [rustfmt, "--check", "--edition", answers["edition"], *sources],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_git_tracks_every_generated_file(generated: tuple[dict[str, Any], Path]) -> None:
    _, project = generated
    listed = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    on_disk = sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    )
    assert sorted(listed) == on_disk
