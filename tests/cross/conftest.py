"""State for the real cross builds: one zig cache, one target dir per target, one Wine
prefix, one rendered project, and each target's std compiled once.

Sharing matters for time: zig builds Windows' mingw CRT (50-80 s on a 2-core
machine) and each target's musl libc once per cache, Wine creates a ~700 MB prefix
on its first run, and a current Rust's std takes minutes per target. So the zig
cache, the target dirs, the Wine prefix and the standard libraries live in the
machine cache (tests/machine_cache.py), keyed by the versions that change them,
and later sessions reuse them. Reuse never skips work a test is about: every test
still runs cargo-zigbuild on a freshly rendered project (its path is new, so cargo
compiles the crate and links it again), only zig's C runtime, Wine's prefix and
std come ready.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cross_harness as harness
import cross_platforms
import machine_cache
import prebuilt_std
import pytest
import rust_web
import wine_prng
from cross_platforms import BUILDABLE_IDS, HELLO, HELLO_ANSWERS, WEB_ANSWERS
from support import IN_CI, TEMPLATE_ROOT, render, require_tool, resolve_targets

# The tools a cross test runs (why each: scripts/test-machine-tools.tsv).
CROSS_TOOLS = (
    "/usr/bin/cargo",
    "/usr/bin/rustc",
    "cargo-zigbuild",
    "zig",
    "qemu-x86_64",
    "qemu-aarch64",
    "qemu-arm",
    "qemu-i386",
    "qemu-riscv64",
    "wine",
    "wineserver",
    "wasmtime",
    "readelf",
    "objdump",
)


@pytest.fixture(scope="session")
def machine_tools() -> None:
    """Fail (CI) or skip (locally) once, naming the first missing tool."""
    for name in CROSS_TOOLS:
        require_tool(name)
    if not (harness.SYSROOT / "lib" / "rustlib").is_dir():
        message = f"{harness.SYSROOT} missing; run scripts/setup-test-machine.sh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


CACHE_LIMIT = 4 * 1024**3
"""Kept zig caches and cargo target dirs are emptied beyond this (machine_cache.Cache.folder):
each run adds the crates it compiles at their new paths, a few MB."""


def tool_versions(*argvs: list[str]) -> str:
    """A cache key from the version output of the given commands (the tools' PATH)."""
    env = {"PATH": harness.PATH, "HOME": os.environ.get("HOME", "/root")}
    return machine_cache.digest(*(machine_cache.command_output(argv, env) for argv in argvs))


@pytest.fixture(scope="session")
def cross_session(
    tmp_path_factory: pytest.TempPathFactory, machine_tools: None
) -> Iterator[harness.Session]:
    """Caches kept across sessions (see the module docstring); stops Wine at the end."""
    root = tmp_path_factory.mktemp("cross-session")
    zig = tool_versions(["zig", "version"], ["cargo-zigbuild", "--version"])
    rust = tool_versions(
        [harness.RUSTC, "-vV"], ["ls", "-lL", str(harness.SYSROOT / "lib/rustlib")]
    )
    session = harness.Session(
        cache=machine_cache.MACHINE.folder("zig", zig, max_bytes=CACHE_LIMIT),
        cargo_home=root / "cargo-home",
        target_root=machine_cache.MACHINE.folder(
            "target", f"rust-1.63-{rust}", max_bytes=CACHE_LIMIT
        ),
        wine_prefix=wine_prng.machine_prefix(),
    )
    session.cargo_home.mkdir()
    yield session
    env = harness.build_env(session, "x86_64-pc-windows-gnu")
    subprocess.run(["wineserver", "-k"], env=env, capture_output=True, check=False, timeout=60)


@pytest.fixture(scope="session")
def hello_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template rendered once with every buildable platform, config adapted to 1.63."""
    project = render(
        tmp_path_factory.mktemp("hello") / HELLO, {**HELLO_ANSWERS, "targets": BUILDABLE_IDS}
    )
    harness.adapt_config_for_rust_163(project)
    return project


@pytest.fixture(scope="session")
def hello_targets() -> dict[str, dict[str, Any]]:
    """The resolver's facts for each buildable platform id, as the template saw them."""
    resolved = resolve_targets(TEMPLATE_ROOT, {**HELLO_ANSWERS, "targets": BUILDABLE_IDS})
    return {target["id"]: target for target in resolved}


@pytest.fixture(scope="session")
def release_build(
    cross_session: harness.Session,
    hello_project: Path,
    hello_targets: dict[str, dict[str, Any]],
) -> Callable[[str], harness.Timed]:
    """Builds the hello project for a platform id at most once per session."""
    done: dict[str, harness.Timed] = {}

    def build(platform_id: str) -> harness.Timed:
        if platform_id not in done:
            done[platform_id] = harness.release_build(
                hello_project, cross_session, hello_targets[platform_id]
            )
        return done[platform_id]

    return build


# ---------------------------------------------------------------------------
# The default path with Debian's newest Rust and its std prebuilt once (tests/cross/rust_web.py)


@pytest.fixture(scope="session")
def web_session(
    cross_session: harness.Session,
    tmp_path_factory: pytest.TempPathFactory,
) -> harness.Session:
    """Caches for the current Rust: own CARGO_HOME and target dirs, the zig cache and Wine
    prefix shared with the Rust 1.63 builds, and every target's std ready (compiled two
    at a time on a machine that has none yet; tests/prebuilt_std.py), and the Wine prefix
    given the stand-in for the one Windows system function Wine 8 lacks (wine_prng.py)."""
    for tool in (rust_web.RUSTC, rust_web.CARGO, str(prebuilt_std.RUST_WEB.vendor_config)):
        require_tool(tool)
    require_tool("qemu-riscv64")
    rust = tool_versions([rust_web.RUSTC, "-vV"])
    session = harness.Session(
        cache=cross_session.cache,
        cargo_home=tmp_path_factory.mktemp("web-cargo-home"),
        target_root=machine_cache.MACHINE.folder(
            "target", f"rust-web-{rust}", max_bytes=CACHE_LIMIT
        ),
        wine_prefix=cross_session.wine_prefix,
    )
    prebuilt_std.sysroots(prebuilt_std.RUST_WEB, cross_platforms.web_std_triples())
    # Windows programs of a current Rust need ProcessPrng, which Debian's Wine 8 lacks.
    wine_prng.install(session.wine_prefix, session.cache / "zig")
    return session


@pytest.fixture(scope="session")
def web_projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Projects rendered with the template's default answers (edition 2024, static) plus
    each default-path project's own (cross_platforms.WEB_ANSWERS)."""
    base = tmp_path_factory.mktemp("default-path")
    return {
        name: render(base / name / HELLO, {"crate_name": HELLO, **given})
        for name, given in WEB_ANSWERS.items()
    }


@pytest.fixture(scope="session")
def web_targets() -> dict[str, dict[str, Any]]:
    """Resolved targets by "<project>/<platform id>", as each project's template saw them."""
    return cross_platforms.web_targets()


@pytest.fixture(scope="session")
def web_build(
    web_session: harness.Session,
    web_projects: dict[str, Path],
    web_targets: dict[str, dict[str, Any]],
) -> Callable[[str], harness.Timed]:
    """Builds "<project>/<platform id>" with the current Rust at most once per session."""
    done: dict[str, harness.Timed] = {}

    def build(key: str) -> harness.Timed:
        if key not in done:
            project = web_projects[key.split("/")[0]]
            done[key] = rust_web.release_build(project, web_session, web_targets[key])
        return done[key]

    return build
