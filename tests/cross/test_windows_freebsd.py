"""Rung 2 for 32-bit and ARM Windows and for FreeBSD: real builds, proven at link level.

The project rendered with these platforms (cross_platforms.WEB_ANSWERS["winbsd"]) is built
with `cargo-zigbuild build --release` and the generated `.cargo/config.toml` as written, by
Debian's newest Rust with each target's std compiled once per machine (rust_web.py says
what a build adds). Nothing on this machine can run the programs, so each is checked as the
system that would run it checks it, with readers that a wrong file cannot pass:

- Windows (tests/cross/pe.py reads the headers itself): the COFF machine (i386 0x14c,
  ARM64 0xaa64), PE32 for 32-bit and PE32+ for 64-bit, an executable with the console
  subsystem, and an import table naming only DLLs that ship with Windows: nothing from
  MinGW, libunwind, libc++ or winpthread is left to ship beside the program.
- FreeBSD (readelf, and the note bytes read directly): ELF64 x86-64 branded for FreeBSD by
  its ABI note (.note.tag, type 1, __FreeBSD_version 14xxxxx; the kernel brands by this note
  first, and zig leaves EI_OSABI at 0), FreeBSD's loader /libexec/ld-elf.so.1 as
  interpreter, only base-system libraries as DT_NEEDED (libc.so.7 and libthr.so.3; zig's
  libunwind is linked in, so no libgcc_s.so.1), and no FreeBSD symbol version newer than
  FBSD_1.7, FreeBSD 14.0's, the release the catalog promises.

Each reader has a negative control: the same check rejects a Linux ELF, and the Windows
check rejects the x86_64 Windows program of the default path (another machine).

Why nothing runs: no emulator on a Linux host runs ARM64 Windows programs (Wine runs
programs of the host's processor) or FreeBSD programs (qemu's bsd-user runs on BSD hosts
only). i686 Windows programs need a Wine with a 32-bit side: Debian 12's wine64 8.0 starts
a PE32 "in experimental wow64 mode", then "failed to load C:\\windows\\syswow64\\ntdll.dll
error c0000135" (its i386-windows folder holds only zlib1.dll) and exits 0 having run nothing
(measured with a 32-bit console PE); its Wine 8.0 also lacks bcryptprimitives.dll, which
Rust >= 1.78's std imports (test_default_path's NOT_RUN_HERE), and Debian's Rust 1.63 has no
i686 Windows std to sidestep that. nixpkgs' wineWow64Packages, the flake's runner, runs it
at rung 4.

What this does NOT prove: that the programs start (no Windows or FreeBSD here), that a
panic unwinds on i686 Windows (DWARF unwinding through zig's libunwind is linked but not
executed), fenix's prebuilt std (compiled here from Debian's source), or aarch64 FreeBSD,
which the catalog leaves out (tier-3 Rust target: no std in Rust's channels for fenix).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import binary_facts
import cross_harness as harness
import pe
import pytest
import rust_web
from cross_platforms import HELLO, WINBSD_TARGETS
from support import CATALOG
from system_checks import (
    TOOLCHAIN_DLLS,
    freebsd_problems,
    freebsd_version,
    windows_problems,
)

pytestmark = pytest.mark.cross

WINDOWS = [pid for pid in WINBSD_TARGETS if CATALOG["targets"][pid]["family"] == "windows"]
FREEBSD = [pid for pid in WINBSD_TARGETS if CATALOG["targets"][pid]["family"] == "freebsd"]


@pytest.fixture(scope="module", autouse=True)
def rust_used(web_session: harness.Session) -> None:
    print(f"\nRust used: {rust_web.rustc_version()} (Debian rustc-web, std prebuilt once)")


def built(
    web_build: Callable[[str], harness.Timed],
    web_session: harness.Session,
    target: dict[str, Any],
) -> Path:
    """Build the winbsd project for the target and return its program."""
    build = web_build(f"winbsd/{target['id']}")
    assert build.result.returncode == 0, build.describe()
    print(f"winbsd/{target['id']}: built in {build.seconds:.0f} s")
    binary = rust_web.release_binary(web_session, target["triple"], HELLO)
    assert binary.is_file(), binary
    return binary


def test_config_runners_are_the_catalogs(
    web_projects: dict[str, Path], web_targets: dict[str, dict[str, Any]]
) -> None:
    """The generated config gives i686 Windows the catalog's Wine and no runner to the
    platforms nothing on Linux runs (a `runner` there would fail every `cargo test`)."""
    config = harness.read_config(web_projects["winbsd"])["target"]
    for pid in WINBSD_TARGETS:
        target = web_targets[f"winbsd/{pid}"]
        assert config[target["triple"]].get("runner") == CATALOG["targets"][pid]["runner"]
    assert config["i686-pc-windows-gnu"]["runner"] == "wine"
    assert "runner" not in config["aarch64-pc-windows-gnullvm"]
    assert "runner" not in config["x86_64-unknown-freebsd"]


@pytest.mark.parametrize("platform_id", WINDOWS)
def test_windows_program_is_a_console_pe_for_its_machine_needing_only_windows(
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    web_build: Callable[[str], harness.Timed],
    platform_id: str,
) -> None:
    target = web_targets[f"winbsd/{platform_id}"]
    binary = built(web_build, web_session, target)
    assert binary.name == f"{HELLO}.exe"
    assert windows_problems(binary, platform_id) == []
    imports = [name.lower() for name in pe.read(binary).imports]
    assert "kernel32.dll" in imports, imports
    assert not set(imports) & set(TOOLCHAIN_DLLS), imports


@pytest.mark.parametrize("platform_id", WINDOWS)
def test_windows_check_rejects_another_machine_and_a_linux_elf(
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    web_build: Callable[[str], harness.Timed],
    platform_id: str,
) -> None:
    """Negative controls: the x86_64 Windows program of the default path fails the check
    for this platform (wrong machine), and a Linux ELF is no PE at all."""
    default = web_build("static/x86_64-windows")
    assert default.result.returncode == 0, default.describe()
    x86_64 = rust_web.release_binary(web_session, "x86_64-pc-windows-gnu", HELLO)
    assert windows_problems(x86_64, "x86_64-windows") == []
    problems = windows_problems(x86_64, platform_id)
    assert any(problem.startswith("machine amd64") for problem in problems), problems
    with pytest.raises(pe.NotPE, match="no MZ header"):
        windows_problems(Path("/bin/sh").resolve(), platform_id)


@pytest.mark.parametrize("platform_id", FREEBSD)
def test_freebsd_program_loads_with_the_base_system_alone(
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    web_build: Callable[[str], harness.Timed],
    platform_id: str,
) -> None:
    target = web_targets[f"winbsd/{platform_id}"]
    binary = built(web_build, web_session, target)
    assert freebsd_problems(binary, platform_id) == []
    # zig's crt stamps the FreeBSD line it targets (14.x): the catalog says 14.0 or later.
    version = freebsd_version(binary)
    assert version is not None and 1400000 <= version < 1500000, version
    print(f"{platform_id}: NEEDED {binary_facts.elf_needed(binary)}, __FreeBSD_version {version}")
    print(f"{platform_id}: FBSD versions {binary_facts.symbol_versions(binary, 'FBSD_')}")


@pytest.mark.parametrize("platform_id", FREEBSD)
def test_freebsd_check_rejects_a_linux_elf(platform_id: str) -> None:
    """Negative control: a Linux program of the same machine (the host's own shell) fails
    the FreeBSD check on its OS/ABI, note, interpreter and libraries."""
    problems = freebsd_problems(Path("/bin/sh").resolve(), platform_id)
    assert any(problem.startswith("interpreter /lib64/ld-linux") for problem in problems)
    assert "no FreeBSD ABI note (.note.tag)" in problems
    assert any("libc.so.7" in problem for problem in problems), problems
