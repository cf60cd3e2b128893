"""Every binary of an adopted crate is an executable in cargo's JSON output.

naersk's install phase copies each `executable` that `cargo build
--message-format=json` reports into `$out/bin`. So if a real cargo build of
the adopted crate (with crossflake's .cargo/config.toml and toolchain file in
place) reports all the crate's binaries as executables, each `nix build`
result holds all of them. This runs cargo natively, without Nix: it does not
prove naersk's own install code or a cross build (tests/nix and tests/cross
do that for the generated crate).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from crate_shapes import LIB_AND_BIN_WITH_BUILD_RS, MULTI_BIN, CrateShape
from project_helpers import copy_release
from support import require_tool
from template_history import TemplateHistory

pytestmark = pytest.mark.update

# Debian's cargo ignores rust-toolchain.toml; rustup's proxy would try to
# install the toolchain file's targets, which needs the network.
DEBIAN_CARGO = Path("/usr/bin/cargo")


def cargo_command() -> tuple[str, dict[str, str]]:
    """A cargo that builds offline here, and the environment it needs."""
    env = dict(os.environ)
    if DEBIAN_CARGO.is_file():
        rustup_bin = str(Path.home() / ".cargo/bin")
        env["PATH"] = os.pathsep.join(
            part for part in env.get("PATH", "").split(os.pathsep) if part != rustup_bin
        )
        env["RUSTC"] = "/usr/bin/rustc"
        return str(DEBIAN_CARGO), env
    cargo = require_tool("cargo", "builds adopted crates to list their executables")
    env["RUSTUP_TOOLCHAIN"] = env.get("RUSTUP_TOOLCHAIN", "stable")
    return cargo, env


def executables(crate: Path, target_dir: Path) -> list[Path]:
    """The executables a `cargo build --release --message-format=json` reports."""
    cargo, env = cargo_command()
    env["CARGO_TARGET_DIR"] = str(target_dir)
    result = subprocess.run(
        [cargo, "build", "--release", "--offline", "--locked", "--message-format=json"],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = []
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message.get("executable"):
            found.append(Path(message["executable"]))
    return found


@pytest.mark.parametrize(
    ("shape", "outputs"),
    [
        pytest.param(
            MULTI_BIN,
            {"multi-tool": "multi-tool main", "mt-cli": "mt-cli", "mt-server": "mt-server"},
            id="multiple-binaries",
        ),
        pytest.param(
            LIB_AND_BIN_WITH_BUILD_RS,
            {"libbin": "libbin via build.rs"},
            id="library-binary-and-build-rs",
        ),
    ],
)
def test_every_binary_of_an_adopted_crate_is_installed_like_naersk_does(
    history: TemplateHistory, tmp_path: Path, shape: CrateShape, outputs: dict[str, str]
) -> None:
    crate = shape.write(tmp_path / shape.id)
    copy_release(history, crate, shape.answers, history.new, tasks=False)
    assert (crate / ".cargo/config.toml").is_file() and (crate / "rust-toolchain.toml").is_file()

    built = executables(crate, tmp_path / "target")

    # naersk's install: every reported executable into $out/bin.
    out_bin = tmp_path / "out/bin"
    out_bin.mkdir(parents=True)
    for executable in built:
        shutil.copy2(executable, out_bin / executable.name)
    assert sorted(path.name for path in out_bin.iterdir()) == sorted(shape.binaries)
    for name, printed in outputs.items():
        run = subprocess.run([out_bin / name], capture_output=True, text=True, check=True)
        assert run.stdout.strip() == printed
