"""Post-generate task: make the generated files visible to Nix, then say what to do next.

Flakes in a git work tree only see files git tracks, so a freshly generated
project whose files are not `git add`ed fails `nix build` with a confusing
"path does not exist" error. This task therefore:

* on `copier copy`: inside an existing repository, `git add`s the files the
  template generated and the user's files it would have generated that git
  does not track yet (never the user's other files, never ignored ones);
  elsewhere it creates the repository and adds the whole folder (an adopted
  crate's own files included, .gitignore respected); then reports what an
  adopted crate needs (hooks/adopt_check.py; silent for a fresh project).
  The next steps come from copier itself (`_message_after_copy`);
* on `copier update`: runs three times (two temporary copies outside git, then
  the project); it only `git add`s generated files that git does not track
  yet (new files from the template), and never touches files that may hold
  conflict markers.

It runs offline, never prompts, is safe to run twice, and never fails once
the files are written: git problems (missing git, ignored paths) are
reported as messages with the command to run, not as an exit status.
Which files are "generated" is asked from copier (hooks/template_output.py),
never worked out here. Copier runs this task with its own Python, so it uses
only the standard library, copier and PyYAML.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from adopt_check import Adoption, report_adoption
from flake_wiring import FLAKE, crossflake_flake
from template_output import files_in, read_answers, skipped_if_existing, template_output


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


def ignored(project: Path, paths: list[str]) -> list[str]:
    """The subset of paths .gitignore (or another exclude file) ignores."""
    if not paths:
        return []
    result = run_git(project, "check-ignore", "--", *paths)
    return [path for path in result.stdout.splitlines() if path]


def git_add(project: Path, paths: list[str]) -> None:
    """Stage paths, leaving out ignored ones (git would refuse the whole command).

    Never fails: the files were written, and a copy must not exit 1 over
    staging. What could not be staged is said, with the command to run.
    """
    skipped = ignored(project, paths)
    wanted = [path for path in paths if path not in skipped]
    for path in skipped:
        print(
            f"crossflake: git ignores {path}, so the flake cannot see it; if the build needs "
            f"it: git add -f {path}",
            file=sys.stderr,
        )
    if not wanted:
        return
    result = run_git(project, "add", "--", *wanted)
    if result.returncode != 0:
        print(
            f"crossflake: `git add` failed in {project}:\n{result.stderr.strip()}\n"
            f"Stage the generated files yourself (flakes only see tracked files): "
            f"git add {' '.join(wanted)}",
            file=sys.stderr,
        )


def to_stage(project: Path, users: list[str], paths: list[str]) -> list[str]:
    """What to stage in an existing repository after a copy.

    crossflake's own files always; the user's (skipped-if-existing) files only
    when git does not track them yet: a tracked Cargo.toml with unstaged edits
    is the user's business, an untracked Cargo.lock is something the flake needs.
    """
    new = set(untracked(project, paths))
    return [path for path in paths if path not in users or path in new]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operation", choices=["copy", "update"], required=True)
    parser.add_argument("--template", type=Path, required=True)
    parser.add_argument("--commit", default="", help="the template's commit (vcs_ref_hash)")
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--editions", default="", help="the offered editions, comma-separated")
    parser.add_argument("--project", type=Path, default=Path.cwd())
    options = parser.parse_args(argv)

    project: Path = options.project.resolve()
    have_git = shutil.which("git") is not None
    if not have_git:
        print(
            "crossflake: git is not installed, so the generated files are not tracked.\n"
            "Nix flakes only see files that git tracks: install git, then run\n"
            f"  cd {project} && git init && git add -A",
            file=sys.stderr,
        )
    in_repository = have_git and inside_work_tree(project)
    if options.operation == "update" and not in_repository:
        return 0  # copier's temporary copies (or no git): nothing to stage
    answers = read_answers(project, options.answers_file)
    with template_output(options.template, options.commit, answers, options.answers_file) as output:
        paths = [path for path in files_in(output) if (project / path).exists()]
        if options.operation == "update":
            # Update: only new files; changed ones stay for the user to review.
            git_add(project, untracked(project, paths))
            return 0
        created = False
        users = skipped_if_existing(options.template)  # the files that are the user's
        if in_repository:
            # An existing repository (adopting a crate, or a monorepo): stage what was
            # generated; the user's other files are theirs to manage.
            git_add(project, to_stage(project, users, paths))
        elif have_git:
            # A repository created here holds the whole project: that includes an
            # adopted crate's own files (src/bin/*, build.rs...), which the flake
            # must see too. `git add .` leaves ignored files out without failing.
            result = run_git(project, "init", "--quiet")
            created = result.returncode == 0
            if created:
                git_add(project, ["."])
            else:
                print(
                    f"crossflake: `git init` failed in {project}:\n{result.stderr}", file=sys.stderr
                )
        # A crate that kept its own flake.nix gets the lines that wire nix/ into it.
        kept_flake = None
        if FLAKE in (answers.get("kept_files") or []):
            try:
                kept_flake = crossflake_flake(
                    options.template, options.commit, answers, options.answers_file
                )
            except Exception as error:  # the report is advice: it never fails the copy
                print(f"crossflake: could not render the flake to quote: {error}", file=sys.stderr)
        # Adopting an existing crate: what to fix (read-only, never fails), after git
        # so that it can tell what git ignores.
        report_adoption(
            Adoption(
                project,
                output,
                answers,
                theirs=[*users, options.answers_file],
                editions=[edition for edition in options.editions.split(",") if edition],
                created_repository=created,
                template=options.template,
                answers_file=options.answers_file,
                crossflake_flake=kept_flake,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
