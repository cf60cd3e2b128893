"""Rung 2: a dependency built by CMake cross-compiles through the generated config, and runs.

The test crate (tests/cmake_inside.py): a generated project given `libz-ng-sys` from
crates.io (pinned by a committed Cargo.lock), whose build script runs zlib-ng's CMake scripts
through the `cmake` crate. Built with `cargo-zigbuild build --release --locked` and the
generated `.cargo/config.toml` as written, by Debian's newest Rust with each target's std
compiled once (rust_web.py says what a build adds; no CMake or compiler variable is set
here), for static musl x86_64 and aarch64 and Windows.

Proves, per target: CMake was configured with the toolchain file cargo-zigbuild writes for
that target (zlib-ng's log names it) and its C compiler is cargo-zigbuild's zig wrapper for
the target, so every configure check and every file of zlib-ng was compiled by zig for the
target; the program runs under the configured runner (Wine, qemu; x86_64 natively) and
zlib-ng computes what Python's zlib computes; the musl programs are static.

Does NOT prove: the Nix build (rung 3: tests/nix/test_cmake_dependency_build.py), fenix's
std, nixpkgs' CMake (this machine's Debian CMake runs).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import binary_facts
import cmake_inside
import cross_harness as harness
import pytest
import rust_web
from support import TEMPLATE_ROOT, render, resolve_targets

pytestmark = pytest.mark.cross

PLATFORMS = cmake_inside.ANSWERS["targets"]
BUILD_TIMEOUT = 1800
"""A cold build runs CMake's configure checks and compiles zlib-ng for the target."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("cmake-inside")
    rendered = render(base / cmake_inside.CRATE, cmake_inside.ANSWERS)
    return cmake_inside.give_cmake_dependency(rendered)


@pytest.fixture(scope="module")
def targets() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in resolve_targets(TEMPLATE_ROOT, cmake_inside.ANSWERS)}


@pytest.fixture(scope="module")
def build(
    web_session: harness.Session, project: Path, targets: dict[str, dict[str, Any]]
) -> Callable[[str], tuple[harness.Timed, dict[str, str]]]:
    """Builds for a platform id at most once: (the build, its environment)."""
    done: dict[str, tuple[harness.Timed, dict[str, str]]] = {}

    def built(platform_id: str) -> tuple[harness.Timed, dict[str, str]]:
        if platform_id not in done:
            target = targets[platform_id]
            env = rust_web.build_env(web_session, target)
            argv = ["cargo-zigbuild", "build", "--release", "--locked"]
            argv += ["--target", target["cargo_target"]]
            ran = harness.run(argv, cwd=project, env=env, timeout=BUILD_TIMEOUT)
            assert ran.result.returncode == 0, ran.describe()
            done[platform_id] = (ran, env)
        return done[platform_id]

    return built


@pytest.mark.parametrize("platform_id", PLATFORMS)
def test_cmake_configures_with_the_zig_toolchain_for_the_target(
    build: Callable[[str], tuple[harness.Timed, dict[str, str]]],
    web_session: harness.Session,
    targets: dict[str, dict[str, Any]],
    platform_id: str,
) -> None:
    _, env = build(platform_id)
    target = targets[platform_id]
    triple = target["triple"]
    log = cmake_inside.configure_log(web_session.target_dir(triple), triple)
    wrappers = Path(env["CARGO_ZIGBUILD_CACHE_DIR"])
    toolchains = cmake_inside.TOOLCHAIN_USED.findall(log)
    compilers = cmake_inside.COMPILER_USED.findall(log)
    assert len(toolchains) == 1, log
    toolchain = Path(toolchains[0])
    assert toolchain.is_relative_to(wrappers), toolchain
    assert toolchain.name == f"{triple}-toolchain.cmake", toolchain
    assert len(compilers) == 1, log
    compiler = Path(compilers[0])
    assert compiler.is_relative_to(wrappers), compiler
    assert compiler.name.startswith(f"zigcc-{target['cargo_target']}-"), compiler


@pytest.mark.parametrize("platform_id", PLATFORMS)
def test_cmake_inside_runs_on_target(
    build: Callable[[str], tuple[harness.Timed, dict[str, str]]],
    web_session: harness.Session,
    project: Path,
    targets: dict[str, dict[str, Any]],
    platform_id: str,
) -> None:
    _, env = build(platform_id)
    triple = targets[platform_id]["triple"]
    program = rust_web.release_binary(web_session, triple, cmake_inside.CRATE)
    if "-musl" in triple:
        assert binary_facts.is_fully_static(program)
    runner = harness.config_runner(project, triple)
    ran = harness.run([*runner, str(program)], cwd=project, env=env, timeout=300)
    assert ran.result.returncode == 0, ran.describe()
    assert cmake_inside.expected_output(ran.result.stdout) == [], ran.describe()
