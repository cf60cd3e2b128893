"""The 0.2.0 rename: saved answers naming `wasm32-wasi` become `wasm32-wasip1`.

On the tagged throwaway history (template_history.py); test_tagless_updates.py
covers the clone without tags that users have. The rename carries no
`version:` and runs on every update (hooks/migrations.py).

Rust renamed the wasm32-wasi target to wasm32-wasip1 and added wasm32-wasip2,
so 0.2.0 renames the catalog's platform id. Without a migration, copier
treats the saved `wasm32-wasi` as an invalid choice and silently replaces the
whole `targets` answer with the defaults: the project loses its WASI build
and gains platforms nobody chose. These tests prove both halves.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from migrations import main as run_migration
from project_helpers import files_with_markers, generate, update
from support import read_toml
from template_history import TemplateHistory, commit_and_tag

pytestmark = pytest.mark.update

WASI_ANSWERS = {"crate_name": "demo", "targets": ["x86_64-linux", "wasm32-wasi"]}
ANSWERS_FILE = ".copier-answers.yml"


def flake_triples(project: Path) -> list[str]:
    """Triples of the flake's target records (nix/targets.nix), in order."""
    records = (project / "nix/targets.nix").read_text()
    return re.findall(r"^  (\S+) = \{$", records, flags=re.MULTILINE)


def saved_targets(project: Path) -> list[str]:
    """The `targets` answer in .copier-answers.yml."""
    return yaml.safe_load((project / ANSWERS_FILE).read_text())["targets"]


def test_update_renames_the_saved_wasi_target_and_keeps_building_it(
    history: TemplateHistory, project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    generate(history, project, WASI_ANSWERS, history.old)
    assert saved_targets(project) == ["x86_64-linux", "wasm32-wasi"]
    capfd.readouterr()

    update(project)

    assert (
        "crossflake migration, .copier-answers.yml: renamed targets: wasm32-wasi -> wasm32-wasip1"
        in (capfd.readouterr().out)
    )
    assert saved_targets(project) == ["x86_64-linux", "wasm32-wasip1"]
    expected = ["x86_64-unknown-linux-musl", "wasm32-wasip1"]
    assert flake_triples(project) == expected
    assert read_toml(project / "rust-toolchain.toml")["toolchain"]["targets"] == expected
    assert list(read_toml(project / ".cargo/config.toml")["target"]) == expected
    assert files_with_markers(project) == []


@pytest.fixture
def history_without_migration(tmp_path: Path, history: TemplateHistory) -> TemplateHistory:
    """The same history plus v0.2.1: v0.2.0 with its `_migrations` switched off."""
    clone = tmp_path / "no-migration"
    shutil.copytree(history.root, clone)
    copier_yml = clone / "copier.yml"
    text = copier_yml.read_text()
    assert text.count("\n_migrations:\n") == 1
    copier_yml.write_text(text.replace("\n_migrations:\n", "\n_migrations: []\n_disabled:\n"))
    commit_and_tag(clone, "v0.2.1", "v0.2.0 without its migration")
    return TemplateHistory(clone, new="v0.2.1")


def test_without_the_migration_the_update_would_silently_replace_the_targets(
    history_without_migration: TemplateHistory, project: Path
) -> None:
    """Why the migration exists: copier drops an unknown saved choice without a word."""
    generate(history_without_migration, project, WASI_ANSWERS, history_without_migration.old)

    update(project)

    assert saved_targets(project) == ["x86_64-linux", "aarch64-linux", "x86_64-windows"]
    assert "wasm32-wasip1" not in flake_triples(project)


def write_answers(folder: Path, targets_yaml: str) -> Path:
    """An answers file as copier writes it, with the given `targets:` block."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ANSWERS_FILE
    path.write_text(
        "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
        "_commit: v0.1.0\n_src_path: /somewhere/crossflake\ncrate_name: demo\n"
        f"targets:{targets_yaml}toolchain: stable\n",
        encoding="utf-8",
    )
    return path


def test_migration_is_idempotent_and_keeps_the_answers_file_header(tmp_path: Path) -> None:
    path = write_answers(tmp_path, "\n- x86_64-linux\n- wasm32-wasi\n")
    argv = ["rename-wasm32-wasi", f"--project={tmp_path}"]

    assert run_migration(argv) == 0
    once = path.read_text()
    assert run_migration(argv) == 0

    assert path.read_text() == once
    assert once.startswith("# Changes here will be overwritten by Copier")
    assert saved_targets(tmp_path) == ["x86_64-linux", "wasm32-wasip1"]
    assert "_src_path: /somewhere/crossflake" in once


def test_migration_merges_both_spellings_into_one_target(tmp_path: Path) -> None:
    """A hand-edited answers file naming both ids keeps one wasm32-wasip1."""
    write_answers(tmp_path, " [wasm32-wasi, x86_64-linux, wasm32-wasip1]\n")
    assert run_migration(["rename-wasm32-wasi", f"--project={tmp_path}"]) == 0
    assert saved_targets(tmp_path) == ["wasm32-wasip1", "x86_64-linux"]


def test_migration_leaves_projects_without_the_old_id_byte_identical(tmp_path: Path) -> None:
    path = write_answers(tmp_path, " [x86_64-linux, wasm32-wasip1]\n")
    before = path.read_bytes()
    assert run_migration(["rename-wasm32-wasi", f"--project={tmp_path}"]) == 0
    assert path.read_bytes() == before


def test_migration_does_nothing_in_a_folder_without_answers_or_git(tmp_path: Path) -> None:
    """Copier's temporary copies are plain folders: the migration must not fail there."""
    assert run_migration(["rename-wasm32-wasi", f"--project={tmp_path}"]) == 0
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path / ".git").exists()


def test_migration_leaves_the_component_target_alone(tmp_path: Path) -> None:
    """wasm32-wasip2 is a platform of its own (a WASI 0.2 component), not a spelling of the
    old id: a saved answer naming it keeps it, beside the renamed one, in the catalog's order."""
    write_answers(tmp_path, " [wasm32-wasi, wasm32-wasip2]\n")
    assert run_migration(["rename-wasm32-wasi", f"--project={tmp_path}"]) == 0
    assert saved_targets(tmp_path) == ["wasm32-wasip1", "wasm32-wasip2"]
    # Nothing to rename: the file is left as it was.
    write_answers(tmp_path / "p2", " [wasm32-wasip2]\n")
    before = (tmp_path / "p2" / ANSWERS_FILE).read_text()
    assert run_migration(["rename-wasm32-wasi", f"--project={tmp_path / 'p2'}"]) == 0
    assert (tmp_path / "p2" / ANSWERS_FILE).read_text() == before
