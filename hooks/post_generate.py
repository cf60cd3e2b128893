"""Post-generate task: make the generated files visible to Nix, then say what to do next.

Flakes in a git work tree only see files git tracks, so a freshly generated
project whose files are not `git add`ed fails `nix build` with a confusing
"path does not exist" error. This task therefore:

* on `copier copy`: reports how an adopted crate's Cargo.toml compares with
  the answers (hooks/adopt_check.py; silent for a fresh project); inside an
  existing repository, `git add`s exactly the
  files the template generated (never the user's other files); elsewhere it
  creates the repository and adds the whole folder (an adopted crate's own
  files included, .gitignore respected); then prints next steps;
* on `copier update`: runs three times (two temporary copies outside git, then
  the project); it only `git add`s generated files that git does not track
  yet (new files from the template), and never touches files that may hold
  conflict markers.

It runs offline, never prompts, is safe to run twice, and a missing git is
reported as a message, not a traceback. Copier runs it with its own Python,
so it uses only the standard library plus Jinja2 and PyYAML (copier's own
dependencies).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from adopt_check import main as adopt_check
from generated_files import generated_paths, read_answers
from next_steps import next_steps

from catalog import resolve_targets


def run_git(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run git in the project, capturing output (git never prompts here)."""
    return subprocess.run(
        ["git", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def inside_work_tree(project: Path) -> bool:
    """True when the project is inside a git work tree (its own or an enclosing one)."""
    result = run_git(project, "rev-parse", "--is-inside-work-tree")
    return result.returncode == 0 and result.stdout.strip() == "true"


def untracked(project: Path, paths: list[str]) -> list[str]:
    """The subset of paths git does not track yet."""
    result = run_git(project, "ls-files", "-z", "--", *paths)
    tracked = set(filter(None, result.stdout.split("\0")))
    return [path for path in paths if path not in tracked]


def git_add(project: Path, paths: list[str]) -> None:
    """Stage paths; a failure is reported with git's own words."""
    if not paths:
        return
    result = run_git(project, "add", "--", *paths)
    if result.returncode != 0:
        raise SystemExit(
            f"crossflake: `git add` failed in {project}:\n{result.stderr.strip()}\n"
            "Add the generated files yourself (git add -A): flakes only see tracked files."
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operation", choices=["copy", "update"], required=True)
    parser.add_argument("--template", type=Path, required=True)
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--project", type=Path, default=Path.cwd())
    options = parser.parse_args(argv)

    project: Path = options.project.resolve()
    answers = read_answers(project, options.answers_file)
    paths = [
        path
        for path in generated_paths(options.template, answers, options.answers_file)
        if (project / path).exists()
    ]

    if shutil.which("git") is None:
        print(
            "crossflake: git is not installed, so the generated files are not tracked.\n"
            "Nix flakes only see files that git tracks: install git, then run\n"
            f"  cd {project} && git init && git add -A",
            file=sys.stderr,
        )
        return 0

    if options.operation == "copy":
        # Adopting an existing crate: compare its Cargo.toml with the answers
        # (read-only, never fails), before git sees anything.
        adopt_check(
            [
                f"--template={options.template}",
                f"--answers-file={options.answers_file}",
                f"--project={project}",
            ]
        )
        if inside_work_tree(project):
            # An existing repository (adopting a crate, or a monorepo): stage only
            # what was generated; the user's other files are theirs to manage.
            git_add(project, paths)
        else:
            # A repository created here holds the whole project: that includes an
            # adopted crate's own files (src/bin/*, build.rs...), which the flake
            # must see too.
            result = run_git(project, "init", "--quiet")
            if result.returncode != 0:
                raise SystemExit(f"crossflake: `git init` failed in {project}:\n{result.stderr}")
            git_add(project, ["."])
        build_targets = resolve_targets(options.template, answers)
        print(next_steps(project, build_targets, answers["crate_name"]))
    elif inside_work_tree(project):
        # Update: only new files; changed ones stay for the user to review.
        git_add(project, untracked(project, paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
