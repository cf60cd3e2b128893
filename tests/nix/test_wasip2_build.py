"""Rung 3 for wasm32-wasip2: `nix build .#wasm32-wasip2` gives a WASI 0.2 component that runs.

The generated flake (default answers, the component target only; flake_cases.WEB_BUILD_CASES
"component") is built with `nix build` in a real Nix builder run by build users
(HOME=/homeless-shelter), with the stub fenix toolchain pointing at Debian's newest Rust
(`rustc-web`) whose rust-std for wasm32-wasip2 is the std compiled here once plus Debian's
wasi-libc as its self-contained C library (tests/wasi_sysroot.py), as fenix's rust-std
carries Rust's. The toolchain's host folder holds wasm-component-ld and wasm-ld, as Rust's
rustc component does (scripts/setup-test-machine.sh).

Proves: the flake's plain-cargo path for a triple cargo-zigbuild refuses (no zig, no
zigRuntime, naersk's own `cargo build` with `--target`) builds in both naersk derivations and
installs the program as `bin/<crate>.wasm`; the file is a component (header version 0x0d,
layer 1) and runs under the WASI runner with the expected greeting.

Does NOT prove: fenix's real rust-std or Rust's wasi-libc build, nixpkgs' wasmtime CLI (the
runner here is our wrapper over the wasmtime Python API), or hermeticity (the stub tools are
the host's).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import nixenv
import pytest
from flake_cases import WEB_BUILD_CASES, WEB_CRATE, WEB_HOST
from flake_projects import generate

pytestmark = pytest.mark.nix

TRIPLE = "wasm32-wasip2"
COMPONENT_HEADER = b"\0asm\x0d\x00\x01\x00"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("component") / WEB_CRATE, WEB_BUILD_CASES["component"])


@pytest.mark.usefixtures("no_homeless_shelter")
def test_component_package_builds_and_runs(project: Path, web_build_stubs: Path) -> None:
    records = (project / "nix" / "targets.nix").read_text(encoding="utf-8")
    assert f'cargoTarget = "{TRIPLE}";\n    zigbuild = false;\n' in records
    out = nixenv.build(project, f"packages.{WEB_HOST}.{TRIPLE}", web_build_stubs)["out"]
    program = out / "bin" / f"{WEB_CRATE}.wasm"
    assert program.is_file(), sorted(p.name for p in (out / "bin").iterdir())
    assert program.read_bytes()[:8] == COMPONENT_HEADER
    ran = subprocess.run(
        ["wasmtime", str(program)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/opt/crossflake/bin:/usr/bin:/bin"},
    )
    assert ran.returncode == 0, ran.stderr
    # std reports OS "" on wasm targets (see tests/cross/test_wasip2.py).
    assert ran.stdout == f"Hello from {WEB_CRATE} on wasm32-!\n"
