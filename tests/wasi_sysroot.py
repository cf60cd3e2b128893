"""A wasm32-wasip2 sysroot as Rust's rust-std ships it: std compiled here plus wasi-libc.

Rust links wasm32-wasip2 programs "self-contained": rustc passes wasi-libc's startup object
(`crt1-command.o`) and C library (`libc.a`) from `lib/rustlib/wasm32-wasip2/lib/self-contained/`
of its sysroot to its linker, wasm-component-ld. Rust's rust-std component carries that
folder; a std compiled from Debian's source by prebuilt_std.py does not (the build links
"rust-lld: error: cannot open crt1-command.o" without it). wasi-libc comes from Debian's
archive, unpacked by scripts/setup-test-machine.sh into WASI_LIBC: sid's (2026-04), because a
current Rust's std calls pthread_create/join/detach on WASI and only wasi-libc's libc.a of
2025 and later stubs them (measured: with bookworm-backports' 2024-07 build a hello links but
libtest does not, "undefined symbol: pthread_detach"; bookworm's own 2022 build has no wasip2
flavour at all).

The sysroot is one more machine-cache entry (kind `wasi-sysroot`): a copy of the cached std's
target folder, the self-contained objects Rust's rust-std holds (OBJECTS), and the Rust's host
folder, keyed by the std's own key and wasi-libc's Debian version, so neither the std nor the
C library is ever mixed with another's. Copies, not symlinks: the Nix tests copy the target
folder into their stub fenix's rust-std, and a symlink would point outside the store.

What this does NOT prove: that Rust's CI builds the same wasi-libc (Rust pins its own wasi-sdk
release; this is Debian's build of a wasi-libc snapshot, its version in the key).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import machine_cache
import prebuilt_std

WASI_LIBC = Path(os.environ.get("CROSSFLAKE_WASI_LIBC", "/opt/crossflake/wasi-libc"))
LIB_DIRS = {"wasm32-wasip2": WASI_LIBC / "usr" / "lib" / "wasm32-wasip2"}
"""wasi-libc's build for each triple (Debian's layout: usr/lib/<wasi-libc target>)."""
OBJECTS = ("crt1-command.o", "crt1-reactor.o", "libc.a")
"""What Rust's rust-std for a WASI target holds in lib/self-contained."""
RECIPE = "std + wasi-libc self-contained; v1"


def wasi_libc_version() -> str:
    """Debian's version of the unpacked wasi-libc (written by the setup script)."""
    return (WASI_LIBC / ".stamp").read_text(encoding="utf-8").strip()


def self_contained(triple: str) -> Path:
    """`<sysroot>/lib/rustlib/<triple>/lib/self-contained`, relative to a sysroot."""
    return Path("lib") / "rustlib" / triple / "lib" / "self-contained"


def sysroot(rust: prebuilt_std.Rust, triple: str) -> Path:
    """The sysroot with ``triple``'s std and wasi-libc, assembled once per machine."""
    std = prebuilt_std.sysroot(rust, triple)
    key = f"{triple}-" + machine_cache.digest(
        prebuilt_std.key(rust, triple), wasi_libc_version(), *OBJECTS, RECIPE
    )
    return machine_cache.MACHINE.entry("wasi-sysroot", key, lambda out: _assemble(std, triple, out))


def _assemble(std: Path, triple: str, out: Path) -> None:
    """Copy the std's target folder, add wasi-libc's objects, link the host folder."""
    target = Path("lib") / "rustlib" / triple
    shutil.copytree(std / target, out / target)
    objects = out / self_contained(triple)
    objects.mkdir(parents=True)
    for name in OBJECTS:
        shutil.copy2(LIB_DIRS[triple] / name, objects / name)
    host = Path("lib") / "rustlib" / prebuilt_std.HOST
    (out / host).symlink_to((std / host).resolve())
    for path in (out, *out.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
        elif path.is_file() and not path.is_symlink():
            path.chmod(0o644)
