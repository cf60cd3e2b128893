"""Adoption check: after `copier copy` into an existing crate, report what the answers get wrong.

Adopting (`copier copy --trust <crossflake> .` in a crate) keeps Cargo.toml,
src/main.rs, src/lib.rs and friends (`_skip_if_exists`), so nothing forces
the answers to describe the crate that is really there. A wrong answer does
not break the copy, it quietly produces surprises: a sample src/main.rs
added to a library, next steps naming a binary that does not exist, an
exact toolchain validated against the wrong edition. This task reads the
crate (never writes to it) and prints what does not match and the command
that records the right answer. It never fails the copy: a report is advice.

On a fresh generation (Cargo.toml is exactly what the template renders) it
stays silent. Copier runs it with its own Python: standard library, Jinja2
and PyYAML only (tomllib, or tomli before Python 3.11).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from crate_layout import DEFAULT_EDITION, CrateLayout, ManifestError, crate_layout
from generated_files import read_answers, render_path, template_folder
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from catalog import load_catalog, resolve_targets

# Files crossflake writes even over an existing one (not in `_skip_if_exists`):
# copier asks before replacing them, or replaces them silently with --overwrite.
REPLACEABLE = (".cargo/config.toml", "rust-toolchain.toml", "flake.nix", ".envrc")

# Editions the `edition` question offers (copier.yml).
OFFERED_EDITIONS = ("2021", "2024")
RECOPY = "copier recopy --trust --defaults --overwrite --data"


@dataclass
class Finding:
    """One line of the report: a mismatch (with its fix) or a note."""

    mismatch: bool
    text: str
    fix: str = ""


def rendered_by_template(
    template_root: Path, answers: dict[str, Any], answers_file: str, relative: str
) -> str | None:
    """What the template writes at `relative` with these answers (None if it writes nothing)."""
    folder = template_folder(template_root)
    context = {
        **answers,
        "_copier_conf": {"answers_file": answers_file},
        "catalog": load_catalog(template_root),
        "build_targets": resolve_targets(template_root, answers),
    }
    for source in sorted(folder.rglob("*")):
        if source.is_file() and render_path(source.relative_to(folder), context) == relative:
            environment = SandboxedEnvironment(
                loader=FileSystemLoader(str(template_root)), keep_trailing_newline=True
            )
            name = source.relative_to(template_root).as_posix()
            return environment.get_template(name).render(context)
    return None


def written_by_template(
    project: Path, template_root: Path, answers: dict[str, Any], answers_file: str, relative: str
) -> bool:
    """True when the project's file is byte for byte what the template renders."""
    path = project / relative
    if not path.is_file():
        return False
    try:
        expected = rendered_by_template(template_root, answers, answers_file, relative)
    except Exception:  # a template that needs more context than the answers: unknown
        return False
    return expected is not None and path.read_text(encoding="utf-8") == expected


def binary_list(binaries: dict[str, str]) -> str:
    """`a (src/bin/a.rs), b (src/main.rs)` for the report."""
    return ", ".join(f"{name} ({path})" for name, path in binaries.items())


def check_name(layout: CrateLayout, answers: dict[str, Any]) -> list[Finding]:
    """Package name against crate_name (used by the next steps and sample sources)."""
    crate_name = answers.get("crate_name")
    if layout.name == crate_name:
        return []
    return [
        Finding(
            True,
            f'package name: Cargo.toml says "{layout.name}", the answer crate_name is '
            f'"{crate_name}" (crossflake\'s next steps and sample sources use crate_name).',
            f"{RECOPY} crate_name={layout.name}",
        )
    ]


def check_edition(layout: CrateLayout, answers: dict[str, Any]) -> list[Finding]:
    """Edition against the answer (it decides the oldest exact toolchain allowed)."""
    answer = str(answers.get("edition"))
    if layout.edition == answer:
        return []
    where = f"Cargo.toml says {layout.edition}"
    if layout.edition_source != "Cargo.toml":
        where += f" (from {layout.edition_source})"
    if layout.edition in OFFERED_EDITIONS:
        return [
            Finding(
                True,
                f"edition: {where}, the answer edition is {answer} (crossflake checks an "
                "exact toolchain answer against it).",
                f"{RECOPY} edition={layout.edition}",
            )
        ]
    if answer == "2021":
        return []  # the closest offered edition: nothing better to record
    return [
        Finding(
            True,
            f"edition: {where}; crossflake offers only {' and '.join(OFFERED_EDITIONS)}, and "
            f"the answer {answer} requires Rust 1.85+ for an exact toolchain, which this crate "
            "does not need.",
            f"{RECOPY} edition=2021",
        )
    ]


def check_kind(layout: CrateLayout, answers: dict[str, Any], samples: list[str]) -> list[Finding]:
    """crate_type against the crate's own binaries and library.

    `layout` holds the crate's own targets only; `samples` names the sources
    crossflake wrote in this copy (src/main.rs or src/lib.rs), which the
    crate_type answer decides and the user may not want.
    """
    findings: list[Finding] = []
    crate_type = answers.get("crate_type")
    if crate_type == "bin" and not layout.binaries:
        text = (
            "crate_type: the answer is bin, but the crate has no binary target "
            "([[bin]], src/main.rs or src/bin/*.rs)"
        )
        fix = f"{RECOPY} crate_type=lib"
        if "src/main.rs" in samples:
            text += "; crossflake added its sample src/main.rs, which makes your library a program"
            fix += "  &&  git rm -f src/main.rs   (or rm src/main.rs outside git)"
        findings.append(Finding(True, text + ".", fix))
    if crate_type == "lib" and layout.binaries:
        text = (
            "crate_type: the answer is lib, but the crate has binaries: "
            f"{binary_list(layout.binaries)} (the flake builds and installs them anyway; the "
            "answer decides which sample source crossflake adds)"
        )
        fix = f"{RECOPY} crate_type=bin"
        if "src/lib.rs" in samples:
            text += "; crossflake added its sample src/lib.rs, which your crate did not have"
            fix += "  &&  git rm -f src/lib.rs   (or rm src/lib.rs outside git)"
        findings.append(Finding(True, text + ".", fix))
    return findings


def own_targets(layout: CrateLayout, samples: list[str]) -> CrateLayout:
    """The layout without the sample sources crossflake just wrote."""
    return replace(
        layout,
        binaries={name: path for name, path in layout.binaries.items() if path not in samples},
        library=None if layout.library in samples else layout.library,
    )


def notes(layout: CrateLayout, answers: dict[str, Any]) -> list[Finding]:
    """What the flake will do with this crate that a user may not expect."""
    found: list[Finding] = []
    names = list(layout.binaries)
    if names and names != [answers.get("crate_name")]:
        found.append(
            Finding(
                False,
                f"binaries: {binary_list(layout.binaries)}. naersk installs every executable "
                "cargo builds, so each `nix build .#<target>` puts all of them in result/bin "
                "(.exe on Windows, .wasm on WASI).",
            )
        )
    if layout.build_script:
        found.append(
            Finding(
                False,
                f"build script: {layout.build_script} runs on the build machine. C code built "
                "through the cc crate cross-compiles (cargo-zigbuild points CC_<target> at "
                "zig); system libraries or tools it needs (pkg-config, openssl) must be added "
                "to the flake.",
            )
        )
    if layout.workspace_members:
        found.append(
            Finding(
                False,
                "workspace members: "
                + ", ".join(layout.workspace_members)
                + ". The flake builds the whole workspace; every member's binaries land in "
                "result/bin.",
            )
        )
    return found


def committed_text(project: Path, relative: str) -> str | None:
    """The file as the last commit has it (None outside git or when not committed)."""
    result = subprocess.run(
        ["git", "show", f"HEAD:./{relative}"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def replaced_files(
    project: Path, template_root: Path, answers: dict[str, Any], answers_file: str
) -> list[Finding]:
    """Files of the crate that crossflake's own files replaced, or that the user kept.

    These are not in `_skip_if_exists` (the flake needs crossflake's version),
    so an adopted crate that had its own loses it on --overwrite; git still
    has it, and the report says where.
    """
    found = []
    for relative in REPLACEABLE:
        path = project / relative
        before = committed_text(project, relative) if shutil.which("git") else None
        if before is None or not path.is_file():
            continue  # not the crate's own file (or no git to tell)
        ours = written_by_template(project, template_root, answers, answers_file, relative)
        current = path.read_text(encoding="utf-8")
        if ours and before != current:
            found.append(
                Finding(
                    False,
                    f"{relative}: crossflake replaced your committed version; merge your "
                    f"settings back from `git diff HEAD -- {relative}`.",
                )
            )
        elif not ours and before == current:
            found.append(
                Finding(
                    False,
                    f"{relative}: your own file was kept (you declined the overwrite), so it "
                    "lacks what crossflake writes there; see the template's version.",
                )
            )
    return found


def outside_git(project: Path) -> bool:
    """True when git exists but the project is in no work tree (the next task runs git init)."""
    if shutil.which("git") is None:
        return False  # the post-generate task explains that case itself
    result = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode != 0 or result.stdout.strip() != "true"


def git_note(project: Path) -> list[Finding]:
    """A crate outside git becomes a repository with the whole folder staged: say so."""
    if not outside_git(project):
        return []
    return [
        Finding(
            False,
            "this crate is not in git yet: crossflake makes it a repository and stages the "
            "whole folder (minus what .gitignore excludes), because flakes see only tracked "
            "files. Review it with `git status` before the first commit.",
        )
    ]


def workspace_root_findings(layout: CrateLayout, samples: list[str]) -> list[Finding]:
    """A virtual manifest has no package to compare: say so, and what still applies."""
    members = ", ".join(layout.workspace_members or []) or "none listed"
    found = [
        Finding(
            False,
            f"Cargo.toml is a workspace root (no [package]; members: {members}). crate_name, "
            "edition and crate_type describe one package, so they were not checked. The flake "
            "builds the whole workspace; every member's binaries land in result/bin.",
        )
    ]
    for sample in samples:
        found.append(
            Finding(
                True,
                f"crossflake added its sample {sample}, which a workspace root without "
                "[package] never builds.",
                f"git rm -f {sample}   (or rm {sample} outside git)",
            )
        )
    if layout.workspace_members is None:
        found[0] = Finding(
            True,
            "Cargo.toml has neither [package] nor [workspace]: cargo cannot build it.",
            "add a [package] section (name, version, edition) or a [workspace] section",
        )
    return found


def findings_for(project: Path, template_root: Path, answers_file: str) -> list[Finding] | None:
    """Every finding for the project; None when Cargo.toml is the template's own (fresh copy)."""
    answers = read_answers(project, answers_file)
    if written_by_template(project, template_root, answers, answers_file, "Cargo.toml"):
        return None
    samples = [
        sample
        for sample in ("src/main.rs", "src/lib.rs")
        if written_by_template(project, template_root, answers, answers_file, sample)
    ]
    try:
        layout = crate_layout(project)
    except ManifestError as error:
        return [
            Finding(
                True,
                f"cannot check Cargo.toml: {error}. crossflake left it as it was.",
                "fix what the message names (a TOML error in Cargo.toml, or a Python without "
                "tomllib/tomli running copier), then compare Cargo.toml with .copier-answers.yml",
            )
        ]
    if not layout.is_package:
        return [
            *workspace_root_findings(layout, samples),
            *replaced_files(project, template_root, answers, answers_file),
            *git_note(project),
        ]
    layout = own_targets(layout, samples)
    return [
        *check_name(layout, answers),
        *check_edition(layout, answers),
        *check_kind(layout, answers, samples),
        *notes(layout, answers),
        *replaced_files(project, template_root, answers, answers_file),
        *git_note(project),
    ]


def report(findings: list[Finding], layout_summary: str) -> str:
    """The text printed after the copy: mismatches first, each with its fix."""
    mismatches = [finding for finding in findings if finding.mismatch]
    lines = []
    if mismatches:
        lines.append(
            f"crossflake adopt check: {len(mismatches)} answer(s) do not match this crate "
            "(nothing was changed; the copy succeeded):"
        )
    else:
        lines.append(f"crossflake adopt check: Cargo.toml matches the answers ({layout_summary}).")
    for finding in mismatches:
        lines.append(f"  MISMATCH {finding.text}")
        lines.append(f"           fix: {finding.fix}")
    for finding in findings:
        if not finding.mismatch:
            lines.append(f"  note     {finding.text}")
    return "\n".join(lines)


def summary(project: Path) -> str:
    """`package x, edition 2021` for the all-clear line."""
    try:
        layout = crate_layout(project)
    except ManifestError:
        return "unreadable"
    if not layout.is_package:
        return "workspace root"
    return f"package {layout.name}, edition {layout.edition or DEFAULT_EDITION}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, required=True)
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--project", type=Path, default=Path.cwd())
    options = parser.parse_args(argv)
    try:
        findings = findings_for(options.project, options.template, options.answers_file)
        if findings is not None:
            print(report(findings, summary(options.project)))
    except Exception as error:  # advice only: never fail the copy
        print(f"crossflake adopt check could not finish ({error!r}); nothing was changed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
