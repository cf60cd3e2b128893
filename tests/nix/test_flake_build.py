"""Rung 3 (nix build with host tools): a generated flake's cross packages build inside a real
Nix builder and the binaries run.

The builder is Nix's own: cleared environment, HOME=/homeless-shelter, and build users
(`build-users-group = nixbld`), so the build runs as nixbld1 and HOME really is unwritable, as in
any Nix installation. The stubs (BUILD mode, tests/nix/conftest.py) make `pkgs.zig`,
`pkgs.cargo-zigbuild` and fenix's toolchain point at host tools: Debian's Rust 1.63 with its
extra-target standard libraries, pip's zig and cargo-zigbuild. `pkgs.zig` has nixpkgs' layout
(`$out/bin/zig` using `$out/lib/zig`, a read-only store folder, unless ZIG_LIB_DIR is set), and
its lib dir lacks arm-features.h like older zigs: for armv7 cargo-zigbuild writes that file into
zig's lib dir, so the writable lib dir that the target's zigRuntime derivation prepares once (and
the packages then use read-only) is exercised for real.

Proves: the flake's zigbuild setup (writable caches, zigRuntime's lib dir and seeded cache,
`--target` with the glibc floor) works in a Nix builder for aarch64 (glibc 2.17), armv7 and
x86_64-windows, the outputs run under qemu and wine; two negative controls show the tests can see
the bugs: without the cache exports the build (zigRuntime's first) fails with the seed's error,
without the writable lib dir the armv7 build fails writing arm-features.h. test_zig_runtime.py
covers the runtime's reuse.

Does NOT prove: hermeticity or the real nixpkgs/fenix/naersk (their zig, cargo-zigbuild and
Rust versions differ from the host's; naersk's real derivations are not run). Musl, macOS and
the template's default edition 2024 need a newer Rust than 1.63 (cargo 1.65 here):
test_default_path_build.py builds them with Debian's newest Rust and its std prebuilt once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nixenv
import pytest
from flake_projects import generate, subn_in_flake, track
from support import require_tool

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
CRATE = "hello-cross"
ANSWERS = {
    "crate_name": CRATE,
    "crate_type": "bin",
    "edition": "2021",  # Rust 1.63 (the host's) predates edition 2024
    "hosts": [HOST],
    "targets": ["aarch64-linux", "armv7-linux", "x86_64-windows"],
    "linking": "dynamic",
    "glibc": "2.17",
    "toolchain": "stable",
}

CACHE_EXPORTS = re.compile(
    r"^\s*export (HOME|XDG_CACHE_HOME|CARGO_ZIGBUILD_CACHE_DIR|ZIG_GLOBAL_CACHE_DIR|"
    r"ZIG_LOCAL_CACHE_DIR)=.*\n|^\s*mkdir -p \"\$HOME\".*\n",
    re.MULTILINE,
)
"""The cache fix of zigBuildSetup; ZIG_LIB_DIR (a different fix) stays."""

LIB_DIR_COPY = re.compile(
    r'^\s*export ZIG_LIB_DIR=.*\n|^\s*cp -rs .*/lib/zig .*\n|^\s*find "\$ZIG_LIB_DIR".*\n',
    re.MULTILINE,
)
"""The writable zig lib dir that zigRuntime prepares and zigBuildSetup points to (cache exports
stay)."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated project every build test builds from."""
    return generate(tmp_path_factory.mktemp("build") / CRATE, ANSWERS)


def build_binary(project: Path, triple: str, stubs: Path, name: str) -> Path:
    """`nix build` one package; the path of the binary it installed."""
    out = nixenv.build(project, f"packages.{HOST}.{triple}", stubs)["out"]
    binary = out / "bin" / name
    assert binary.is_file(), sorted(p.name for p in (out / "bin").iterdir())
    return binary


def max_glibc(binary: Path) -> tuple[int, ...]:
    """Highest GLIBC_x.y symbol version a dynamic ELF binary needs (objdump -T)."""
    dump = subprocess.run(
        ["objdump", "-T", str(binary)], capture_output=True, text=True, check=True
    ).stdout
    versions = {tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_([\d.]+)", dump)}
    return max(versions)


def run_under(command: list[str], env: dict[str, str]) -> str:
    """Run an emulated binary and return its stdout."""
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.usefixtures("no_homeless_shelter")
def test_aarch64_gnu_builds_in_nix_and_runs_under_qemu(project: Path, build_stubs: Path) -> None:
    qemu = require_tool("qemu-aarch64")
    binary = build_binary(project, "aarch64-unknown-linux-gnu", build_stubs, CRATE)
    assert max_glibc(binary) <= (2, 17)
    env = {**os.environ, "QEMU_LD_PREFIX": "/usr/aarch64-linux-gnu"}
    assert run_under([qemu, str(binary)], env).strip() == f"Hello from {CRATE} on aarch64-linux!"


@pytest.mark.usefixtures("no_homeless_shelter")
def test_armv7_builds_with_a_writable_zig_lib_dir_and_runs(
    project: Path, build_stubs: Path
) -> None:
    # cargo-zigbuild adds arm-features.h to zig's lib dir (the stub's lacks it, like older zigs);
    # the store copy is read-only, so this passes only with the flake's writable ZIG_LIB_DIR.
    qemu = require_tool("qemu-arm")
    binary = build_binary(project, "armv7-unknown-linux-gnueabihf", build_stubs, CRATE)
    assert max_glibc(binary) <= (2, 17)
    env = {**os.environ, "QEMU_LD_PREFIX": "/usr/arm-linux-gnueabihf"}
    assert run_under([qemu, str(binary)], env).strip() == f"Hello from {CRATE} on arm-linux!"


@pytest.fixture
def wine_env() -> Iterator[dict[str, str]]:
    """A throwaway wine prefix; its wineserver is stopped and the prefix removed afterwards."""
    prefix = tempfile.mkdtemp(prefix="crossflake-wine-")
    env = {**os.environ, "WINEPREFIX": prefix, "WINEDEBUG": "-all"}
    yield env
    subprocess.run([require_tool("wineserver"), "-k"], env=env, check=False, capture_output=True)
    shutil.rmtree(prefix, ignore_errors=True)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_windows_builds_in_nix_and_runs_under_wine(
    project: Path, build_stubs: Path, wine_env: dict[str, str]
) -> None:
    wine = require_tool("wine")
    binary = build_binary(project, "x86_64-pc-windows-gnu", build_stubs, f"{CRATE}.exe")
    output = run_under([wine, str(binary)], wine_env)
    assert output.strip() == f"Hello from {CRATE} on x86_64-windows!"


@pytest.mark.usefixtures("no_homeless_shelter")
def test_without_the_cache_fix_the_build_fails_like_the_seed(
    project: Path, build_stubs: Path, tmp_path: Path
) -> None:
    """Negative control: the same flake minus the cache exports hits the seed's error."""
    broken = without(project, tmp_path / CRATE, CACHE_EXPORTS, 6)
    with pytest.raises(nixenv.NixError) as failure:
        nixenv.build(broken, f"packages.{HOST}.aarch64-unknown-linux-gnu", build_stubs)
    message = failure.value.stderr
    assert re.search(r"failed to create directory[^\n]*/homeless-shelter", message), message[-3000:]
    assert "Permission denied" in message, message[-3000:]


def without(project: Path, destination: Path, pattern: re.Pattern[str], count: int) -> Path:
    """A tracked copy of ``project`` whose Nix files lost ``count`` matches of ``pattern``."""
    shutil.copytree(project, destination, symlinks=True)
    removed = subn_in_flake(destination, pattern, "")
    assert removed == count, "zigBuildSetup changed: update the pattern"
    return track(destination)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_without_the_writable_zig_lib_dir_armv7_fails(
    project: Path, build_stubs: Path, tmp_path: Path
) -> None:
    """Negative control: cargo-zigbuild writes arm-features.h into zig's lib dir for armv7
    (the stub's zig, like older zigs, lacks it); the store copy is read-only."""
    broken = without(project, tmp_path / CRATE, LIB_DIR_COPY, 4)
    with pytest.raises(nixenv.NixError) as failure:
        nixenv.build(broken, f"packages.{HOST}.armv7-unknown-linux-gnueabihf", build_stubs)
    message = failure.value.stderr
    store_lib_file = r"failed to create file[^\n]*/nix/store/[^\n/]*-zig-[^\n/]*/lib/zig/"
    pattern = store_lib_file + r"[^\n]*arm-features\.h[^\n]*Permission denied"
    assert re.search(pattern, message), message[-3000:]
