"""Rung 3 for ARM Windows and FreeBSD: `nix build .#<triple>` through the generated flake.

The flake generated for aarch64-windows (aarch64-pc-windows-gnullvm) and x86_64-freebsd
(flake_cases.WEB_BUILD_CASES["winbsd"]) is built with `nix build` in a real Nix builder run
by build users (HOME=/homeless-shelter), with the stub fenix toolchain pointing at Debian's
newest Rust and each target's std prebuilt once (tests/prebuilt_std.py), like
test_default_path_build.py. The zigRuntime derivation seeds zig's runtime for each target
(for gnullvm: zig's MinGW-w64, LLVM's libunwind and compiler-rt; cargo-zigbuild's
synchronization.def in the writable lib dir; for FreeBSD: zig's crt objects and its stubs of
FreeBSD's libraries), then naersk's two derivations link with it.

Proves: these packages build inside a Nix builder with the flake's zig setup, and
`result/bin` holds what test_windows_freebsd.py's checks demand of a file that Windows on
ARM64 or FreeBSD would load (the same checks: tests/cross/system_checks.py).

Does NOT prove: that the programs run (nothing here runs ARM64 Windows or FreeBSD
programs), the real nixpkgs/fenix/naersk, hermeticity, or fenix's prebuilt std.
"""

from __future__ import annotations

from pathlib import Path

import nixenv
import pytest
import system_checks as checks
from flake_cases import WEB_BUILD_CASES, WEB_CRATE, WEB_HOST
from flake_projects import generate

pytestmark = pytest.mark.nix

ANSWERS = WEB_BUILD_CASES["winbsd"]
# Rust triple -> the catalog platform whose checks its program must pass.
PACKAGES = {
    "aarch64-pc-windows-gnullvm": "aarch64-windows",
    "x86_64-unknown-freebsd": "x86_64-freebsd",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("winbsd") / WEB_CRATE, ANSWERS)


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize("triple", sorted(PACKAGES))
def test_package_builds_a_program_its_system_would_load(
    project: Path, web_build_stubs: Path, triple: str
) -> None:
    out = nixenv.build(project, f"packages.{WEB_HOST}.{triple}", web_build_stubs)["out"]
    platform_id = PACKAGES[triple]
    if platform_id.endswith("-windows"):
        binary = out / "bin" / f"{WEB_CRATE}.exe"
        assert binary.is_file(), sorted(p.name for p in (out / "bin").iterdir())
        assert checks.windows_problems(binary, platform_id) == []
    else:
        binary = out / "bin" / WEB_CRATE
        assert binary.is_file(), sorted(p.name for p in (out / "bin").iterdir())
        assert checks.freebsd_problems(binary, platform_id) == []
