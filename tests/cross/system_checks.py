"""What Windows and FreeBSD check before they load a program, as functions of the file.

For platforms this machine cannot run (test_windows_freebsd.py, rung 2, and
test_windows_freebsd_build.py, rung 3): each function lists why the system would refuse the
file or miss a library, so an empty list is the proof and a test's negative control can show
the same function rejecting a wrong file.
"""

from __future__ import annotations

from pathlib import Path

import binary_facts
import pe

# What Windows' loader must see per platform: COFF machine and optional-header magic.
PE_FORMAT = {
    "i686-windows": ("i386", pe.PE32),
    "aarch64-windows": ("arm64", pe.PE32_PLUS),
    "x86_64-windows": ("amd64", pe.PE32_PLUS),
}
# DLLs a MinGW toolchain may leave a program depending on; none is part of Windows.
TOOLCHAIN_DLLS = (
    "libgcc_s_dw2-1.dll",
    "libgcc_s_seh-1.dll",
    "libwinpthread-1.dll",
    "libunwind.dll",
    "libc++.dll",
    "libstdc++-6.dll",
)

# readelf's Machine per FreeBSD platform.
FREEBSD_MACHINE = {"x86_64-freebsd": "Advanced Micro Devices X86-64"}
# Libraries of FreeBSD's base system a Rust program may name, each installed by every
# FreeBSD (/lib or /usr/lib): the C library, the POSIX threads library (std's threads),
# the math library, the run-time linker's dl* functions (in libc since FreeBSD 10, but
# some programs name libdl), librt, libutil (openpty & co.), libexecinfo (backtrace) and
# libgcc_s (LLVM's unwinder, named after GCC's).
FREEBSD_BASE_LIBS = frozenset(
    {
        "libc.so.7",
        "libthr.so.3",
        "libm.so.5",
        "libdl.so.1",
        "librt.so.1",
        "libutil.so.9",
        "libexecinfo.so.1",
        "libgcc_s.so.1",
    }
)
# FBSD_1.7 is the symbol version set of FreeBSD 14.0's libraries; 15.0 added FBSD_1.8.
# The catalog's freebsd family promises 14.0 and later.
FREEBSD_NEWEST_VERSION = (1, 7)


def windows_problems(binary: Path, platform_id: str) -> list[str]:
    """Why Windows on ``platform_id`` would not start this file as a console program that
    needs nothing beside it (empty: it would). Raises pe.NotPE for a file that is no PE."""
    facts = pe.read(binary)
    machine, magic = PE_FORMAT[platform_id]
    problems = []
    if facts.machine != machine:
        problems.append(f"machine {facts.machine}, not {machine}")
    if facts.magic != magic:
        problems.append(f"optional header magic {facts.magic:#x}, not {magic:#x}")
    if facts.subsystem != pe.SUBSYSTEM_WINDOWS_CUI:
        problems.append(f"subsystem {facts.subsystem}, not the console (3)")
    if not facts.is_executable:
        problems.append(f"not an executable image (characteristics {facts.characteristics:#x})")
    if not facts.imports:
        problems.append("imports nothing: no kernel32, so not a program of this toolchain")
    foreign = [name for name in facts.imports if not binary_facts.is_windows_system_dll(name)]
    if foreign:
        problems.append(f"imports DLLs Windows does not ship: {foreign}")
    return problems


def freebsd_problems(binary: Path, platform_id: str) -> list[str]:
    """Why FreeBSD on ``platform_id`` would refuse this file or miss a library (empty:
    it would load it with the base system alone)."""
    header = binary_facts.elf_header(binary)
    problems = []
    if header.get("Class") != "ELF64":
        problems.append(f"class {header.get('Class')}")
    if header.get("Machine") != FREEBSD_MACHINE[platform_id]:
        problems.append(f"machine {header.get('Machine')}")
    # FreeBSD's kernel brands an ELF by its ABI note first, then by EI_OSABI: zig writes the
    # note (with the __FreeBSD_version it targets) and leaves EI_OSABI at 0 (System V).
    if header.get("OS/ABI") not in ("UNIX - FreeBSD", "UNIX - System V"):
        problems.append(f"OS/ABI {header.get('OS/ABI')}, neither FreeBSD (9) nor unset (0)")
    if freebsd_version(binary) is None:
        problems.append("no FreeBSD ABI note (.note.tag)")
    interpreter = binary_facts.elf_interpreter(binary)
    if interpreter != "/libexec/ld-elf.so.1":
        problems.append(f"interpreter {interpreter}, not FreeBSD's /libexec/ld-elf.so.1")
    needed = binary_facts.elf_needed(binary)
    if "libc.so.7" not in needed:
        problems.append(f"does not link FreeBSD's libc.so.7: {needed}")
    outside = [name for name in needed if name not in FREEBSD_BASE_LIBS]
    if outside:
        problems.append(f"needs libraries outside FreeBSD's base system: {outside}")
    versions = binary_facts.symbol_versions(binary, "FBSD_")
    if not versions:
        problems.append("no FBSD_ symbol versions: not linked against FreeBSD's libraries")
    elif max(versions) > FREEBSD_NEWEST_VERSION:
        problems.append(f"needs FBSD_{'.'.join(map(str, max(versions)))}, newer than 14.0's")
    return problems


NT_FREEBSD_ABI_TAG = 1


def freebsd_version(binary: Path) -> int | None:
    """The __FreeBSD_version of the binary's FreeBSD ABI note (.note.tag, owner "FreeBSD",
    type 1), e.g. 1400097 for 14.0-RELEASE; None without one."""
    for owner, kind, desc in binary_facts.elf_notes(binary, ".note.tag"):
        if owner == "FreeBSD" and kind == NT_FREEBSD_ABI_TAG and len(desc) == 4:
            return int.from_bytes(desc, "little")
    return None
