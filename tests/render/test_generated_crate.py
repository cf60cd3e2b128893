"""The generated crate is real Rust: it builds, its tests pass, clippy has
nothing to say, and the program prints what the README promises.

Runs natively with the machine's rustup toolchain. RUSTUP_TOOLCHAIN overrides
rust-toolchain.toml, whose extra targets cannot be downloaded offline; the
cross builds of the same crate are in tests/cross.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import pytest
from support import render, require_tool


def cargo(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    require_tool("cargo", "builds the generated crate natively")
    env = {**os.environ, "RUSTUP_TOOLCHAIN": os.environ.get("RUSTUP_TOOLCHAIN", "stable")}
    return subprocess.run(
        ["cargo", "--offline", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.parametrize("crate_type", ["bin", "lib"])
@pytest.mark.parametrize("edition", ["2024", "2021"])
def test_crate_builds_tests_and_lints_clean(tmp_path: Path, crate_type: str, edition: str) -> None:
    project = render(
        tmp_path / "project",
        {"crate_name": "native-check", "crate_type": crate_type, "edition": edition},
    )
    for command in (["test"], ["clippy", "--all-targets", "--", "-D", "warnings"]):
        result = cargo(project, *command)
        assert result.returncode == 0, result.stderr
    lock = (project / "Cargo.lock").read_text(encoding="utf-8")
    assert "version = 3" in lock, "cargo must not need to rewrite the generated lock file"


def test_program_names_its_platform(tmp_path: Path) -> None:
    project = render(tmp_path / "project", {"crate_name": "hello-platform"})
    result = cargo(project, "run", "--quiet")
    assert result.returncode == 0, result.stderr
    arch = platform.machine().replace("amd64", "x86_64").replace("arm64", "aarch64")
    assert result.stdout == f"Hello from hello-platform on {arch}-linux!\n"
