"""A stand-in for Windows' bcryptprimitives.dll in the tests' Wine prefix.

Rust's std imports `ProcessPrng` from bcryptprimitives.dll since Rust 1.78 (its
randomness: HashMap seeds, and what `getrandom` asks for). Windows 10 and later
have it, and so does Wine from 9.0; Debian 12's Wine 8.0 does not, so every
Windows program of a current Rust exits with 53 ("Library bcryptprimitives.dll
... not found") before main. The tests put a DLL of our own (the C below,
compiled by zig for x86_64 Windows) into the prefix's system32: it exports
ProcessPrng and fills the buffer from advapi32's RtlGenRandom (SystemFunction036),
which Wine 8 has.

What this proves and does not: the program, its std and its C code run on Wine,
with real random bytes; the DLL is a test double of one Windows system function,
so the import itself is checked separately (binary_facts.is_windows_system_dll), and
a real Windows (or Wine >= 9) provides its own. Only the prefix of the tests gets
it; generated projects and their runners never see it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import cross_harness as harness
import machine_cache

SOURCE = r"""/* Test double of bcryptprimitives.dll for Wine 8 (tests/cross/wine_prng.py). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
"""
DLL = "bcryptprimitives.dll"


def _compile(zig_cache: Path) -> Path:
    """The DLL, compiled once per (zig, source) into the machine cache."""
    zig = machine_cache.command_output([str(harness.TOOLS_BIN / "zig"), "version"])

    def fill(staging: Path) -> None:
        source = staging / "bcryptprimitives.c"
        source.write_text(SOURCE, encoding="utf-8")
        subprocess.run(
            [
                str(harness.TOOLS_BIN / "zig"),
                "cc",
                "-target",
                "x86_64-windows-gnu",
                "-shared",
                "-O2",
                "-o",
                str(staging / DLL),
                str(source),
                "-ladvapi32",
            ],
            check=True,
            capture_output=True,
            text=True,
            env={"PATH": harness.PATH, "ZIG_GLOBAL_CACHE_DIR": str(zig_cache)},
            timeout=600,
        )

    key = machine_cache.digest(zig, SOURCE)
    return machine_cache.MACHINE.entry("wine-prng", key, fill) / DLL


def machine_prefix() -> Path:
    """The tests' Wine prefix, kept in the machine cache under Wine's version (Wine makes
    ~700 MB on a first run): one per pytest-xdist worker, since `wineserver -k` at the end
    of a session stops only the server of its own prefix."""
    env = {"PATH": harness.PATH, "HOME": os.environ.get("HOME", "/root")}
    wine = machine_cache.digest(machine_cache.command_output(["wine64", "--version"], env))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "serial")
    return machine_cache.MACHINE.folder("wine", wine, worker)


def install(prefix: Path, zig_cache: Path) -> Path:
    """Put the stand-in into the prefix's system32 (creating the prefix if it is new)."""
    system32 = prefix / "drive_c" / "windows" / "system32"
    if not system32.is_dir():
        env = {"PATH": harness.PATH, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all"}
        subprocess.run(
            ["wine", "wineboot", "--init"], env=env, capture_output=True, check=True, timeout=600
        )
        subprocess.run(["wineserver", "-w"], env=env, capture_output=True, check=False, timeout=600)
    target = system32 / DLL
    dll = _compile(zig_cache)
    if not target.is_file() or target.read_bytes() != dll.read_bytes():
        target.write_bytes(dll.read_bytes())
    return target
