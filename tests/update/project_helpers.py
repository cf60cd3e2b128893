"""Generate, edit, commit and update projects the way a user would, through copier's API.

`copier update` needs a git project with a clean tree and the absolute path
of a tagged git template; these helpers keep each test about what it proves
rather than about that setup.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from copier import run_copy, run_update
from template_history import TemplateHistory, git

CONFLICT_START = "<<<<<<< before updating"
CONFLICT_END = ">>>>>>> after updating"


def copy_release(
    history: TemplateHistory,
    destination: Path,
    answers: dict[str, Any],
    ref: str,
    *,
    tasks: bool = True,
    overwrite: bool = False,
) -> Path:
    """`copier copy` of one release with these answers, defaults for the rest: with its
    tasks (what `--trust` allows) or without them (`--skip-tasks`)."""
    run_copy(
        str(history.root),
        str(destination),
        data=answers,
        defaults=True,
        unsafe=tasks,
        skip_tasks=not tasks,
        overwrite=overwrite,
        vcs_ref=ref,
        quiet=True,
    )
    return destination


def generate(history: TemplateHistory, project: Path, answers: dict[str, Any], ref: str) -> Path:
    """`copier copy --trust` at a release, tasks included, then the user's first commit."""
    copy_release(history, project, answers, ref)
    commit_all(project, "Start from crossflake")
    return project


def render_plain(history: TemplateHistory, destination: Path, answers: dict[str, Any]) -> Path:
    """What a release renders for these answers, with no tasks and no git: the reference."""
    return copy_release(history, destination, answers, history.new, tasks=False)


def commit_all(project: Path, message: str) -> None:
    """Stage and commit everything: copier refuses to update a dirty project."""
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", message)


def update(project: Path, **options: Any) -> None:
    """`copier update --trust --defaults` to the newest tag, as the tests' user runs it."""
    run_update(
        str(project),
        overwrite=True,
        unsafe=True,
        defaults=True,
        quiet=True,
        **options,
    )


def copier_update(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`copier update --trust --defaults [options]` in the project, as a user types it (a
    subprocess: its output and exit code are what the user sees)."""
    return subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults", *options],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def insert_after(path: Path, anchor: str, addition: str) -> None:
    """Insert lines right after the one line that contains `anchor`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    matches = [index for index, line in enumerate(lines) if anchor in line]
    assert len(matches) == 1, f"{anchor!r} should be on exactly one line of {path}"
    lines.insert(matches[0] + 1, addition)
    path.write_text("".join(lines), encoding="utf-8")


def insert_before_first(path: Path, prefix: str, addition: str) -> None:
    """Insert lines before the first line that starts with `prefix`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    lines.insert(index, addition)
    path.write_text("".join(lines), encoding="utf-8")


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace text that occurs exactly once (the test's edit must land where it says)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur exactly once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, addition: str) -> None:
    """Add text at the end of a file."""
    path.write_text(path.read_text(encoding="utf-8") + addition, encoding="utf-8")


def conflicted_files(project: Path) -> list[str]:
    """Files git records as unmerged (copier marks inline conflicts that way)."""
    return sorted(set(git(project, "diff", "--name-only", "--diff-filter=U").split()))


def files_with_markers(project: Path) -> list[str]:
    """Tracked or new files that contain copier's conflict markers."""
    found = []
    for path in sorted(project.rglob("*")):
        if ".git" in path.relative_to(project).parts or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if CONFLICT_START in text or CONFLICT_END in text:
            found.append(path.relative_to(project).as_posix())
    return found


def rejected_files(project: Path) -> list[str]:
    """Leftover `.rej` files (an update that lost a hunk would leave one)."""
    return sorted(path.relative_to(project).as_posix() for path in project.rglob("*.rej"))


def tracked(project: Path) -> set[str]:
    """Files git tracks or has staged."""
    return set(filter(None, git(project, "ls-files", "-z").split("\0")))
