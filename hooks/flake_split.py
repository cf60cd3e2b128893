"""Migration to the split flake: a user's dev-shell additions move to nix/local.nix.

Before issue 25 the whole flake was one generated flake.nix, and users added
their dev-shell tools and variables inside its `devShell = pkgs.mkShell { ... }`.
Now crossflake's machinery lives in nix/ and the user's additions belong in
nix/local.nix, which `copier update` creates once and never rewrites. An update
from the old layout would show every such edit as a conflict in flake.nix, the
file that shrank from hundreds of lines to a screen.

So, before the update, when the project still has the old layout (flake.nix and
no nix/outputs.nix), this compares flake.nix with what the old template
generated for the saved answers (asked from copier: hooks/template_output.py)
and moves the additions it recognises with certainty:

* inside the dev shell's block, lines `NAME = "text";` -> `devShellEnv`;
* inside it, `pkgs.NAME` items, added to its `packages = [ ... ]` list one per
  line, or as `packages = [ ... ];` / `nativeBuildInputs = [ ... ];` on one
  line -> `devShellPackages`;

with their comment lines. They are taken out of flake.nix and written into
nix/local.nix (the new template's, rendered for the answers), both staged, so
copier sees them as the user's own state. Anything else the user changed stays
in flake.nix, where the update shows it as a conflict (CHANGELOG.md says where
it goes now). Does nothing on the new layout, so it is safe on every update.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHELL_START = "devShell = pkgs.mkShell {"
ENV_LINE = re.compile(r'^\s*([A-Z_][A-Z0-9_]*)\s*=\s*("(?:[^"\\$]|\\.)*")\s*;\s*$')
PACKAGE = r"pkgs\.[A-Za-z0-9_][A-Za-z0-9_.+-]*"
PACKAGE_LINE = re.compile(rf"^\s*({PACKAGE})\s*$")
LIST_LINE = re.compile(
    rf"^\s*(?:packages|nativeBuildInputs)\s*=\s*\[((?:\s*{PACKAGE})*)\s*\]\s*;\s*$"
)
COMMENT = re.compile(r"^\s*(#.*)?$")


@dataclass
class Moved:
    """What moves to nix/local.nix: lines for `devShellPackages` and for `devShellEnv`."""

    packages: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)  # indexes of the user's lines that moved

    def __bool__(self) -> bool:
        return bool(self.lines)


def block_end(lines: list[str], start: int) -> int:
    """The index of the line closing the block opened at `start` (same indentation)."""
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    for index in range(start + 1, len(lines)):
        if lines[index].rstrip() in (f"{indent}}};", f"{indent}}}"):
            return index
    return len(lines)


def packages_list(lines: list[str], start: int, end: int) -> tuple[int, int]:
    """The `packages = [` list inside the shell block: its first and closing line."""
    for index in range(start, end):
        if lines[index].strip() == "packages = [":
            for close in range(index + 1, end):
                if lines[close].strip().startswith("]"):
                    return index, close
    return -1, -1


def recognised(group: list[str], in_list: bool) -> tuple[list[str], list[str]] | None:
    """The group's packages and env lines (comments kept), or None if any line is unknown."""
    packages: list[str] = []
    env: list[str] = []
    comments: list[str] = []
    for line in group:
        if COMMENT.match(line):
            if line.strip():
                comments.append(line.strip())
            continue
        if in_list and (match := PACKAGE_LINE.match(line)):
            packages += [*comments, match.group(1)]
        elif match := LIST_LINE.match(line):
            packages += [*comments, *match.group(1).split()]
        elif match := ENV_LINE.match(line):
            env += [*comments, f"{match.group(1)} = {match.group(2)};"]
        else:
            return None
        comments = []
    if comments:  # trailing comments go with whatever the group held
        (env if env and not packages else packages).extend(comments)
    return packages, env


def moved_edits(generated: str, users: str) -> Moved:
    """The user's recognised additions to the old flake's dev shell."""
    old, new = generated.splitlines(), users.splitlines()
    moved = Moved()
    starts = [index for index, line in enumerate(old) if line.strip() == SHELL_START]
    if len(starts) != 1:
        return moved
    start = starts[0]
    end = block_end(old, start)
    list_start, list_end = packages_list(old, start, end)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag != "insert" or not start < i1 <= end:
            continue
        found = recognised(new[j1:j2], in_list=list_start < i1 <= list_end)
        if found is None:
            continue
        moved.packages += found[0]
        moved.env += found[1]
        moved.lines.update(range(j1, j2))
    return moved


def with_entries(local_nix: str, opening: str, entries: list[str]) -> str:
    """local.nix with entries added right after the line `opening` (e.g. `devShellEnv = {`)."""
    if not entries:
        return local_nix
    lines = local_nix.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip() == opening)
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())] + "  "
    added = [f"{indent}{entry}\n" for entry in entries]
    return "".join([*lines[: index + 1], *added, *lines[index + 1 :]])


def migrate(
    project: Path,
    template: Path,
    commit: str,
    answers: dict[str, Any],
    renamed: dict[str, Any],
    answers_file: str,
) -> str | None:
    """Move the recognised edits; a message saying what moved, or None when nothing did.

    `answers` are the saved ones, for the old template; `renamed` the same after the
    migrations' renames, for the new one."""
    from template_output import template_output

    flake = project / "flake.nix"
    local = project / "nix/local.nix"
    if not flake.is_file() or (project / "nix/outputs.nix").exists() or local.exists():
        return None
    if "flake.nix" in (answers.get("kept_files") or []):
        return None  # the user's own flake, kept at adoption: never crossflake's to edit
    old_source, old_commit = answers.get("_src_path"), answers.get("_commit")
    if not old_source or not old_commit:
        return None
    users = flake.read_text(encoding="utf-8")
    with template_output(Path(old_source), old_commit, answers, answers_file) as old:
        generated = (old / "flake.nix").read_text(encoding="utf-8")
    moved = moved_edits(generated, users)
    if not moved:
        return None
    with template_output(template, commit or None, renamed, answers_file) as new:
        local_nix = (new / "nix/local.nix").read_text(encoding="utf-8")
    local_nix = with_entries(local_nix, "devShellPackages = [", moved.packages)
    local_nix = with_entries(local_nix, "devShellEnv = {", moved.env)
    kept = [line for i, line in enumerate(users.splitlines(keepends=True)) if i not in moved.lines]
    local.parent.mkdir(exist_ok=True)
    local.write_text(local_nix, encoding="utf-8")
    flake.write_text("".join(kept), encoding="utf-8")
    # Copier takes the user's state from git's index (`git write-tree`).
    subprocess.run(["git", "add", "--", "flake.nix", "nix/local.nix"], cwd=project, check=True)
    what = [entry for entry in moved.packages + moved.env if not entry.startswith("#")]
    return (
        f"moved your dev-shell additions ({', '.join(what)}) from flake.nix to nix/local.nix "
        "(devShellPackages, devShellEnv): crossflake's Nix now lives in nix/, and nix/local.nix "
        "is yours"
    )
