"""cargo-zigbuild and a read-only zig lib dir (the Nix store), as a non-root user.

(a) Negative control: zig straight from the read-only fake store path, as
    in a Nix build without the flake's fix: armv7 fails on arm-features.h.
(b) The generated flake's own `zigBuildSetup` snippet, cut out of the
    rendered flake.nix with `${pkgs.zig}` replaced by the fake store path
    (its `$TMPDIR` exports taken as they are; TMPDIR is a fresh folder per
    build, like a Nix builder's), makes armv7 and x86_64-windows build.

Both builds in (b) start from an empty zig cache, as a Nix derivation does,
so every lib file zig compiles (Windows: the whole mingw CRT) is read through
the symlinked copy. (Seeding a copy of the session's warm zig cache was
tried and barely helped, 74 s for Windows, so the test does without.)

Not proven: nixpkgs' real zig package layout and a real Nix builder
(tests/nix covers the builder environment with stubs).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cross_harness as harness
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
    """The read-only fake zig store path, without arm-features.h."""
    return zig_store.make_fake_zig_store(sandbox)


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


def flake_fix(project: Path, store: Path) -> str:
    """The generated zigBuildSetup with the store path put in for `${pkgs.zig}`."""
    snippet = zig_store.zig_build_setup((project / "flake.nix").read_text(encoding="utf-8"))
    assert "${pkgs.zig}" in snippet
    snippet = snippet.replace("${pkgs.zig}", str(store))
    assert "${" not in snippet, f"Nix interpolation left in the snippet:\n{snippet}"
    return snippet


@pytest.mark.parametrize("triple", [ARMV7, WINDOWS])
def test_flake_zig_build_setup_makes_builds_succeed(
    sandbox: Path,
    store: Path,
    project: Path,
    cross_session: harness.Session,
    triple: str,
) -> None:
    build_tmp = user_dir(sandbox, f"tmp-{triple}")
    cargo_target = f"{ARMV7}.2.17" if triple == ARMV7 else WINDOWS
    script = (
        "set -eu\n"
        + flake_fix(project, store)
        + (f"\nzig env | grep lib_dir\ncargo-zigbuild build --release --target {cargo_target}\n")
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
    assert lib_line.endswith(f'{build_tmp.name}/zig-lib",'), built.describe()
    suffix = ".exe" if triple == WINDOWS else ""
    binary = build_tmp / "target" / triple / "release" / f"{CRATE}{suffix}"
    assert binary.is_file(), built.describe()
    # Nothing was written into the store; cargo-zigbuild wrote into the copy instead.
    assert not (store / "lib" / "zig" / zig_store.ARM_FEATURES_H).exists()
    if triple == ARMV7:
        assert (build_tmp / "zig-lib" / zig_store.ARM_FEATURES_H).is_file()
    # And the result runs (as root, under this session's runners).
    ran = harness.run(
        [*harness.config_runner(project, triple), str(binary)],
        cwd=project,
        env=harness.build_env(cross_session, triple),
        timeout=120,
    )
    platform = "arm-linux" if triple == ARMV7 else "x86_64-windows"
    assert ran.result.stdout == f"Hello from {CRATE} on {platform}!\n", ran.describe()
