"""A throwaway clone of the template with a release history of its own.

`copier update` only moves between PEP 440 tags of a git template, and CI
clones main without tags, so the update tests cannot rely on the real
history. They build one: a clone of the repository whose files are replaced
by the current work tree (uncommitted edits included, so the tests test what
is on disk), then

* v0.1.0: the work tree with scripted edits that undo this release's changes
  (the real one, platform id wasm32-wasi, plus simulated template fixes in
  the files users also edit: nix/outputs.nix, .cargo/config.toml,
  rust-toolchain.toml, a template file that did not exist yet, and the
  user's own nix/local.nix, whose new wording an update must not bring in);
* v0.2.0: the work tree as it is.

Every scripted edit names the text it expects; when another change to the
template removes that text, building the history fails with a message
naming the edit to adapt, instead of tests passing without a real update.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from support import TEMPLATE_ROOT

OLD = "v0.1.0"
NEW = "v0.2.0"

# Identity for commits in throwaway repositories (tests never use the user's).
GIT_IDENTITY = [
    "-c",
    "user.name=crossflake tests",
    "-c",
    "user.email=tests@crossflake.invalid",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "tag.gpgsign=false",
]

# The template of .cargo/config.toml (or .cargo/crossflake.toml beside a crate's own).
CARGO_SETTINGS_TEMPLATE = "template/.cargo/{{ cargo_settings }}.jinja"

# The first line v0.1.0's .cargo/config.toml had (v0.2.0 reworded it).
OLD_CARGO_CONFIG_FIRST_LINE = "# crossflake 0.1.0: per-target settings for cargo-zigbuild."


@dataclass(frozen=True)
class Edit:
    """Replace `new` (the work tree's text) by `old` (what v0.1.0 had) in one file."""

    path: str
    new: str
    old: str
    why: str


# From the current work tree back to v0.1.0.
BACK_TO_0_1_0 = [
    Edit(
        "catalog/targets.yml",
        "\n  wasm32-wasip1:\n",
        "\n  wasm32-wasi:\n",
        "0.1.0 named the WASI platform wasm32-wasi (the migration renames it)",
    ),
    Edit(
        "template/nix/outputs.nix.jinja",
        "formatter = pkgs.nixfmt;",
        "formatter = pkgs.nixfmt-rfc-style;",
        "simulated fix: nixpkgs renamed nixfmt-rfc-style to nixfmt",
    ),
    Edit(
        "template/nix/local.nix.jinja",
        "  # Tools only for `nix develop`.\n",
        "  # Tools for the dev shell.\n",
        "simulated rewording of the user's file, which an update must not bring in",
    ),
    Edit(
        "template/rust-toolchain.toml.jinja",
        '"rust-src", "rust-analyzer"]',
        '"rust-src"]',
        "simulated fix: rustup users get rust-analyzer like the dev shell",
    ),
]

# A template file that v0.1.0 did not have: the update must add it (and the
# post-generate task must `git add` it).
ADDED_IN_0_2_0 = "template/.envrc"


def git(cwd: Path, *args: str) -> str:
    """Run git with the test identity; fail loudly with git's own message."""
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)} failed in {cwd}:\n{result.stderr}"
    return result.stdout


def work_tree_files() -> list[str]:
    """Files of the work tree that git would see: tracked and untracked, not ignored."""
    listing = git(TEMPLATE_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted(
        {path for path in listing.split("\0") if path and (TEMPLATE_ROOT / path).is_file()}
    )


def sync_work_tree(clone: Path) -> None:
    """Make the clone's files exactly the work tree's (deleted files go too)."""
    for tracked in git(clone, "ls-files", "-z").split("\0"):
        if tracked:
            (clone / tracked).unlink(missing_ok=True)
    for path in work_tree_files():
        target = clone / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(TEMPLATE_ROOT / path, target)


def apply_edit(clone: Path, edit: Edit) -> None:
    """One scripted edit, or a clear failure if the work tree moved on."""
    path = clone / edit.path
    text = path.read_text(encoding="utf-8")
    assert text.count(edit.new) == 1, (
        f"tests/update/template_history.py: {edit.path} no longer contains {edit.new!r} "
        f"exactly once ({edit.why}); adapt the edit to the new template text"
    )
    path.write_text(text.replace(edit.new, edit.old), encoding="utf-8")


def reword_first_line(path: Path, first_line: str) -> None:
    """Replace a file's first line (a comment) with the old release's wording."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines and lines[0].startswith("#"), f"{path} should start with a comment line"
    lines[0] = first_line + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def commit_and_tag(clone: Path, tag: str, message: str) -> None:
    """Commit everything and tag it (an annotated tag, as releases are)."""
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "--allow-empty", "-m", message)
    git(clone, "tag", "-a", tag, "-m", f"crossflake {tag}")


@dataclass(frozen=True)
class TemplateHistory:
    """The tagged clone: its path and its two releases."""

    root: Path
    old: str = OLD
    new: str = NEW


def clone_without_tags(clone: Path) -> None:
    """`git clone --no-tags` of this repository into `clone`, and no tag left in it (a
    local clone may still bring some), as users get the template."""
    subprocess.run(
        ["git", "clone", "--quiet", "--no-tags", str(TEMPLATE_ROOT), str(clone)],
        check=True,
        capture_output=True,
    )
    for tag in git(clone, "tag", "--list").split():
        git(clone, "tag", "-d", tag)


def build_history(clone: Path) -> TemplateHistory:
    """Clone the repository into `clone` and give it the tags v0.1.0 and v0.2.0."""
    clone_without_tags(clone)
    sync_work_tree(clone)
    for edit in BACK_TO_0_1_0:
        apply_edit(clone, edit)
    reword_first_line(clone / CARGO_SETTINGS_TEMPLATE, OLD_CARGO_CONFIG_FIRST_LINE)
    (clone / ADDED_IN_0_2_0).unlink()
    commit_and_tag(clone, OLD, "crossflake 0.1.0 (rebuilt for the update tests)")

    sync_work_tree(clone)
    commit_and_tag(clone, NEW, "crossflake 0.2.0: the current work tree")
    return TemplateHistory(clone)
