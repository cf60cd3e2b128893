"""Facts about a Mach-O file (a macOS program), read from its load commands.

No Mac runs here, so a macOS binary built on Linux is checked as a file: which
CPU it is for, the minimum macOS version stamped into it (LC_BUILD_VERSION, or
the older LC_VERSION_MIN_MACOSX), the dynamic libraries it loads, and its code
signature. Apple silicon refuses to start arm64 code without a signature; an
ad-hoc one (no certificate, the CS_ADHOC flag of the CodeDirectory) is what
Apple's own linker adds, and what a build that never saw an Apple tool must add
too. The format is Apple's <mach-o/loader.h>, <mach-o/fat.h> and <kern/cs_blobs.h>:
thin (single architecture) 64-bit files, and universal ("fat") files, which are a
big-endian table of slices followed by one thin file per architecture (what
cargo-zigbuild writes for universal2-apple-darwin). Each slice is checked as a thin
file of its own: its load commands, code signature and page hashes count from the
slice's first byte.
"""

from __future__ import annotations

import hashlib
import itertools
import struct
from dataclasses import dataclass, field
from pathlib import Path

MH_MAGIC_64 = 0xFEEDFACF
CPU_TYPES = {0x01000007: "x86_64", 0x0100000C: "arm64"}
MH_EXECUTE = 0x2
MH_PIE = 0x200000

LC_LOAD_DYLIB = 0xC
LC_LOAD_WEAK_DYLIB = 0x80000018
LC_REEXPORT_DYLIB = 0x8000001F
LC_CODE_SIGNATURE = 0x1D
LC_VERSION_MIN_MACOSX = 0x24
LC_BUILD_VERSION = 0x32
PLATFORM_MACOS = 1

CSMAGIC_EMBEDDED_SIGNATURE = 0xFADE0CC0
CSMAGIC_CODEDIRECTORY = 0xFADE0C02
CS_ADHOC = 0x2

# Libraries every macOS installation has at these paths (the dyld shared cache).
SYSTEM_DYLIB_PREFIXES = ("/usr/lib/libSystem.", "/usr/lib/libiconv.", "/usr/lib/libcharset.")


@dataclass
class MachO:
    """What the tests check in a Mach-O executable."""

    cpu: str
    filetype: int
    flags: int
    minos: str | None = None
    platform: int | None = None
    dylibs: list[str] = field(default_factory=list)
    signature: bytes | None = None

    @property
    def is_pie(self) -> bool:
        """Position-independent: macOS requires it for arm64 programs."""
        return bool(self.flags & MH_PIE)

    def code_directory_flags(self) -> int | None:
        """The flags of the signature's CodeDirectory, None without a signature."""
        blob = self.signature
        if blob is None or len(blob) < 12:
            return None
        magic, _length, count = struct.unpack_from(">III", blob, 0)
        if magic != CSMAGIC_EMBEDDED_SIGNATURE:
            return None
        for index in range(count):
            _slot, offset = struct.unpack_from(">II", blob, 12 + 8 * index)
            if struct.unpack_from(">I", blob, offset)[0] == CSMAGIC_CODEDIRECTORY:
                # magic, length, version, flags
                return int(struct.unpack_from(">IIII", blob, offset)[3])
        return None

    @property
    def ad_hoc_signed(self) -> bool:
        """An ad-hoc code signature (no certificate) is present."""
        flags = self.code_directory_flags()
        return flags is not None and bool(flags & CS_ADHOC)


def _version(packed: int) -> str:
    """X.Y.Z nibbles (xxxx.yy.zz) of a Mach-O version, written X.Y or X.Y.Z."""
    major, minor, patch = packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF
    return f"{major}.{minor}" + (f".{patch}" if patch else "")


def _c_string(data: bytes, start: int) -> str:
    end = data.index(b"\0", start)
    return data[start:end].decode("utf-8")


def read(path: Path) -> MachO:
    """Parse a thin 64-bit little-endian Mach-O file's header and load commands."""
    return parse(path.read_bytes(), str(path))


def parse(data: bytes, name: str) -> MachO:
    """A thin 64-bit Mach-O's facts from its bytes (a file, or one slice of a fat file)."""
    magic, cputype, _sub, filetype, ncmds, _size, flags, _reserved = struct.unpack_from(
        "<IiiIIIII", data, 0
    )
    assert magic == MH_MAGIC_64, f"{name}: not a thin 64-bit Mach-O (magic {magic:#x})"
    info = MachO(
        cpu=CPU_TYPES.get(cputype & 0xFFFFFFFF, hex(cputype)), filetype=filetype, flags=flags
    )
    offset = 32
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from("<II", data, offset)
        if cmd in (LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB):
            name_offset = struct.unpack_from("<I", data, offset + 8)[0]
            info.dylibs.append(_c_string(data, offset + name_offset))
        elif cmd == LC_BUILD_VERSION:
            info.platform, minos = struct.unpack_from("<II", data, offset + 8)
            info.minos = _version(minos)
        elif cmd == LC_VERSION_MIN_MACOSX:
            info.platform = PLATFORM_MACOS
            info.minos = _version(struct.unpack_from("<I", data, offset + 8)[0])
        elif cmd == LC_CODE_SIGNATURE:
            dataoff, datasize = struct.unpack_from("<II", data, offset + 8)
            info.signature = data[dataoff : dataoff + datasize]
        offset += cmdsize
    return info


def is_system_dylib(name: str) -> bool:
    """True for a library every Mac has (libSystem and its companions in /usr/lib)."""
    return name.startswith(SYSTEM_DYLIB_PREFIXES)


HASH_TYPES = {1: hashlib.sha1, 2: hashlib.sha256}


def signature_matches(path: Path) -> bool:
    """True when every code page hash of the CodeDirectory matches the file's bytes.

    A tool that changes the file after signing (a strip, for example) without
    signing again leaves hashes that macOS rejects when it loads the page.
    """
    return signature_matches_data(path.read_bytes(), str(path))


def signature_matches_data(data: bytes, name: str) -> bool:
    """signature_matches for a thin Mach-O's bytes (a file, or one slice of a fat file)."""
    blob = parse(data, name).signature
    if blob is None:
        return False
    _magic, _length, count = struct.unpack_from(">III", blob, 0)
    for index in range(count):
        _slot, offset = struct.unpack_from(">II", blob, 12 + 8 * index)
        if struct.unpack_from(">I", blob, offset)[0] != CSMAGIC_CODEDIRECTORY:
            continue
        hash_offset, _ident, _special, n_code, code_limit = struct.unpack_from(
            ">IIIII", blob, offset + 16
        )
        hash_size, hash_type, _platform, page_log2 = struct.unpack_from(">BBBB", blob, offset + 36)
        digest = HASH_TYPES[hash_type]
        page = 1 << page_log2
        for slot in range(n_code):
            chunk = data[slot * page : min((slot + 1) * page, code_limit)]
            start = offset + hash_offset + slot * hash_size
            if digest(chunk).digest()[:hash_size] != blob[start : start + hash_size]:
                return False
        return n_code == (code_limit + page - 1) // page
    return False


FAT_MAGIC = 0xCAFEBABE
FAT_MAGIC_64 = 0xCAFEBABF
CPU_SUBTYPE_MASK = 0x00FFFFFF


@dataclass
class Slice:
    """One architecture of a universal file: where its bytes are, and what they are."""

    cpu: str
    cpusubtype: int
    offset: int
    size: int
    align: int
    data: bytes
    macho: MachO

    def signature_matches(self) -> bool:
        """The slice's own code signature matches the slice's bytes."""
        return signature_matches_data(self.data, f"{self.cpu} slice")


def read_fat(path: Path) -> list[Slice]:
    """The slices of a universal (fat) Mach-O, each parsed as the thin file it holds.

    Refuses (ValueError) what macOS's loader would not take as a universal file: another
    magic (a thin file is not universal), no slices, a table or slice outside the file,
    a slice not aligned as its entry says, overlapping slices, two slices for one CPU,
    or an entry whose CPU differs from the Mach-O header of the slice it points to.
    """
    data = path.read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a universal header")
    magic, count = struct.unpack_from(">II", data, 0)
    if magic != FAT_MAGIC:
        raise ValueError(f"{path}: not a universal Mach-O (magic {magic:#x})")
    table_end = 8 + 20 * count
    if count == 0 or table_end > len(data):
        raise ValueError(f"{path}: {count} slices do not fit the file")
    slices: list[Slice] = []
    for index in range(count):
        cputype, subtype, offset, size, align = struct.unpack_from(">iiIII", data, 8 + 20 * index)
        cpu = CPU_TYPES.get(cputype & 0xFFFFFFFF, hex(cputype))
        if offset < table_end or offset + size > len(data) or size == 0:
            raise ValueError(f"{path}: the {cpu} slice lies outside the file")
        if align > 16 or offset % (1 << align):
            raise ValueError(f"{path}: the {cpu} slice is not aligned to 2^{align}")
        chunk = data[offset : offset + size]
        try:
            info = parse(chunk, f"{path} ({cpu} slice)")
        except (AssertionError, struct.error) as error:
            raise ValueError(f"{path}: the {cpu} slice is no thin Mach-O: {error}") from error
        if info.cpu != cpu:
            raise ValueError(f"{path}: the table says {cpu}, the slice is {info.cpu}")
        slices.append(Slice(cpu, subtype & CPU_SUBTYPE_MASK, offset, size, align, chunk, info))
    spans = sorted((s.offset, s.offset + s.size) for s in slices)
    if any(end > start for (_, end), (start, _) in itertools.pairwise(spans)):
        raise ValueError(f"{path}: slices overlap")
    cpus = [s.cpu for s in slices]
    if len(set(cpus)) != len(cpus):
        raise ValueError(f"{path}: two slices for one CPU: {cpus}")
    return slices
