"""The release project of the rung-3 release tests, and its build: tests/nix/conftest.py's
session fixtures `release_project` and `release` call these once per session (per xdist
worker), for test_release_build.py and test_release_installers.py alike.

The project is test_flake_build's (same crate, answers and sources, so Nix reuses the aarch64,
armv7 and Windows packages that module built) plus x86_64 Linux (this machine's own platform:
the installers put a program here that runs natively) and WASI. Debian's Rust 1.63 knows WASI
only as `wasm32-wasi` and its wasm rlibs need LLVM 14's wasm-ld rather than zig: in a tracked
copy of the flake the wasm32-wasip1 package's `cargoTarget` and `rustflags` say so (its
attribute name, and so its archive name, stay).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nixenv
from flake_projects import generate, track
from support import require_tool
from test_flake_build import ANSWERS, CRATE, HOST

VERSION = "0.1.0"
HOMELESS_SHELTER = Path("/homeless-shelter")

WASI_163 = re.compile(
    r'(\n  wasm32-wasip1 = \{\n    system = "wasm32-wasip1";\n'
    r'    cargoTarget = )"wasm32-wasip1";\n'
    r'(    zigbuild = true;\n    stdTriples = \[ "wasm32-wasip1" \];\n'
    r"    rustflags = )\[ \];\n"
)
"""The WASI record of nix/targets.nix, rewritten for Debian's Rust 1.63 (see above)."""

LINUX = (
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "armv7-unknown-linux-gnueabihf",
)
"""The Linux packages of the release (glibc 2.17 floor)."""


def wasi_for_rust_163(project: Path) -> Path:
    """Point the project's WASI package at Rust 1.63's `wasm32-wasi`, linked by wasm-ld."""
    records = project / "nix/targets.nix"
    text, count = WASI_163.subn(
        r'\1"wasm32-wasi";\n\2[ "-C" "linker=/usr/bin/wasm-ld-14" ];\n', records.read_text()
    )
    assert count == 1, "nix/targets.nix changed: update WASI_163"
    records.write_text(text)
    return project


def archive(triple: str, suffix: str) -> str:
    """A release file's name: `<crate>-<version>-<triple><suffix>`."""
    return f"{CRATE}-{VERSION}-{triple}{suffix}"


def release_project(folder: Path) -> Path:
    """The generated, tracked project in ``folder``."""
    answers = {**ANSWERS, "targets": ["x86_64-linux", *ANSWERS["targets"], "wasm32-wasip1"]}
    return track(wasi_for_rust_163(generate(folder / CRATE, answers)))


def build_release(project: Path, build_stubs: Path) -> Path:
    """`nix build` of `packages.<host>.release` in a real builder; its store path."""
    require_tool("zip")
    shutil.rmtree(HOMELESS_SHELTER, ignore_errors=True)
    out = nixenv.build(project, f"packages.{HOST}.release", build_stubs, timeout=3600)["out"]
    assert not HOMELESS_SHELTER.exists(), "a build ran without build users (scripts/setup-nix.sh)"
    return out
