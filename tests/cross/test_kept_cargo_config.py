"""Rung 2: crossflake's settings beside a crate's own .cargo/config.toml take effect in real builds.

A crate with its own `.cargo/config.toml` (an alias, `[build] rustflags`, a runner for
x86_64 musl, a C cross linker and rustflags for aarch64 musl) is adopted by rendering
the template over it: its file stays, crossflake's settings are `.cargo/crossflake.toml`.
Then, with Debian's newest Rust, cargo-zigbuild and zig, exactly as README and the
report tell users outside `nix develop` (`--config .cargo/crossflake.toml` after the
subcommand, here through the user's own alias):

- x86_64 musl: crossflake's runner (qemu-x86_64) runs the tests, crossflake's
  `+crt-static` reaches rustc, and the user's `[build] rustflags` stop applying (what the
  adopt report says); without `--config`, the same build uses the user's runner and flags;
- aarch64 musl: the tests pass under crossflake's qemu-aarch64, rustc gets both the
  user's and crossflake's target rustflags (cargo joins them), and zig links despite the
  user's linker (a path that does not exist: cargo-zigbuild's linker variable wins);
- the program built through the user's alias prints which cfgs it was compiled with.

The target's std comes from the machine cache (tests/prebuilt_std.py) through a
RUSTC_WRAPPER that adds `--sysroot` (and `-C link-self-contained=no`) to target
compilations only, so that no CARGO_TARGET_*_RUSTFLAGS of the test's own changes how
cargo picks rustflags. Does NOT prove: the dev shell's variables (tests/nix, rung 1,
checks their values; cargo's precedence of variables over config files is cargo's),
fenix's std, nixpkgs' zig.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import cross_harness as harness
import prebuilt_std
import pytest
import rust_web
from crate_shapes import lock
from support import render

pytestmark = pytest.mark.cross

CRATE = "kept"
X86 = "x86_64-unknown-linux-musl"
ARM = "aarch64-unknown-linux-musl"
ANSWERS = {
    "crate_name": CRATE,
    "edition": "2021",
    "hosts": ["x86_64-linux"],
    "targets": ["x86_64-linux", "aarch64-linux"],
    "linking": "static",
    "ci": "none",
}
MAIN = """fn main() {
    println!("kept_build={} kept_target={}", cfg!(kept_build), cfg!(kept_target));
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_on_the_target() {
        assert_eq!(std::env::consts::OS, "linux");
    }
}
"""


def user_config(user_runner: Path) -> str:
    """The crate's own cargo settings (the runner script's path is absolute)."""
    return (
        "[alias]\n"
        'zbr = "zigbuild --release"\n'
        "\n"
        "[build]\n"
        'rustflags = ["--cfg", "kept_build"]\n'
        "\n"
        f"[target.{X86}]\n"
        f'runner = "{user_runner}"\n'
        "\n"
        f"[target.{ARM}]\n"
        'linker = "/nonexistent/aarch64-linux-musl-gcc"\n'
        'rustflags = ["--cfg", "kept_target"]\n'
    )


def executable(path: Path, text: str) -> Path:
    """Write a shell script and make it executable."""
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture(scope="module")
def crate(tmp_path_factory: pytest.TempPathFactory, web_session: harness.Session) -> Path:
    """The crate with its own config, adopted (template rendered over it, no --overwrite)."""
    root = tmp_path_factory.mktemp("kept-config")
    runner = executable(root / "user-runner", '#!/bin/sh\necho "[user runner]"\nexec "$@"\n')
    crate = root / CRATE
    (crate / "src").mkdir(parents=True)
    (crate / ".cargo").mkdir()
    (crate / "Cargo.toml").write_text(
        f'[package]\nname = "{CRATE}"\nversion = "0.1.0"\nedition = "2021"\n', encoding="utf-8"
    )
    (crate / "Cargo.lock").write_text(lock(CRATE), encoding="utf-8")
    (crate / "src/main.rs").write_text(MAIN, encoding="utf-8")
    own = user_config(runner)
    (crate / ".cargo/config.toml").write_text(own, encoding="utf-8")
    render(crate, ANSWERS)
    assert (crate / ".cargo/config.toml").read_text(encoding="utf-8") == own
    assert (crate / ".cargo/crossflake.toml").is_file()
    return crate


def environment(session: harness.Session, crate: Path, triple: str, tmp: Path) -> dict[str, str]:
    """rust_web's environment, with the target's std added by a RUSTC_WRAPPER instead of
    CARGO_TARGET_<T>_RUSTFLAGS (which would outrank [build] rustflags by itself)."""
    env = rust_web.build_env(session, {"triple": triple})
    env.pop(f"CARGO_TARGET_{rust_web.env_triple(triple)}_RUSTFLAGS")
    sysroot = prebuilt_std.sysroot(prebuilt_std.RUST_WEB, triple)
    wrapper = executable(
        tmp / f"rustc-wrapper-{triple}",
        "#!/bin/sh\n"
        'rustc="$1"; shift\n'
        f'case " $* " in *" --target {triple} "*)\n'
        f'  exec "$rustc" "$@" --sysroot={sysroot} -C link-self-contained=no ;;\n'
        "esac\n"
        'exec "$rustc" "$@"\n',
    )
    env["RUSTC_WRAPPER"] = str(wrapper)
    env["CARGO_TARGET_DIR"] = str(tmp / "target")
    return env


def crate_rustc_line(stderr: str) -> str:
    """cargo -v's rustc command for the crate's own binary (not its test harness)."""
    lines = [
        line
        for line in stderr.splitlines()
        if "Running `" in line and f"--crate-name {CRATE} " in line and "--test" not in line
    ]
    assert lines, stderr
    return lines[-1]


WITH_CONFIG = ["--config", ".cargo/crossflake.toml"]


def test_x86_64_uses_crossflakes_runner_and_flags_with_the_config_and_yours_without(
    crate: Path, web_session: harness.Session, tmp_path: Path
) -> None:
    env = environment(web_session, crate, X86, tmp_path)
    tested = harness.cargo_zigbuild(
        crate, env, "test", "--release", "-v", *WITH_CONFIG, "--target", X86
    )
    assert tested.result.returncode == 0, tested.describe()
    assert "test tests::runs_on_the_target ... ok" in tested.result.stdout, tested.describe()
    assert "Running `qemu-x86_64 " in tested.result.stderr, tested.describe()
    assert "[user runner]" not in tested.result.stdout, tested.describe()

    # The program, built through the user's alias with crossflake's settings file.
    built = harness.run(["cargo", "zbr", "-v", *WITH_CONFIG, "--target", X86], cwd=crate, env=env)
    assert built.result.returncode == 0, built.describe()
    line = crate_rustc_line(built.result.stderr)
    assert "target-feature=+crt-static" in line and "kept_build" not in line, line
    program = Path(env["CARGO_TARGET_DIR"]) / X86 / "release" / CRATE
    ran = harness.run([str(program)], cwd=crate, env=env, timeout=60)
    assert ran.result.stdout == "kept_build=false kept_target=false\n", ran.describe()

    # Control: without --config, cargo reads only the crate's own file.
    plain = harness.cargo_zigbuild(crate, env, "test", "--release", "-v", "--target", X86)
    assert plain.result.returncode == 0, plain.describe()
    assert "[user runner]" in plain.result.stdout, plain.describe()
    assert "qemu-x86_64" not in plain.result.stderr, plain.describe()
    plain_build = harness.run(["cargo", "zbr", "-v", "--target", X86], cwd=crate, env=env)
    assert plain_build.result.returncode == 0, plain_build.describe()
    plain_line = crate_rustc_line(plain_build.result.stderr)
    assert "--cfg kept_build" in plain_line and "crt-static" not in plain_line, plain_line


def test_aarch64_joins_both_rustflags_runs_under_qemu_and_links_with_zig(
    crate: Path, web_session: harness.Session, tmp_path: Path
) -> None:
    env = environment(web_session, crate, ARM, tmp_path)
    tested = harness.cargo_zigbuild(
        crate, env, "test", "--release", "-v", *WITH_CONFIG, "--target", ARM
    )
    assert tested.result.returncode == 0, tested.describe()
    assert "test tests::runs_on_the_target ... ok" in tested.result.stdout, tested.describe()
    assert "Running `qemu-aarch64 " in tested.result.stderr, tested.describe()

    built = harness.run(["cargo", "zbr", "-v", *WITH_CONFIG, "--target", ARM], cwd=crate, env=env)
    assert built.result.returncode == 0, built.describe()
    line = crate_rustc_line(built.result.stderr)
    # Joined: the user's target flags first, then crossflake's.
    assert re.search(r"--cfg kept_target .*target-feature=\+crt-static", line), line
    linker = re.search(r"-C linker=(\S+)", line)
    assert linker and "zigcc" in linker.group(1) and "nonexistent" not in line, line
    program = Path(env["CARGO_TARGET_DIR"]) / ARM / "release" / CRATE
    ran = harness.run(["qemu-aarch64", str(program)], cwd=crate, env=env, timeout=60)
    assert ran.result.stdout == "kept_build=false kept_target=true\n", ran.describe()
    assert os.access(program, os.X_OK)
