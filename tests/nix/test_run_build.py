"""Rung L3 (nix build with host tools): `nix run .#<triple> -- ARGS` and the dev shell's runners
run what the flake builds, with nothing set by hand.

The packages build in a real Nix builder (build users, HOME=/homeless-shelter) with the
BUILD-mode stubs, as in test_flake_build.py; `nix run` then builds the app's closure (the
runner script, its emulator, the glibc root) and runs the program as the caller, with
QEMU_LD_PREFIX removed from the environment. The stub packages point at host tools: qemu-user,
the Wine wrapper, the WASI runner over wasmtime's Python API, and for nixpkgs' glibc of
aarch64-linux Debian's libc6-arm64-cross (the test double's glibc, built here as a derivation of
aarch64-linux with `extra-platforms`, where a real installation substitutes nixpkgs' glibc from
the public cache). The program prints its greeting and then its arguments, so the output proves
the arguments after `--` reach it.

Proves: the app of each target runs its package's program through the target's runner; a
dynamic aarch64 program loads the glibc the flake hands qemu (a control without it fails);
armv7 gnu, for which the public cache has no glibc, runs with Debian's libc6-armhf-cross found
by the runner itself; Windows runs under Wine and WASI under the wasmtime runner; the dev
shell's CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER is a store path that runs the binary as
cargo calls a runner (`RUNNER BINARY ARGS`).

Does NOT prove: real nixpkgs' qemu, wine, wasmtime or glibc (paths modelled from upstream;
rung 4), that cache.nixos.org has the aarch64 glibc, or `cargo-zigbuild run` itself reading
the variable (cargo documents that CARGO_TARGET_<TRIPLE>_RUNNER overrides the config's
runner). The WASI package is built with Debian's Rust 1.63, whose WASI is `wasm32-wasi` linked
by wasm-ld-14: its flake record is rewritten for that, as in test_release_build.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import flake_outputs
import nixenv
import pytest
from flake_projects import generate, git, track
from release_project import wasi_for_rust_163
from support import require_tool
from test_flake_build import ANSWERS as BUILD_ANSWERS

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
CRATE = "hello-run"
ANSWERS = {**BUILD_ANSWERS, "crate_name": CRATE}
"""test_flake_build's answers (aarch64, armv7 glibc 2.17, Windows; Rust 1.63), own crate."""
ARGS = ("first", "second arg")
MAIN = """fn main() {
    println!("Hello from {} on {}-{}!", env!("CARGO_PKG_NAME"), std::env::consts::ARCH,
        std::env::consts::OS);
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args: {}", args.join("|"));
}
"""
"""The program under test: its greeting, then the arguments it received."""


def expected(platform: str) -> str:
    """What the program prints on ``platform`` when given ARGS."""
    return f"Hello from {CRATE} on {platform}!\nargs: {'|'.join(ARGS)}\n"


def with_main(path: Path) -> Path:
    """The generated project with the argument-printing program, tracked."""
    (path / "src" / "main.rs").write_text(MAIN, encoding="utf-8")
    git(path, "add", "-A")
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_main(generate(tmp_path_factory.mktemp("run") / CRATE, ANSWERS))


@pytest.fixture
def clean_env() -> Iterator[dict[str, str]]:
    """The caller's environment minus QEMU_LD_PREFIX, with a throwaway Wine prefix."""
    prefix = tempfile.mkdtemp(prefix="crossflake-wine-")
    env = {k: v for k, v in os.environ.items() if k != "QEMU_LD_PREFIX"}
    env.update(WINEPREFIX=prefix, WINEDEBUG="-all")
    yield env
    subprocess.run([require_tool("wineserver"), "-k"], env=env, check=False, capture_output=True)
    shutil.rmtree(prefix, ignore_errors=True)


def nix_run(project: Path, triple: str, stubs: Path, env: dict[str, str]) -> str:
    """`nix run .#<triple> -- ARGS`; its standard output (a failure shows Nix's stderr)."""
    ran = nixenv.run_app(project, triple, stubs, ARGS, env=env)
    assert ran.returncode == 0, ran.stderr[-3000:]
    return ran.stdout


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize(
    ("triple", "platform", "tool"),
    [
        ("aarch64-unknown-linux-gnu", "aarch64-linux", "qemu-aarch64"),
        ("armv7-unknown-linux-gnueabihf", "arm-linux", "qemu-arm"),
        ("x86_64-pc-windows-gnu", "x86_64-windows", "wine"),
    ],
)
def test_nix_run_prints_the_programs_output_with_nothing_set(
    project: Path,
    build_stubs: Path,
    clean_env: dict[str, str],
    triple: str,
    platform: str,
    tool: str,
) -> None:
    require_tool(tool, "the stub emulator package links the host's")
    if triple.startswith("armv7"):
        require_tool("/usr/arm-linux-gnueabihf/lib/ld-linux-armhf.so.3", "armv7 glibc (Debian)")
    assert nix_run(project, triple, build_stubs, clean_env) == expected(platform)


@pytest.fixture(scope="module")
def wasi_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A WASI-only project, its flake record adapted to Debian's Rust 1.63 as
    test_release_build.py does (`wasm32-wasi`, linked by LLVM 14's wasm-ld)."""
    require_tool("/usr/bin/wasm-ld-14", "links Rust 1.63's wasm rlibs")
    answers = {**ANSWERS, "targets": ["wasm32-wasip1"]}
    path = with_main(generate(tmp_path_factory.mktemp("wasi") / CRATE, answers))
    return track(wasi_for_rust_163(path))


@pytest.mark.usefixtures("no_homeless_shelter")
def test_nix_run_wasi_prints_the_programs_output(
    wasi_project: Path, build_stubs: Path, clean_env: dict[str, str]
) -> None:
    require_tool("wasmtime", "the stub wasmtime package links the host's WASI runner")
    output = nix_run(wasi_project, "wasm32-wasip1", build_stubs, clean_env)
    # Rust 1.63 reports an empty OS on wasm32-wasi (newer Rust says "wasi").
    assert output == expected("wasm32-")


@pytest.mark.usefixtures("no_homeless_shelter")
def test_dev_shell_runner_runs_a_dynamic_aarch64_binary_with_the_flakes_glibc(
    project: Path, build_stubs: Path, clean_env: dict[str, str]
) -> None:
    qemu = require_tool("qemu-aarch64", "control run without the flake's glibc")
    require_tool("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1", "the test double glibc")
    triple = "aarch64-unknown-linux-gnu"
    out = nixenv.build(project, f"packages.{HOST}.{triple}", build_stubs)["out"]
    binary = str(out / "bin" / CRATE)
    variable = flake_outputs.runner_variable(triple)
    (drv,) = nixenv.eval_json(
        project,
        f"devShells.{HOST}.default",
        build_stubs,
        apply=f"d: builtins.attrNames (builtins.getContext d.{variable})",
    )
    runner = nixenv.realise(drv)
    assert runner.startswith("/nix/store/")
    ran = subprocess.run(
        [runner, binary, *ARGS], env=clean_env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == expected("aarch64-linux")
    # Control: qemu alone finds no aarch64 glibc on this machine (Debian keeps it in
    # /usr/aarch64-linux-gnu), so the runner's glibc root is what made the run work.
    alone = subprocess.run(
        [qemu, binary], env=clean_env, capture_output=True, text=True, timeout=120
    )
    assert alone.returncode != 0, alone.stdout
