"""The test crate with CMake inside: a generated project given `libz-ng-sys` from crates.io.

libz-ng-sys builds zlib-ng with zlib-ng's own CMake scripts through the `cmake` crate, so the
build runs CMake for the target: configure checks compiled by the target's C compiler, then
the library, everything named by the CMake toolchain file the build hands the `cmake` crate
(CMAKE_TOOLCHAIN_FILE_<target>: cargo-zigbuild's outside Nix, zigRuntime's copy of it inside).
The crate with C inside (tests/c_inside.py) never runs CMake: aws-lc-sys builds with its own
cc-based builder for every target here.

The program prints zlib-ng's version, the CRC-32 of MESSAGE and a deflate round trip
(tests/crates/cmake-inside/main.rs); `expected_output` checks them against Python's zlib.
Shared by tests/cross/test_cmake_dependency.py (rung 2) and
tests/nix/test_cmake_dependency_build.py (rung 3).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import c_inside

FILES = Path(__file__).parent / "crates" / "cmake-inside"
CRATE = "cmake-inside"
ANSWERS = {
    "crate_name": CRATE,
    "hosts": ["x86_64-linux"],
    "targets": ["x86_64-linux", "aarch64-linux", "x86_64-windows"],
    "linking": "static",
}
"""Static musl Linux for both processors and Windows, built on x86_64 Linux."""
MESSAGE = b"crossflake"
"""What the program checksums and compresses (its main.rs has the same bytes)."""
TOOLCHAIN_USED = re.compile(r"^-- Using CMake toolchain: (\S+)$", re.MULTILINE)
"""zlib-ng's CMakeLists.txt names the toolchain file it was configured with."""
COMPILER_USED = re.compile(r"^-- Check for working C compiler: (\S+)", re.MULTILINE)
"""CMake names the C compiler it configured (the toolchain file's CMAKE_C_COMPILER)."""


def give_cmake_dependency(project: Path) -> Path:
    """Turn a rendered project (crate name `cmake-inside`) into the test crate."""
    return c_inside.give_dependencies(project, FILES)


def expected_output(output: str) -> list[str]:
    """What is wrong with a run's stdout (empty when zlib-ng computed what Python does)."""
    lines = output.splitlines()
    wanted = [
        r"zlib-ng \d+\.\d+\.\d+",
        re.escape(f"crc32 {zlib.crc32(MESSAGE):08x}"),
        rf"deflate {len(MESSAGE) * 100} -> (\d+) -> {len(MESSAGE) * 100} bytes",
    ]
    problems = []
    if len(lines) != len(wanted):
        problems.append(f"{len(lines)} lines, expected {len(wanted)}: {lines}")
    for pattern, line in zip(wanted, lines, strict=False):
        match = re.fullmatch(pattern, line)
        if match is None:
            problems.append(f"{line!r} does not match {pattern!r}")
        elif match.groups() and int(match.group(1)) >= len(MESSAGE) * 100:
            problems.append(f"deflate did not compress: {line!r}")
    return problems


def configure_log(target_dir: Path, triple: str) -> str:
    """The output of libz-ng-sys's build script's last run in a target dir: CMake's
    configure and build log."""
    outputs = list(target_dir.glob(f"{triple}/release/build/libz-ng-sys-*/output"))
    assert outputs, f"libz-ng-sys was not built in {target_dir}"
    newest = max(outputs, key=lambda path: path.stat().st_mtime)
    return newest.read_text(encoding="utf-8", errors="replace")
