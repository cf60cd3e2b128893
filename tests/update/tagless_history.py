"""The template as users really get it: a clone of main without tags, plus the work tree.

crossflake is published as its main branch; release tags do not travel with
it. Copier then versions every commit `0.0.0.post<N>.dev0+<hash>`. The
tagless update tests generate projects at real commits of this repository's
history (never copies of old files kept in the tests) and update them to a
last commit holding the current work tree, uncommitted edits included.

Which earlier states a user can hold, found from CHANGELOG.md and `git log`:

* 0.1.0: the first release. CHANGELOG.md appeared in 46cc342, whose
  `[0.1.0]` section describes the template *before* that commit (46cc342
  starts "[Unreleased] to be tagged v0.2.0", with the wasm32-wasi rename), so
  0.1.0's content is 46cc342's parent, 408938d: the catalog still says
  `wasm32-wasi` there, as in the issue's reproduction.
* 46cc342: the first commit after 0.1.0, the first with `_migrations`.
* 0.2.0: b591f90, "Release 0.2.0 in CHANGELOG".
* 5126c2c: between 0.2.0 and now (merge of issue 15: the `ci` questions).
* 4ed88e1: the last commit with the whole flake in one flake.nix (issue 25
  split it into nix/ and the user's nix/local.nix).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support import IN_CI, TEMPLATE_ROOT
from template_history import clone_without_tags, git, sync_work_tree


@dataclass(frozen=True)
class EarlierState:
    """A commit a project may have been generated from, with a user's answers there.

    `answers` are given at generation; `expected` is what the answers file
    must hold after updating to the work tree (the answers, renamed where a
    release renamed a value, as CHANGELOG.md documents).
    """

    name: str
    commit: str
    answers: dict[str, Any]
    expected: dict[str, Any] = field(default_factory=dict)
    # Also updated at the prompts (a pty session costs ~10 s more than --defaults;
    # the release commits get it, the commits between releases only --defaults).
    interactive: bool = False

    def after_update(self) -> dict[str, Any]:
        """The answers the updated project must keep."""
        return {**self.answers, **self.expected}


EARLIER_STATES = [
    EarlierState(
        "0.1.0",
        "408938d",
        {
            "crate_name": "first-tool",
            "license": "MIT",
            "edition": "2021",
            "hosts": ["x86_64-linux"],
            "targets": ["x86_64-linux", "wasm32-wasi"],
            "linking": "dynamic",
            "glibc": "2.28",
        },
        expected={"targets": ["x86_64-linux", "wasm32-wasip1"]},
        interactive=True,
    ),
    EarlierState(
        "after-0.1.0",
        "46cc342",
        {
            "crate_name": "second-tool",
            "crate_type": "lib",
            "hosts": ["x86_64-linux", "aarch64-linux"],
            "targets": ["x86_64-linux", "aarch64-linux", "wasm32-wasip1"],
            "toolchain": "1.85.0",
        },
    ),
    EarlierState(
        "0.2.0",
        "b591f90",
        {
            "crate_name": "third-tool",
            "description": "Third tool, kept through updates",
            "hosts": ["x86_64-linux"],
            "targets": ["x86_64-linux", "armv7-linux", "x86_64-windows"],
            "nixpkgs_branch": "nixos-unstable",
        },
        interactive=True,
    ),
    EarlierState(
        "after-0.2.0",
        "5126c2c",
        {
            "crate_name": "fourth-tool",
            "hosts": ["x86_64-linux"],
            "targets": ["x86_64-linux", "i686-linux"],
            "ci": "none",
        },
    ),
    EarlierState(
        "one-file-flake",
        "4ed88e1",
        {
            "crate_name": "fifth-tool",
            "hosts": ["x86_64-linux", "aarch64-linux"],
            "targets": ["x86_64-linux", "aarch64-linux", "wasm32-wasip1"],
            "linking": "static",
            "ci": "github",
        },
    ),
]


@dataclass(frozen=True)
class TaglessClone:
    """A tagless clone of the repository whose last commit is the work tree."""

    root: Path
    head: str  # the work tree's commit, full hash

    def commit_of(self, short: str) -> str:
        """The full hash of a commit of the real history (copier's `--vcs-ref`)."""
        return git(self.root, "rev-parse", "--verify", f"{short}^{{commit}}").strip()


def require_history(commits: list[str]) -> None:
    """Skip (fail in CI) when this checkout lacks the commits, as a shallow clone does."""
    missing = [
        commit
        for commit in commits
        if subprocess.run(
            ["git", "cat-file", "-e", f"{commit}^{{commit}}"],
            cwd=TEMPLATE_ROOT,
            capture_output=True,
            check=False,
        ).returncode
    ]
    if missing:
        message = (
            f"this checkout lacks commits {missing} of crossflake's history (a shallow "
            "clone?): the tagless update tests generate projects at them; "
            "`git fetch --unshallow` first"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def build_tagless_clone(clone: Path) -> TaglessClone:
    """`git clone --no-tags` of this repository, every tag gone, the work tree committed on top."""
    require_history([state.commit for state in EARLIER_STATES])
    clone_without_tags(clone)
    sync_work_tree(clone)
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "--allow-empty", "-m", "crossflake: the current work tree")
    assert git(clone, "tag", "--list").strip() == "", "the clone must have no tags"
    return TaglessClone(clone, git(clone, "rev-parse", "HEAD").strip())


def variant(clone: TaglessClone, destination: Path, copier_yml: str, message: str) -> TaglessClone:
    """A copy of the clone with one more commit: copier.yml replaced (for controls)."""
    shutil.copytree(clone.root, destination)
    (destination / "copier.yml").write_text(copier_yml, encoding="utf-8")
    git(destination, "add", "-A")
    git(destination, "commit", "--quiet", "-m", message)
    return TaglessClone(destination, git(destination, "rev-parse", "HEAD").strip())
