"""What this machine adds to a generated project so that it cross-builds here.

The generated `.cargo/config.toml` is used as written. The only additions are
the ones this machine needs because it has Debian's Rust 1.63 instead of a
fenix toolchain (see scripts/setup-test-machine.sh):

- RUSTFLAGS=--sysroot=<the 1.63 sysroot with every target's std>. RUSTFLAGS
  replaces a `[target] rustflags` entry, so callers must check the config has
  none for the targets they build (`config_rustflags`);
- PATH with /opt/crossflake/bin (zig, cargo-zigbuild, wine, wasmtime) first and
  no ~/.cargo/bin, RUSTC=/usr/bin/rustc, cargo=/usr/bin/cargo: rustup's
  proxies would read rust-toolchain.toml and fail on the offline machine;
- Rust 1.63 calls wasm32-wasip1 `wasm32-wasi` (renamed in 1.78): the config's
  `[target.wasm32-wasip1]` header is renamed, nothing else in it changes;
- QEMU_LD_PREFIX: where Debian's cross glibc lives, for dynamic gnu binaries.

Shared by the tests in this folder and benchmarks/cross_build.py, so both
measure the same thing.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PREFIX = Path("/opt/crossflake")
TOOLS_BIN = PREFIX / "bin"
SYSROOT = PREFIX / "rust-1.63-sysroot"
RUSTC = "/usr/bin/rustc"
CARGO = "/usr/bin/cargo"
# Everything cargo, the linkers and the runners need; no ~/.cargo/bin.
PATH = f"{TOOLS_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Rust 1.63's names for triples Rust renamed later.
RUST_163_NAMES = {"wasm32-wasip1": "wasm32-wasi"}

# Roots of the target's glibc (Debian's libc6-*-cross) for qemu's loader. i686 uses
# the host's own /lib/ld-linux.so.2 (libc6-i386), x86_64 the host's glibc.
QEMU_LD_PREFIX = {
    "aarch64-unknown-linux-gnu": "/usr/aarch64-linux-gnu",
    "armv7-unknown-linux-gnueabihf": "/usr/arm-linux-gnueabihf",
}

# Generous limit for one cargo call: the Windows mingw CRT alone takes 50-80 s cold.
BUILD_TIMEOUT = 600


def rust_163_triple(triple: str) -> str:
    """The name Rust 1.63 uses for a triple the catalog names the modern way."""
    return RUST_163_NAMES.get(triple, triple)


def rust_163_cargo_target(cargo_target: str) -> str:
    """A `--target` value with the triple part renamed (a glibc suffix such as .2.17 stays)."""
    triple, dot, floor = cargo_target.partition(".")
    return rust_163_triple(triple) + dot + floor


def adapt_config_for_rust_163(project: Path) -> None:
    """Rename `[target.<modern>]` headers in the generated config to 1.63's names.

    Only the header line changes: the runner and comments under it stay, so the
    test still runs what the template wrote.
    """
    config = project / ".cargo" / "config.toml"
    text = config.read_text(encoding="utf-8")
    for modern, old in RUST_163_NAMES.items():
        text = text.replace(f"[target.{modern}]\n", f"[target.{old}]\n")
    config.write_text(text, encoding="utf-8")


def read_config(project: Path) -> dict[str, Any]:
    """The project's `.cargo/config.toml`, parsed."""
    return tomllib.loads((project / ".cargo" / "config.toml").read_text(encoding="utf-8"))


def config_rustflags(project: Path, triple: str) -> list[str]:
    """Every rustflags entry the config applies to this triple.

    RUSTFLAGS (which this machine needs for its sysroot) silently replaces
    them, so a test that sets RUSTFLAGS must see this list empty.
    """
    config = read_config(project)
    targets = config.get("target", {})
    # `[target.'cfg(...)']` tables may match too; count them all, to be safe.
    sections = [config.get("build", {}), targets.get(triple, {})]
    sections += [table for key, table in targets.items() if key.startswith("cfg(")]
    flags: list[str] = []
    for section in sections:
        value = section.get("rustflags", [])
        flags += shlex.split(value) if isinstance(value, str) else list(value)
    return flags


def config_runner(project: Path, triple: str) -> list[str]:
    """The runner `.cargo/config.toml` names for a triple, as an argv prefix.

    Cargo accepts a string (split on whitespace) or a list; so does this.
    """
    runner = read_config(project)["target"][triple]["runner"]
    return runner.split() if isinstance(runner, str) else list(runner)


@dataclass(frozen=True)
class Session:
    """Directories shared by every build of one test session or benchmark run.

    One zig cache for all targets pays Windows' mingw CRT build once; one
    CARGO_TARGET_DIR per target keeps each target's artifacts apart.
    """

    cache: Path
    cargo_home: Path
    target_root: Path
    wine_prefix: Path

    def target_dir(self, triple: str) -> Path:
        """The CARGO_TARGET_DIR every build for this triple shares."""
        return self.target_root / triple


def build_env(
    session: Session,
    triple: str,
    *,
    path: str = PATH,
    rustc: str = RUSTC,
    cargo: str = CARGO,
    sysroot: Path | None = SYSROOT,
    qemu_ld_prefix: dict[str, str] = QEMU_LD_PREFIX,
) -> dict[str, str]:
    """The complete environment for cargo-zigbuild and the runners for one triple.

    Built from scratch (not os.environ) so nothing from the caller's shell,
    such as RUSTUP_TOOLCHAIN or a CARGO_TARGET_*_RUNNER, changes the outcome.
    The defaults are Debian's Rust 1.63 with its prebuilt standard libraries;
    another Rust (rust_web.py) names its own tools, and no sysroot when its
    standard library is built from source.
    """
    env = {
        "PATH": path,
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "RUSTC": rustc,
        "CARGO": cargo,
        **({"RUSTFLAGS": f"--sysroot={sysroot}"} if sysroot else {}),
        "CARGO_HOME": str(session.cargo_home),
        "CARGO_TARGET_DIR": str(session.target_dir(triple)),
        "CARGO_TERM_COLOR": "never",
        "XDG_CACHE_HOME": str(session.cache),
        "ZIG_GLOBAL_CACHE_DIR": str(session.cache / "zig"),
        # zig's cache takes concurrent builds; cargo-zigbuild's wrapper scripts are
        # rewritten in place, so each pytest-xdist worker gets its own folder of them.
        "CARGO_ZIGBUILD_CACHE_DIR": str(
            session.cache / "cargo-zigbuild" / os.environ.get("PYTEST_XDIST_WORKER", "serial")
        ),
        "WINEPREFIX": str(session.wine_prefix),
        "WINEDEBUG": "-all",
    }
    if triple in qemu_ld_prefix:
        env["QEMU_LD_PREFIX"] = qemu_ld_prefix[triple]
    return env


@dataclass(frozen=True)
class Timed:
    """A finished command and its wall time."""

    result: subprocess.CompletedProcess[str]
    seconds: float

    def describe(self) -> str:
        """Command, exit code and output, for assertion messages."""
        r = self.result
        return (
            f"$ {shlex.join(r.args)}\nrc={r.returncode}\n"
            f"--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}"
        )


def run(
    argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float = BUILD_TIMEOUT
) -> Timed:
    """Run a command to completion, capturing text output and wall time."""
    start = time.monotonic()
    result = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return Timed(result, time.monotonic() - start)


def cargo_zigbuild(project: Path, env: dict[str, str], *args: str) -> Timed:
    """`cargo-zigbuild <args>` in the project (the binary form: it also runs `test`)."""
    return run(["cargo-zigbuild", *args], cwd=project, env=env)


def release_binary(session: Session, triple: str, crate: str) -> Path:
    """Where `cargo build --release --target <triple>` puts the crate's program."""
    suffix = {"windows": ".exe", "wasi": ".wasm"}
    name = crate + next((s for key, s in suffix.items() if key in triple), "")
    return session.target_dir(triple) / triple / "release" / name


def release_build(project: Path, session: Session, target: dict[str, Any]) -> Timed:
    """`cargo-zigbuild build --release --target <cargo_target>`: the build every cross test
    and the benchmark measure, with only what this machine adds (see build_env)."""
    triple = rust_163_triple(target["triple"])
    return cargo_zigbuild(
        project,
        build_env(session, triple),
        "build",
        "--release",
        "--target",
        rust_163_cargo_target(target["cargo_target"]),
    )
