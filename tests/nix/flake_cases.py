"""Answer sets whose flakes the Nix layer evaluates: hosts x targets x linking x toolchain.

Chosen by hand rather than cycled like the render matrix, because each one is paid for with
several Nix evaluations: together they cover every host, every target, both linking modes, three
glibc floors, each channel and two exact versions (through the `rust-manifest` input), bin and
lib crates, and darwin targets asked for with and without a darwin host (and built on Linux
hosts when `darwin_from_linux` says so).
"""

from __future__ import annotations

from typing import Any

import c_inside
import prebuilt_std
from support import CATALOG, TEMPLATE_ROOT, resolve_targets

ALL_HOSTS = list(CATALOG["hosts"])
ALL_TARGETS = list(CATALOG["targets"])

EVAL_CASES: dict[str, dict[str, Any]] = {
    "linux-host-all-portable-static-stable": {
        "hosts": ["x86_64-linux"],
        "targets": [t for t in ALL_TARGETS if not CATALOG["targets"][t]["darwin_hosts_only"]],
        "linking": "static",
        "toolchain": "stable",
    },
    "all-hosts-all-targets-dynamic-beta-lib": {
        "hosts": ALL_HOSTS,
        "targets": ALL_TARGETS,
        "linking": "dynamic",
        "glibc": "2.28",
        "toolchain": "beta",
        "crate_type": "lib",
        # The last branch with x86_64-darwin.
        "nixpkgs_branch": "nixos-26.05",
    },
    "arm-hosts-nightly-static-wasm": {
        "hosts": ["aarch64-linux", "aarch64-darwin"],
        "targets": ["x86_64-linux", "aarch64-darwin", "wasm32-wasip1", "wasm32-wasip2"],
        "linking": "static",
        "toolchain": "nightly",
        # No container images although a Linux target is chosen.
        "images": False,
    },
    "exact-1.85.0-dynamic-riscv-windows": {
        "hosts": ["x86_64-linux", "aarch64-linux"],
        "targets": ["armv7-linux", "riscv64-linux", "x86_64-windows"],
        "linking": "dynamic",
        "glibc": "2.17",
        "toolchain": "1.85.0",
    },
    "exact-1.91.1-darwin-only-host": {
        "hosts": ["aarch64-darwin"],
        "targets": ["aarch64-linux", "x86_64-darwin", "aarch64-darwin", "universal2-darwin"],
        "linking": "static",
        "toolchain": "1.91.1",
    },
    "linux-hosts-darwin-from-linux": {
        "hosts": ["x86_64-linux", "aarch64-linux"],
        "targets": ["x86_64-linux", "x86_64-darwin", "aarch64-darwin", "universal2-darwin"],
        "darwin_from_linux": True,
        "toolchain": "stable",
    },
    "exact-1.64.0-edition-2021-i686-glibc-2.31": {
        "hosts": ["x86_64-linux"],
        "targets": ["i686-linux", "x86_64-linux"],
        "linking": "dynamic",
        "glibc": "2.31",
        "toolchain": "1.64.0",
        "edition": "2021",
    },
}
"""Name -> answers (unanswered questions take the template's defaults)."""


def answers_of(name: str) -> dict[str, Any]:
    """A case's answers with a crate name, so derivation names are predictable."""
    return {"crate_name": "hello-cross", **EVAL_CASES[name]}


# Built with the newest Rust and its std prebuilt once (test_default_path_build.py): the
# template's defaults except the hosts (Nix here builds for x86_64-linux only), and the
# macOS target built on a Linux host.
WEB_HOST = "x86_64-linux"
WEB_CRATE = "hello-default"
WEB_BUILD_CASES: dict[str, dict[str, Any]] = {
    "default": {
        "crate_name": WEB_CRATE,
        "hosts": [WEB_HOST],
        "targets": ["x86_64-linux", "aarch64-linux"],
    },
    "darwin": {
        "crate_name": WEB_CRATE,
        "hosts": [WEB_HOST],
        "targets": ["aarch64-darwin"],
        "darwin_from_linux": True,
    },
    # The WASI 0.2 component, which the flake builds with plain cargo (cargo-zigbuild refuses
    # the triple); its std comes with wasi-libc (tests/wasi_sysroot.py).
    "component": {
        "crate_name": WEB_CRATE,
        "hosts": [WEB_HOST],
        "targets": ["wasm32-wasip2"],
    },
    # One macOS file for both processors (test_universal2_build.py).
    "universal2": {
        "crate_name": WEB_CRATE,
        "hosts": [WEB_HOST],
        "targets": ["universal2-darwin"],
        "darwin_from_linux": True,
    },
    # ARM Windows (gnullvm: LLVM's libunwind and compiler-rt from zig) and FreeBSD, the
    # new families' representatives (test_windows_freebsd_build.py).
    "winbsd": {
        "crate_name": WEB_CRATE,
        "hosts": [WEB_HOST],
        "targets": ["aarch64-windows", "x86_64-freebsd"],
    },
}


def web_std_triples() -> list[str]:
    """The targets whose std the stub fenix must hold for WEB_BUILD_CASES and the crate with
    C inside (c_inside.PROJECTS), but the build machine's own: its Rust ships that one."""
    triples = {
        triple
        for answers in [*WEB_BUILD_CASES.values(), *c_inside.PROJECTS.values()]
        for target in resolve_targets(TEMPLATE_ROOT, answers)
        for triple in target["std_triples"]
    }
    return sorted(triples - {prebuilt_std.HOST})
