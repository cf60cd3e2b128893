"""Rung 0: the post-generate task (hooks/post_generate.py) makes generated
files visible to Nix, and behaves on every path it can run on.

Flakes in a git work tree only see tracked files, so the task must leave every
generated file tracked, and only those. It must be idempotent (copier update
runs it three times), never fail in update's temporary non-git copies, keep
out of a user's unrelated files, and explain a missing git instead of
crashing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import TEMPLATE_ROOT, render

HOOK = TEMPLATE_ROOT / "hooks" / "post_generate.py"


def run_hook(
    project: Path, operation: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the task as copier does: its own Python, in the project folder."""
    return subprocess.run(
        [sys.executable, str(HOOK), f"--operation={operation}", f"--template={TEMPLATE_ROOT}"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def tracked(project: Path) -> set[str]:
    return set(git(project, "ls-files").split())


def project_files(project: Path) -> set[str]:
    return {
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def test_copy_creates_a_repository_tracking_every_generated_file(tmp_path: Path) -> None:
    project = render(tmp_path / "fresh", {"crate_name": "fresh"}, run_tasks=True)
    assert (project / ".git").is_dir()
    assert tracked(project) == project_files(project)


def test_running_the_task_again_changes_nothing(tmp_path: Path) -> None:
    project = render(tmp_path / "again", {"crate_name": "again"}, run_tasks=True)
    before = git(project, "ls-files", "--stage")
    result = run_hook(project, "copy")
    assert result.returncode == 0, result.stderr
    assert git(project, "ls-files", "--stage") == before


def test_one_message_after_a_copy_names_every_target_command(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The next steps are copier's `_message_after_copy`, from includes/commands.jinja
    like PLATFORMS.md's: printed once, after the task, with commands and no placeholder."""
    answers = {"crate_name": "steps", "hosts": ["x86_64-linux", "aarch64-darwin"]}
    render(tmp_path / "steps", answers, run_tasks=True, quiet=False)
    message = capfd.readouterr().err
    assert message.count("Created steps in ") == 1
    assert message.count("Next steps:") == 1
    for triple in (
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-pc-windows-gnu",
    ):
        assert f"nix build .#{triple}" in message
        assert f"nix run .#{triple} (on x86_64-linux)" in message
        assert f"cargo-zigbuild test --target {triple}" in message
    assert "<" not in message.split("Next steps:")[1], "no placeholder such as <crate>"
    platforms = (tmp_path / "steps" / "PLATFORMS.md").read_text(encoding="utf-8")
    assert "`nix run .#x86_64-pc-windows-gnu` (on x86_64-linux)" in platforms


def test_a_library_gets_library_commands_everywhere(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A library has no program: neither the message nor PLATFORMS.md offers to run one."""
    render(
        tmp_path / "lib",
        {"crate_name": "lib-only", "crate_type": "lib"},
        run_tasks=True,
        quiet=False,
    )
    message = capfd.readouterr().err
    platforms = (tmp_path / "lib" / "PLATFORMS.md").read_text(encoding="utf-8")
    assert "a library: each build proves it compiles" in message
    assert "compile check (library)" in platforms
    for text in (message, platforms):
        assert "nix run" not in text and "result/bin" not in text
    assert "cargo-zigbuild test --target aarch64-unknown-linux-musl" in message


def test_inside_an_enclosing_repository_files_are_added_there(tmp_path: Path) -> None:
    outer = tmp_path / "monorepo"
    outer.mkdir()
    git(outer, "init", "--quiet")
    (outer / "notes.txt").write_text("the user's own untracked file\n")
    project = render(outer / "crates" / "tool", {"crate_name": "tool"}, run_tasks=True)
    assert not (project / ".git").exists(), "no nested repository"
    in_outer = tracked(outer)
    assert {f"crates/tool/{name}" for name in project_files(project)} <= in_outer
    assert "notes.txt" not in in_outer, "the user's other files are left alone"


def test_update_in_a_folder_outside_git_does_nothing_and_succeeds(tmp_path: Path) -> None:
    project = render(tmp_path / "temporary", {"crate_name": "temporary"})
    result = run_hook(project, "update")
    assert result.returncode == 0, result.stderr
    assert not (project / ".git").exists(), "update never creates a repository"


def test_update_adds_new_files_but_leaves_changed_ones_unstaged(tmp_path: Path) -> None:
    project = render(tmp_path / "updated", {"crate_name": "updated"}, run_tasks=True)
    # As if .envrc and nix/ were new in this template release (nix/ was, for a
    # project made before the flake was split): on disk, unknown to git.
    git(project, "rm", "--cached", "--quiet", ".envrc")
    git(project, "rm", "--cached", "-r", "--quiet", "nix")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "start")
    with (project / "flake.nix").open("a") as flake:
        flake.write("# a user's edit, possibly holding conflict markers\n")
    result = run_hook(project, "update")
    assert result.returncode == 0, result.stderr
    status = git(project, "status", "--porcelain")
    assert "A  .envrc" in status, "a file new to git is added"
    for nix_file in sorted(project.glob("nix/*.nix")):
        # crossflake's files and the user's nix/local.nix, created on this update.
        assert f"A  nix/{nix_file.name}" in status, nix_file.name
    assert " M flake.nix" in status, "a changed file stays for the user to review"


def test_missing_git_is_explained_not_a_traceback(tmp_path: Path) -> None:
    project = render(tmp_path / "nogit", {"crate_name": "nogit"})
    python_only = tmp_path / "bin"
    python_only.mkdir()
    (python_only / "python3").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(python_only)}
    result = run_hook(project, "copy", env=env)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert "git is not installed" in result.stderr
    assert "git init && git add -A" in result.stderr
    assert not (project / ".git").exists()


def test_adopting_a_crate_outside_git_tracks_the_crates_own_files(tmp_path: Path) -> None:
    """A repository the task creates holds the whole project: the flake must see
    an adopted crate's src/bin/*.rs and build.rs, not only generated files."""
    crate = tmp_path / "existing"
    (crate / "src" / "bin").mkdir(parents=True)
    (crate / "src" / "bin" / "extra.rs").write_text("fn main() {}\n")
    (crate / "build.rs").write_text("fn main() {}\n")
    (crate / "target").mkdir()
    (crate / "target" / "junk").write_text("build output\n")
    render(crate, {"crate_name": "existing"}, run_tasks=True)
    in_git = tracked(crate)
    assert {"src/bin/extra.rs", "build.rs", "flake.nix", "nix/local.nix", "PLATFORMS.md"} <= in_git
    assert "target/junk" not in in_git, "the generated .gitignore keeps build output out"
