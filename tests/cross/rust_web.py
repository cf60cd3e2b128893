"""Builds with Debian's newest Rust (`rustc-web`) and a standard library compiled here once.

The template's defaults (edition 2024, static musl) need a Rust of 1.85 or
later and a musl standard library. Debian 12 has both ingredients, and nothing
else here does: `rustc-web` (1.85 in bookworm, newer through bookworm-security;
scripts/setup-test-machine.sh unpacks the newest into /opt/crossflake/rust-web
without installing it) ships the host's std only, plus `rust-web-src`, the
standard library's source with its crates.io dependencies vendored. The std of
each target used here (musl, riscv64, macOS, Windows) is compiled from that
source ONCE per machine (tests/prebuilt_std.py: cargo's build-std, release
profile, kept in the machine cache under a key of Rust, source, target and
profile) and then used like fenix's prebuilt rust-std. Not WASI: Rust links it
with rust-lld against the self-contained wasi-libc of a prebuilt std, which a
std compiled from source lacks.

What a build here adds to the generated project, and nothing more:

- PATH with the rustc-web wrappers and /opt/crossflake/bin first (no rustup);
  rustc strips macOS binaries with `rust-objcopy`, which Rust's rustc component
  ships and Debian's does not (the setup links in LLVM's llvm-objcopy);
- CARGO_TARGET_<T>_RUSTFLAGS="--sysroot=<the target's prebuilt std>": target-
  specific flags from the environment MERGE with the generated config's
  `[target.<t>] rustflags` (its +crt-static stays in force); plain RUSTFLAGS
  would replace them, which is why it is not used. Build scripts and proc
  macros (host) keep the Rust's own sysroot. No `-Z build-std`, so no
  RUSTC_BOOTSTRAP: the compiler runs as stable, and a crate using `#![feature]`
  would fail here as it would with fenix's stable;
- for musl, "-C link-self-contained=no": a std compiled from source has no
  `self-contained/` startup objects (rcrt1.o...), so zig's musl provides them;
- for windows-gnu, `-L native=` a folder of empty libssp archives (WINDOWS_GNU_LIBS).

What this does NOT prove about fenix's toolchains: their prebuilt std is built
by Rust's CI with its own profile (here: cargo's release profile) and carries
Rust's self-contained musl startup objects (here: zig's), and its version
differs from Debian's (`rustc_version()` says which was used).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import cross_harness as harness
import prebuilt_std
from support import CATALOG

RUST_WEB = harness.PREFIX / "rust-web"
BIN = RUST_WEB / "bin"
RUSTC = str(BIN / "rustc")
CARGO = str(BIN / "cargo")
PATH = f"{BIN}:{harness.PATH}"
# Empty libssp.a and libssp_nonshared.a: Debian's std source links mingw's libssp on
# windows-gnu (a Debian patch; fenix's std does not), zig's mingw has none.
WINDOWS_GNU_LIBS = RUST_WEB / "windows-gnu-libs"
# The oldest Rust with edition 2024 (catalog: rust.editions).
MIN_VERSION = (1, 85)

# glibc roots for qemu's loader of dynamic gnu binaries: the catalog's Debian cross glibc
# (libc6-*-cross, installed by scripts/setup-test-machine.sh), where the generated runner
# looks too; LoongArch's comes from trixie, unpacked under /opt/crossflake instead.
UNPACKED_GLIBC = harness.PREFIX / "loong64-cross"
QEMU_LD_PREFIX = {
    platform["dynamic"]["triple"]: (
        str(UNPACKED_GLIBC) + platform["glibc"]["debian_root"]
        if platform["glibc"]["debian_package"] == "libc6-loong64-cross"
        else platform["glibc"]["debian_root"]
    )
    for platform in CATALOG["targets"].values()
    if platform["family"] == "linux" and platform["glibc"]
}


def rustc_version() -> str:
    """`rustc --version` of the current Rust, e.g. "rustc 1.96.0 (ac68faa20 2026-05-25) (...)"."""
    return subprocess.run(
        [RUSTC, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()


def version_tuple() -> tuple[int, int]:
    """(major, minor) of the current Rust."""
    match = re.match(r"rustc (\d+)\.(\d+)\.", rustc_version())
    assert match, rustc_version()
    return int(match.group(1)), int(match.group(2))


def env_triple(triple: str) -> str:
    """A triple as cargo spells it in CARGO_TARGET_<TRIPLE>_* variables."""
    return triple.upper().replace("-", "_").replace(".", "_")


def build_env(session: harness.Session, target: dict[str, Any]) -> dict[str, str]:
    """The complete environment for cargo-zigbuild and the runners for one target.

    The target's std comes from the machine cache (compiled on first use); the host's
    is Debian's own, so a host build (a triple equal to the host's) adds nothing. A
    target built from several triples (universal2-apple-darwin: both macOS ones, the
    resolver's `std_triples`) gets each one's std, as cargo builds each of them.
    """
    triple = target["triple"]
    parts = target.get("std_triples") or [triple]
    env = harness.build_env(
        session,
        triple,
        path=PATH,
        rustc=RUSTC,
        cargo=CARGO,
        sysroot=None,
        qemu_ld_prefix=QEMU_LD_PREFIX,
    )
    for part in parts:
        if part == prebuilt_std.HOST:
            continue
        flags = [f"--sysroot={prebuilt_std.sysroot(prebuilt_std.RUST_WEB, part)}"]
        if "-musl" in part:
            flags += ["-C", "link-self-contained=no"]
        if part.endswith("-windows-gnu"):
            flags.append(f"-L native={WINDOWS_GNU_LIBS}")
        env[f"CARGO_TARGET_{env_triple(part)}_RUSTFLAGS"] = " ".join(flags)
    return env


def release_binary(session: harness.Session, triple: str, crate: str) -> Path:
    """Where the release build of ``crate`` for ``triple`` lands."""
    return harness.release_binary(session, triple, crate)


def release_build(project: Path, session: harness.Session, target: dict[str, Any]) -> harness.Timed:
    """`cargo-zigbuild build --release --target <cargo_target>` with the generated config."""
    return harness.cargo_zigbuild(
        project,
        build_env(session, target),
        "build",
        "--release",
        "--target",
        target["cargo_target"],
    )


def release_test(project: Path, session: harness.Session, target: dict[str, Any]) -> harness.Timed:
    """`cargo-zigbuild test --release -v`: the crate's tests through the configured runner.

    --release reuses the crate's release build; -v makes cargo print the runner
    command it uses.
    """
    return harness.cargo_zigbuild(
        project,
        build_env(session, target),
        "test",
        "--release",
        "-v",
        "--target",
        target["cargo_target"],
    )
