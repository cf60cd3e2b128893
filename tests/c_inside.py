"""The test crate with C inside: a generated project given five published crates that compile C.

`ring` (C and assembly through the cc crate), `aws-lc-rs` (aws-lc-sys: its own C builder,
CMake where that cannot serve), `openssl` with `vendored` (openssl-src: OpenSSL's Perl
Configure and make), `zstd` (zstd-sys) and `rusqlite` with `bundled` (libsqlite3-sys's
SQLite amalgamation). The program exercises each C library and prints one line per library
(tests/crates/c-inside/main.rs); `expected_output` says what a correct run prints, computed
here independently (Python's hashlib for the digests).

Shared by the rung-2 test (tests/cross/test_c_dependencies.py) and the rung-3 test
(tests/nix/test_c_dependencies_build.py), so both build exactly the same crate. Its
Cargo.lock pins every crate (cargo runs with --locked; the Nix builds fetch what it names).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

FILES = Path(__file__).parent / "crates" / "c-inside"
CRATE = "c-inside"
LINUX_ANSWERS = {
    "crate_name": CRATE,
    "hosts": ["x86_64-linux"],
    "targets": ["x86_64-linux", "aarch64-linux"],
    "linking": "static",
}
"""The Nix evaluation and update tests' project: static x86_64 and aarch64 Linux, built on
x86_64."""
PROJECTS: dict[str, dict[str, Any]] = {
    "static": {**LINUX_ANSWERS, "targets": ["x86_64-linux", "aarch64-linux", "x86_64-windows"]},
    "gnu": {
        "crate_name": CRATE,
        "hosts": ["x86_64-linux"],
        "targets": ["x86_64-linux"],
        "linking": "dynamic",
        "glibc": "2.17",
    },
    "darwin": {
        "crate_name": CRATE,
        "hosts": ["x86_64-linux"],
        "targets": ["aarch64-darwin"],
        "linking": "static",
        "darwin_from_linux": True,
    },
}
"""What both rungs build (rung 2 with the generated config, rung 3 with `nix build` on an
x86_64 Linux host), as answers on top of the template's defaults: static musl Linux and
Windows; a glibc floor; macOS from a Linux host."""
MESSAGE = b"crossflake"
"""What the program hashes (its main.rs has the same bytes)."""


def give_dependencies(project: Path, files: Path) -> Path:
    """Turn a rendered project into a test crate of tests/crates/: its dependencies.toml
    appended to the generated Cargo.toml, its main.rs and its pinned Cargo.lock."""
    manifest = project / "Cargo.toml"
    text = manifest.read_text(encoding="utf-8")
    assert text.rstrip().endswith("[dependencies]"), "the generated Cargo.toml changed shape"
    dependencies = (files / "dependencies.toml").read_text(encoding="utf-8")
    manifest.write_text(text.rstrip() + "\n" + dependencies, encoding="utf-8")
    shutil.copyfile(files / "main.rs", project / "src" / "main.rs")
    shutil.copyfile(files / "Cargo.lock", project / "Cargo.lock")
    return project


def give_c_dependencies(project: Path) -> Path:
    """Turn a rendered project (crate name `c-inside`) into the test crate."""
    return give_dependencies(project, FILES)


def lock_text() -> str:
    """The pinned Cargo.lock (part of every cache key of these builds)."""
    return (FILES / "Cargo.lock").read_text(encoding="utf-8")


def expected_output(output: str) -> list[str]:
    """What is wrong with a run's stdout (empty when it is what the C libraries must print).

    Digests must equal Python's; zstd's compressed size depends on its version, so only
    the round trip and a real compression are checked; SQLite's version is the bundled one.
    """
    sha256 = hashlib.sha256(MESSAGE).hexdigest()
    lines = output.splitlines()
    wanted = [
        ("ring", re.escape(f"ring sha256 {sha256}")),
        ("aws-lc", re.escape(f"aws-lc sha256 {sha256}")),
        ("openssl", re.escape(f"openssl sha256 {sha256}")),
        ("zstd", r"zstd 1000 -> (\d+) -> 1000 bytes"),
        ("sqlite", r"sqlite 3\.\d+\.\d+ says 42"),
    ]
    problems = []
    if len(lines) != len(wanted):
        problems.append(f"{len(lines)} lines, expected {len(wanted)}: {lines}")
    for (library, pattern), line in zip(wanted, lines, strict=False):
        match = re.fullmatch(pattern, line)
        if match is None:
            problems.append(f"{library}: {line!r} does not match {pattern!r}")
        elif library == "zstd" and int(match.group(1)) >= 1000:
            problems.append(f"zstd did not compress: {line!r}")
    return problems
