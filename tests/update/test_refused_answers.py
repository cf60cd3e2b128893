"""A saved answer the new template refuses stops the update; it is never defaulted in silence.

Copier re-validates the saved answers on `copier update` and deletes any it
refuses; with `--defaults` the question's default takes its place, exit 0.
crossflake's before-update migration (hooks/migrations.py, answer_check.py)
asks copier first and stops with the answer, its value and the fix, leaving
the project as it was. The controls show what happens without it, on the
tagless clone users have: the answer silently replaced (toolchain), and a
migration gated on `version: v0.2.0` that never runs (the issue's report).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from answer_check import Refusal, data_option, parse_refusal, report
from migrations import main as run_migration
from project_helpers import copier_update
from support import TEMPLATE_ROOT
from tagless_history import EarlierState, TaglessClone, variant
from template_history import git
from test_tagless_updates import generate_at, saved_answers

pytestmark = pytest.mark.update

# 0.2.0 accepted a toolchain with a leading zero; the work tree refuses it
# ("write 1.85.0"), so copier would drop it for `stable`.
LEADING_ZERO = EarlierState(
    "0.2.0-leading-zero",
    "b591f90",
    {"crate_name": "zeroes", "toolchain": "1.085.0", "targets": ["x86_64-linux", "aarch64-linux"]},
)
# The reproduction: 0.1.0 with the WASI target under its old id.
OLD_WASI = EarlierState("0.1.0-wasi", "408938d", {"targets": ["x86_64-linux", "wasm32-wasi"]})
DEFAULT_TARGETS = ["x86_64-linux", "aarch64-linux", "x86_64-windows"]


def project_state(project: Path) -> tuple[str, str, bytes]:
    """HEAD, `git status`, and the answers file's bytes: what "untouched" means."""
    return (
        git(project, "rev-parse", "HEAD"),
        git(project, "status", "--porcelain", "--untracked-files=all"),
        (project / ".copier-answers.yml").read_bytes(),
    )


def test_a_refused_saved_answer_stops_the_update_and_changes_nothing(
    tagless: TaglessClone, tmp_path: Path
) -> None:
    project = generate_at(tagless, LEADING_ZERO, tmp_path / "project")
    before = project_state(project)

    stopped = copier_update(project)

    assert stopped.returncode != 0
    assert project_state(project) == before
    message = stopped.stderr
    assert "this update stops before changing anything" in message
    assert 'toolchain: saved value "1.085.0"' in message
    assert "write 1.85.0" in message  # the template's own reason
    assert "copier update --trust --defaults --data 'toolchain=" in message
    assert readme_stop_example() == crossflake_lines(message)

    fixed = copier_update(project, "--data", "toolchain=1.85.0")

    assert fixed.returncode == 0, fixed.stderr
    answers = saved_answers(project)
    assert answers["toolchain"] == "1.85.0"
    assert answers["targets"] == LEADING_ZERO.answers["targets"]


def readme_stop_example() -> list[str]:
    """The stop message README.md shows (its update section), line by line."""
    readme = (TEMPLATE_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("  crossflake: this update stops")
    block = readme[start : readme.index("```", start)]
    return [line.strip() for line in block.strip().splitlines()]


def crossflake_lines(stderr: str) -> list[str]:
    """The migration's message within copier's output (which adds its own lines around it)."""
    lines = [line.strip() for line in stderr.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("crossflake: this update"))
    end = next(i for i, line in enumerate(lines) if line.endswith("The project is as it was."))
    return lines[start : end + 1]


def without_migrations(clone: TaglessClone, destination: Path) -> TaglessClone:
    """The clone plus a commit whose copier.yml has no `_migrations` (controls)."""
    config = yaml.safe_load((clone.root / "copier.yml").read_text(encoding="utf-8"))
    text = (clone.root / "copier.yml").read_text(encoding="utf-8")
    assert "_migrations" in config
    start = text.index("\n_migrations:\n")
    end = text.index("\n\n", start + 1)
    return variant(clone, destination, text[:start] + text[end:], "no _migrations")


def version_gated(clone: TaglessClone, destination: Path) -> TaglessClone:
    """The clone plus a commit whose migration is gated on `version: v0.2.0`, as before."""
    text = (clone.root / "copier.yml").read_text(encoding="utf-8")
    entry = "\n_migrations:\n  - when:"
    assert text.count(entry) == 1
    gated = text.replace(entry, "\n_migrations:\n  - version: v0.2.0\n    when:")
    return variant(clone, destination, gated, "migration gated on v0.2.0")


def test_control_without_the_check_copier_replaces_the_refused_answer_in_silence(
    tagless: TaglessClone, tmp_path: Path
) -> None:
    clone = without_migrations(tagless, tmp_path / "crossflake")
    project = generate_at(clone, LEADING_ZERO, tmp_path / "project")

    result = copier_update(project)

    assert result.returncode == 0, result.stderr
    assert saved_answers(project)["toolchain"] == "stable"


def test_control_a_version_gated_migration_never_runs_on_a_tagless_clone(
    tagless: TaglessClone, tmp_path: Path
) -> None:
    """The issue's report: the 0.1.0 WASI project loses its target for the defaults."""
    clone = version_gated(tagless, tmp_path / "crossflake")
    project = generate_at(clone, OLD_WASI, tmp_path / "project")

    result = copier_update(project)

    assert result.returncode == 0, result.stderr
    assert "No git tags found in template" in result.stderr
    assert saved_answers(project)["targets"] == DEFAULT_TARGETS


# -- the migration on its own: fast, no update ---------------------------------


def write_answers(folder: Path, body: str) -> Path:
    """An answers file as copier writes it."""
    path = folder / ".copier-answers.yml"
    path.write_text(
        "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
        f"_commit: 408938d\n_src_path: /somewhere/crossflake\n{body}",
        encoding="utf-8",
    )
    return path


def before_update(folder: Path, *options: str) -> int:
    """The before-update migration against the work tree, as copier.yml runs it."""
    return run_migration(
        ["before-update", f"--project={folder}", f"--template={TEMPLATE_ROOT}", *options]
    )


def test_a_stop_writes_nothing_even_when_a_rename_applied(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Renames are applied in memory: a refused answer leaves the file byte for byte."""
    path = write_answers(tmp_path, "targets: [x86_64-linux, wasm32-wasi]\ntoolchain: 1.085.0\n")
    before = path.read_bytes()

    assert before_update(tmp_path) == 1

    assert path.read_bytes() == before
    err = capfd.readouterr().err
    assert 'toolchain: saved value "1.085.0"' in err
    assert "targets" not in err.split("Fix:")[0]  # renamed, so accepted


def test_an_unknown_target_is_named_and_the_fix_keeps_the_others(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    write_answers(tmp_path, "targets: [x86_64-linux, sparc-linux, wasm32-wasi]\n")

    assert before_update(tmp_path) == 1

    err = capfd.readouterr().err
    assert 'targets: saved value ["x86_64-linux", "sparc-linux", "wasm32-wasi"]' in err
    assert "'sparc-linux' is not in" in err
    assert """--data 'targets=["x86_64-linux", "wasm32-wasip1"]'""" in err


def test_every_refused_answer_is_listed(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    write_answers(tmp_path, "license: WTFPL\ntoolchain: 1.085.0\n")

    assert before_update(tmp_path) == 1

    err = capfd.readouterr().err
    assert 'license: saved value "WTFPL"' in err
    assert 'toolchain: saved value "1.085.0"' in err
    assert "choose one of: MIT OR Apache-2.0, MIT," in err


def test_an_answer_given_for_this_update_replaces_the_saved_one(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """`copier update --data toolchain=1.85.0` is the documented fix: it must pass."""
    path = write_answers(tmp_path, "targets: [x86_64-linux, wasm32-wasi]\ntoolchain: 1.085.0\n")

    assert before_update(tmp_path, '--given-json={"toolchain": "1.85.0"}') == 0

    answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert answers["targets"] == ["x86_64-linux", "wasm32-wasip1"]
    assert answers["toolchain"] == "1.085.0"  # copier writes the given one afterwards
    assert "renamed targets: wasm32-wasi -> wasm32-wasip1" in capfd.readouterr().out


def test_accepted_answers_are_left_byte_for_byte(tmp_path: Path) -> None:
    path = write_answers(tmp_path, "targets: [x86_64-linux, wasm32-wasip1]\n")
    before = path.read_bytes()
    assert before_update(tmp_path) == 0
    assert path.read_bytes() == before


def test_copier_messages_are_read_and_unknown_ones_kept_whole() -> None:
    choice = parse_refusal("Invalid choice for 'targets': 'a' is not in ['b', 'c']")
    assert choice == Refusal("targets", "'a' is not in ['b', 'c']", ("b", "c"))
    validator = parse_refusal("Validation error for question 'glibc': write 2.17")
    assert validator == Refusal("glibc", "write 2.17")
    assert parse_refusal("something new") == Refusal(None, "something new")
    assert "copier says: something new" in report(
        ".copier-answers.yml", {}, [Refusal(None, "something new")]
    )


def test_the_fix_command_is_quoted_for_the_shell() -> None:
    option = data_option("description", "it's mine")
    assert (
        subprocess.run(
            ["sh", "-c", f"printf %s {option}"], capture_output=True, text=True, check=True
        ).stdout
        == "--datadescription=it's mine"
    )
