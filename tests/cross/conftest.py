"""Session-wide state for the real cross builds: one zig cache, one target dir per
target, one Wine prefix, one rendered project.

Sharing matters for time: zig builds Windows' mingw CRT (50-80 s on a 2-core
machine) once per cache, and Wine creates a ~700 MB prefix on its first run.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cross_harness as harness
import pytest
from cross_platforms import BUILDABLE_IDS, HELLO, HELLO_ANSWERS
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


@pytest.fixture(scope="session")
def cross_session(
    tmp_path_factory: pytest.TempPathFactory, machine_tools: None
) -> Iterator[harness.Session]:
    """Shared caches for the session; stops the Wine server at the end."""
    root = tmp_path_factory.mktemp("cross-session")
    session = harness.Session(
        cache=root / "cache",
        cargo_home=root / "cargo-home",
        target_root=root / "target",
        wine_prefix=root / "wine",
    )
    for folder in (session.cache, session.cargo_home, session.target_root):
        folder.mkdir()
    yield session
    if not session.wine_prefix.exists():
        return
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
