"""cargo-zigbuild and a read-only zig lib dir (the Nix store), as a non-root user.

(a) Negative control: zig straight from the read-only fake store path, as
    in a Nix build without the flake's fix: armv7 fails on arm-features.h.
(b) The generated flake's own scripts, cut out of the rendered nix/zig-runtime.nix
    with `${pkgs.zig}` replaced by the fake store path: zigRuntime's build
    (as the test user, `$out` a fresh folder) prepares the target's lib dir,
    where cargo-zigbuild adds what it needs, and zig's cache; the folder is
    then made read-only like a store path, and zigBuildSetup (what both
    naersk derivations run) plus `cargo zigbuild` of the crate builds armv7
    and x86_64-windows from it without writing there, and the programs run.

Built once per machine, as the Nix store keeps a store path: the fake zig store path
and each target's zigRuntime output live in the machine cache (tests/machine_cache.py),
the runtime under a key made of the runtime script's exact text, the target, and the
versions of zig, cargo-zigbuild and Rust. So the runtime script runs (and its success is
asserted) on a machine's first run and whenever the generated script or a tool changes;
a later run with the identical script reuses its output, as a Nix store would, and
still builds, checks and runs the crate from it. Windows' runtime is zig compiling the
MinGW CRT: minutes on two cores.

Not proven: nixpkgs' real zig package layout and a real Nix builder
(tests/nix/test_zig_runtime.py covers the builder with stubs).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cross_harness as harness
import machine_cache
import pytest
import zig_store
from cross_platforms import HELLO_ANSWERS
from support import IN_CI, render

pytestmark = pytest.mark.cross

ARMV7 = "armv7-unknown-linux-gnueabihf"
WINDOWS = "x86_64-pc-windows-gnu"
CRATE = "ro-zig"


def user_env(store: Path, **extra: str) -> dict[str, str]:
    """What a build as the test user sees: the fake store's zig first on PATH."""
    return {
        "PATH": f"{store}/bin:{harness.PATH}",
        "LANG": "C.UTF-8",
        "RUSTC": harness.RUSTC,
        "CARGO": harness.CARGO,
        "RUSTFLAGS": f"--sysroot={harness.SYSROOT}",
        "CARGO_TERM_COLOR": "never",
        **extra,
    }


@pytest.fixture(scope="module")
def sandbox(machine_tools: None) -> Iterator[Path]:
    """A folder the test user can reach (pytest's tmp dirs are root-only, 0700)."""
    problem = None
    if os.geteuid() != 0:
        problem = "needs root to run builds as another user (runuser)"
    elif not zig_store.user_exists():
        problem = f"user {zig_store.TEST_USER} missing; run scripts/setup-test-machine.sh"
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    base = Path(tempfile.mkdtemp(prefix="crossflake-ro-"))
    base.chmod(0o755)
    yield base
    zig_store.release_fake_store(base)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def store(sandbox: Path) -> Path:
    """The read-only fake zig store path, without arm-features.h (kept per machine)."""
    return zig_store.machine_fake_zig_store()


@pytest.fixture(scope="module")
def project(sandbox: Path) -> Path:
    """A small generated project (armv7 + windows), owned by the test user."""
    answers = {**HELLO_ANSWERS, "crate_name": CRATE, "targets": ["armv7-linux", "x86_64-windows"]}
    path = render(sandbox / CRATE, answers)
    harness.adapt_config_for_rust_163(path)
    zig_store.give_to_user(path)
    return path


def user_dir(sandbox: Path, name: str) -> Path:
    """A fresh folder owned by the test user."""
    path = sandbox / name
    path.mkdir()
    zig_store.give_to_user(path)
    return path


def test_store_is_read_only_for_the_user(sandbox: Path, store: Path) -> None:
    probe = zig_store.run_as_user(
        f"zig env; touch {store}/lib/zig/probe",
        cwd=sandbox,
        env=user_env(store, HOME=str(user_dir(sandbox, "home-probe"))),
        timeout=60,
    )
    # zig env prints paths relative to the working directory when it can.
    assert f'{store.name}/lib/zig",' in probe.result.stdout, probe.describe()
    assert "Permission denied" in probe.result.stderr, probe.describe()
    assert not (store / "lib" / "zig" / zig_store.ARM_FEATURES_H).exists()


def test_armv7_fails_with_zig_lib_dir_in_store(sandbox: Path, store: Path, project: Path) -> None:
    home = user_dir(sandbox, "home-a")
    built = zig_store.run_as_user(
        f"cargo-zigbuild build --release --target {ARMV7}.2.17",
        cwd=project,
        env=user_env(
            store,
            HOME=str(home),
            XDG_CACHE_HOME=f"{home}/cache",
            CARGO_HOME=f"{home}/cargo",
            CARGO_TARGET_DIR=f"{home}/target",
        ),
        timeout=harness.BUILD_TIMEOUT,
    )
    assert built.result.returncode != 0, built.describe()
    expected = (
        f"failed to create file `{store}/lib/zig/{zig_store.ARM_FEATURES_H}`: "
        "Permission denied (os error 13)"
    )
    assert expected in built.result.stderr, built.describe()


def flake_scripts(project: Path, store: Path, cargo_target: str) -> tuple[str, str]:
    """zigRuntime's build and zigBuildSetup, with the fake store and the target put in."""
    runtime, setup = zig_store.zig_runtime_scripts(
        (project / "nix/zig-runtime.nix").read_text(encoding="utf-8")
    )
    assert "${pkgs.zig}" in runtime and "${runtime}" in setup
    runtime = runtime.replace("${pkgs.zig}", str(store))
    runtime = runtime.replace("${target.cargoTarget}", cargo_target)
    std_triple = cargo_target.split(".")[0]  # without the glibc floor
    # The triples whose wrappers it names (a Nix expression spanning lines): this one.
    runtime = re.sub(
        r"\$\{\s*#[^\n]*\n\s*lib\.escapeShellArgs .*?target\.stdTriples\)\s*\}",
        shlex.quote(std_triple),
        runtime,
        flags=re.S,
    )
    for script in (runtime, setup.replace("${runtime}", "")):
        left = script.replace("''${", "").replace("${SOURCE", "")
        assert "${" not in left, f"Nix interpolation left:\n{script}"
    # `''${` is Nix's escape for a shell `${` in an indented string.
    return runtime.replace("''${", "${"), setup.replace("''${", "${")


def kept_zig_runtime(store: Path, runtime_script: str, triple: str) -> Path:
    """zigRuntime's output for this script, built as the test user on the machine's first
    run (its success asserted) and kept read-only, like a store path (module docstring)."""
    tools = [["zig", "version"], ["cargo-zigbuild", "--version"], [harness.RUSTC, "-vV"]]
    env = {"PATH": harness.PATH, "HOME": os.environ.get("HOME", "/root")}
    key = machine_cache.digest(
        runtime_script,
        triple,
        str(harness.SYSROOT),
        *(machine_cache.command_output(argv, env) for argv in tools),
    )

    def build(staging: Path) -> None:
        zig_store.give_to_user(staging)
        runtime_tmp = user_dir(staging, "tmp")
        runtime_out = user_dir(staging, "runtime")  # the script's `mkdir -p "$out"`
        made = zig_store.run_as_user(
            "set -eu\n" + runtime_script,
            cwd=runtime_tmp,
            env=user_env(store, TMPDIR=str(runtime_tmp), out=str(runtime_out)),
            timeout=harness.BUILD_TIMEOUT,
        )
        assert made.result.returncode == 0, made.describe()
        shutil.rmtree(runtime_tmp)
        # The variables naming the wrappers hold $out: the published entry's path, as a
        # store path keeps its name (entry() renames the staging folder into place).
        final = staging.parent / key / "runtime"
        for named in [runtime_out / "wrappers.sh", *runtime_out.glob("wrappers/cmake/*.cmake")]:
            text = named.read_text(encoding="utf-8")
            named.write_text(text.replace(str(runtime_out), str(final)), encoding="utf-8")
        for folder, _dirs, _files in os.walk(runtime_out):  # read-only, like the store
            os.chmod(folder, 0o555)

    return machine_cache.MACHINE.entry("zig-runtime", key, build) / "runtime"


@pytest.mark.parametrize("triple", [ARMV7, WINDOWS])
def test_flake_zig_runtime_makes_builds_succeed_from_a_read_only_lib_dir(
    sandbox: Path,
    store: Path,
    project: Path,
    cross_session: harness.Session,
    triple: str,
) -> None:
    cargo_target = f"{ARMV7}.2.17" if triple == ARMV7 else WINDOWS
    runtime_script, setup_script = flake_scripts(project, store, cargo_target)

    runtime_out = kept_zig_runtime(store, runtime_script, triple)
    if triple == ARMV7:
        assert (runtime_out / "lib" / zig_store.ARM_FEATURES_H).is_file()

    # A package's derivation: zigBuildSetup, then the crate's build.
    build_tmp = user_dir(sandbox, f"tmp-{triple}")
    script = (
        "set -eu\n"
        + setup_script.replace("${runtime}", str(runtime_out))
        + f"\nzig env | grep lib_dir\ncargo-zigbuild build --release --target {cargo_target}\n"
    )
    built = zig_store.run_as_user(
        script,
        cwd=project,
        env=user_env(
            store,
            TMPDIR=str(build_tmp),
            CARGO_HOME=f"{build_tmp}/cargo",
            CARGO_TARGET_DIR=f"{build_tmp}/target",
        ),
        timeout=harness.BUILD_TIMEOUT,
    )
    assert built.result.returncode == 0, built.describe()
    lib_line = next(line for line in built.result.stdout.splitlines() if "lib_dir" in line)
    assert lib_line.endswith(f'{runtime_out.name}/lib",'), built.describe()
    suffix = ".exe" if triple == WINDOWS else ""
    binary = build_tmp / "target" / triple / "release" / f"{CRATE}{suffix}"
    assert binary.is_file(), built.describe()
    # Nothing was written into the store.
    assert not (store / "lib" / "zig" / zig_store.ARM_FEATURES_H).exists()
    # And the result runs (as root, under this session's runners).
    ran = harness.run(
        [*harness.config_runner(project, triple), str(binary)],
        cwd=project,
        env=harness.build_env(cross_session, triple),
        timeout=120,
    )
    platform = "arm-linux" if triple == ARMV7 else "x86_64-windows"
    assert ran.result.stdout == f"Hello from {CRATE} on {platform}!\n", ran.describe()
