"""Facts about a built binary, read with binutils rather than trusted from the build.

A build that exits 0 can still produce the wrong thing (a host binary, a
newer glibc requirement, a DLL Windows does not ship); these readers let the
tests check the file itself.
"""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

WASM_MAGIC = b"\0asm\x01\0\0\0"

# DLLs a clean Windows installation has. A MinGW program importing anything
# else (libgcc_s_seh-1.dll, libwinpthread-1.dll, ...) would not start there.
WINDOWS_SYSTEM_DLLS = frozenset(
    name.lower()
    for name in (
        "kernel32.dll",
        "ntdll.dll",
        "msvcrt.dll",
        "ucrtbase.dll",
        "advapi32.dll",
        "userenv.dll",
        "ws2_32.dll",
        "bcrypt.dll",
        "bcryptprimitives.dll",
        "shell32.dll",
        "ole32.dll",
        "user32.dll",
        "secur32.dll",
        "crypt32.dll",
    )
)
# API sets: zig's mingw links the Universal CRT through api-ms-win-crt-*
# (an OS component since Windows 10; Windows 7/8.1 need the UCRT update
# KB2999226), newer Rust std uses api-ms-win-core-synch-*.
WINDOWS_API_SET = re.compile(r"api-ms-win-(crt|core)-[a-z0-9-]+-l\d+-\d+-\d+\.dll")


def is_windows_system_dll(name: str) -> bool:
    """True for a DLL that ships with Windows itself (case-insensitive, as Windows is)."""
    lowered = name.lower()
    return lowered in WINDOWS_SYSTEM_DLLS or WINDOWS_API_SET.fullmatch(lowered) is not None


def _tool(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def elf_machine(binary: Path) -> str:
    """The `Machine:` line of `readelf -h`, e.g. "AArch64"."""
    match = re.search(r"^\s*Machine:\s*(.+?)\s*$", _tool("readelf", "-h", str(binary)), re.M)
    assert match, f"{binary}: no ELF header"
    return match.group(1)


def elf_interpreter(binary: Path) -> str | None:
    """The program interpreter (dynamic loader) from `readelf -l`, None if static."""
    headers = _tool("readelf", "-l", str(binary))
    match = re.search(r"Requesting program interpreter: (\S+?)\]", headers)
    return match.group(1) if match else None


def has_dynamic_section(binary: Path) -> bool:
    """False when `readelf -d` finds no dynamic section (a fully static program)."""
    return "There is no dynamic section in this file." not in _tool("readelf", "-d", str(binary))


def is_fully_static(binary: Path) -> bool:
    """No program interpreter and no dynamic section: the file loads nothing at all."""
    return elf_interpreter(binary) is None and not has_dynamic_section(binary)


def run_with_empty_root(
    qemu: str, binary: Path, folder: Path, path: str = "/usr/bin:/bin"
) -> subprocess.CompletedProcess[str]:
    """Run a Linux program under qemu with an empty library root (made in ``folder``): a
    program that needs any file of a system (a loader, a libc) cannot start."""
    empty = folder / "empty-root"
    empty.mkdir(exist_ok=True)
    return subprocess.run(
        [qemu, "-L", str(empty), str(binary)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": path, "LD_LIBRARY_PATH": ""},
    )


def elf_comment(binary: Path) -> str:
    """The `.comment` strings: each compiler and linker that made part of the file stamps
    itself there ("GCC: (Debian ...)", "clang version ...", "rustc version ...")."""
    return _tool("readelf", "-p", ".comment", str(binary))


def glibc_versions(binary: Path) -> list[tuple[int, ...]]:
    """Every GLIBC_x.y symbol version the binary needs (`objdump -T`), sorted."""
    found = set(re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)\b", _tool("objdump", "-T", str(binary))))
    return sorted(tuple(int(part) for part in version.split(".")) for version in found)


def dll_imports(binary: Path) -> list[str]:
    """The DLLs a PE file imports (`objdump -p` "DLL Name:" lines), as written."""
    return re.findall(r"DLL Name:\s*(\S+)", _tool("objdump", "-p", str(binary)))


def is_wasm_module(binary: Path) -> bool:
    """True when the file starts with the WebAssembly binary magic and version 1."""
    with binary.open("rb") as handle:
        return handle.read(len(WASM_MAGIC)) == WASM_MAGIC


def elf_header(binary: Path) -> dict[str, str]:
    """`readelf -h` as a dict of its fields ("Class", "OS/ABI", "Machine", "Type"...)."""
    fields = re.findall(r"^\s+([^:\n]+):\s*(.*?)\s*$", _tool("readelf", "-h", str(binary)), re.M)
    return dict(fields)


def elf_needed(binary: Path) -> list[str]:
    """The shared libraries the dynamic section names (DT_NEEDED), in order."""
    return re.findall(
        r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", _tool("readelf", "-d", str(binary))
    )


def elf_notes(binary: Path, section: str) -> list[tuple[str, int, bytes]]:
    """The notes of one ELF note section as (owner, type, description), parsed from the
    section's bytes (`readelf -x`, which reads every architecture, unlike the host's
    objcopy): readelf's own note listing names types after Linux's, so its text cannot
    tell FreeBSD's ABI tag apart. Empty when there is no such section."""
    done = subprocess.run(
        ["readelf", "-x", section, str(binary)], capture_output=True, text=True, check=False
    )
    words = re.findall(r"^\s+0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ?){1,4})", done.stdout, re.M)
    data = bytes.fromhex("".join(line.replace(" ", "") for line in words))
    notes = []
    offset = 0
    while offset + 12 <= len(data):  # little-endian ELF: namesz, descsz, type, then padded
        name_size, desc_size, kind = struct.unpack_from("<III", data, offset)
        name_at = offset + 12
        desc_at = name_at + (name_size + 3) // 4 * 4
        owner = data[name_at : name_at + name_size].rstrip(b"\0").decode("ascii", "replace")
        notes.append((owner, kind, data[desc_at : desc_at + desc_size]))
        offset = desc_at + (desc_size + 3) // 4 * 4
    return notes


def symbol_versions(binary: Path, prefix: str) -> list[tuple[int, ...]]:
    """Every `<prefix>x.y` symbol version the binary needs (`readelf -V`), sorted: the
    version floor of the system library that defines them (GLIBC_, FBSD_)."""
    pattern = rf"\b{re.escape(prefix)}(\d+(?:\.\d+)+)\b"
    found = set(re.findall(pattern, _tool("readelf", "-V", "-W", str(binary))))
    return sorted(tuple(int(part) for part in version.split(".")) for version in found)
