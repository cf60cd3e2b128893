"""Rung 3 (nix build with host tools): `nix flake check`'s `test-<triple>` checks run the crate's
tests for another architecture inside a real Nix builder, through the runner `nix run` uses.

The first project is test_default_path_build.py's (default answers: edition 2024, static musl
for x86_64 and aarch64, host x86_64-linux; same crate name, so the packages' `-deps`
derivations are the ones that test already built), its `src/main.rs` given one more test: it
asks the running kernel for its machine name (uname(2), through libc, no crate) and asserts it
is the architecture the test was compiled for. This machine has no binfmt_misc handler, so an
aarch64 test binary runs only when something runs it for the kernel: the check's runner
(qemu). The builds run as build users (HOME=/homeless-shelter) with the stub fenix holding
Debian's newest Rust and each target's std prebuilt once (`web_build_stubs`). The second
project is test_flake_build.py's kind (Rust 1.63, edition 2021, glibc 2.17): aarch64 gnu and
Windows.

Proves: `checks.x86_64-linux.test-aarch64-unknown-linux-musl` compiles the tests with
`cargo-zigbuild test --target aarch64-unknown-linux-musl` (zig links them), runs them under
qemu-aarch64 in the builder (the log shows cargo running the aarch64 test binary and every test
passing, uname included) and starts from the package's `-deps` derivation;
`test-x86_64-unknown-linux-musl` runs natively (the host's own system);
`test-aarch64-unknown-linux-gnu` runs under qemu with the glibc root the runner hands it (the
stub's nixpkgs glibc of aarch64-linux: Debian's libc6-arm64-cross); `test-x86_64-pc-windows-gnu`
runs under Wine, which makes its prefix in the build's own HOME. Control: the musl project plus
a test that fails only on aarch64 makes that check fail, with the test named in the log, while
the host's own `test` check still passes, so the check really runs the target's tests and does
not pass by accident (and without the runner variable the aarch64 check fails with "Exec
format error": checked by hand when this was written).

Does NOT prove: the real nixpkgs qemu, Wine, glibc, naersk or fenix (stubs; rung 4), wasmtime
inside a builder (rung 1 shows the check exists and names its runner), Windows tests with a
Rust newer than 1.77 (Debian 12's Wine 8 lacks bcryptprimitives.dll), or that cargo reuses the
shared dependency artifacts (the crates have no dependencies).
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import nixenv
import pytest
from flake_cases import WEB_BUILD_CASES, WEB_CRATE, WEB_HOST
from flake_projects import generate, track

pytestmark = pytest.mark.nix

HOST = WEB_HOST
ANSWERS = WEB_BUILD_CASES["default"]
EMULATED = "aarch64-unknown-linux-musl"
NATIVE = "x86_64-unknown-linux-musl"

ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\(B)")
"""Terminal escapes in the log (cargo's colours, Wine's console cursor moves)."""


def plain(log: str) -> str:
    """``log`` without terminal escapes; a cursor move right by N becomes N spaces."""
    log = re.sub(r"\x1b\[(\d*)C", lambda m: " " * int(m.group(1) or 1), log)
    return ANSI.sub("", log)


MACHINE_TEST = """
#[cfg(test)]
mod on_the_target {
    /// uname(2)'s `machine`: what the running kernel, or qemu's user-mode emulation,
    /// says the machine is (glibc and musl both use six 65-byte fields).
    fn machine() -> String {
        #[repr(C)]
        struct Utsname([[u8; 65]; 6]);
        unsafe extern "C" {
            fn uname(name: *mut Utsname) -> i32;
        }
        let mut name = Utsname([[0; 65]; 6]);
        assert_eq!(unsafe { uname(&mut name) }, 0);
        let field = &name.0[4];
        let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        String::from_utf8_lossy(&field[..end]).into_owned()
    }

    #[test]
    fn crossflake_runs_on_the_target_machine() {
        assert_eq!(machine(), std::env::consts::ARCH);
    }
}
"""

FAILS_ON_AARCH64 = """
#[cfg(test)]
mod control {
    #[test]
    fn crossflake_control_fails_on_aarch64() {
        assert_ne!(std::env::consts::ARCH, "aarch64", "crossflake control");
    }
}
"""


def with_tests(destination: Path, *tests: str) -> Path:
    """The default project, its src/main.rs extended with ``tests``, tracked."""
    project = generate(destination, ANSWERS)
    main = project / "src" / "main.rs"
    main.write_text(main.read_text(encoding="utf-8") + "".join(tests), encoding="utf-8")
    return track(project)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_tests(tmp_path_factory.mktemp("checks") / WEB_CRATE, MACHINE_TEST)


def check_log(project: Path, check: str, stubs: Path) -> str:
    """Build `checks.<host>.<check>` and return Nix's log of it (stderr with -L), timed."""
    started = time.monotonic()
    attribute = f"checks.{HOST}.{check}"
    try:
        nixenv.build(project, attribute, stubs)
    except nixenv.NixError as failure:
        print(f"\n{attribute}: failed after {time.monotonic() - started:.0f} s")
        raise failure
    print(f"\n{attribute}: built in {time.monotonic() - started:.0f} s")
    proc = nixenv.run_nix(
        ["log", f".#{attribute}", *nixenv.override_args(stubs)], cwd=project, check=False
    )
    return plain(proc.stdout + proc.stderr)


def ran_tests(log: str, triple: str) -> None:
    """The log shows cargo running the test binary built for ``triple`` and all tests passing."""
    assert re.search(rf"Running unittests src/main\.rs \(target/{triple}/release/deps/", log), log
    assert "test on_the_target::crossflake_runs_on_the_target_machine ... ok" in log, log
    assert "test tests::greeting_names_the_platform ... ok" in log, log
    assert re.search(r"test result: ok\. 2 passed; 0 failed", log), log


@pytest.mark.usefixtures("no_homeless_shelter")
def test_aarch64_tests_run_under_qemu_inside_the_builder(
    project: Path, web_build_stubs: Path
) -> None:
    binfmt = Path("/proc/sys/fs/binfmt_misc")
    handlers = [p.name for p in binfmt.iterdir()] if binfmt.is_dir() else []
    assert not [h for h in handlers if "aarch64" in h], "the kernel runs aarch64 by itself"
    log = check_log(project, f"test-{EMULATED}", web_build_stubs)
    assert re.search(rf"cargo-zigbuild test .*--target {EMULATED}\b", log), log
    ran_tests(log, EMULATED)
    # The package's -deps derivation, unpacked before the tests compile (naersk's log line).
    deps = nixenv.eval_json(
        project,
        f"packages.{HOST}.{EMULATED}",
        stubs=web_build_stubs,
        apply="p: map (d: d.outPath) p.builtDependencies",
    )
    assert len(deps) == 1 and f"pre-installing dep {deps[0]}" in log, (deps, log)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_the_hosts_own_platform_tests_run_natively(project: Path, web_build_stubs: Path) -> None:
    ran_tests(check_log(project, f"test-{NATIVE}", web_build_stubs), NATIVE)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_a_test_failing_only_on_aarch64_fails_that_check_alone(
    tmp_path: Path, web_build_stubs: Path
) -> None:
    control = with_tests(tmp_path / WEB_CRATE, MACHINE_TEST, FAILS_ON_AARCH64)
    check_log(control, "test", web_build_stubs)
    with pytest.raises(nixenv.NixError) as failure:
        check_log(control, f"test-{EMULATED}", web_build_stubs)
    message = plain(failure.value.stderr)
    assert "test control::crossflake_control_fails_on_aarch64 ... FAILED" in message, message
    assert "crossflake control" in message, message
    shutil.rmtree(control, ignore_errors=True)


# With Debian's Rust 1.63 (`build_stubs`, edition 2021), like test_flake_build.py's project:
# a dynamic (gnu) target, whose runner hands qemu nixpkgs' glibc of its system (the stub's:
# Debian's libc6-arm64-cross), and Windows under Wine, both inside the builder.
GNU_ANSWERS = {
    "crate_name": "hello-cross",
    "crate_type": "bin",
    "edition": "2021",
    "hosts": [HOST],
    "targets": ["aarch64-linux", "x86_64-windows"],
    "linking": "dynamic",
    "glibc": "2.17",
    "toolchain": "stable",
}


@pytest.fixture(scope="module")
def gnu_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = generate(tmp_path_factory.mktemp("gnu-checks") / "hello-cross", GNU_ANSWERS)
    main = project / "src" / "main.rs"
    # Edition 2021 and Rust 1.63: `extern` blocks without `unsafe`; uname(2) is Unix's.
    machine = MACHINE_TEST.replace("unsafe extern", "extern").replace(
        "#[cfg(test)]\nmod on_the_target", "#[cfg(all(test, unix))]\nmod on_the_target"
    )
    main.write_text(main.read_text(encoding="utf-8") + machine, encoding="utf-8")
    return track(project)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_gnu_tests_run_under_qemu_with_the_flakes_glibc(
    gnu_project: Path, build_stubs: Path
) -> None:
    triple = "aarch64-unknown-linux-gnu"
    log = check_log(gnu_project, f"test-{triple}", build_stubs)
    assert re.search(rf"cargo-zigbuild test .*--target {triple}\.2\.17\b", log), log
    ran_tests(log, triple)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_windows_tests_run_under_wine_inside_the_builder(
    gnu_project: Path, build_stubs: Path
) -> None:
    triple = "x86_64-pc-windows-gnu"
    log = check_log(gnu_project, f"test-{triple}", build_stubs)
    assert re.search(rf"Running unittests src/main\.rs \(target/{triple}/release/deps/", log), log
    assert "test tests::greeting_names_the_platform ... ok" in log, log
    assert re.search(r"test result: ok\. 1 passed; 0 failed", log), log
