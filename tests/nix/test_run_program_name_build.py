"""Rung L3 (nix build with host tools): `nix run` starts the program a package really installs
when it is not named after the package.

The package is named fd-find and installs two programs, `fd` (`[[bin]]` at src/main.rs, its
`default-run`) and `fd-helper` (src/bin/), like published crates whose program names differ
from their package's: the flake reads both from Cargo.toml at evaluation time. One package
(aarch64 glibc, under qemu with the test double glibc, as in test_run_build.py) is built with
the BUILD-mode stubs and Debian's Rust 1.63, then both apps run it:

- `nix run .#aarch64-unknown-linux-gnu -- ARGS` starts `fd` (the main program), not a
  `bin/fd-find` naersk never installs;
- `nix run .#aarch64-unknown-linux-gnu-fd-helper -- ARGS` starts the other program.

Does NOT prove: real nixpkgs' qemu or glibc (rung 4), or the other shapes (rung 1 evaluates them:
test_adopted_shapes_eval.py).
"""

from __future__ import annotations

from pathlib import Path

import nixenv
import pytest
from flake_projects import generate, git
from support import require_tool
from test_flake_build import ANSWERS as BUILD_ANSWERS

pytestmark = pytest.mark.nix

TRIPLE = "aarch64-unknown-linux-gnu"
ARGS = ("first", "second arg")
PROGRAM = """fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("{} of {}: {}", env!("CARGO_BIN_NAME"), env!("CARGO_PKG_NAME"), args.join("|"));
}
"""
"""Each program prints its own name, its package's, and the arguments it received."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {**BUILD_ANSWERS, "crate_name": "fd-find", "targets": ["aarch64-linux"]}
    path = generate(tmp_path_factory.mktemp("program-name") / "fd-find", answers)
    manifest = path / "Cargo.toml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("[package]\n", '[package]\ndefault-run = "fd"\n', 1)
    manifest.write_text(text + '\n[[bin]]\nname = "fd"\npath = "src/main.rs"\n', encoding="utf-8")
    (path / "src/main.rs").write_text(PROGRAM, encoding="utf-8")
    (path / "src/bin").mkdir()
    (path / "src/bin/fd-helper.rs").write_text(PROGRAM, encoding="utf-8")
    git(path, "add", "-A")
    return path


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize(("app", "program"), [(TRIPLE, "fd"), (f"{TRIPLE}-fd-helper", "fd-helper")])
def test_nix_run_starts_the_program_the_package_installs(
    project: Path, build_stubs: Path, app: str, program: str
) -> None:
    require_tool("qemu-aarch64", "the stub emulator package links the host's")
    require_tool("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1", "the test double glibc")
    ran = nixenv.run_app(project, app, build_stubs, ARGS)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout == f"{program} of fd-find: {'|'.join(ARGS)}\n"
