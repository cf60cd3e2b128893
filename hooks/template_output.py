"""What the template writes for a set of answers, asked from copier itself.

The post-generate task must `git add` exactly the generated files, and the
adoption check compares the crate's files with crossflake's own. Both need
"what would copier write here?". Rather than render templates a second way
(and restate copier's rules and defaults), this asks copier: it copies the
template with the project's answers into an empty temporary folder, tasks
skipped, and the task reads the result.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml


def read_answers(project: Path, answers_file: str) -> dict[str, Any]:
    """The answers copier saved in the project (empty if the file is missing)."""
    path = project / answers_file
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def skipped_if_existing(template: Path) -> list[str]:
    """copier.yml's `_skip_if_exists`: the files that belong to the user once they exist."""
    config = yaml.safe_load((template / "copier.yml").read_text(encoding="utf-8"))
    return list(config.get("_skip_if_exists", []))


@contextmanager
def template_output(
    template: Path, commit: str | None, answers: dict[str, Any], answers_file: str
) -> Iterator[Path]:
    """A folder holding what `copier copy` writes with these answers into an empty folder.

    `commit` pins the template's version (copier otherwise takes the newest tag
    of a git template). Copier's own import is deferred: the task runs with
    copier's Python, where it is always present.
    """
    from copier import run_copy

    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory(prefix="crossflake-reference-") as folder:
        destination = Path(folder) / "project"
        run_copy(
            str(template),
            destination,
            data=data,
            answers_file=answers_file,
            vcs_ref=commit or None,
            defaults=True,
            overwrite=True,
            quiet=True,
            skip_tasks=True,
        )
        yield destination


def files_in(folder: Path) -> list[str]:
    """Every file under folder, as sorted POSIX paths relative to it."""
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )
