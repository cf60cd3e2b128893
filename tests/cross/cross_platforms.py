"""Which catalog platforms this machine can build, and what each must look like.

The machine has Debian's Rust 1.63 std for dynamic gnu Linux (x86_64,
aarch64, armv7, i686), x86_64-pc-windows-gnu and wasm32-wasi only. Every other
catalog platform (musl, the other architectures' glibc, macOS) is built by test_default_path with
Debian's newest Rust; test_every_catalog_platform_is_built_here fails when a
catalog platform is built by neither.
"""

from __future__ import annotations

from typing import Any

from support import CATALOG, TEMPLATE_ROOT, resolve_targets

HELLO = "hello-cross"
# Rust 1.63 builds edition 2021; dynamic linking because only gnu std exists here.
HELLO_ANSWERS: dict[str, Any] = {
    "crate_name": HELLO,
    "crate_type": "bin",
    "edition": "2021",
    "linking": "dynamic",
    "glibc": "2.17",
    "hosts": ["x86_64-linux"],
}
WASM_ID = next(pid for pid, p in CATALOG["targets"].items() if p["family"] == "wasm")
# The WASI 0.2 component target: built, run and tested by test_wasip2 with plain cargo
# (cargo-zigbuild refuses the triple).
COMPONENT_ID = next(pid for pid, p in CATALOG["targets"].items() if p["family"] == "wasm_component")
# The platforms whose Rust std this machine has (Debian's 1.63, dynamic gnu).
BUILDABLE_IDS = ["x86_64-linux", "aarch64-linux", "armv7-linux", "i686-linux", "x86_64-windows"]
BUILDABLE_IDS.append(WASM_ID)

# What Rust's std::env::consts report on each platform (ARCH, OS), i.e. what
# the program must print. Rust 1.63 reports OS "" on wasm32-wasi (measured;
# newer Rust says "wasi"), so the greeting ends in "wasm32-!" there.
CONSTS = {
    "x86_64-linux": ("x86_64", "linux"),
    "aarch64-linux": ("aarch64", "linux"),
    "armv7-linux": ("arm", "linux"),
    "i686-linux": ("x86", "linux"),
    "x86_64-windows": ("x86_64", "windows"),
    WASM_ID: ("wasm32", ""),
}

# readelf's Machine line and the glibc loader path of each Linux platform.
ELF = {
    "x86_64-linux": ("Advanced Micro Devices X86-64", "/lib64/ld-linux-x86-64.so.2"),
    "aarch64-linux": ("AArch64", "/lib/ld-linux-aarch64.so.1"),
    "armv7-linux": ("ARM", "/lib/ld-linux-armhf.so.3"),
    "i686-linux": ("Intel 80386", "/lib/ld-linux.so.2"),
}

# The default path (test_default_path.py, Debian's newest Rust): every non-darwin platform
# with the template's default answers, and the macOS targets built from a Linux host.
DEFAULT_TARGETS = [
    "x86_64-linux",
    "aarch64-linux",
    "armv7-linux",
    "i686-linux",
    "riscv64-linux",
    "arm-linux",
    "powerpc64le-linux",
    "s390x-linux",
    "loongarch64-linux",
    "armv5te-linux",
    "powerpc64-linux",
    "x86_64-windows",
    WASM_ID,
]
# Linux platforms whose glibc build Debian ships no std for (1.63 covers x86_64, aarch64,
# armv7 and i686): the "gnu" project builds them with the newest Rust. s390x-linux is gnu
# in both linking modes (catalog: gnu_only), so the "static" project already builds it;
# powerpc64-linux is musl in both (musl_only: zig has no glibc for its ELFv1 ABI).
GNU_TARGETS = [
    "riscv64-linux",
    "arm-linux",
    "powerpc64le-linux",
    "loongarch64-linux",
    "armv5te-linux",
]
DARWIN_TARGETS = ["x86_64-darwin", "aarch64-darwin"]
# One macOS file for both processors, built from a Linux host by test_universal2.py.
UNIVERSAL_TARGETS = ["universal2-darwin"]

# Issue 23's Windows and FreeBSD platforms (test_windows_freebsd.py): built with the newest
# Rust and checked as files, since nothing here runs them (see that module).
WINBSD_TARGETS = ["i686-windows", "aarch64-windows", "x86_64-freebsd"]

# The default-path projects (test_default_path.py), by name, as answers on top of the
# template's defaults: "static" (every Linux target, Windows, WASI), "gnu" (the dynamic
# Linux targets Debian's 1.63 has no std for), "darwin" (both macOS targets, built from a
# Linux host) and "winbsd" (32-bit and ARM Windows, FreeBSD).
WEB_ANSWERS: dict[str, dict[str, Any]] = {
    "static": {"targets": DEFAULT_TARGETS, "linking": "static"},
    "gnu": {"targets": GNU_TARGETS, "linking": "dynamic", "glibc": "2.17"},
    "darwin": {
        "hosts": ["x86_64-linux"],
        "targets": DARWIN_TARGETS,
        "linking": "static",
        "darwin_from_linux": True,
    },
    "winbsd": {"targets": WINBSD_TARGETS, "linking": "static"},
}


def web_targets() -> dict[str, dict[str, Any]]:
    """Resolved targets by "<project>/<platform id>", as each project's template saw them."""
    found: dict[str, dict[str, Any]] = {}
    for name, answers in WEB_ANSWERS.items():
        for target in resolve_targets(TEMPLATE_ROOT, answers):
            found[f"{name}/{target['id']}"] = target
    return found


def web_std_triples() -> list[str]:
    """The triples the default path builds with the newest Rust: each needs its std
    compiled once (WASI is built with Rust 1.63 instead, see test_default_path)."""
    targets = [t for t in web_targets().values() if t["id"] != WASM_ID]
    return sorted({triple for t in targets for triple in t["std_triples"]})
