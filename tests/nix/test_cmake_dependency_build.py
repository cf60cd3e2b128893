"""Rung 3: `nix build` of a crate whose dependency is built by CMake, and its C runs.

The test crate (tests/cmake_inside.py: libz-ng-sys, which builds zlib-ng with its own CMake
scripts through the `cmake` crate; pinned by its Cargo.lock) is generated for static musl
Linux and Windows and its aarch64 musl and x86_64 Windows packages are built with
`nix build .#<triple>` in a real Nix builder run by build users (HOME=/homeless-shelter),
with the BUILD-mode stubs of test_default_path_build.py (Debian's newest Rust, each target's
std prebuilt once). The builder's PATH holds only the derivation's inputs and the stub
stdenv's basic tools, which have no CMake: it can only come from nix/build-tools.nix (the
catalog's `cmake` crate -> `pkgs.cmake`; the stub's is this machine's CMake).

Proves: CMake runs in both naersk derivations' builder, configured with the CMake toolchain
file of the target's zigRuntime (its copy of cargo-zigbuild's, rewritten to name the copied
wrappers: zlib-ng's log in the -deps derivation names the file and its zig cc wrapper, both
in the zigRuntime store path), so zig compiled zlib-ng for the target; the programs run
(qemu with an empty library root, Wine) and compute what Python's zlib computes; the
package's derivation compiles only the crate (the CMake build is the -deps one's).

Does NOT prove: real nixpkgs' CMake or zig, fenix's std, hermeticity (rung 4). Windows runs
under Wine 8 with a stand-in for bcryptprimitives.dll (tests/cross/wine_prng.py).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import binary_facts
import cmake_inside
import cross_harness as harness
import nixenv
import pytest
from flake_projects import generate, track

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
TRIPLES = ["aarch64-unknown-linux-musl", "x86_64-pc-windows-gnu"]
STORE_RUNTIME = r"/nix/store/[0-9a-z]{32}-zig-runtime-"
BUILD_TIMEOUT = 3600
"""A cold build runs CMake's configure checks and compiles zlib-ng (and, for Windows, zig's
MinGW runtime in zigRuntime) on two cores the suite's other builds share."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("cmake-build")
    rendered = generate(base / cmake_inside.CRATE, cmake_inside.ANSWERS)
    return track(cmake_inside.give_cmake_dependency(rendered))


@pytest.fixture(scope="module")
def built(project: Path, web_build_stubs: Path) -> dict[str, Path]:
    """Each package's output, built once for the module."""
    return {
        triple: nixenv.build(
            project, f"packages.{HOST}.{triple}", web_build_stubs, timeout=BUILD_TIMEOUT
        )["out"]
        for triple in TRIPLES
    }


def package_eval(project: Path, stubs: Path, triple: str, apply: str) -> object:
    return nixenv.eval_json(project, f"packages.{HOST}.{triple}", stubs=stubs, apply=apply)


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize("triple", TRIPLES)
def test_cmake_ran_with_the_zig_runtime_toolchain(
    project: Path, built: dict[str, Path], web_build_stubs: Path, triple: str
) -> None:
    deps = package_eval(
        project, web_build_stubs, triple, "d: map (x: x.outPath) d.builtDependencies"
    )
    assert isinstance(deps, list) and len(deps) == 1, deps
    log = cmake_inside.configure_log(Path(deps[0]) / "target", triple)
    toolchains = cmake_inside.TOOLCHAIN_USED.findall(log)
    compilers = cmake_inside.COMPILER_USED.findall(log)
    runtime = rf"{STORE_RUNTIME}{re.escape(triple)}/wrappers/"
    assert len(toolchains) == 1, log
    assert re.fullmatch(rf"{runtime}cmake/{re.escape(triple)}-toolchain\.cmake", toolchains[0])
    assert len(compilers) == 1, log
    assert re.fullmatch(rf"{runtime}zigcc-{re.escape(triple)}-[0-9a-f]+\.sh", compilers[0])


@pytest.mark.usefixtures("no_homeless_shelter")
def test_static_package_with_cmake_inside_runs_with_nothing_to_load(
    built: dict[str, Path], tmp_path: Path
) -> None:
    program = built["aarch64-unknown-linux-musl"] / "bin" / cmake_inside.CRATE
    assert binary_facts.is_fully_static(program)
    ran = binary_facts.run_with_empty_root("qemu-aarch64", program, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert cmake_inside.expected_output(ran.stdout) == [], ran.stdout


@pytest.mark.usefixtures("no_homeless_shelter")
def test_windows_package_with_cmake_inside_runs_under_wine(
    built: dict[str, Path], project: Path, wine_env: dict[str, str], tmp_path: Path
) -> None:
    triple = "x86_64-pc-windows-gnu"
    program = built[triple] / "bin" / f"{cmake_inside.CRATE}.exe"
    runner = harness.config_runner(project, triple)
    ran = subprocess.run(
        [*runner, str(program)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=wine_env,
        cwd=tmp_path,
    )
    assert ran.returncode == 0, (ran.stdout, ran.stderr)
    assert cmake_inside.expected_output(ran.stdout) == [], ran.stdout


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize("triple", TRIPLES)
def test_package_derivation_compiles_only_the_crate(
    project: Path, built: dict[str, Path], web_build_stubs: Path, triple: str
) -> None:
    """The CMake build happened once, in the -deps derivation (see
    test_c_dependencies_build.py's test of the same name for why this can fail)."""
    attr = f"packages.{HOST}.{triple}"
    crates, log = nixenv.crates_compiled(project, attr, web_build_stubs)
    assert crates == [cmake_inside.CRATE], log[-3000:]
