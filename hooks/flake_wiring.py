"""The lines that wire crossflake's nix/ into a crate's own flake.nix, kept at adoption.

A crate that already has a flake keeps it (copier.yml's `kept_files`): crossflake
writes nix/ beside it and no flake.nix. Flake inputs must be written out in
flake.nix itself (Nix reads them before evaluating anything), so the user adds
crossflake's inputs and one call of nix/outputs.nix by hand, and the adoption
report prints exactly those lines. They are cut out of the flake.nix crossflake
would have written with the same answers (one source: the template's flake),
so the inputs, the exact-toolchain manifest and the hosts always match nix/.
Standard library only: it runs with copier's Python.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FLAKE = "flake.nix"
PLACEHOLDER = "# ... what your outputs returned ..."


@dataclass(frozen=True)
class Wiring:
    """What the user adds to their flake: input declarations and nix/outputs.nix's call."""

    inputs: str  # the declarations that go inside `inputs = { ... };`
    call: str  # `import ./nix/outputs.nix { ... }` without its closing semicolon

    def outputs(self) -> str:
        """The `outputs` attribute joining crossflake's outputs with the user's (theirs win)."""
        call = textwrap.indent(self.call, "    ").lstrip()
        return (
            "outputs =\n"
            "  inputs@{ self, nixpkgs, ... }:\n"
            "  let\n"
            f"    crossflake = {call};\n"
            "  in\n"
            "  nixpkgs.lib.recursiveUpdate crossflake (\n"
            f"    {PLACEHOLDER}\n"
            "  );"
        )


def crossflake_flake(
    template: Path, commit: str | None, answers: dict[str, Any], answers_file: str
) -> str:
    """The flake.nix crossflake writes with these answers when the crate has none."""
    from template_output import template_output

    kept = [name for name in answers.get("kept_files") or [] if name != FLAKE]
    with template_output(template, commit, {**answers, "kept_files": kept}, answers_file) as out:
        return (out / FLAKE).read_text(encoding="utf-8")


def block(lines: list[str], opening: str) -> list[str]:
    """The lines from the one equal to `opening` (stripped) to the first line that closes
    it at the same indentation, both included."""
    starts = [index for index, line in enumerate(lines) if line.strip() == opening]
    if len(starts) != 1:
        raise ValueError(f"crossflake's flake.nix has {len(starts)} lines {opening!r}")
    start = starts[0]
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    for end in range(start + 1, len(lines)):
        if lines[end] == f"{indent}}};":
            return lines[start : end + 1]
    raise ValueError(f"crossflake's flake.nix never closes {opening!r}")


def wiring(flake_text: str) -> Wiring:
    """Cut the inputs' declarations and nix/outputs.nix's call out of crossflake's flake."""
    lines = flake_text.splitlines()
    inputs = block(lines, "inputs = {")[1:-1]
    call = block(lines, "import ./nix/outputs.nix {")
    call[-1] = call[-1].rstrip(";")
    return Wiring(textwrap.dedent("\n".join(inputs)), textwrap.dedent("\n".join(call)))


def instructions(wired: Wiring, margin: str) -> str:
    """The report's "how" for a kept flake: each step, with the lines to paste."""

    def pasted(text: str) -> str:
        return textwrap.indent(text, margin + "    ")

    return (
        "in flake.nix, (1) add crossflake's inputs inside `inputs = { ... };` (leave out any "
        "your flake already has under the same name; nixpkgs must be called nixpkgs):\n"
        f"{pasted(wired.inputs)}\n"
        f"{margin}(2) let `outputs` take every input (name in its braces the ones your own "
        "outputs use) and join crossflake's outputs with yours (where both set the same "
        "attribute, yours wins), the comment replaced by what your outputs returned:\n"
        f"{pasted(wired.outputs())}\n"
        f"{margin}(3) nix flake lock && git add flake.nix flake.lock, then nix build .#<target>"
    )
