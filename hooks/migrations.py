"""Migrations of a project's saved answers, run by `copier update` (`_migrations` in copier.yml).

crossflake reaches users as its main branch, without release tags. Copier then
versions the template `0.0.0.post<N>.dev0+<hash>`, and a migration gated on
`version: v0.2.0` never runs (copier/_template.py, `Template.migration_tasks`).
So no migration here depends on a version: copier runs one without
`version` on every update, and each step looks at the project's answers
instead. That holds for a tagged release, a tagless clone, a fork or
`--vcs-ref` of any commit: a step whose old spelling is absent does nothing.

Copier renders the old template with the saved answers, then runs the
"before" migrations in the project, then reloads the answers file and asks
the new template's questions with it. `before-update` (the one command
copier.yml registers) therefore:

1. applies every rename to the saved answers, in memory;
2. asks copier whether the new template accepts the result (answer_check.py),
   since copier silently replaces an answer it refuses by the default;
   accepted, a project still on the one-file flake gets its dev-shell
   additions moved to nix/local.nix (flake_split.py);
3. refused: prints each answer, its value and the fix, exits 1 and writes
   nothing (copier stops the update; the project is as it was);
   accepted: writes the renamed answers, printing one line, or nothing when
   nothing was renamed.

Offline, never prompts, harmless when run again, and exits 0 when the answers
file is missing. Copier runs this with its own Python: only the standard
library, PyYAML and copier itself are used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

# Platform ids a release renamed, old id -> new id. 0.2.0: Rust renamed the
# wasm32-wasi target to wasm32-wasip1 (and added wasm32-wasip2), so the
# catalog id `wasm32-wasi` became ambiguous and is now `wasm32-wasip1`.
RENAMED_TARGETS_0_2_0 = {"wasm32-wasi": "wasm32-wasip1"}

Answers = dict[str, Any]
ANSWERS_FILE_NAME = ".copier-answers.yml"


def header_comments(text: str) -> str:
    """The comment lines at the top of the answers file, kept when it is rewritten."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def renamed_targets(targets: list[Any], renames: dict[str, str]) -> list[Any]:
    """Targets with old ids replaced by new ones, without duplicates, order kept."""
    result: list[Any] = []
    for target in targets:
        new = renames.get(target, target) if isinstance(target, str) else target
        if new not in result:
            result.append(new)
    return result


def rename_targets(answers: Answers, renames: dict[str, str]) -> str | None:
    """Rename platform ids in the `targets` answer (in place); what changed, if anything.

    Without this, the new catalog has no entry for the old id and copier would
    drop the whole saved `targets` answer for the default targets.
    """
    targets = answers.get("targets")
    if not isinstance(targets, list):
        return None
    new_targets = renamed_targets(targets, renames)
    if new_targets == targets:
        return None
    answers["targets"] = new_targets
    changed = ", ".join(f"{old} -> {new}" for old, new in renames.items() if old in targets)
    return f"renamed targets: {changed}"


def rename_wasm32_wasi(answers: Answers) -> str | None:
    """0.2.0: the platform id `wasm32-wasi` is now `wasm32-wasip1`."""
    return rename_targets(answers, RENAMED_TARGETS_0_2_0)


# Every rename, oldest first. Each is a no-op on answers that lack its old
# spelling, so all run on every update whatever release the project is on.
RENAMES: dict[str, Callable[[Answers], str | None]] = {
    "rename-wasm32-wasi": rename_wasm32_wasi,
}


def read_answers(answers_path: Path) -> tuple[str, Answers]:
    """The answers file's text and its mapping (empty when the file is empty)."""
    text = answers_path.read_text(encoding="utf-8")
    answers = yaml.safe_load(text) or {}
    if not isinstance(answers, dict):
        raise yaml.YAMLError(f"{answers_path.name} is not a mapping of answers")
    return text, answers


def write_answers(answers_path: Path, text: str, answers: Answers) -> None:
    """Rewrite the answers file as copier writes it, keeping its header comment."""
    body = yaml.safe_dump(answers, sort_keys=False, default_flow_style=False, allow_unicode=True)
    answers_path.write_text(header_comments(text) + body, encoding="utf-8")


def apply_renames(answers: Answers, names: list[str]) -> list[str]:
    """Run these renames on the answers (in place); one message per change."""
    return [message for name in names if (message := RENAMES[name](answers))]


def refused_answers(
    template: Path, saved: Answers, answers: Answers, given: Answers, answers_name: str
) -> str | None:
    """The stop message when the template refuses a saved answer, else None.

    `saved` is the file as it is (what the message quotes), `answers` after the
    renames (what is checked, and what a suggested fix starts from).

    Answers the user gives with `--data` for this update replace the saved
    ones; a refused `--data` value, or a question without a saved answer, is
    left to copier, which refuses those itself (only saved answers are dropped
    in silence). An unreadable copier message stops the update too.
    """
    from answer_check import refusals, report  # needs copier: only on a real update

    migrated = {name: value for name, value in answers.items() if not name.startswith("_")}
    found = [
        refusal
        for refusal in refusals(template, {**migrated, **given})
        if refusal.name is None or (refusal.name in migrated and refusal.name not in given)
    ]
    return report(answers_name, saved, found, migrated) if found else None


def split_flake(
    answers_path: Path, template: Path, commit: str, saved: Answers, renamed: Answers
) -> str | None:
    """The move of a user's dev-shell additions to nix/local.nix (hooks/flake_split.py).

    Never stops the update: when the old version cannot be rendered, the user's
    edits stay in flake.nix and the update shows them as conflicts, as it would
    without this step.
    """
    from flake_split import migrate

    try:
        return migrate(answers_path.parent, template, commit, saved, renamed, answers_path.name)
    except Exception as error:  # any failure leaves the project as it was
        print(
            f"crossflake migration, flake.nix: could not compare it with the version it came "
            f"from ({error}); edits of your own in it may show as conflicts: move them to "
            "nix/local.nix (see CHANGELOG.md)",
            file=sys.stderr,
        )
        return None


def before_update(
    answers_path: Path, template: Path | None, given: Answers, commit: str = ""
) -> int:
    """Renames, then copier's verdict on the result; write only when it is accepted."""
    text, answers = read_answers(answers_path)
    saved = dict(answers)
    messages = apply_renames(answers, list(RENAMES))
    if template is not None:
        stop = refused_answers(template, saved, answers, given, answers_path.name)
        if stop:
            print(stop, file=sys.stderr)
            return 1
        # The old template renders with the answers as they were saved.
        moved = split_flake(answers_path, template, commit, saved, answers)
        if moved:
            print(f"crossflake migration, flake.nix: {moved}")
    if messages:
        write_answers(answers_path, text, answers)
        for message in messages:
            print(f"crossflake migration, {answers_path.name}: {message}")
    return 0


def rename_only(answers_path: Path, name: str) -> int:
    """One rename on its own (kept for scripts and tests): no check, no stop."""
    text, answers = read_answers(answers_path)
    message = RENAMES[name](answers)
    if message:
        write_answers(answers_path, text, answers)
        print(f"crossflake migration, {answers_path.name}: {message}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("migration", choices=["before-update", *sorted(RENAMES)])
    parser.add_argument("--answers-file", default=ANSWERS_FILE_NAME)
    parser.add_argument("--project", type=Path, default=Path.cwd())
    parser.add_argument(
        "--template", type=Path, help="the new template's folder; without it, no check"
    )
    parser.add_argument("--given-json", default="{}", help="the update's --data answers, as JSON")
    parser.add_argument("--commit", default="", help="the new template's commit (vcs_ref_hash)")
    options = parser.parse_args(argv)

    answers_path: Path = options.project / options.answers_file
    if not answers_path.is_file():
        # Nothing saved here (e.g. not a project folder): nothing to migrate.
        return 0
    try:
        if options.migration == "before-update":
            given = json.loads(options.given_json) or {}
            return before_update(answers_path, options.template, given, options.commit)
        return rename_only(answers_path, options.migration)
    except (OSError, yaml.YAMLError) as error:
        print(
            f"crossflake migration {options.migration}: cannot read or write {answers_path}: "
            f"{error}\nFix the file (it is YAML), then run `copier update` again.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
