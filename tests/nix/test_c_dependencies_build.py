"""Rung 3: `nix build` of the crate with C inside for every target, and its C runs.

The test crate (tests/c_inside.py: ring, aws-lc-rs, openssl vendored, zstd, rusqlite bundled,
pinned by its Cargo.lock) is generated as the rung-2 test generates it (c_inside.PROJECTS:
static musl x86_64 and aarch64 and Windows, x86_64 with a glibc 2.17 floor, arm64 macOS from
Linux), and each package is built with `nix build .#<triple>` inside a real Nix builder run
by build users (HOME=/homeless-shelter), with the BUILD-mode stubs of
test_default_path_build.py (Debian's newest Rust, each target's std prebuilt once). The
naersk stub fetches the 50-odd crates the lock names from crates.io (fixed-output downloads
checked against the lock's checksums) as upstream naersk does.

Proves: the flake's builds of a crate with C inside work in a builder with nothing but what
the flake gives it: Perl for OpenSSL's Configure comes from nix/build-tools.nix (stdenv's
make), zig compiles every C file for the target in BOTH naersk derivations (the -deps one
builds the C libraries: its OpenSSL archive carries clang's stamp and no GCC's, though the
stub stdenv puts the host's gcc on PATH as real stdenv does). Of the programs: the static
ones have no interpreter and no dynamic section and run under qemu with an empty library
root; the glibc one needs nothing newer than 2.17 and runs here; the Windows one imports
only Windows' own DLLs and runs under Wine; each computes what Python computes
(c_inside.expected_output); the x86_64 Linux ones hold no code of the host's GCC; the macOS
one is an arm64 Mach-O for macOS 11 that loads only system libraries (not run: no Mac here).

Does NOT prove: real nixpkgs' perl/cmake or zig, fenix's std, hermeticity (rung 4). Windows
runs under Wine 8 with a stand-in for bcryptprimitives.dll (tests/cross/wine_prng.py).

Cost: the most expensive Nix builds of the suite (OpenSSL and aws-lc per target, about 10
minutes each cold on 2 cores). Nix reuses them: the source is the same content every run, so
the derivations are the same and a warm store builds nothing; this test then checks the
outputs Nix holds for exactly these derivations.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import binary_facts
import c_inside
import cross_harness as harness
import macho
import nixenv
import pytest
from flake_projects import generate, track

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
QEMU = {
    "static/x86_64-unknown-linux-musl": "qemu-x86_64",
    "static/aarch64-unknown-linux-musl": "qemu-aarch64",
}
GNU = "gnu/x86_64-unknown-linux-gnu"
WINDOWS = "static/x86_64-pc-windows-gnu"
MACOS = "darwin/aarch64-apple-darwin"
BUILD_TIMEOUT = 3600
"""A cold build compiles OpenSSL and aws-lc for the target in the -deps derivation."""


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("c-build")
    return {
        name: track(c_inside.give_c_dependencies(generate(base / name / c_inside.CRATE, answers)))
        for name, answers in c_inside.PROJECTS.items()
    }


@pytest.fixture(scope="module")
def build(projects: dict[str, Path], web_build_stubs: Path) -> Callable[[str], Path]:
    """The package output of "<project>/<triple>", built at most once for the module."""
    done: dict[str, Path] = {}

    def built(key: str) -> Path:
        if key not in done:
            name, triple = key.split("/")
            attr = f"packages.{HOST}.{triple}"
            done[key] = nixenv.build(projects[name], attr, web_build_stubs, timeout=BUILD_TIMEOUT)[
                "out"
            ]
        return done[key]

    return built


def program(build: Callable[[str], Path], key: str) -> Path:
    out = build(key)
    name = c_inside.CRATE + (".exe" if "windows" in key else "")
    found = out / "bin" / name
    assert found.is_file(), sorted(p.name for p in (out / "bin").iterdir())
    return found


def ran_c(argv: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run a program; its output must be what the C libraries compute (c_inside)."""
    ran = subprocess.run(
        argv, capture_output=True, text=True, timeout=300, check=False, env=env, cwd=cwd
    )
    assert ran.returncode == 0, (ran.stdout, ran.stderr)
    assert c_inside.expected_output(ran.stdout) == [], ran.stdout


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize("key", sorted(QEMU))
def test_static_package_with_c_inside_is_static_and_its_c_runs(
    build: Callable[[str], Path], key: str, tmp_path: Path
) -> None:
    binary = program(build, key)
    assert binary_facts.is_fully_static(binary)
    ran = binary_facts.run_with_empty_root(QEMU[key], binary, tmp_path)
    assert ran.returncode == 0, (ran.stdout, ran.stderr)
    assert c_inside.expected_output(ran.stdout) == [], ran.stdout


@pytest.mark.usefixtures("no_homeless_shelter")
def test_glibc_package_with_c_inside_keeps_its_floor_and_runs(
    build: Callable[[str], Path], tmp_path: Path
) -> None:
    """OpenSSL, aws-lc and SQLite call libc functions newer than 2.17 where they exist
    (getrandom, getentropy...): the floor holds in the Nix build too."""
    binary = program(build, GNU)
    versions = binary_facts.glibc_versions(binary)
    assert versions and max(versions) <= (2, 17), versions
    ran_c([str(binary)], {"PATH": "/usr/bin:/bin"}, tmp_path)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_windows_package_with_c_inside_runs_under_wine(
    build: Callable[[str], Path],
    projects: dict[str, Path],
    wine_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """Run with the runner the generated config names for Windows (Wine)."""
    binary = program(build, WINDOWS)
    imports = binary_facts.dll_imports(binary)
    foreign = [name for name in imports if not binary_facts.is_windows_system_dll(name)]
    assert imports and foreign == [], imports
    runner = harness.config_runner(projects["static"], WINDOWS.split("/")[1])
    ran_c([*runner, str(binary)], wine_env, tmp_path)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_macos_package_with_c_inside_builds_on_linux(build: Callable[[str], Path]) -> None:
    info = macho.read(program(build, MACOS))
    assert info.cpu == "arm64"
    assert info.minos == "11.0"
    assert info.dylibs and all(macho.is_system_dylib(d) for d in info.dylibs), info.dylibs


@pytest.mark.usefixtures("no_homeless_shelter")
def test_zig_compiled_the_c_in_both_derivations(
    projects: dict[str, Path], build: Callable[[str], Path], web_build_stubs: Path
) -> None:
    """x86_64 is the build machine's own architecture, the one the host's gcc (on the
    builder's PATH as `cc`, like stdenv's) could compile for unasked: the OpenSSL archive of
    the musl package's -deps derivation and both x86_64 Linux programs carry clang's stamp
    and no GCC's."""
    triple = "x86_64-unknown-linux-musl"
    deps = nixenv.eval_json(
        projects["static"],
        f"packages.{HOST}.{triple}",
        stubs=web_build_stubs,
        apply="d: map (x: x.outPath) d.builtDependencies",
    )
    assert len(deps) == 1, deps
    archives = sorted(
        Path(deps[0]).glob(f"target/{triple}/release/build/openssl-sys-*/out/**/libcrypto.a")
    )
    assert archives, f"no libcrypto.a in {deps[0]}"
    for made in [archives[0], program(build, f"static/{triple}"), program(build, GNU)]:
        comment = binary_facts.elf_comment(made)
        assert "clang version" in comment, (made, comment)
        assert "GCC:" not in comment, (made, comment)


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize("key", [*sorted(QEMU), GNU, WINDOWS, MACOS])
def test_crate_derivation_compiles_only_the_crate(
    projects: dict[str, Path], build: Callable[[str], Path], web_build_stubs: Path, key: str
) -> None:
    """naersk's two derivations: the -deps one compiles every dependency (here OpenSSL,
    aws-lc, SQLite, zstd and ring's C), the package starts from its target dir and compiles
    the crate alone. These builds are not sandboxed, so each runs in its own $TMPDIR, as on
    macOS: the compiler and linker variables name zigRuntime's wrappers (one store path)
    rather than cargo-zigbuild's cache folder there, else every build script runs again
    (they watch CC_<target>) and cargo recompiles every crate (its linker changed). Read
    from the package derivation's build log (`nix log`)."""
    build(key)
    name, triple = key.split("/")
    crates, log = nixenv.crates_compiled(
        projects[name], f"packages.{HOST}.{triple}", web_build_stubs
    )
    assert crates == [c_inside.CRATE], log[-3000:]
