"""A target's Rust standard library, compiled once per machine and used like a prebuilt one.

fenix ships every target's `rust-std` prebuilt; Debian's newest Rust (`rustc-web`) ships
only the host's. Until now every build here compiled std again with `-Z build-std`
(inside each Nix builder, up to three times per package). Now std is compiled ONCE per
(Rust, std source, target, profile) with the recipe below and kept in the machine cache
(machine_cache.py) as a sysroot:

    <entry>/lib/rustlib/<target>/lib/*.rlib   std, core, alloc, test, proc_macro,
                                              panic_abort/unwind and their dependencies
    <entry>/lib/rustlib/<host>                the Rust's own host libraries and tools
                                              (build scripts, proc macros, rust-objcopy)

A crate build then passes `--sysroot=<entry>` for its target only (cargo's
`CARGO_TARGET_<T>_RUSTFLAGS`, which merges with the generated config's rustflags) and
needs neither `-Z build-std` nor RUSTC_BOOTSTRAP: the compiler is used exactly as with a
prebuilt std. The Nix tests copy `<entry>/lib/rustlib/<target>` into their stub fenix's
`rust-std` derivation, so each builder receives std as fenix delivers it.

Recipe: cargo's own build-std (`-Z build-std=std,panic_abort,test`, release profile) on
an empty library crate, with std's crates.io dependencies from Debian's vendored
rust-web-src; the rlibs of `target/<T>/release/deps` minus the empty crate are the std.
That is what cargo builds for a crate with build-std; the differences from Rust's CI
(which builds fenix's std) are its profile settings and Rust's self-contained musl
startup objects, which builds here take from zig's musl (`-C link-self-contained=no`).
No C is compiled for the target (compiler_builtins' `c` feature stays off), so zig is
not part of the key.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import machine_cache

RECIPE = "build-std=std,panic_abort,test; release; empty lib crate; v1"
"""Part of every key: changing how std is built must never reuse an old entry."""
PROFILE = "release"
HOST = "x86_64-unknown-linux-gnu"
JOBS = 2
"""Standard libraries compiled at the same time when several are missing (2 cores)."""
TIMEOUT = 1800
ZIG = "/opt/crossflake/bin/zig"
DLLTOOL = {"i686-pc-windows-gnu": "i686-w64-mingw32-dlltool"}
"""Targets whose std rustc cannot compile without MinGW's dlltool, by the name rustc calls it:
on 32-bit x86 Windows std links the system DLLs with `raw-dylib` (stdcall names), and rustc
makes those import libraries with `<arch>-w64-mingw32-dlltool` ("error calling dlltool
'i686-w64-mingw32-dlltool': No such file or directory" without one). Debian's Rust ships
none; zig's `zig dlltool` (LLVM's) stands in, as cargo-zigbuild's own wrapper does for crate
builds. Its version is then part of the key (the import libraries land in the rlibs)."""


@dataclass(frozen=True)
class Rust:
    """A Rust toolchain that can compile its own standard library (rustc-web here)."""

    root: Path
    """Where scripts/setup-test-machine.sh unpacked it (bin/, root/, build-std-config.toml)."""

    @property
    def rustc(self) -> str:
        return str(self.root / "bin" / "rustc")

    @property
    def cargo(self) -> str:
        return str(self.root / "bin" / "cargo")

    @property
    def vendor_config(self) -> Path:
        """Cargo configuration serving std's vendored crates.io dependencies."""
        return self.root / "build-std-config.toml"

    @property
    def library(self) -> Path:
        """std's source (Debian's rust-web-src)."""
        return self.sysroot / "lib" / "rustlib" / "src" / "rust" / "library"

    @functools.cached_property
    def sysroot(self) -> Path:
        """The Rust's own sysroot: its host libraries and tools."""
        return Path(machine_cache.command_output([self.rustc, "--print", "sysroot"]))

    @functools.cached_property
    def identity(self) -> list[str]:
        """Everything about this Rust that changes the std it compiles. Asked once per
        process: every build's environment looks its target's std up by this key."""
        stamp = self.root / ".stamp"  # Debian's package version (its patches to std)
        return [
            machine_cache.command_output([self.rustc, "-vV"]),
            stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else "no stamp",
            (self.library / "Cargo.lock").read_text(encoding="utf-8"),
        ]


RUST_WEB = Rust(Path("/opt/crossflake/rust-web"))


def key_for(identity: list[str], triple: str, profile: str = PROFILE, recipe: str = RECIPE) -> str:
    """The cache key of one target's std: Rust and std source (``identity``), target,
    profile and recipe."""
    return f"{triple}-" + machine_cache.digest(*identity, triple, profile, recipe)


def key(rust: Rust, triple: str) -> str:
    """The cache key of ``triple``'s std compiled by ``rust`` with this recipe."""
    if triple in DLLTOOL:
        zig = machine_cache.command_output([ZIG, "version"])
        return key_for(rust.identity, triple, recipe=f"{RECIPE}; dlltool: zig {zig}")
    return key_for(rust.identity, triple)


def sysroot(rust: Rust, triple: str) -> Path:
    """The sysroot holding ``triple``'s std, compiled first if this machine has none yet."""
    return machine_cache.MACHINE.entry(
        "std", key(rust, triple), lambda out: _compile(rust, triple, out)
    )


def target_libs(rust: Rust, triple: str) -> Path:
    """`<sysroot>/lib/rustlib/<triple>`: what a fenix `rust-std` component holds."""
    return sysroot(rust, triple) / "lib" / "rustlib" / triple


def sysroots(rust: Rust, triples: list[str]) -> dict[str, Path]:
    """Every listed target's sysroot, compiling the missing ones two at a time."""
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        found = dict(zip(triples, pool.map(lambda t: sysroot(rust, t), triples), strict=True))
    return found


class StdBuildError(RuntimeError):
    """cargo could not compile the standard library for a target."""


def _compile(rust: Rust, triple: str, out: Path) -> None:
    """Compile std for ``triple`` in a scratch folder beside ``out`` and lay out the sysroot."""
    scratch = out.with_name(out.name + ".scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    crate = scratch / "std-seed"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "std-seed"\nversion = "0.0.0"\nedition = "2021"\n', encoding="utf-8"
    )
    (crate / "src" / "lib.rs").write_text("", encoding="utf-8")
    cargo_home = scratch / "cargo-home"
    cargo_home.mkdir()
    shutil.copyfile(rust.vendor_config, cargo_home / "config.toml")
    env = {
        "PATH": f"{rust.root / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "RUSTC": rust.rustc,
        "CARGO_HOME": str(cargo_home),
        "CARGO_TARGET_DIR": str(scratch / "target"),
        "CARGO_TERM_COLOR": "never",
        # -Z build-std is unstable: only this one compilation of std needs it.
        "RUSTC_BOOTSTRAP": "1",
    }
    if triple in DLLTOOL:
        tools = scratch / "dlltool"
        tools.mkdir()
        wrapper = tools / DLLTOOL[triple]
        wrapper.write_text(f'#!/bin/sh\nexec {ZIG} dlltool "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
        env["PATH"] = f"{tools}:{env['PATH']}"
    argv = [
        rust.cargo,
        "build",
        f"--{PROFILE}",
        "--target",
        triple,
        "-Z",
        "build-std=std,panic_abort,test",
    ]
    try:
        done = subprocess.run(
            argv, cwd=crate, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        if done.returncode != 0:
            raise StdBuildError(
                f"std for {triple} did not compile ({' '.join(argv)}):\n{done.stderr[-4000:]}"
            )
        deps = scratch / "target" / triple / PROFILE / "deps"
        libs = out / "lib" / "rustlib" / triple / "lib"
        libs.mkdir(parents=True)
        for rlib in deps.glob("*.rlib"):
            if not rlib.name.startswith("libstd_seed-"):
                shutil.copy2(rlib, libs / rlib.name)
        if not any(libs.glob("libstd-*.rlib")) or not any(libs.glob("libtest-*.rlib")):
            raise StdBuildError(f"std for {triple}: no libstd/libtest in {deps}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    host = rust.sysroot / "lib" / "rustlib" / HOST
    (out / "lib" / "rustlib" / HOST).symlink_to(host)
    (out / "built-by.txt").write_text(
        f"{' '.join(argv)}\nrecipe: {RECIPE}\n" + "\n".join(rust.identity[:2]) + "\n",
        encoding="utf-8",
    )
    for path in (out, *out.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
        elif path.is_file() and not path.is_symlink():
            path.chmod(0o644)


if __name__ == "__main__":  # python3 tests/prebuilt_std.py TRIPLE...: fill the cache
    for name, path in sysroots(RUST_WEB, sys.argv[1:]).items():
        print(f"{name}: {path}")
