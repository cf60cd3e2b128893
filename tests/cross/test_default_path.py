"""Rung 2 for the default answers: edition 2024 and static musl, built with a current Rust.

Projects rendered with the template's defaults (edition 2024, `linking =
static`; the Linux architectures Debian has no glibc std for also with glibc;
both macOS targets with `darwin_from_linux`) are built with `cargo-zigbuild build
--release` and the generated `.cargo/config.toml` as written, by Debian's newest
Rust (`rustc-web`, 1.85 or later; the test output names the exact version) with a standard library
compiled from Debian's `rust-web-src` once per machine and then used like a
prebuilt one, through `--sysroot` (tests/prebuilt_std.py; rust_web.py says
what a build adds). Linux programs run under the configured qemu runner and
their tests pass through it (`cargo-zigbuild test --release`); so does the
Windows program, under Wine with one missing system function stood in for (see
NOT_RUN_HERE), and its DLL imports are checked; macOS binaries are checked as
files. WASI is left to Debian's prebuilt 1.63 std (test_cross_targets; see
RUNNABLE for why).

Static means static: every musl artifact has no ELF interpreter and no
dynamic section, and runs under qemu with an empty library root.

What this does NOT prove: fenix's prebuilt std (built by Rust's CI, with Rust's
self-contained musl startup objects; here std is built with the crate's release
profile and crt1.o/libc come from zig's musl), nixpkgs' zig and cargo-zigbuild
(PyPI's here), or that the macOS binaries run (no Mac here: rung 4, the hermetic
workflow, runs them on a macOS runner).

Reuse: the std, zig's C runtime, Wine's prefix and cargo's target dirs come from
the machine cache (conftest.py), so a second run skips compiling them; every test
still renders its project afresh and runs cargo-zigbuild on it, so the crate is
compiled and linked by each run and everything asserted below is this run's output.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import binary_facts
import cross_harness as harness
import macho
import pytest
import rust_web
from cross_platforms import DARWIN_TARGETS, DEFAULT_TARGETS, GNU_TARGETS, HELLO, WASM_ID
from support import CATALOG

pytestmark = pytest.mark.cross

LINUX = [pid for pid in DEFAULT_TARGETS if CATALOG["targets"][pid]["family"] == "linux"]
# The Linux platforms whose static build is musl (s390x has none: catalog gnu_only).
LINUX_MUSL = [pid for pid in LINUX if "-musl" in CATALOG["targets"][pid]["static"]["triple"]]
# The Linux platforms with no glibc build (powerpc64: catalog musl_only).
MUSL_ONLY = [pid for pid in LINUX if CATALOG["targets"][pid]["dynamic"].get("musl_only")]
# Every (project, platform) this module builds, as "<project>/<platform id>". WASI is rendered
# (it is in the answer set) but built by test_cross_targets with Debian's prebuilt 1.63 std
# only: a wasm32-wasip1 std built from source has no self-contained wasi-libc (crt1-command.o,
# libc.a), which Rust's linker for WASI (rust-lld, not zig) needs: "rust-lld: error: cannot
# open crt1-command.o". Debian 12's wasi-libc (2022) predates what this std expects.
# Windows runs under Wine 8 with a stand-in for the one system DLL it lacks (Rust >= 1.78's
# std imports bcryptprimitives.dll's ProcessPrng, in Windows 10 and Wine 9 and later):
# wine_prng.py puts a DLL of our own into the tests' Wine prefix (web_session).
NOT_RUN_HERE = {WASM_ID}
RUNNABLE = [f"static/{pid}" for pid in DEFAULT_TARGETS if pid not in NOT_RUN_HERE]
RUNNABLE += [f"gnu/{pid}" for pid in GNU_TARGETS]
# Every glibc build here: the gnu project's and s390x's in the static project.
GNU_KEYS = [f"gnu/{pid}" for pid in GNU_TARGETS]
GNU_KEYS += [f"static/{pid}" for pid in LINUX if pid not in LINUX_MUSL]

# std::env::consts (ARCH, OS) on each platform: what the program prints.
CONSTS = {
    "x86_64-linux": ("x86_64", "linux"),
    "aarch64-linux": ("aarch64", "linux"),
    "armv7-linux": ("arm", "linux"),
    "i686-linux": ("x86", "linux"),
    "riscv64-linux": ("riscv64", "linux"),
    "arm-linux": ("arm", "linux"),
    "powerpc64le-linux": ("powerpc64", "linux"),
    "s390x-linux": ("s390x", "linux"),
    "loongarch64-linux": ("loongarch64", "linux"),
    "armv5te-linux": ("arm", "linux"),
    "powerpc64-linux": ("powerpc64", "linux"),
    "x86_64-windows": ("x86_64", "windows"),
    WASM_ID: ("wasm32", "wasi"),
}
# readelf's Machine line per Linux platform.
ELF_MACHINE = {
    "x86_64-linux": "Advanced Micro Devices X86-64",
    "aarch64-linux": "AArch64",
    "armv7-linux": "ARM",
    "i686-linux": "Intel 80386",
    "riscv64-linux": "RISC-V",
    "arm-linux": "ARM",
    "powerpc64le-linux": "PowerPC64",
    "s390x-linux": "IBM S/390",
    "loongarch64-linux": "LoongArch",
    "armv5te-linux": "ARM",
    "powerpc64-linux": "PowerPC64",
}
MACHO_CPU = {"x86_64-darwin": "x86_64", "aarch64-darwin": "arm64"}


def platform_of(key: str) -> str:
    """The platform id of "<project>/<platform id>"."""
    return key.split("/", 1)[1]


@pytest.fixture(scope="module", autouse=True)
def rust_used(web_session: harness.Session) -> None:
    """Every build here uses the current Rust: say which, and that it has edition 2024."""
    print(f"\nRust used for the default path: {rust_web.rustc_version()} (Debian rustc-web)")
    assert rust_web.version_tuple() >= rust_web.MIN_VERSION, rust_web.rustc_version()


def test_projects_use_the_default_answers(web_projects: dict[str, Path]) -> None:
    for project in web_projects.values():
        manifest = harness.tomllib.loads((project / "Cargo.toml").read_text(encoding="utf-8"))
        assert manifest["package"]["edition"] == "2024"
    config = harness.read_config(web_projects["static"])["target"]
    for pid in LINUX_MUSL:
        triple = CATALOG["targets"][pid]["static"]["triple"]
        assert "-musl" in triple
        assert config[triple]["rustflags"] == ["-C", "target-feature=+crt-static"]


def test_crate_builds_on_stable(
    web_session: harness.Session, web_projects: dict[str, Path]
) -> None:
    """The generated crate needs no unstable feature: plain cargo and Debian's prebuilt
    host std, no zig, no RUSTC_BOOTSTRAP (no build here sets it any more)."""
    project = web_projects["static"]
    sources = "".join(p.read_text(encoding="utf-8") for p in (project / "src").glob("*.rs"))
    assert "#![feature" not in sources
    host = {"triple": "x86_64-unknown-linux-gnu"}
    env = rust_web.build_env(web_session, host)
    assert "RUSTC_BOOTSTRAP" not in env
    # A target dir of its own: the cross builds' std must not be reused here.
    env["CARGO_TARGET_DIR"] = str(web_session.target_root / "host-stable")
    tested = harness.run([rust_web.CARGO, "test", "--release"], cwd=project, env=env)
    assert tested.result.returncode == 0, tested.describe()
    assert "test result: ok. 1 passed" in tested.result.stdout, tested.describe()


def test_builds_get_a_prebuilt_std_and_no_unstable_switch(
    web_session: harness.Session, web_targets: dict[str, dict[str, Any]]
) -> None:
    """Each target's std reaches cargo as a sysroot (compiled once per machine, holding std
    and libtest for that target), never through -Z build-std: no build sets RUSTC_BOOTSTRAP
    or a CARGO_UNSTABLE_* switch, so the compiler behaves as a stable one."""
    for key, target in web_targets.items():
        if target["id"] == WASM_ID:
            continue
        env = rust_web.build_env(web_session, target)
        unstable = [name for name in env if name.startswith(("RUSTC_BOOTSTRAP", "CARGO_UNSTABLE"))]
        assert unstable == [], (key, unstable)
        flags = env[f"CARGO_TARGET_{rust_web.env_triple(target['triple'])}_RUSTFLAGS"].split()
        sysroots = [flag.removeprefix("--sysroot=") for flag in flags if "--sysroot=" in flag]
        assert len(sysroots) == 1, (key, flags)
        libs = Path(sysroots[0]) / "lib" / "rustlib" / target["triple"] / "lib"
        assert any(libs.glob("libstd-*.rlib")) and any(libs.glob("libtest-*.rlib")), libs


@pytest.mark.parametrize("key", RUNNABLE)
def test_program_runs_under_configured_runner(
    web_projects: dict[str, Path],
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    web_build: Callable[[str], harness.Timed],
    key: str,
) -> None:
    target = web_targets[key]
    project = web_projects[key.split("/")[0]]
    build = web_build(key)
    assert build.result.returncode == 0, build.describe()
    print(f"{key}: built in {build.seconds:.0f} s")
    runner = harness.config_runner(project, target["triple"])
    assert runner[0] == target["runner"]
    binary = rust_web.release_binary(web_session, target["triple"], HELLO)
    ran = harness.run(
        [*runner, str(binary)],
        cwd=project,
        env=rust_web.build_env(web_session, target),
        timeout=120,
    )
    arch, os_name = CONSTS[platform_of(key)]
    assert ran.result.returncode == 0, ran.describe()
    assert ran.result.stdout == f"Hello from {HELLO} on {arch}-{os_name}!\n", ran.describe()


@pytest.mark.parametrize("key", RUNNABLE)
def test_crate_tests_pass_through_runner(
    web_projects: dict[str, Path],
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    web_build: Callable[[str], harness.Timed],
    key: str,
) -> None:
    """`cargo-zigbuild test --release` runs the test binary through the config's runner."""
    target = web_targets[key]
    assert web_build(key).result.returncode == 0
    tested = rust_web.release_test(web_projects[key.split("/")[0]], web_session, target)
    assert tested.result.returncode == 0, tested.describe()
    assert "test tests::greeting_names_the_platform ... ok" in tested.result.stdout
    assert "test result: ok. 1 passed" in tested.result.stdout, tested.describe()
    assert f"Running `{target['runner']} " in tested.result.stderr, tested.describe()


@pytest.mark.parametrize("platform_id", LINUX_MUSL)
def test_static_really_means_static(
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    web_build: Callable[[str], harness.Timed],
    platform_id: str,
    tmp_path: Path,
) -> None:
    """No interpreter, no dynamic section, and it runs with nothing to load libraries from."""
    key = f"static/{platform_id}"
    target = web_targets[key]
    assert "-musl" in target["triple"]
    assert web_build(key).result.returncode == 0
    binary = rust_web.release_binary(web_session, target["triple"], HELLO)
    assert binary_facts.elf_machine(binary) == ELF_MACHINE[platform_id]
    assert binary_facts.elf_interpreter(binary) is None
    dynamic = harness.run(["readelf", "-d", str(binary)], cwd=tmp_path, env={"PATH": harness.PATH})
    assert "There is no dynamic section in this file." in dynamic.result.stdout, dynamic.describe()
    # qemu's library root is an empty folder and the environment has nothing else.
    empty = tmp_path / "empty-root"
    empty.mkdir()
    runner = CATALOG["targets"][platform_id]["runner"]
    ran = harness.run(
        [runner, "-L", str(empty), str(binary)],
        cwd=tmp_path,
        env={"PATH": harness.PATH, "LD_LIBRARY_PATH": ""},
        timeout=120,
    )
    assert ran.result.returncode == 0, ran.describe()
    assert ran.result.stdout.startswith(f"Hello from {HELLO} on "), ran.describe()


@pytest.mark.parametrize("key", GNU_KEYS)
def test_glibc_builds_keep_their_floor(
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    web_build: Callable[[str], harness.Timed],
    key: str,
) -> None:
    """A glibc build asks zig for the architecture's floor (the answer's 2.17 raised to the
    catalog's min_glibc), loads through the catalog's interpreter, and imports no glibc
    symbol newer than that floor."""
    platform = CATALOG["targets"][platform_of(key)]
    target = web_targets[key]
    floor = max(["2.17", platform["min_glibc"]], key=lambda v: int(v.split(".")[1]))
    assert target["glibc"] == floor
    assert target["cargo_target"] == f"{target['triple']}.{floor}"
    assert web_build(key).result.returncode == 0
    binary = rust_web.release_binary(web_session, target["triple"], HELLO)
    assert binary_facts.elf_machine(binary) == ELF_MACHINE[platform_of(key)]
    assert binary_facts.elf_interpreter(binary) == platform["glibc"]["interpreter"]
    versions = binary_facts.glibc_versions(binary)
    assert versions and max(versions) <= tuple(map(int, floor.split("."))), versions


def test_powerpc64_is_musl_whatever_linking_says() -> None:
    """zig links no glibc for powerpc64's ELFv1 ABI, so a dynamic answer builds the static
    musl program (built and run above), with +crt-static, and says so."""
    from support import TEMPLATE_ROOT, resolve_targets

    answers = {"targets": ["powerpc64-linux"], "linking": "dynamic", "glibc": "2.28"}
    (target,) = resolve_targets(TEMPLATE_ROOT, answers)
    assert target["triple"] == target["cargo_target"] == "powerpc64-unknown-linux-musl"
    assert target["glibc"] is None and target["gnu_libc"] is None
    assert target["rustflags"] == ["-C", "target-feature=+crt-static"]
    assert "zig links no glibc" in target["linking"]


def test_s390x_is_glibc_in_the_static_project(web_targets: dict[str, dict[str, Any]]) -> None:
    """Rust ships no s390x musl std, so the static answer builds glibc there, says so, and
    keeps +crt-static (meaningless for gnu) out of its flags."""
    target = web_targets["static/s390x-linux"]
    assert target["triple"] == "s390x-unknown-linux-gnu"
    assert target["rustflags"] == []
    assert target["linking"].startswith("glibc only")


@pytest.mark.parametrize(
    ("platform_id", "cpu", "newer"),
    [("arm-linux", "arm1176", "armv7-linux"), ("armv5te-linux", "arm926", "arm-linux")],
)
def test_old_arm_program_runs_on_its_cpu(
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    web_build: Callable[[str], harness.Timed],
    tmp_path: Path,
    platform_id: str,
    cpu: str,
    newer: str,
) -> None:
    """arm-linux is for ARMv6 (Raspberry Pi 1 and Zero), armv5te-linux for ARMv5TE: each
    static program runs on qemu's model of such a CPU (ARM1176, ARM926), where the program
    of the next newer ARM platform, as the control, dies on an instruction that CPU lacks.
    qemu's default CPU would run them all."""
    ran = {}
    for pid in (platform_id, newer):
        key = f"static/{pid}"
        assert web_build(key).result.returncode == 0
        binary = rust_web.release_binary(web_session, web_targets[key]["triple"], HELLO)
        ran[pid] = harness.run(
            ["qemu-arm", str(binary)],
            cwd=tmp_path,
            env={"PATH": harness.PATH, "QEMU_CPU": cpu},
            timeout=120,
        )
    assert ran[platform_id].result.returncode == 0, ran[platform_id].describe()
    assert ran[platform_id].result.stdout == f"Hello from {HELLO} on arm-linux!\n"
    assert ran[newer].result.returncode != 0, ran[newer].describe()


def test_windows_binary_imports_only_system_dlls(
    web_session: harness.Session, web_build: Callable[[str], harness.Timed]
) -> None:
    assert web_build("static/x86_64-windows").result.returncode == 0
    binary = rust_web.release_binary(web_session, "x86_64-pc-windows-gnu", HELLO)
    imports = binary_facts.dll_imports(binary)
    foreign = [name for name in imports if not binary_facts.is_windows_system_dll(name)]
    assert imports and foreign == [], imports
    # The import Debian's Wine 8.0 lacks and the tests stand in for (see NOT_RUN_HERE).
    assert "bcryptprimitives.dll" in [name.lower() for name in imports]


@pytest.mark.parametrize("platform_id", DARWIN_TARGETS)
def test_macos_binary_links_on_linux(
    web_projects: dict[str, Path],
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    platform_id: str,
) -> None:
    """A Mach-O for the right CPU and minimum macOS, loading only libSystem & co.,
    ad-hoc signed where Apple silicon requires it. Running it needs a Mac (rung 4)."""
    target = web_targets[f"darwin/{platform_id}"]
    assert target["darwin_hosts_only"] is False
    project = web_projects["darwin"]
    # What the flake passes to its darwin builds (catalog: macos_min).
    env = {
        **rust_web.build_env(web_session, target),
        "MACOSX_DEPLOYMENT_TARGET": target["macos_min"],
    }
    build = harness.cargo_zigbuild(
        project, env, "build", "--release", "--target", target["cargo_target"]
    )
    assert build.result.returncode == 0, build.describe()
    print(f"darwin/{platform_id}: built in {build.seconds:.0f} s")
    binary = rust_web.release_binary(web_session, target["triple"], HELLO)
    info = macho.read(binary)
    assert info.cpu == MACHO_CPU[platform_id]
    assert info.filetype == macho.MH_EXECUTE and info.is_pie
    assert info.platform == macho.PLATFORM_MACOS
    assert info.minos == target["macos_min"], info.minos
    assert info.dylibs and all(macho.is_system_dylib(d) for d in info.dylibs), info.dylibs
    if info.cpu == "arm64":
        assert info.ad_hoc_signed, "arm64 macOS refuses unsigned code"
        assert macho.signature_matches(binary), "the ad-hoc signature does not match the code"
        # The check can fail: one changed byte of code breaks the page hashes.
        tampered = bytearray(binary.read_bytes())
        tampered[0x4000 + 100] ^= 0xFF
        copy = web_session.target_root / "tampered-macho"
        copy.write_bytes(tampered)
        assert not macho.signature_matches(copy)


def test_macos_framework_crate_fails_on_linux_with_the_documented_error(
    web_projects: dict[str, Path],
    web_targets: dict[str, dict[str, Any]],
    web_session: harness.Session,
    tmp_path: Path,
) -> None:
    """What the help text and PLATFORMS.md promise: a crate that links an Apple framework
    cannot link on Linux (no SDK), and the user sees this error."""
    target = web_targets["darwin/aarch64-darwin"]
    project = tmp_path / "uses-corefoundation"
    shutil.copytree(web_projects["darwin"], project)
    (project / "src" / "main.rs").write_text(
        '#[link(name = "CoreFoundation", kind = "framework")]\n'
        'unsafe extern "C" {\n    fn CFAbsoluteTimeGetCurrent() -> f64;\n}\n\n'
        'fn main() {\n    println!("{}", unsafe { CFAbsoluteTimeGetCurrent() });\n}\n',
        encoding="utf-8",
    )
    env = {**rust_web.build_env(web_session, target), "MACOSX_DEPLOYMENT_TARGET": "11.0"}
    build = harness.cargo_zigbuild(
        project, env, "build", "--release", "--target", target["cargo_target"]
    )
    assert build.result.returncode != 0, build.describe()
    error = 'unable to find system framework "CoreFoundation"'
    assert error in build.result.stderr, build.describe()
    assert error in target["needs"]


def test_every_catalog_platform_is_built_here() -> None:
    """Nothing is left at evaluation only: each catalog platform and linking mode is built
    by this module, test_universal2, test_windows_freebsd, test_cross_targets (Rust 1.63) or
    test_wasip2 (the component)."""
    from cross_platforms import BUILDABLE_IDS, COMPONENT_ID, UNIVERSAL_TARGETS, WINBSD_TARGETS

    built = {(pid, "static") for pid in DEFAULT_TARGETS + DARWIN_TARGETS if pid != WASM_ID}
    built |= {(pid, "static") for pid in UNIVERSAL_TARGETS}  # test_universal2.py
    built |= {(pid, "static") for pid in WINBSD_TARGETS}  # test_windows_freebsd
    built.add((COMPONENT_ID, "static"))  # test_wasip2: one mode outside Linux
    built |= {(pid, "dynamic") for pid in GNU_TARGETS}
    # s390x: one triple for both modes (gnu_only), built by the static project.
    built |= {(pid, "dynamic") for pid in LINUX if pid not in LINUX_MUSL}
    # powerpc64: musl in both modes (musl_only), built by the static project.
    built |= {(pid, "dynamic") for pid in LINUX if pid in MUSL_ONLY}
    for pid in BUILDABLE_IDS:  # Rust 1.63: gnu Linux, Windows, WASI (one mode outside Linux)
        built.add((pid, "dynamic" if CATALOG["targets"][pid]["family"] == "linux" else "static"))
    for pid, platform in CATALOG["targets"].items():
        modes = ["static", "dynamic"] if platform["family"] == "linux" else ["static"]
        for mode in modes:
            assert (pid, mode) in built, f"{pid} ({mode}) is not built by any rung-2 test"


def test_catalog_claims_what_rung_2_shows() -> None:
    """The README's "Proven here" column comes from the catalog's `proven.rung2`: `run` only
    where a test here runs the program in every linking mode, `link` where it is built but
    nothing here runs it."""
    from cross_platforms import BUILDABLE_IDS, COMPONENT_ID

    ran = {(platform_of(key), "static") for key in RUNNABLE if key.startswith("static/")}
    ran |= {(pid, "dynamic") for pid in GNU_TARGETS}  # the gnu project's, all in RUNNABLE
    ran |= {(pid, "dynamic") for pid in LINUX if pid not in LINUX_MUSL}  # s390x: gnu only
    ran |= {(pid, "dynamic") for pid in MUSL_ONLY}  # powerpc64: musl only, run above
    for pid in BUILDABLE_IDS:  # test_cross_targets runs every 1.63 build
        ran.add((pid, "dynamic" if CATALOG["targets"][pid]["family"] == "linux" else "static"))
    ran.add((COMPONENT_ID, "static"))  # test_wasip2 runs the component
    for pid, platform in CATALOG["targets"].items():
        modes = ["static", "dynamic"] if platform["family"] == "linux" else ["static"]
        runs = all((pid, mode) in ran for mode in modes)
        assert platform["proven"]["rung2"] == ("run" if runs else "link"), pid
