"""Changing an answer on `copier update` (`--data targets=...`) keeps the three build files in step.

nix/targets.nix's records, rust-toolchain.toml's `targets` list and
.cargo/config.toml's `[target.<triple>]` sections are three views of one
answer. After an update that adds and removes platforms (or switches Linux
linking), all three must name exactly the resolved triples, the dev shell
must carry exactly the needed runners, and the user's own edits to those
files must survive: merged when they sit next to unchanged lines, as inline
conflict markers when they touch a section the new answer replaces.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from project_helpers import (
    append,
    commit_all,
    conflicted_files,
    files_with_markers,
    generate,
    insert_after,
    insert_before_first,
    rejected_files,
    update,
)
from support import read_toml, resolve_targets
from template_history import TemplateHistory

pytestmark = pytest.mark.update

START = {"crate_name": "demo", "targets": ["x86_64-linux", "aarch64-linux", "x86_64-windows"]}
USER_INPUT = '    my-tools.url = "github:example/my-tools";\n'
USER_CARGO_SECTION = '\n[alias]\nxtask = "run --package xtask --"\n'


def targets_block(project: Path) -> str:
    """The flake's per-target records: nix/targets.nix."""
    return (project / "nix/targets.nix").read_text()


def flake_targets(project: Path) -> dict[str, str]:
    """The flake's `targets` records: triple -> cargoTarget."""
    pattern = r'^  (\S+) = \{\n    system = "[^"]+";\n    cargoTarget = "([^"]+)";'
    return dict(re.findall(pattern, targets_block(project), re.MULTILINE))


def dev_shell_runners(project: Path) -> set[str]:
    """The emulator packages the records name; the flake's Nix code adds to the dev shell
    each one a host runs (tests/nix/test_run_eval.py checks that logic at rung 1)."""
    return set(re.findall(r'^    emulator = "([^"]+)";', targets_block(project), re.M))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            {"targets": ["x86_64-linux", "riscv64-linux", "wasm32-wasip1"]},
            id="swap-aarch64-and-windows-for-riscv64-and-wasi",
        ),
        pytest.param(
            {"targets": ["x86_64-linux", "aarch64-linux"], "linking": "dynamic", "glibc": "2.28"},
            id="drop-windows-and-link-linux-dynamically",
        ),
    ],
)
def test_changing_answers_on_update_changes_flake_toolchain_and_cargo_config_together(
    history: TemplateHistory, project: Path, change: dict[str, Any]
) -> None:
    generate(history, project, START, history.old)
    insert_after(project / "flake.nix", "  inputs = {", USER_INPUT)
    commit_all(project, "My changes")
    before = set(flake_targets(project))

    update(project, data=change)

    assert files_with_markers(project) == [] and rejected_files(project) == []
    answers = {**START, **change}
    wanted = resolve_targets(history.root, answers)
    triples = [target["triple"] for target in wanted]
    assert flake_targets(project) == {t["triple"]: t["cargo_target"] for t in wanted}
    assert read_toml(project / "rust-toolchain.toml")["toolchain"]["targets"] == triples
    cargo_config = read_toml(project / ".cargo/config.toml")
    assert list(cargo_config["target"]) == triples
    for gone in before - set(triples):
        crossflakes_nix = [
            path.relative_to(project).as_posix()
            for path in [project / "flake.nix", *project.glob("nix/*.nix")]
            if path.name != "local.nix"  # the user's, with a commented example triple
        ]
        for name in (*crossflakes_nix, "rust-toolchain.toml", ".cargo/config.toml"):
            assert gone not in (project / name).read_text(), (gone, name)
    expected_runners = {t["emulator_package"] for t in wanted if t["emulator_package"]}
    assert dev_shell_runners(project) == expected_runners
    assert USER_INPUT in (project / "flake.nix").read_text()
    saved = (project / ".copier-answers.yml").read_text()
    for target_id in change["targets"]:
        assert f"- {target_id}\n" in saved


SWAP = {"targets": ["x86_64-linux", "riscv64-linux", "wasm32-wasip1"]}


def test_a_cargo_config_section_next_to_an_unchanged_target_merges_cleanly(
    history: TemplateHistory, project: Path
) -> None:
    """The user's [alias] sits before the first target section, which the new answer keeps."""
    generate(history, project, START, history.old)
    insert_before_first(project / ".cargo/config.toml", "[target.", USER_CARGO_SECTION[1:] + "\n")
    commit_all(project, "My alias")

    update(project, data=SWAP)

    assert files_with_markers(project) == [] and rejected_files(project) == []
    cargo_config = read_toml(project / ".cargo/config.toml")
    assert cargo_config["alias"] == {"xtask": "run --package xtask --"}
    triples = [t["triple"] for t in resolve_targets(history.root, {**START, **SWAP})]
    assert list(cargo_config["target"]) == triples


def test_a_cargo_config_section_at_the_end_survives_removing_the_last_target(
    history: TemplateHistory, project: Path
) -> None:
    """Appended at the end, below the template's closing marker line, right after the
    last target section, which the new answer removes: the marker never changes, so
    git places the user's lines without a conflict."""
    generate(history, project, START, history.old)
    config = project / ".cargo/config.toml"
    assert config.read_text().rstrip().splitlines()[-1].startswith("# Settings of your own")
    append(config, USER_CARGO_SECTION)
    commit_all(project, "My alias")

    update(project, data=SWAP)

    assert files_with_markers(project) == []
    assert conflicted_files(project) == []
    text = config.read_text()
    assert text.endswith(USER_CARGO_SECTION)  # the user's section, kept in place
    assert "[target.x86_64-pc-windows-gnu]" not in text  # the removed target's section
    assert "[target.wasm32-wasip1]" in text  # the added target's section
    assert rejected_files(project) == []
