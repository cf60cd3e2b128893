"""Migrations between crossflake releases, run by `copier update` (`_migrations` in copier.yml).

A migration exists when a release changes what a saved answer means. Copier
renders the old version with the project's saved answers, then runs the
"before" migrations in the project, then reloads the answers file and renders
the new version with it: so a migration that rewrites `.copier-answers.yml`
is exactly what the new templates will see.

Each migration here is offline, never prompts, prints one line when it
changes something, is silent when there is nothing to do (so running it twice
is harmless) and exits 0 when the answers file is missing (copier's temporary
folders have no project, only its rendered copy).

Copier runs this with its own Python, so only the standard library and
PyYAML (a copier dependency) are used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

# Platform ids a release renamed, old id -> new id. 0.2.0: Rust renamed the
# wasm32-wasi target to wasm32-wasip1 (and added wasm32-wasip2), so the
# catalog id `wasm32-wasi` became ambiguous and is now `wasm32-wasip1`.
RENAMED_TARGETS_0_2_0 = {"wasm32-wasi": "wasm32-wasip1"}


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


def rename_targets(answers_path: Path, renames: dict[str, str]) -> str | None:
    """Rename platform ids in the saved `targets` answer; a message when it changed.

    Without this, the new catalog has no entry for the old id: the new version
    would either reject the saved answer or silently build without that
    platform, depending on how copier validates it.
    """
    text = answers_path.read_text(encoding="utf-8")
    answers = yaml.safe_load(text) or {}
    targets = answers.get("targets")
    if not isinstance(targets, list):
        return None
    new_targets = renamed_targets(targets, renames)
    if new_targets == targets:
        return None
    answers["targets"] = new_targets
    body = yaml.safe_dump(answers, sort_keys=False, default_flow_style=False, allow_unicode=True)
    answers_path.write_text(header_comments(text) + body, encoding="utf-8")
    changed = ", ".join(f"{old} -> {new}" for old, new in renames.items() if old in targets)
    return f"renamed targets in {answers_path.name}: {changed}"


def rename_wasm32_wasi(answers_path: Path) -> str | None:
    """0.2.0: the platform id `wasm32-wasi` is now `wasm32-wasip1`."""
    return rename_targets(answers_path, RENAMED_TARGETS_0_2_0)


MIGRATIONS: dict[str, Callable[[Path], str | None]] = {
    "rename-wasm32-wasi": rename_wasm32_wasi,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("migration", choices=sorted(MIGRATIONS))
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--project", type=Path, default=Path.cwd())
    options = parser.parse_args(argv)

    answers_path: Path = options.project / options.answers_file
    if not answers_path.is_file():
        # Nothing saved here (e.g. not a project folder): nothing to migrate.
        return 0
    try:
        message = MIGRATIONS[options.migration](answers_path)
    except (OSError, yaml.YAMLError) as error:
        print(
            f"crossflake migration {options.migration}: cannot read or write {answers_path}: "
            f"{error}\nFix the file (it is YAML), then run `copier update` again.",
            file=sys.stderr,
        )
        return 1
    if message:
        print(f"crossflake migration {options.migration}: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
