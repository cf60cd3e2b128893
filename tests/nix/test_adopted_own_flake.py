"""Rungs L1 and L3: a crate's own flake, wired as the adoption report says, evaluates and builds.

A crate that already has a flake.nix keeps it (tests/update/test_adopt_own_flake.py proves the
copy, recopy and updates leave it byte for byte); crossflake writes nix/ beside it and prints
the lines that wire nix/outputs.nix into it. Here the crate (crate_shapes.OWN_FLAKE: an input,
a package and a dev shell of its own) is adopted with `copier copy --trust` as the README says,
and its flake is edited exactly as the report prints, taking the pasted lines from the report
itself:

- (1) crossflake's input declarations go into `inputs`, except the one the flake already has
  (nixpkgs), as the report says;
- (2) `outputs` becomes the report's expression, its comment replaced by what the crate's
  outputs returned.

Then, with the stubs of nixpkgs, fenix and naersk: the wired flake shows crossflake's packages
beside the crate's own (`noted-manual`), the crate's dev shell wins over crossflake's (as the
report says: yours wins where both set one), and `nix run .#aarch64-unknown-linux-gnu` builds the
program in the builder sandbox (BUILD-mode stubs, Debian's Rust, zig through cargo-zigbuild)
and runs it under qemu.

Does NOT prove: real fenix/naersk/nixpkgs (rung 4), `nix flake lock` fetching the new inputs
(the tests run offline with every input overridden), or wiring a flake of another shape
(flake-utils, flake-parts): the report's lines are plain Nix, the shapes are the user's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nixenv
import pytest
import yaml
from crate_shapes import OWN_FLAKE, OWN_FLAKE_BODY, OWN_FLAKE_INPUTS
from flake_projects import git
from support import TEMPLATE_ROOT, require_tool
from test_flake_build import ANSWERS as BUILD_ANSWERS

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
TRIPLE = "aarch64-unknown-linux-gnu"
MARGIN = " " * 12  # the report's indentation of pasted lines
PLACEHOLDER = "# ... what your outputs returned ..."


def adopt(crate: Path, answers: dict[str, object]) -> str:
    """`copier copy --trust --defaults` of the work tree into the crate; its output."""
    data = crate.parent / "answers.yml"
    data.write_text(yaml.safe_dump(answers), encoding="utf-8")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref=HEAD"),
            *("--data-file", str(data), str(TEMPLATE_ROOT), str(crate)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def pasted(report: str, step: str, next_step: str) -> str:
    """The lines the report prints for one step, without the report's indentation."""
    lines = report.splitlines()
    start = next(index for index, line in enumerate(lines) if step in line) + 1
    end = next(index for index in range(start, len(lines)) if next_step in lines[index])
    assert all(line.startswith(MARGIN) for line in lines[start:end]), lines[start:end]
    return "\n".join(line[len(MARGIN) :] for line in lines[start:end])


def declarations(inputs: str) -> dict[str, str]:
    """The report's input declarations by name, each with the comment lines above it."""
    found: dict[str, str] = {}
    pending: list[str] = []
    for line in inputs.splitlines():
        pending.append(line)
        if line.startswith("#") or line.startswith(" "):
            continue
        if line.endswith("{"):
            continue
        if line == "};" or line.endswith(";"):
            head = next(text for text in pending if not text.startswith("#"))
            found[head.split(".")[0].split(" ")[0]] = "\n".join(pending)
            pending = []
    assert not pending, pending
    return found


def wired_flake(report: str) -> str:
    """The crate's flake edited as the report says."""
    inputs = declarations(pasted(report, "how: in flake.nix, (1)", "(2) let `outputs`"))
    assert set(inputs) >= {"nixpkgs", "fenix", "naersk"}, inputs
    added = "".join(
        "".join(f"    {line}\n" for line in text.splitlines())
        for name, text in inputs.items()
        if name != "nixpkgs"  # the crate's flake has it: "leave out any ... already has"
    )
    outputs = pasted(report, "(2) let `outputs`", "(3) nix flake lock")
    indent = next(line for line in outputs.splitlines() if PLACEHOLDER in line).split("#")[0]
    body = "\n".join(indent + line for line in OWN_FLAKE_BODY.splitlines())
    outputs = outputs.replace(indent + PLACEHOLDER, body)
    return (
        "{\n"
        '  description = "noted: a notebook for the terminal";\n'
        "\n"
        "  inputs = {\n"
        f"{OWN_FLAKE_INPUTS}{added}"
        "  };\n"
        "\n" + "".join(f"  {line}\n" if line else "\n" for line in outputs.splitlines()) + "}\n"
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    crate = OWN_FLAKE.write(tmp_path_factory.mktemp("own-flake") / "noted")
    git(crate, "init", "-q")
    git(crate, "add", "-A")
    git(crate, "commit", "-q", "-m", "My crate")
    answers = {**BUILD_ANSWERS, **OWN_FLAKE.answers, "targets": ["aarch64-linux"]}
    report = adopt(crate, answers)
    assert (crate / "flake.nix").read_text(encoding="utf-8") == OWN_FLAKE.files["flake.nix"]
    (crate / "flake.nix").write_text(wired_flake(report), encoding="utf-8")
    git(crate, "add", "-A")
    return crate


def test_the_wired_flake_has_crossflakes_outputs_and_keeps_its_own(project: Path) -> None:
    show = nixenv.flake_show(project)
    assert set(show["packages"][HOST]) >= {"default", "release", TRIPLE, "noted-manual"}
    assert TRIPLE in show["apps"][HOST]
    shell = nixenv.eval_json(project, f"devShells.{HOST}.default.name")
    assert shell == "noted-shell", "where both set an output, the crate's own wins"


@pytest.mark.usefixtures("no_homeless_shelter")
def test_the_wired_flake_builds_and_runs_a_target(project: Path, build_stubs: Path) -> None:
    require_tool("qemu-aarch64", "the stub emulator package links the host's")
    require_tool("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1", "the test double glibc")
    ran = nixenv.run_app(project, TRIPLE, build_stubs)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout == "noted\n"
