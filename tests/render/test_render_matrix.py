"""Rung 0 (parse): every answer set in the matrix renders, and every generated
file is well-formed for its own tool: TOML parses, Nix parses, Rust is
rustfmt-clean, and the git hook tracked every file.

What this does not prove: that the flake evaluates (tests/nix) or that the
binaries build and run (tests/cross).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from cases import case_id, matrix
from support import read_toml, render, require_tool

TOML_FILES = ["Cargo.toml", "Cargo.lock", "rust-toolchain.toml", ".cargo/config.toml"]
ALWAYS_GENERATED = [
    "flake.nix",
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
