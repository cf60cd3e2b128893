"""Fixtures of the Nix layer: Nix must exist, builds must run as build users, and no build may
leave `/homeless-shelter` behind.

Why the guard: Nix sets HOME=/homeless-shelter in builders. With build users that folder cannot
be created, so a tool writing to HOME fails like in any real Nix build. A build run by root
without build users creates it instead, which hides the cache-directory bug and makes every later
build fail with "home directory '/homeless-shelter' exists". A build test that leaves it behind
therefore fails, and the folder is removed so the next tests see a clean host.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cross_harness
import flake_cases
import nixenv
import prebuilt_std
import pytest
import release_project as release_projects
import rust_web
import wasi_sysroot
import wine_prng
from support import IN_CI, require_tool

HOMELESS_SHELTER = Path("/homeless-shelter")
RUST_SYSROOT = Path("/opt/crossflake/rust-1.63-sysroot")
"""Debian's Rust 1.63 standard libraries for aarch64, armv7, i686, windows-gnu and wasm."""


@pytest.fixture(autouse=True)
def _nix_installed() -> None:
    """Every test here runs Nix: skip locally (fail in CI) without it."""
    require_tool("nix", "the flake tests evaluate and build with Nix")


def _missing(reason: str) -> None:
    """Skip locally, fail in CI, like support.require_tool."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def no_homeless_shelter() -> Iterator[None]:
    """Fail a build test that created /homeless-shelter (a build ran without build users)."""
    if HOMELESS_SHELTER.exists():  # left by an earlier, unguarded run: not this test's fault
        shutil.rmtree(HOMELESS_SHELTER)
    yield
    if HOMELESS_SHELTER.exists():
        shutil.rmtree(HOMELESS_SHELTER)
        pytest.fail(
            f"{HOMELESS_SHELTER} was created: a build ran as root without build users "
            "(removed again; run scripts/setup-nix.sh)"
        )


@pytest.fixture(scope="session")
def host_tools() -> nixenv.HostTools:
    """Host tools the BUILD-mode stubs link in, readable by the build users."""
    if not nixenv.build_users_available():
        _missing("no Nix build users (group nixbld): run scripts/setup-nix.sh")
    tools = nixenv.HostTools.detect()
    missing = tools.missing_for_zigbuild()
    if missing:
        _missing(f"tools a Nix build user can run are missing: {', '.join(missing)}")
    if not RUST_SYSROOT.is_dir():
        _missing(f"{RUST_SYSROOT} (extra-target Rust std) is missing: run the machine setup")
    tools.rust_sysroot = str(RUST_SYSROOT)
    return tools


@pytest.fixture(scope="session")
def build_stubs(host_tools: nixenv.HostTools) -> Iterator[Path]:
    """A BUILD-mode copy of the stubs, in a world-readable folder under /tmp."""
    folder = Path(tempfile.mkdtemp(prefix="crossflake-stubs-"))
    folder.chmod(0o755)
    yield nixenv.prepare_stubs(folder / "stubs", build=True, tools=host_tools)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def web_build_stubs(host_tools: nixenv.HostTools) -> Iterator[Path]:
    """BUILD-mode stubs whose fenix toolchain is Debian's newest Rust with prebuilt std.

    The stand-in for fenix's prebuilt rust-std: each target's std is compiled once per
    machine (tests/prebuilt_std.py, shared with the rung-2 tests) and the stub's rust-std
    derivation copies it into the store, so every builder gets it ready-made instead of
    compiling std itself. Everything else as in ``build_stubs``.
    """
    rust = prebuilt_std.RUST_WEB
    for tool in (rust.rustc, rust.cargo, str(rust.vendor_config)):
        require_tool(tool)
    ready = prebuilt_std.sysroots(rust, flake_cases.web_std_triples())
    # WASI targets: the std with wasi-libc's self-contained objects, as fenix's rust-std has it.
    ready |= {t: wasi_sysroot.sysroot(rust, t) for t in ready if t in wasi_sysroot.LIB_DIRS}
    std = {triple: str(root / "lib" / "rustlib" / triple) for triple, root in ready.items()}
    std[prebuilt_std.HOST] = str(rust.sysroot / "lib" / "rustlib" / prebuilt_std.HOST)
    names = ("cargo", "rustc", "rustdoc")
    tools = dataclasses.replace(
        host_tools,
        rust={name: str(rust.root / "bin" / name) for name in names},
        rust_sysroot=None,
        prebuilt_std=std,
        # As rung 2 passes them (rust_web.py): Debian's std for windows-gnu links libssp.
        prebuilt_std_libs={
            triple: str(rust_web.WINDOWS_GNU_LIBS)
            for triple in std
            if triple.endswith("-windows-gnu")
        },
    )
    folder = Path(tempfile.mkdtemp(prefix="crossflake-web-stubs-"))
    folder.chmod(0o755)
    yield nixenv.prepare_stubs(folder / "stubs", build=True, tools=tools)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def release_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """release_project.py's project, generated once for test_release_build.py and
    test_release_installers.py."""
    return release_projects.release_project(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="session")
def release(release_project: Path, build_stubs: Path) -> Path:
    """Its built `packages.<host>.release` (a store path), built once per session."""
    return release_projects.build_release(release_project, build_stubs)


@pytest.fixture(scope="session")
def wine_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An environment that runs Windows programs built by Nix: the cross tests' Wine prefix
    (this worker's, in the machine cache) given the stand-in for the one Windows function
    Debian's Wine 8 lacks (tests/cross/wine_prng.py)."""
    prefix = wine_prng.machine_prefix()
    wine_prng.install(prefix, tmp_path_factory.mktemp("wine-prng-zig-cache"))
    env = {"PATH": cross_harness.PATH, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all"}
    yield env
    subprocess.run(["wineserver", "-k"], env=env, capture_output=True, check=False, timeout=60)
