"""Which catalog platforms this machine can build, and what each must look like.

The machine has Debian's Rust 1.63 std for dynamic gnu Linux (x86_64,
aarch64, armv7, i686), x86_64-pc-windows-gnu and wasm32-wasi only; every other
catalog platform gets a precise reason, so the test report says why it was
not built instead of silently leaving it out.
"""

from __future__ import annotations

from typing import Any

import pytest
from support import CATALOG

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

NO_MUSL = (
    "no Rust std for {triple} on this machine: Debian ships only gnu/windows/wasm std "
    "(libstd-rust-dev*), rustup cannot download targets offline and nightly has no "
    "rust-src for -Zbuild-std"
)
NO_DARWIN = (
    "{triple} needs Apple's SDK and a darwin Rust std, neither reachable here; "
    "the template builds it only on darwin hosts"
)
NO_RISCV64 = (
    "no Rust std for {triple} on this machine: riscv64 is not a Debian 12 release "
    "architecture (debian-ports only), so libstd-rust-dev:riscv64 cannot be downloaded"
)


def unbuildable() -> list[Any]:
    """Every catalog platform/linking pair outside BUILDABLE_IDS, with why it cannot build here.

    A platform added to the catalog without a reason here fails instead of
    skipping quietly.
    """
    params = []
    for pid, platform in CATALOG["targets"].items():
        modes = ["static", "dynamic"] if platform["family"] == "linux" else ["static"]
        for mode in modes:
            if pid in BUILDABLE_IDS and (platform["family"] != "linux" or mode == "dynamic"):
                continue
            triple = platform[mode]["triple"]
            if platform["family"] == "darwin":
                reason = NO_DARWIN
            elif "musl" in triple:
                reason = NO_MUSL
            elif triple.startswith("riscv64"):
                reason = NO_RISCV64
            else:
                reason = "UNEXPLAINED"
            label = f"{pid}-{mode}" if platform["family"] == "linux" else pid
            params.append(pytest.param(reason.format(triple=triple), id=label))
    return params
