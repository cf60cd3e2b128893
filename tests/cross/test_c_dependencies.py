"""Rung 2: a crate with C inside cross-compiles through the generated config, and its C runs.

The test crate (tests/c_inside.py): a generated project given `ring`, `aws-lc-rs`,
`openssl` (vendored), `zstd` and `rusqlite` (bundled) from crates.io, pinned by a
committed Cargo.lock. Each project below is rendered with the template, then built
with `cargo-zigbuild build --release --locked` and the generated `.cargo/config.toml`
as written, by Debian's newest Rust with each target's std compiled once (rust_web.py
says what a build adds; nothing else is set: no CC, no CMake or OpenSSL variable, so
every C file is compiled by what cargo-zigbuild hands the build scripts, zig; macOS gets
the MACOSX_DEPLOYMENT_TARGET the config's comment for it names).

Proves, per target: the five build scripts find a C compiler, archiver, Perl and make
for the target and the program links; it runs under the configured runner (qemu,
Wine; x86_64 natively) and each library's C really runs (digests equal Python's, a
zstd round trip, an SQLite query); static musl programs have no interpreter and no
dynamic section and run with an empty library root; the glibc-floor program needs
no glibc symbol newer than its floor; the x86_64 programs hold no code of the host's
GCC (its `.comment` stamp); the Windows program imports only Windows system DLLs; the
macOS program (built on Linux, not run: no Mac here) is an arm64 Mach-O that loads
only system libraries.

Does NOT prove: fenix's prebuilt std, nixpkgs' zig, the Nix builds (rung 3:
tests/nix/test_c_dependencies_build.py). Windows runs under Wine 8 with a stand-in for
bcryptprimitives.dll (wine_prng.py).

Cost: these are the suite's most expensive builds (OpenSSL and aws-lc per target, about
10 minutes each on 2 cores when cold), so their target dirs and CARGO_HOME live in the
machine cache under a key of the Rust, zig, cargo-zigbuild and the Cargo.lock (c_session):
a warm run compiles and links only the crate itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import binary_facts
import c_inside
import cross_harness as harness
import machine_cache
import macho
import pytest
import rust_web
from support import TEMPLATE_ROOT, render, resolve_targets

pytestmark = pytest.mark.cross

PROJECTS = c_inside.PROJECTS
RUNS = ["static/x86_64-linux", "static/aarch64-linux", "static/x86_64-windows", "gnu/x86_64-linux"]
STATIC = ["static/x86_64-linux", "static/aarch64-linux"]
# Programs for the build machine's own architecture: where the host's GCC could sneak in.
HOST_ARCH = ["static/x86_64-linux", "gnu/x86_64-linux"]
BUILD_TIMEOUT = 3600
"""One cold build compiles OpenSSL and aws-lc for the target: minutes on 2 busy cores."""
TARGET_LIMIT = 8 * 1024**3
"""The kept target dirs are emptied beyond this (machine_cache.Cache.folder): each run adds
the crate itself at its new path, a few MB; the C libraries stay."""


@pytest.fixture(scope="module")
def c_session(web_session: harness.Session) -> harness.Session:
    """web_session's zig cache, Wine prefix and std, with target dirs and a CARGO_HOME of
    their own in the machine cache, keyed by everything that changes the C builds (Rust,
    zig, cargo-zigbuild, the pinned crates): the same registry paths every run, so cargo
    finds the C libraries of the last run fresh."""
    tools = {"PATH": harness.PATH}
    key = machine_cache.digest(
        *(
            machine_cache.command_output(argv, tools)
            for argv in ([rust_web.RUSTC, "-vV"], ["zig", "version"], ["cargo-zigbuild", "-V"])
        ),
        c_inside.lock_text(),
    )
    cargo_home = machine_cache.MACHINE.folder("c-inside", key, "cargo-home")
    return harness.Session(
        cache=web_session.cache,
        cargo_home=cargo_home,
        target_root=machine_cache.MACHINE.folder("c-inside", key, "target", max_bytes=TARGET_LIMIT),
        wine_prefix=web_session.wine_prefix,
    )


@pytest.fixture(scope="module")
def c_projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("c-inside")
    return {
        name: c_inside.give_c_dependencies(render(base / name / c_inside.CRATE, answers))
        for name, answers in PROJECTS.items()
    }


@pytest.fixture(scope="module")
def c_targets() -> dict[str, dict[str, Any]]:
    """Resolved targets by "<project>/<platform id>"."""
    found = {}
    for name, answers in PROJECTS.items():
        for target in resolve_targets(TEMPLATE_ROOT, answers):
            found[f"{name}/{target['id']}"] = target
    return found


@pytest.fixture(scope="module")
def c_build(
    c_session: harness.Session,
    c_projects: dict[str, Path],
    c_targets: dict[str, dict[str, Any]],
) -> Iterator[Callable[[str], tuple[harness.Timed, Path]]]:
    """Builds "<project>/<platform id>" at most once: (the build, the program it made)."""
    done: dict[str, tuple[harness.Timed, Path]] = {}

    def build(key: str) -> tuple[harness.Timed, Path]:
        if key not in done:
            target = c_targets[key]
            project = c_projects[key.split("/")[0]]
            argv = ["cargo-zigbuild", "build", "--release", "--locked"]
            argv += ["--target", target["cargo_target"]]
            env = rust_web.build_env(c_session, target)
            # One folder of cargo-zigbuild's compiler wrappers for these builds, whichever
            # pytest worker runs them: the wrappers' paths are the CC_<target> values the
            # build scripts watch (rerun-if-env-changed), so a per-worker folder (build_env's
            # default) would make every run on the other worker compile all the C again.
            env["CARGO_ZIGBUILD_CACHE_DIR"] = str(c_session.target_root.parent / "wrappers")
            if target.get("macos_min"):
                # As the generated config's comment for the target says to build it (and
                # the flake does): else zig stamps its own newest macOS as the minimum.
                env["MACOSX_DEPLOYMENT_TARGET"] = target["macos_min"]
            built = harness.run(argv, cwd=project, env=env, timeout=BUILD_TIMEOUT)
            print(f"{key}: built in {built.seconds:.0f} s")
            program = rust_web.release_binary(c_session, target["triple"], c_inside.CRATE)
            done[key] = (built, program)
        return done[key]

    yield build


def built_program(c_build: Callable[[str], tuple[harness.Timed, Path]], key: str) -> Path:
    built, program = c_build(key)
    assert built.result.returncode == 0, built.describe()
    assert program.is_file(), program
    return program


@pytest.mark.parametrize("key", RUNS)
def test_c_inside_runs_on_target(
    c_build: Callable[[str], tuple[harness.Timed, Path]],
    c_projects: dict[str, Path],
    c_targets: dict[str, dict[str, Any]],
    c_session: harness.Session,
    key: str,
) -> None:
    """Each library's C computes on the target what Python computes here."""
    program = built_program(c_build, key)
    target = c_targets[key]
    project = c_projects[key.split("/")[0]]
    runner = harness.config_runner(project, target["triple"])
    ran = harness.run(
        [*runner, str(program)],
        cwd=project,
        env=rust_web.build_env(c_session, target),
        timeout=300,
    )
    assert ran.result.returncode == 0, ran.describe()
    assert c_inside.expected_output(ran.result.stdout) == [], ran.describe()


@pytest.mark.parametrize("key", STATIC)
def test_static_musl_program_with_c_inside_is_static(
    c_build: Callable[[str], tuple[harness.Timed, Path]],
    c_projects: dict[str, Path],
    c_targets: dict[str, dict[str, Any]],
    tmp_path: Path,
    key: str,
) -> None:
    """No C library dragged in a dynamic dependency: no interpreter, no dynamic section,
    and it runs under qemu with an empty library root."""
    program = built_program(c_build, key)
    assert binary_facts.is_fully_static(program)
    qemu = harness.config_runner(c_projects["static"], c_targets[key]["triple"])[0]
    ran = binary_facts.run_with_empty_root(qemu, program, tmp_path, path=harness.PATH)
    assert ran.returncode == 0, (ran.stdout, ran.stderr)
    assert c_inside.expected_output(ran.stdout) == [], ran.stdout


@pytest.mark.parametrize("key", HOST_ARCH)
def test_no_code_of_the_host_c_compiler(
    c_build: Callable[[str], tuple[harness.Timed, Path]], key: str
) -> None:
    """Every object in the program was made by zig's clang, rustc or LLD: GCC stamps each
    object it compiles into `.comment` ("GCC: (Debian ...)"), and the host's GCC is the
    one compiler that could compile for this architecture without being asked to."""
    program = built_program(c_build, key)
    comment = binary_facts.elf_comment(program)
    assert "clang version" in comment, comment
    assert "GCC:" not in comment, comment


def test_glibc_floor_holds_with_c_inside(
    c_build: Callable[[str], tuple[harness.Timed, Path]],
    c_targets: dict[str, dict[str, Any]],
) -> None:
    """OpenSSL, aws-lc and SQLite call libc functions newer than 2.17 where they exist
    (getrandom, getentropy...): the floor must still hold."""
    target = c_targets["gnu/x86_64-linux"]
    assert target["cargo_target"] == "x86_64-unknown-linux-gnu.2.17"
    program = built_program(c_build, "gnu/x86_64-linux")
    versions = binary_facts.glibc_versions(program)
    assert versions and max(versions) <= (2, 17), versions


def test_windows_program_with_c_inside_imports_only_system_dlls(
    c_build: Callable[[str], tuple[harness.Timed, Path]],
) -> None:
    program = built_program(c_build, "static/x86_64-windows")
    imports = binary_facts.dll_imports(program)
    foreign = [name for name in imports if not binary_facts.is_windows_system_dll(name)]
    assert imports and foreign == [], imports


def test_macos_program_with_c_inside_links_on_linux(
    c_build: Callable[[str], tuple[harness.Timed, Path]],
) -> None:
    program = built_program(c_build, "darwin/aarch64-darwin")
    info = macho.read(program)
    assert info.cpu == "arm64"
    assert info.minos == "11.0"
    assert info.dylibs and all(macho.is_system_dylib(d) for d in info.dylibs), info.dylibs
