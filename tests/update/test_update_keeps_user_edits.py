"""`copier update` from v0.1.0 to v0.2.0 brings the template's fixes and keeps the user's work.

A user generates at v0.1.0, commits, then edits the same generated files the
next release changes (nix/outputs.nix, .cargo/config.toml), flake.nix's
inputs, their own nix/local.nix (whose template wording the next release also
changes) and their own code, and updates. Edits on other lines merge cleanly;
an edit on a line the template also changed becomes inline conflict markers,
never a silent loss; nix/local.nix is never rewritten, so an addition there
never conflicts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from project_helpers import (
    CONFLICT_END,
    CONFLICT_START,
    append,
    commit_all,
    conflicted_files,
    files_with_markers,
    generate,
    insert_after,
    rejected_files,
    render_plain,
    replace_once,
    tracked,
    update,
)
from template_history import OLD_CARGO_CONFIG_FIRST_LINE, TemplateHistory, git

pytestmark = pytest.mark.update

ANSWERS = {"crate_name": "demo"}

# The user's edits, each on lines the template does not change.
FLAKE_INPUT = (
    "    # My own input: git hooks for the repository.\n"
    '    git-hooks.url = "github:cachix/git-hooks.nix";\n'
)
LOCAL_DEV_TOOLS = "    # My own tools.\n    pkgs.just\n"
OUTPUTS_NOTE = "  # My own note: one line in crossflake's own file.\n"
CARGO_CONFIG_ALIAS = '\n# My own alias.\n[alias]\nxtask = "run --package xtask --"\n'
CARGO_TOML_EXTRA = "\n[profile.release]\nlto = true\n"
MAIN_RS = 'mod cli;\n\nfn main() {\n    println!("{}", cli::banner());\n}\n'
CLI_RS = 'pub fn banner() -> &\'static str {\n    "my own program"\n}\n'


def edit_like_a_user(project: Path) -> None:
    """Own code, an extra flake input, a dev-shell package in nix/local.nix, a note in a
    crossflake file, Cargo metadata, a cargo alias."""
    insert_after(project / "flake.nix", "  inputs = {", FLAKE_INPUT)
    insert_after(project / "nix/local.nix", "  devShellPackages = [", LOCAL_DEV_TOOLS)
    insert_after(project / "nix/outputs.nix", "  targets = import ./targets.nix;", OUTPUTS_NOTE)
    append(project / ".cargo/config.toml", CARGO_CONFIG_ALIAS)
    insert_after(project / "Cargo.toml", "license = ", 'repository = "https://example.com/demo"\n')
    append(project / "Cargo.toml", CARGO_TOML_EXTRA)
    (project / "src/main.rs").write_text(MAIN_RS, encoding="utf-8")
    (project / "src/cli.rs").write_text(CLI_RS, encoding="utf-8")


def test_update_keeps_every_user_edit_and_lands_every_template_fix(
    history: TemplateHistory, project: Path, tmp_path: Path
) -> None:
    generate(history, project, ANSWERS, history.old)
    assert (project / ".cargo/config.toml").read_text().startswith(OLD_CARGO_CONFIG_FIRST_LINE)
    edit_like_a_user(project)
    commit_all(project, "My changes")
    users_cargo_toml = (project / "Cargo.toml").read_bytes()
    users_local_nix = (project / "nix/local.nix").read_bytes()
    assert b"# Tools for the dev shell." in users_local_nix  # v0.1.0's wording

    update(project)

    assert files_with_markers(project) == []
    assert rejected_files(project) == []
    # The template's files are exactly the new release plus the user's edits.
    reference = render_plain(history, tmp_path / "reference", ANSWERS)
    insert_after(reference / "flake.nix", "  inputs = {", FLAKE_INPUT)
    insert_after(reference / "nix/outputs.nix", "  targets = import ./targets.nix;", OUTPUTS_NOTE)
    append(reference / ".cargo/config.toml", CARGO_CONFIG_ALIAS)
    generated = ["flake.nix", ".cargo/config.toml", "rust-toolchain.toml", ".envrc"]
    nix_files = sorted(
        path.relative_to(reference).as_posix()
        for path in reference.glob("nix/**/*")
        if path.is_file()
    )
    for name in [*generated, *nix_files]:
        if name != "nix/local.nix":
            assert (project / name).read_text() == (reference / name).read_text(), name
    # The fixes themselves, spelled out.
    assert "formatter = pkgs.nixfmt;" in (project / "nix/outputs.nix").read_text()
    assert '"rust-analyzer"]' in (project / "rust-toolchain.toml").read_text()
    assert OLD_CARGO_CONFIG_FIRST_LINE not in (project / ".cargo/config.toml").read_text()
    # The user's own files: untouched, byte for byte.
    assert (project / "Cargo.toml").read_bytes() == users_cargo_toml
    # nix/local.nix is the user's: as they left it, the template's new wording not merged in.
    assert (project / "nix/local.nix").read_bytes() == users_local_nix
    assert (project / "src/main.rs").read_text() == MAIN_RS
    assert (project / "src/cli.rs").read_text() == CLI_RS
    assert "_commit: v0.2.0" in (project / ".copier-answers.yml").read_text()


def test_update_stages_only_new_template_files_for_the_flake(
    history: TemplateHistory, project: Path
) -> None:
    """The post-generate task `git add`s .envrc (new in v0.2.0), so the flake sees it,
    and leaves changed files unstaged for the user to review."""
    generate(history, project, ANSWERS, history.old)
    assert not (project / ".envrc").exists()

    update(project)

    assert ".envrc" in tracked(project)
    staged = git(project, "diff", "--cached", "--name-only").split()
    assert staged == [".envrc"]
    unstaged = set(git(project, "diff", "--name-only").split())
    assert {"nix/outputs.nix", "rust-toolchain.toml", ".cargo/config.toml"} <= unstaged


def test_update_shows_a_conflict_inline_when_user_and_template_change_the_same_line(
    history: TemplateHistory, project: Path
) -> None:
    generate(history, project, ANSWERS, history.old)
    replace_once(
        project / "nix/outputs.nix",
        "formatter = pkgs.nixfmt-rfc-style;",
        "formatter = pkgs.alejandra; # my formatter",
    )
    insert_after(project / "nix/outputs.nix", "  targets = import ./targets.nix;", OUTPUTS_NOTE)
    commit_all(project, "Use alejandra")

    update(project)

    flake = (project / "nix/outputs.nix").read_text()
    assert CONFLICT_START in flake and CONFLICT_END in flake
    conflict = flake[flake.index(CONFLICT_START) : flake.index(CONFLICT_END)]
    assert "formatter = pkgs.alejandra; # my formatter" in conflict  # the user's line
    assert "formatter = pkgs.nixfmt;" in conflict  # the template's line
    assert OUTPUTS_NOTE in flake  # the rest of the user's edits merged as usual
    assert conflicted_files(project) == ["nix/outputs.nix"]
    assert files_with_markers(project) == ["nix/outputs.nix"]
    assert rejected_files(project) == []
