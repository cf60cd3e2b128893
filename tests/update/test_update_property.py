"""`copier update` as a property: a user's lines are never lost.

A project is generated at a release (v0.1.0 or v0.2.0 of the tagged clone,
tests/update/template_history.py) from a random valid answer set and
committed. The user then inserts a few lines of their own into random
places of random generated files and commits, and updates to v0.2.0 with a
random change of answers (any of the crate's identity, its free text, its
licence, or the whole platform choice). Afterwards:

* every inserted line is still in its file: merged, or inside inline
  conflict markers where the template changed the same lines; only a file
  that the new answers no longer generate (checked by generating them
  afresh) may be gone, with the line (a program's nix/apps.nix after a
  switch to a library: lasting additions belong in nix/local.nix);
* no hunk was rejected into a `.rej` file;
* the answers file holds the new answers (migrated from v0.1.0 when needed).

Each example costs a copy and an update (three renders and the task each
time), so the example count is small; the answer space is explored by the
render properties in tests/render/test_properties.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from answer_space import examples, has_linux, saved_answers, valid_answers
from hypothesis import given, settings
from hypothesis import strategies as st
from project_helpers import commit_all, generate, rejected_files, tracked, update
from template_history import BACK_TO_0_1_0, TemplateHistory

pytestmark = pytest.mark.update

# Target ids the old release spelled differently, read from the history's own edits
# (its catalog edit turns "  <new id>:" back into "  <old id>:").
OLD_TARGET_IDS = {
    edit.new.strip().rstrip(":"): edit.old.strip().rstrip(":")
    for edit in BACK_TO_0_1_0
    if edit.path == "catalog/targets.yml"
}

# Answers that change together: the platform answers constrain each other
# (macOS targets need a macOS host, the toolchain minimum depends on targets).
ANSWER_GROUPS = [
    ("crate_name", "crate_type"),
    ("description",),
    ("author",),
    ("license",),
    (
        "hosts",
        "darwin_from_linux",
        "nixpkgs_branch",
        "targets",
        "linking",
        "glibc",
        "toolchain",
        "edition",
    ),
]

COMMENT = {".nix": "# ", ".toml": "# ", ".rs": "// ", ".md": "", ".envrc": "# ", ".gitignore": "# ",
           ".yml": "# ", ".sh": "# ", ".ps1": "# "}  # fmt: skip
# Generated files a user does not edit by hand: copier's own record and Cargo's lock file.
NOT_EDITED = {".copier-answers.yml", "Cargo.lock"}


def at_release(answers: dict[str, Any], ref: str, history: TemplateHistory) -> dict[str, Any]:
    """The answers as the release `ref` spells its target ids."""
    if ref != history.old:
        return answers
    return {**answers, "targets": [OLD_TARGET_IDS.get(t, t) for t in answers["targets"]]}


def comment_prefix(name: str) -> str:
    """How a line of the user's reads in this file (the edit stays idiomatic)."""
    suffix = Path(name).suffix or Path(name).name
    return COMMENT[suffix]


@st.composite
def answer_change(draw: st.DrawFn, before: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the --data of the update, the answers after it): some groups of answers redrawn."""
    redrawn = draw(valid_answers(text_size=10))
    groups = draw(st.lists(st.sampled_from(ANSWER_GROUPS), min_size=1, unique=True))
    keys = {key for group in groups for key in group}
    after = {key: value for key, value in before.items() if key not in keys}
    after.update({key: value for key, value in redrawn.items() if key in keys})
    data = {key: after[key] for key in keys if key in after}
    # `images` depends on two groups (a program, a Linux target): it is saved exactly when
    # both hold afterwards, and given explicitly then, since the start may predate it.
    if after["crate_type"] == "bin" and has_linux(after["targets"]):
        after["images"] = after.get("images", redrawn.get("images", True))
        data["images"] = after["images"]
    else:
        after.pop("images", None)
    return data, after


@settings(max_examples=examples(12))
@given(data=st.data())
def test_update_never_loses_a_users_line(
    history: TemplateHistory, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    project = tmp_path_factory.mktemp("property") / "demo"
    start = data.draw(st.sampled_from([history.old, history.new]), label="start")
    before = data.draw(valid_answers(text_size=10), label="before")
    generate(history, project, at_release(before, start, history), start)

    editable = sorted(name for name in tracked(project) if name not in NOT_EDITED)
    edits: list[tuple[str, str]] = []
    for number in range(data.draw(st.integers(1, 4), label="edits")):
        name = data.draw(st.sampled_from(editable), label="file")
        path = project / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = data.draw(st.integers(0, len(lines)), label="line")
        mine = f"{comment_prefix(name)}my own line {number}, kept by every update"
        lines.insert(at, mine + "\n")
        path.write_text("".join(lines), encoding="utf-8")
        edits.append((name, mine))
    commit_all(project, "My changes")

    change, after = data.draw(answer_change(before), label="answer change")
    update(project, data=change)

    for name, mine in edits:
        path = project / name
        if not path.is_file():
            # Only a file of crossflake's that the new answers no longer generate may go (a
            # program's nix/apps.nix after a switch to a library): it goes with the user's
            # line in it, which is why lasting additions belong in nix/local.nix.
            fresh = tmp_path_factory.mktemp("fresh") / "demo"
            generate(history, fresh, after, history.new)
            assert name not in tracked(fresh), f"the update removed {name}, holding {mine!r}"
            continue
        assert mine in path.read_text(encoding="utf-8").splitlines(), f"{name} lost {mine!r}"
    assert rejected_files(project) == []
    saved = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert {k: v for k, v in saved.items() if not k.startswith("_")} == saved_answers(after)
