"""Generated projects really cross-compile, and the results really run.

For each platform this machine has a Rust std for, the rendered project is
built with `cargo-zigbuild build --release` using the generated
`.cargo/config.toml` (only adapted as cross_harness describes: sysroot,
PATH, RUSTC, QEMU_LD_PREFIX, and `[target.wasm32-wasip1]` renamed to 1.63's
`[target.wasm32-wasi]`, with `--target wasm32-wasi`). The program then runs
under the runner the config names, the crate's tests run through it with
`cargo-zigbuild test`, and the artifact is inspected.

What this does not prove: that fenix's toolchains or nixpkgs' zig behave the
same (Rust 1.63 from Debian and zig from PyPI stand in). Rust 1.63 has no std
for musl, riscv64 or macOS and predates edition 2024: test_default_path builds
those, and the default answers, with Debian's newest Rust and a std compiled
once per machine (tests/prebuilt_std.py). What 1.63 still adds here: Debian's
own prebuilt std for gnu, Windows and WASI and the 1.63 rename of wasm32-wasip1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import binary_facts
import cross_harness as harness
import pytest
from cross_platforms import BUILDABLE_IDS, CONSTS, ELF, HELLO, WASM_ID

pytestmark = pytest.mark.cross


def triple_of(target: dict[str, Any]) -> str:
    """The triple as Rust 1.63 names it."""
    return harness.rust_163_triple(target["triple"])


@pytest.mark.parametrize("platform_id", BUILDABLE_IDS)
def test_config_has_no_rustflags_for_runs_here(
    hello_project: Path, hello_targets: dict[str, dict[str, Any]], platform_id: str
) -> None:
    """RUSTFLAGS (this machine's --sysroot) replaces config rustflags: none may be lost."""
    triple = triple_of(hello_targets[platform_id])
    assert harness.config_rustflags(hello_project, triple) == []
    assert hello_targets[platform_id]["rustflags"] == []


@pytest.mark.parametrize("platform_id", BUILDABLE_IDS)
def test_program_runs_under_configured_runner(
    hello_project: Path,
    hello_targets: dict[str, dict[str, Any]],
    cross_session: harness.Session,
    release_build: Callable[[str], harness.Timed],
    platform_id: str,
) -> None:
    target = hello_targets[platform_id]
    triple = triple_of(target)
    build = release_build(platform_id)
    assert build.result.returncode == 0, build.describe()

    runner = harness.config_runner(hello_project, triple)
    assert runner[0] == target["runner"]
    binary = harness.release_binary(cross_session, triple, HELLO)
    ran = harness.run(
        [*runner, str(binary)],
        cwd=hello_project,
        env=harness.build_env(cross_session, triple),
        timeout=120,
    )
    arch, os_name = CONSTS[platform_id]
    assert ran.result.returncode == 0, ran.describe()
    assert ran.result.stdout == f"Hello from {HELLO} on {arch}-{os_name}!\n", ran.describe()


@pytest.mark.parametrize("platform_id", BUILDABLE_IDS)
def test_crate_tests_pass_through_runner(
    hello_project: Path,
    hello_targets: dict[str, dict[str, Any]],
    cross_session: harness.Session,
    platform_id: str,
) -> None:
    """`cargo-zigbuild test` runs the test binary through the config's runner."""
    target = hello_targets[platform_id]
    triple = triple_of(target)
    tested = harness.cargo_zigbuild(
        hello_project,
        harness.build_env(cross_session, triple),
        "test",
        "-v",  # makes cargo print the runner command it uses
        "--target",
        harness.rust_163_cargo_target(target["cargo_target"]),
    )
    assert tested.result.returncode == 0, tested.describe()
    assert "test tests::greeting_names_the_platform ... ok" in tested.result.stdout
    assert "test result: ok. 1 passed" in tested.result.stdout, tested.describe()
    # The runner really was used: cargo prints the command it runs.
    assert f"Running `{target['runner']} " in tested.result.stderr, tested.describe()


@pytest.mark.parametrize("platform_id", [p for p in BUILDABLE_IDS if p in ELF])
def test_linux_binary_is_for_its_machine_and_glibc_floor(
    hello_targets: dict[str, dict[str, Any]],
    cross_session: harness.Session,
    release_build: Callable[[str], harness.Timed],
    platform_id: str,
) -> None:
    target = hello_targets[platform_id]
    assert release_build(platform_id).result.returncode == 0
    binary = harness.release_binary(cross_session, triple_of(target), HELLO)
    machine, loader = ELF[platform_id]
    assert binary_facts.elf_machine(binary) == machine
    assert binary_facts.elf_interpreter(binary) == loader
    versions = binary_facts.glibc_versions(binary)
    floor = tuple(int(part) for part in target["glibc"].split("."))
    assert target["glibc"] == "2.17"
    assert versions, "a dynamic gnu binary must import versioned glibc symbols"
    assert max(versions) <= floor, f"needs GLIBC_{'.'.join(map(str, max(versions)))}"


def test_windows_binary_imports_only_system_dlls(
    cross_session: harness.Session, release_build: Callable[[str], harness.Timed]
) -> None:
    assert release_build("x86_64-windows").result.returncode == 0
    binary = harness.release_binary(cross_session, "x86_64-pc-windows-gnu", HELLO)
    assert binary.read_bytes()[:2] == b"MZ"
    imports = binary_facts.dll_imports(binary)
    assert imports, "objdump found no imports at all"
    foreign = [name for name in imports if not binary_facts.is_windows_system_dll(name)]
    assert foreign == [], f"imports DLLs Windows does not ship: {foreign} (all: {imports})"


def test_wasm_artifact_is_a_wasm_module(
    hello_targets: dict[str, dict[str, Any]],
    cross_session: harness.Session,
    release_build: Callable[[str], harness.Timed],
) -> None:
    assert release_build(WASM_ID).result.returncode == 0
    binary = harness.release_binary(cross_session, triple_of(hello_targets[WASM_ID]), HELLO)
    assert binary_facts.is_wasm_module(binary)
