"""Generated projects as Nix sees them: rendered, then made a git repository with every file added.

Flakes inside a git work tree see only tracked files (an untracked Cargo.lock breaks naersk), so a
project is useless to Nix until `git add`. The template's own post-generate hook does that, but it
is an unsafe task; rendering without tasks and tracking the files here keeps these tests free of
`--trust` and independent of the hook's tests.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from support import render

GIT_IDENTITY = ["-c", "user.name=crossflake tests", "-c", "user.email=tests@crossflake.invalid"]
"""Commits need an identity; the test machine may have none configured."""


def git(project: Path, *args: str) -> str:
    """Run git in ``project`` and return its output; a failure raises with git's message."""
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {project}:\n{result.stderr}")
    return result.stdout


def track(project: Path) -> Path:
    """Make ``project`` a git repository whose every file is added (not committed).

    Added is enough: Nix reads the work tree of tracked files, dirty or not.
    """
    if not (project / ".git").exists():
        git(project, "init", "-q")
    git(project, "add", "-A")
    return project


def generate(destination: Path, answers: dict[str, Any]) -> Path:
    """Render the template with ``answers`` into ``destination`` and track every file."""
    return track(render(destination, answers))


def flake_files(project: Path) -> list[Path]:
    """The flake's Nix files: flake.nix and the files of nix/ it reads (issue 25 split the
    one generated flake.nix into one file per concern)."""
    return [project / "flake.nix", *sorted((project / "nix").glob("*.nix"))]


def subn_in_flake(
    project: Path, pattern: re.Pattern[str], replacement: str | Callable[[re.Match[str]], str]
) -> int:
    """`pattern.subn` over every Nix file of the flake, each changed file rewritten; the
    number of replacements in all of them (tests compare it with what they expect, so a
    template change that moves the text fails loudly instead of patching nothing)."""
    total = 0
    for path in flake_files(project):
        text, count = pattern.subn(replacement, path.read_text(encoding="utf-8"))
        if count:
            path.write_text(text, encoding="utf-8")
            total += count
    return total
