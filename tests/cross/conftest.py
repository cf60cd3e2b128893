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
import rust_web
from cross_platforms import BUILDABLE_IDS, DARWIN_TARGETS, DEFAULT_TARGETS, HELLO, HELLO_ANSWERS
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


# ---------------------------------------------------------------------------
# The default path with Debian's newest Rust and -Z build-std (tests/cross/rust_web.py)


@pytest.fixture(scope="session")
def web_session(cross_session: harness.Session) -> harness.Session:
    """Caches for the current Rust: own CARGO_HOME and target dirs (std built from source),
    the zig cache and Wine prefix shared with the Rust 1.63 builds."""
    for tool in (rust_web.RUSTC, rust_web.CARGO, str(rust_web.BUILD_STD_CONFIG)):
        require_tool(tool)
    require_tool("qemu-riscv64")
    root = cross_session.target_root.parent / "web"
    session = harness.Session(
        cache=cross_session.cache,
        cargo_home=root / "cargo-home",
        target_root=root / "target",
        wine_prefix=cross_session.wine_prefix,
    )
    rust_web.prepare_cargo_home(session)
    return session


@pytest.fixture(scope="session")
def web_projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Projects rendered with the template's default answers (edition 2024, static),
    one per linking/host situation: "static" (every Linux target, Windows, WASI),
    "gnu" (riscv64 with glibc, the one dynamic Linux std Debian lacks) and
    "darwin" (both macOS targets, built from a Linux host)."""
    base = tmp_path_factory.mktemp("default-path")
    answers = {
        "static": {"crate_name": HELLO, "targets": DEFAULT_TARGETS},
        "gnu": {"crate_name": HELLO, "targets": ["riscv64-linux"], "linking": "dynamic"},
        "darwin": {
            "crate_name": HELLO,
            "hosts": ["x86_64-linux"],
            "targets": DARWIN_TARGETS,
            "darwin_from_linux": True,
        },
    }
    return {name: render(base / name / HELLO, given) for name, given in answers.items()}


@pytest.fixture(scope="session")
def web_targets() -> dict[str, dict[str, Any]]:
    """Resolved targets by "<project>/<platform id>", as each project's template saw them."""
    found: dict[str, dict[str, Any]] = {}
    for name, answers in {
        "static": {"targets": DEFAULT_TARGETS, "linking": "static"},
        "gnu": {"targets": ["riscv64-linux"], "linking": "dynamic", "glibc": "2.17"},
        "darwin": {"targets": DARWIN_TARGETS, "linking": "static", "darwin_from_linux": True},
    }.items():
        for target in resolve_targets(TEMPLATE_ROOT, answers):
            found[f"{name}/{target['id']}"] = target
    return found


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
