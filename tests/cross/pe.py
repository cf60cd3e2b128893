"""A small reader of Windows PE executables: what Windows' loader checks before it runs one.

Written for the Windows platforms this machine cannot run (aarch64: nothing runs ARM64
Windows programs on Linux; i686: Debian's Wine has no 32-bit side). Reading the headers
ourselves, rather than trusting `file` or objdump's guesses, lets a test say exactly what
the loader would see: the machine the code is for, PE32 or PE32+, the subsystem (a console
program), and the DLLs the import table names, which must all ship with Windows.

Layout (Microsoft's PE format specification): the DOS header's e_lfanew (offset 0x3c)
points at "PE\\0\\0", then the COFF header (machine, section count, optional header size),
the optional header (magic 0x10b PE32 or 0x20b PE32+, subsystem at offset 68 in both,
then the data directories, the second of which is the import table), then the section
table that maps relative virtual addresses to file offsets.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

MACHINES = {0x14C: "i386", 0x8664: "amd64", 0xAA64: "arm64", 0x1C4: "armnt"}
PE32 = 0x10B
PE32_PLUS = 0x20B
SUBSYSTEM_WINDOWS_GUI = 2
SUBSYSTEM_WINDOWS_CUI = 3  # a console program, as Rust's default `main` is
IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002
IMAGE_FILE_DLL = 0x2000


class NotPE(ValueError):
    """The file is not a PE image (no MZ header, no PE signature, or a truncated header)."""


@dataclass(frozen=True)
class PE:
    """What the headers of one PE file say."""

    machine: str
    """MACHINES' name of the COFF machine field, or its hex value when unknown."""
    magic: int
    """PE32 (32-bit) or PE32_PLUS (64-bit) optional header."""
    subsystem: int
    characteristics: int
    imports: list[str]
    """The DLL names of the import directory, as written in the file."""

    @property
    def is_executable(self) -> bool:
        """An image the loader may start: executable, not a DLL."""
        return bool(self.characteristics & IMAGE_FILE_EXECUTABLE_IMAGE) and not (
            self.characteristics & IMAGE_FILE_DLL
        )


def _unpack(fmt: str, data: bytes, offset: int) -> tuple[int, ...]:
    size = struct.calcsize(fmt)
    if offset < 0 or offset + size > len(data):
        raise NotPE(f"header field at {offset:#x} lies beyond the file ({len(data)} bytes)")
    return struct.unpack_from(fmt, data, offset)


def _c_string(data: bytes, offset: int) -> str:
    end = data.find(b"\0", offset)
    if offset >= len(data) or end < 0:
        raise NotPE(f"no terminated name at {offset:#x}")
    return data[offset:end].decode("ascii")


def read(path: Path) -> PE:
    """Parse the headers and import table of a PE file; NotPE if it is none."""
    data = path.read_bytes()
    if data[:2] != b"MZ":
        raise NotPE(f"{path}: no MZ header (starts {data[:4]!r})")
    (pe_offset,) = _unpack("<I", data, 0x3C)
    if data[pe_offset : pe_offset + 4] != b"PE\0\0":
        raise NotPE(f"{path}: no PE signature at {pe_offset:#x}")
    coff = pe_offset + 4
    machine, sections, _, _, _, optional_size, characteristics = _unpack("<HHIIIHH", data, coff)
    optional = coff + 20
    (magic,) = _unpack("<H", data, optional)
    if magic not in (PE32, PE32_PLUS):
        raise NotPE(f"{path}: optional header magic {magic:#x}")
    (subsystem,) = _unpack("<H", data, optional + 68)
    # Data directories follow NumberOfRvaAndSizes, at 92 (PE32) or 108 (PE32+).
    count_at = optional + (92 if magic == PE32 else 108)
    (directories,) = _unpack("<I", data, count_at)
    import_rva = 0
    if directories > 1:
        import_rva, _ = _unpack("<II", data, count_at + 4 + 8)
    table = optional + optional_size
    spans = [_unpack("<8xIIII", data, table + 40 * index) for index in range(sections)]

    def file_offset(rva: int) -> int:
        for virtual_size, virtual_address, raw_size, raw_pointer in spans:
            if virtual_address <= rva < virtual_address + max(virtual_size, raw_size):
                return raw_pointer + rva - virtual_address
        raise NotPE(f"{path}: RVA {rva:#x} is in no section")

    imports: list[str] = []
    if import_rva:
        entry = file_offset(import_rva)
        while True:  # 20-byte descriptors, ended by an all-zero one
            descriptor = _unpack("<IIIII", data, entry)
            if not any(descriptor):
                break
            imports.append(_c_string(data, file_offset(descriptor[3])))
            entry += 20
    return PE(
        machine=MACHINES.get(machine, f"{machine:#x}"),
        magic=magic,
        subsystem=subsystem,
        characteristics=characteristics,
        imports=imports,
    )
