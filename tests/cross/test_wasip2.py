"""Rung 2 for wasm32-wasip2: a WASI 0.2 component, built, run and tested here.

A project rendered with the template's defaults (edition 2024) and the wasm32-wasip2 target
is built the way its generated `.cargo/config.toml` and PLATFORMS.md say: plain
`cargo build --release --target wasm32-wasip2`, because cargo-zigbuild refuses the triple
(test_cargo_zigbuild_refuses_the_triple pins that fact, which the catalog's `zig: null`
rests on). rustc links it with wasm-component-ld (wasm-ld, then componentization with WASI's
preview 1 adapter), as Rust's own toolchain does. The program then runs under the config's
runner and `cargo test` runs the crate's tests through it.

What this machine adds to the generated project, and nothing more (rust_web.py for the rest):
Debian's newest Rust (`rustc-web`, 1.82 or later: the output names it) with std for
wasm32-wasip2 compiled here once (tests/prebuilt_std.py) plus Debian's wasi-libc as its
self-contained C library (tests/wasi_sysroot.py), passed as
CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS=--sysroot=..., which merges with the config; and
wasm-component-ld from crates.io and LLVM's wasm-ld in that Rust's host tools (the setup).

The runner: `wasmtime` here is our runner over the wasmtime Python API (tests/cross/
wasi_runner.py; PyPI's wasmtime has no command-line tool), which, like `wasmtime run`, tells a
component from a core module by its header and runs it with wasmtime's own WASI 0.2 host
(`add_wasip2`). What this does NOT prove: that the wasmtime CLI of nixpkgs runs it (the same
engine behind another front end; rung 4), or fenix's prebuilt std and Rust's own wasi-libc
build (here Debian's wasi-libc 2024-07, std built with cargo's release profile).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import cross_harness as harness
import prebuilt_std
import pytest
import rust_web
import wasi_sysroot
from cross_platforms import COMPONENT_ID, HELLO
from support import TEMPLATE_ROOT, render, require_tool, resolve_targets

pytestmark = pytest.mark.cross

ANSWERS: dict[str, Any] = {"crate_name": HELLO, "targets": [COMPONENT_ID]}
"""The template's defaults (edition 2024) with the component target only."""
# The preamble of a wasm file: magic, then version and layer (little-endian u16 each).
WASM_MAGIC = b"\0asm"
COMPONENT_HEADER = b"\x0d\x00\x01\x00"
CORE_MODULE_HEADER = b"\x01\x00\x00\x00"


@pytest.fixture(scope="module")
def target() -> dict[str, Any]:
    (resolved,) = resolve_targets(TEMPLATE_ROOT, ANSWERS)
    return resolved


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("wasip2") / HELLO, ANSWERS)


@pytest.fixture(scope="module")
def env(web_session: harness.Session, target: dict[str, Any]) -> dict[str, str]:
    """rust_web's environment, with the std + wasi-libc sysroot for the component target."""
    for tool in ("wasmtime", "/opt/crossflake/wasm-component-ld/bin/wasm-component-ld"):
        require_tool(tool)
    require_tool(str(wasi_sysroot.LIB_DIRS[target["triple"]] / "crt1-command.o"))
    print(f"\nRust used for wasm32-wasip2: {rust_web.rustc_version()} (Debian rustc-web)")
    assert rust_web.version_tuple() >= (1, 82), rust_web.rustc_version()
    built = harness.build_env(
        web_session,
        target["triple"],
        path=rust_web.PATH,
        rustc=rust_web.RUSTC,
        cargo=rust_web.CARGO,
        sysroot=None,
    )
    sysroot = wasi_sysroot.sysroot(prebuilt_std.RUST_WEB, target["triple"])
    flags = f"CARGO_TARGET_{rust_web.env_triple(target['triple'])}_RUSTFLAGS"
    built[flags] = f"--sysroot={sysroot}"
    return built


@pytest.fixture(scope="module")
def build(project: Path, env: dict[str, str], target: dict[str, Any]) -> harness.Timed:
    """The build command the generated config names, run once per module."""
    done = harness.run(
        ["cargo", "build", "--release", "--target", target["cargo_target"]], cwd=project, env=env
    )
    print(f"wasm32-wasip2: built in {done.seconds:.0f} s")
    return done


LIST_INTERFACES = """
import json, sys
from wasmtime import Engine, component
engine = Engine()
kind = component.Component.from_file(engine, sys.argv[1]).type
print(json.dumps([list(kind.imports(engine)), list(kind.exports(engine))]))
"""
"""Run by the tools' Python (the wasmtime package lives there, not in the tests' Python)."""


def component_interfaces(wasm: Path) -> tuple[list[str], list[str]]:
    """The names of a component's imports and exports, as wasmtime's parser reads them."""
    listed = harness.run(
        [str(harness.PREFIX / "venv" / "bin" / "python3"), "-c", LIST_INTERFACES, str(wasm)],
        cwd=wasm.parent,
        env={"PATH": harness.PATH},
        timeout=120,
    )
    assert listed.result.returncode == 0, listed.describe()
    imports, exports = json.loads(listed.result.stdout)
    return imports, exports


def program(env: dict[str, str], target: dict[str, Any]) -> Path:
    return Path(env["CARGO_TARGET_DIR"]) / target["triple"] / "release" / f"{HELLO}.wasm"


def test_generated_files_build_it_with_plain_cargo(project: Path, target: dict[str, Any]) -> None:
    """The config tells the user the command this module runs, names the runner, and sets no
    linker or rustflags; nix/targets.nix marks the target as not built by cargo-zigbuild."""
    assert target["zigbuild"] is False and target["family"] == "wasm_component"
    text = (project / ".cargo" / "config.toml").read_text(encoding="utf-8")
    section = text.split(f"[target.{target['triple']}]\n", 1)[1].split("\n[", 1)[0]
    assert f"#   cargo build --release --target {target['triple']}\n" in section
    assert f"#   cargo test --target {target['triple']}\n" in section
    table = harness.read_config(project)["target"][target["triple"]]
    assert table == {"runner": "wasmtime"}, table
    records = (project / "nix" / "targets.nix").read_text(encoding="utf-8")
    assert f'cargoTarget = "{target["triple"]}";\n    zigbuild = false;\n' in records


def test_cargo_zigbuild_refuses_the_triple(
    project: Path, env: dict[str, str], target: dict[str, Any]
) -> None:
    """Why the catalog has no zig target for wasm32-wasip2: cargo-zigbuild stops before cargo
    runs. When it learns the triple this fails: give the catalog a zig target again."""
    refused = harness.cargo_zigbuild(
        project, env, "build", "--release", "--target", target["cargo_target"]
    )
    assert refused.result.returncode != 0, refused.describe()
    assert f"unsupported target '{target['triple']}'" in refused.result.stderr, refused.describe()


def test_build_is_a_component_importing_wasi_cli(
    build: harness.Timed, env: dict[str, str], target: dict[str, Any]
) -> None:
    """A component (header version 0x0d, layer 1), not a core module, whose imports are WASI
    0.2 interfaces (wasi:cli among them) and which exports wasi:cli/run."""
    assert build.result.returncode == 0, build.describe()
    wasm = program(env, target)
    header = wasm.read_bytes()[:8]
    assert header[:4] == WASM_MAGIC and header[4:] == COMPONENT_HEADER, header.hex()
    assert header[4:] != CORE_MODULE_HEADER
    imports, exports = component_interfaces(wasm)
    assert any(name.startswith("wasi:cli/environment@0.2.") for name in imports), imports
    assert any(name.startswith("wasi:cli/stdout@0.2.") for name in imports), imports
    assert all(name.startswith("wasi:") for name in imports), imports
    assert any(name.startswith("wasi:cli/run@0.2.") for name in exports), exports


def test_component_runs_under_configured_runner(
    project: Path, build: harness.Timed, env: dict[str, str], target: dict[str, Any]
) -> None:
    assert build.result.returncode == 0, build.describe()
    runner = harness.config_runner(project, target["triple"])
    assert runner == [target["runner"]] == ["wasmtime"]
    ran = harness.run([*runner, str(program(env, target))], cwd=project, env=env, timeout=120)
    assert ran.result.returncode == 0, ran.describe()
    # Rust's std reports OS "" on wasm targets (std/src/sys/env_consts.rs has one `os` for
    # target_family wasm; measured with 1.96), so the greeting ends in "wasm32-!".
    assert ran.result.stdout == f"Hello from {HELLO} on wasm32-!\n", ran.describe()


def test_failure_and_arguments_reach_the_runner(
    project: Path, env: dict[str, str], target: dict[str, Any], tmp_path: Path
) -> None:
    """The runner cannot pass by accident: a component that echoes its arguments and then
    exits 3 makes it print them and fail. WASI 0.2's `wasi:cli/exit` carries success or
    failure only (`exit: func(status: result)`), so any non-zero code arrives as 1, as with
    the wasmtime CLI."""
    copy = tmp_path / HELLO
    shutil.copytree(project, copy)
    (copy / "src" / "main.rs").write_text(
        "fn main() {\n"
        '    println!("args: {:?}", std::env::args().skip(1).collect::<Vec<_>>());\n'
        "    std::process::exit(3);\n}\n",
        encoding="utf-8",
    )
    # A target dir of its own: the hello component stays for the other tests.
    own = {**env, "CARGO_TARGET_DIR": str(tmp_path / "target")}
    built = harness.run(
        ["cargo", "build", "--release", "--target", target["cargo_target"]], cwd=copy, env=own
    )
    assert built.result.returncode == 0, built.describe()
    wasm = program(own, target)
    ran = harness.run(["wasmtime", str(wasm), "one", "two"], cwd=copy, env=own, timeout=120)
    assert ran.result.returncode == 1, ran.describe()
    assert ran.result.stdout == 'args: ["one", "two"]\n', ran.describe()


def test_crate_tests_pass_through_runner(
    project: Path, build: harness.Timed, env: dict[str, str], target: dict[str, Any]
) -> None:
    """`cargo test --release -v`: cargo runs the test component through the config's runner
    (-v prints the command), and the crate's test passes inside it."""
    assert build.result.returncode == 0, build.describe()
    tested = harness.run(
        ["cargo", "test", "--release", "-v", "--target", target["cargo_target"]],
        cwd=project,
        env=env,
    )
    assert tested.result.returncode == 0, tested.describe()
    assert "test tests::greeting_names_the_platform ... ok" in tested.result.stdout
    assert "test result: ok. 1 passed" in tested.result.stdout, tested.describe()
    assert "Running `wasmtime " in tested.result.stderr, tested.describe()
