"""A generated project whose build.rs compiles C cross-compiles, and the C runs.

The build script uses no crates.io crate (the `cc` crate is out of reach
offline): it runs the compiler and archiver cargo-zigbuild exports as
`CC_<target>` / `AR_<target>` (zig cc / zig ar wrappers) with
std::process::Command, then links the archive with
`cargo:rustc-link-lib=static=`. The C code reports the architecture its
own preprocessor saw, so a host compiler sneaking in would show.

Not proven: C++ (`CXX_<target>`), the `cc` crate's own target detection,
or C dependencies that need a target sysroot beyond libc.
"""

from __future__ import annotations

from pathlib import Path

import cross_harness as harness
import pytest
from cross_platforms import HELLO_ANSWERS
from support import render

pytestmark = pytest.mark.cross

CRATE = "with-c"

BUILD_RS = r"""//! Compiles csrc/answer.c with the C toolchain cargo-zigbuild exports.
use std::env;
use std::path::PathBuf;
use std::process::Command;

fn tool(kind: &str, target: &str) -> String {
    let key = format!("{}_{}", kind, target.replace('-', "_"));
    env::var(&key).unwrap_or_else(|_| panic!("{} is not set (not built by cargo-zigbuild?)", key))
}

fn main() {
    let target = env::var("TARGET").unwrap();
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let object = out.join("answer.o");
    let archive = out.join("libanswer.a");
    let cc = tool("CC", &target);
    let ar = tool("AR", &target);
    let status = Command::new(&cc)
        .args(["-c", "-O2", "csrc/answer.c", "-o"])
        .arg(&object)
        .status()
        .expect("run the C compiler");
    assert!(status.success(), "{} failed", cc);
    let _ = std::fs::remove_file(&archive);
    let status = Command::new(&ar)
        .arg("crs")
        .arg(&archive)
        .arg(&object)
        .status()
        .expect("run the archiver");
    assert!(status.success(), "{} failed", ar);
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static=answer");
    println!("cargo:rerun-if-changed=csrc/answer.c");
}
"""

ANSWER_C = r"""/* Computed in C, for the target: the Rust program prints both values. */
int crossflake_multiply(int a, int b) { return a * b; }

const char *crossflake_c_target(void) {
#if defined(_WIN32) && defined(__x86_64__)
    return "x86_64-windows";
#elif defined(__aarch64__) && defined(__linux__)
    return "aarch64-linux";
#elif defined(__arm__) && defined(__linux__)
    return "arm-linux";
#elif defined(__x86_64__) && defined(__linux__)
    return "x86_64-linux";
#else
    return "unknown";
#endif
}
"""

MAIN_RS = """//! Prints values computed by the C code build.rs compiled.
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

extern "C" {
    fn crossflake_multiply(a: c_int, b: c_int) -> c_int;
    fn crossflake_c_target() -> *const c_char;
}

fn main() {
    let product = unsafe { crossflake_multiply(6, 7) };
    let target = unsafe { CStr::from_ptr(crossflake_c_target()) };
    println!("C says 6 x 7 = {} on {}", product, target.to_str().unwrap());
}
"""


@pytest.fixture(scope="module")
def c_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template rendered for aarch64 + windows, given a C build script."""
    answers = {**HELLO_ANSWERS, "crate_name": CRATE, "targets": ["aarch64-linux", "x86_64-windows"]}
    project = render(tmp_path_factory.mktemp("c-build") / CRATE, answers)
    harness.adapt_config_for_rust_163(project)
    (project / "build.rs").write_text(BUILD_RS, encoding="utf-8")
    (project / "csrc").mkdir()
    (project / "csrc" / "answer.c").write_text(ANSWER_C, encoding="utf-8")
    (project / "src" / "main.rs").write_text(MAIN_RS, encoding="utf-8")
    return project


@pytest.mark.parametrize(
    ("cargo_target", "c_target"),
    [
        ("aarch64-unknown-linux-gnu.2.17", "aarch64-linux"),
        ("x86_64-pc-windows-gnu", "x86_64-windows"),
    ],
)
def test_c_from_build_script_runs_on_target(
    c_project: Path, cross_session: harness.Session, cargo_target: str, c_target: str
) -> None:
    triple = cargo_target.split(".")[0]
    env = harness.build_env(cross_session, triple)
    built = harness.cargo_zigbuild(c_project, env, "build", "--release", "--target", cargo_target)
    assert built.result.returncode == 0, built.describe()
    binary = harness.release_binary(cross_session, triple, CRATE)
    ran = harness.run(
        [*harness.config_runner(c_project, triple), str(binary)],
        cwd=c_project,
        env=env,
        timeout=120,
    )
    assert ran.result.returncode == 0, ran.describe()
    assert ran.result.stdout == f"C says 6 x 7 = 42 on {c_target}\n", ran.describe()
