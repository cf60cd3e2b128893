"""Which saved answers would the new template refuse? Asked of copier itself.

On `copier update`, copier re-validates every answer saved in
`.copier-answers.yml` against the new template and, when one fails (a choice
the template no longer offers, a validator that got stricter), deletes it
without a word: with `--defaults` the question's default takes its place
(copier/_main.py, `Worker._ask`: "Delete last answer if it cannot be parsed
or validated"). A user's `targets` then silently become the default targets.

Rather than restate copier.yml's choices and validators here (they are Jinja
over the catalog and over other answers), this module lets copier judge:
it runs the new template's questionnaire with the saved answers given as
`--data` would give them, pretending and rendering no file. Copier refuses
invalid data instead of dropping it, and its message names the question and
the reason. Answers are checked together, because validity depends on the
others (a macOS target needs a macOS host).

Runs inside copier's Python (a `_migrations` command), so `copier` imports.
"""

from __future__ import annotations

import ast
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# copier's two messages for a refused answer (copier/_user_data.py):
# "Invalid choice for 'targets': 'wasm32-wasi' is not in [...]" and
# "Validation error for question 'toolchain': <the template's message>".
_REFUSED = re.compile(r"^(?:Invalid choice for|Validation error for question) '(?P<name>[^']+)': ")
_NOT_IN = re.compile(r"^(?P<value>.+) is not in (?P<valid>\[.*\])$", re.DOTALL)


@dataclass(frozen=True)
class Refusal:
    """One saved answer the template refuses, with copier's reason."""

    name: str | None  # None when copier's message could not be read
    reason: str
    valid: tuple[Any, ...] | None = None  # the choices copier offers, when it listed them


def parse_refusal(message: str) -> Refusal:
    """Read copier's message: which question, why, and the valid choices if listed."""
    match = _REFUSED.match(message)
    if not match:
        return Refusal(None, message)
    detail = message[match.end() :]
    valid = None
    not_in = _NOT_IN.match(detail)
    if not_in:
        try:
            listed = ast.literal_eval(not_in.group("valid"))
        except (ValueError, SyntaxError):
            listed = None
        if isinstance(listed, list):
            valid = tuple(listed)
    return Refusal(match.group("name"), detail, valid)


def first_refusal(template: Path, answers: dict[str, Any]) -> Refusal | None:
    """The first answer copier refuses when these answers are given to the template.

    `pretend` writes nothing; excluding every file skips rendering, so only
    the questionnaire runs (about a second). Tasks never run.
    """
    from copier import run_copy  # copier's Python only; tests import this module too

    with tempfile.TemporaryDirectory(prefix="crossflake-answer-check.") as scratch:
        try:
            run_copy(
                str(template),
                str(Path(scratch) / "project"),
                data=answers,
                defaults=True,
                pretend=True,
                quiet=True,
                skip_tasks=True,
                unsafe=True,
                exclude=["*"],
            )
        except ValueError as error:
            return parse_refusal(str(error))
        except Exception as error:  # copier drops a saved answer on any error too
            return Refusal(None, f"{type(error).__name__}: {error}")
    return None


def refusals(template: Path, answers: dict[str, Any]) -> list[Refusal]:
    """Every refused answer: the first, then the next once that one is set aside."""
    remaining = dict(answers)
    found: list[Refusal] = []
    while (refusal := first_refusal(template, remaining)) is not None:
        found.append(refusal)
        if refusal.name not in remaining:
            break  # not one of these answers (or unreadable): nothing more to learn
        del remaining[refusal.name]
    return found


def suggested_value(saved: Any, refusal: Refusal) -> Any | None:
    """A value the template accepts, when one follows from the saved one.

    For a multiselect: the saved items the template still offers (in their order).
    """
    if refusal.valid is None or not isinstance(saved, list):
        return None
    kept = [item for item in saved if item in refusal.valid]
    return kept or None


def data_option(name: str, value: Any) -> str:
    """The `--data` option that sets this answer, quoted for a POSIX shell."""
    text = value if isinstance(value, str) else json.dumps(value)
    return "--data '" + f"{name}={text}".replace("'", "'\\''") + "'"


def report(
    answers_file: str,
    saved: dict[str, Any],
    found: list[Refusal],
    migrated: dict[str, Any] | None = None,
) -> str:
    """What the user reads when the update stops: each answer, its saved value, why, the
    fix (which starts from the value after the migrations' renames, `migrated`)."""
    lines = [
        f"crossflake: this update stops before changing anything: {answers_file} holds "
        f"{'an answer' if len(found) == 1 else 'answers'} this version of the template no "
        "longer accepts.",
        "copier would otherwise replace "
        f"{'it' if len(found) == 1 else 'them'} with the default without a word.",
    ]
    fixes: list[str] = []
    for refusal in found:
        if refusal.name is None:
            lines.append(f"  copier says: {refusal.reason}")
            continue
        value = saved.get(refusal.name)
        lines.append(f"  {refusal.name}: saved value {json.dumps(value, ensure_ascii=False)}")
        lines.append(f"    why: {refusal.reason}")
        suggestion = suggested_value((migrated or saved).get(refusal.name, value), refusal)
        if suggestion is not None:
            fixes.append(data_option(refusal.name, suggestion))
        elif refusal.valid is not None:
            choices = ", ".join(str(choice) for choice in refusal.valid)
            lines.append(f"    choose one of: {choices}")
            fixes.append(data_option(refusal.name, "<your choice>"))
        else:
            fixes.append(data_option(refusal.name, "<a value the message above accepts>"))
    if fixes:
        lines.append("Fix: give the answer anew, then the update proceeds:")
        lines.append(f"  copier update --trust --defaults {' '.join(fixes)}")
    lines.append(
        "CHANGELOG.md (upgrade notes) says what each release renamed or refuses. "
        "The project is as it was."
    )
    return "\n".join(lines)
