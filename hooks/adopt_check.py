"""Adoption check: after `copier copy` into an existing crate, report what needs fixing.

Adopting (`copier copy --trust <crossflake> .` in a crate) keeps Cargo.toml,
Cargo.lock, the sources and README, and writes no crate file of its own
(copier.yml's `existing`), so nothing forces the answers to describe the
crate that is really there, and the crate may lack what the flake needs. This
task reads the crate (never writes to it) and prints each problem with the
command that fixes it: answers that do not describe the crate (name,
edition, bin or lib, description), a Cargo.lock the flake cannot see,
old-style `.cargo/config` or `rust-toolchain` files that beat crossflake's,
the crate's own CI workflows, and what the flake will build and run (the
packages, their programs, the main one). It never fails the copy: a report is
advice.

On a fresh generation (Cargo.toml is exactly what the template renders) it
stays silent. What the template renders comes from copier itself: the task
passes a folder copier wrote with the same answers (hooks/template_output.py).
Copier runs it with its own Python: standard library only (tomllib, or tomli
before Python 3.11).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cargo_config import USER_FILE, ConfigError, clashes
from crate_layout import (
    DEFAULT_EDITION,
    CrateLayout,
    ManifestError,
    Programs,
    built_programs,
    crate_layout,
    member_layouts,
    read_manifest,
)
from flake_wiring import FLAKE, instructions, wiring
from template_output import files_in, template_output

RECOPY = "copier recopy --trust --defaults --overwrite --data"


@dataclass
class Finding:
    """One line of the report: a mismatch (with its fix) or a note."""

    mismatch: bool
    text: str
    fix: str = ""


def same_as_template(project: Path, reference: Path, relative: str) -> bool:
    """True when the project's file is byte for byte what the template writes there."""
    ours, theirs = reference / relative, project / relative
    return ours.is_file() and theirs.is_file() and ours.read_bytes() == theirs.read_bytes()


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
            f'"{crate_name}" (PLATFORMS.md\'s title and the next steps use crate_name; the '
            "flake reads the package and its programs from Cargo.toml).",
            f"{RECOPY} crate_name={layout.name}",
        )
    ]


def check_edition(
    layout: CrateLayout, answers: dict[str, Any], offered: list[str]
) -> list[Finding]:
    """Edition against the answer (it decides the oldest exact toolchain allowed)."""
    answer = str(answers.get("edition"))
    if layout.edition == answer:
        return []
    where = f"Cargo.toml says {layout.edition}"
    if layout.edition_source != "Cargo.toml":
        where += f" (from {layout.edition_source})"
    if layout.edition in offered:
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
            f"edition: {where}; crossflake offers only {' and '.join(offered)}, and "
            f"the answer {answer} requires Rust 1.85+ for an exact toolchain, which this crate "
            "does not need.",
            f"{RECOPY} edition=2021",
        )
    ]


def check_description(project: Path, answers: dict[str, Any]) -> list[Finding]:
    """The flake's description (the answer) against the package's own, when it has one."""
    try:
        package = read_manifest(project / "Cargo.toml").get("package", {})
    except ManifestError:
        return []
    own = package.get("description") if isinstance(package, dict) else None
    if not isinstance(own, str) or not own.strip() or own == answers.get("description"):
        return []
    return [
        Finding(
            True,
            f"description: flake.nix says {answers.get('description')!r}, Cargo.toml says "
            f"{own!r} (`nix flake metadata` shows the answer).",
            f"{RECOPY} {shlex.quote('description=' + own)}",
        )
    ]


def check_kind(programs: Programs, answers: dict[str, Any]) -> list[Finding]:
    """crate_type against the programs the flake builds (it decides PLATFORMS.md's text)."""
    crate_type = answers.get("crate_type")
    if crate_type == "bin" and not programs.binaries:
        return [
            Finding(
                True,
                "crate_type: the answer is bin, but the flake builds no program from this crate "
                f"({', '.join(programs.packages) or 'no package'}: no [[bin]], src/main.rs or "
                "src/bin/); PLATFORMS.md then shows run commands for nothing.",
                f"{RECOPY} crate_type=lib",
            )
        ]
    if crate_type == "lib" and programs.binaries:
        return [
            Finding(
                True,
                "crate_type: the answer is lib, but the flake builds programs: "
                f"{binary_list(programs.binaries)}; PLATFORMS.md then shows no run commands.",
                f"{RECOPY} crate_type=bin",
            )
        ]
    return []


def program_note(programs: Programs, answers: dict[str, Any]) -> list[Finding]:
    """Which program `nix run`, the images and the archives hold, read as the flake reads it."""
    if not programs.binaries:
        return []
    text = (
        f"binaries: {binary_list(programs.binaries)} (from {programs.source}). naersk "
        "installs every executable cargo builds, so each `nix build .#<target>` puts all "
        "of them in result/bin (.exe on Windows, .wasm on WASI)"
    )
    owner = programs.owner
    if answers.get("crate_type") == "bin":
        main = programs.main
        if main is not None:
            text += f"; `nix run .#<target>` and the images start {main}"
            if owner is not None and main != owner.name:
                text += f" (not {owner.name}: the flake reads the program from Cargo.toml)"
        else:
            text += (
                "; no main program (several, no default-run): `nix run .#<target>` lists "
                "them and the images have no entrypoint (set `default-run` in Cargo.toml to "
                "choose one)"
            )
        if len(programs.binaries) > 1:
            text += "; each one runs with `nix run .#<target>-<program>`"
        if owner is not None:
            text += (
                f"; release archives are named {owner.name}-{owner.version}-<target> "
                f"(package {owner.name})"
            )
    return [Finding(False, text + ".")]


def workspace_note(project: Path, layout: CrateLayout, programs: Programs) -> list[Finding]:
    """Which members the flake builds, by their package names (globs expanded)."""
    if layout.workspace_members is None:
        return []
    members = [str(member.name) for _, member in member_layouts(project, layout.workspace_members)]
    if layout.is_package and str(layout.name) not in members:
        members.insert(0, str(layout.name))
    listed = ", ".join(members) or "none"
    built = ", ".join(programs.packages) or "nothing"
    if layout.default_members is not None:
        what = "its default-members, like `cargo build` there"
    elif layout.is_package:
        what = "the root package only, like `cargo build` there"
    else:
        what = "every member, like `cargo build` there"
    text = f"workspace (members: {listed}): the flake builds {what}: {built}."
    if set(members) - set(programs.packages):
        text += ' To build every member, add "--workspace" to cargoBuildOptions in nix/local.nix.'
    return [Finding(False, text)]


def notes(
    project: Path, layout: CrateLayout, programs: Programs, answers: dict[str, Any]
) -> list[Finding]:
    """What the flake will do with this crate that a user may not expect."""
    found: list[Finding] = [*program_note(programs, answers)]
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
    found.extend(workspace_note(project, layout, programs))
    return found


def edition_note(layout: CrateLayout, answers: dict[str, Any], offered: list[str]) -> list[Finding]:
    """An edition crossflake does not offer, kept at the closest answer (check_edition
    asks nothing then): say so, never call it a match."""
    answer = str(answers.get("edition"))
    if not layout.is_package or layout.edition in (answer, *offered) or answer != "2021":
        return []
    return [
        Finding(
            False,
            f"edition: Cargo.toml says {layout.edition}, the answer is {answer}, the closest "
            "crossflake offers; it only bounds an exact toolchain answer, and cargo builds "
            f"with {layout.edition} as Cargo.toml says.",
        )
    ]


def gitignore_note(project: Path, reference: Path) -> list[Finding]:
    """The crate's own .gitignore is kept: say what it lacks of crossflake's."""
    theirs, ours = project / ".gitignore", reference / ".gitignore"
    if not theirs.is_file() or not ours.is_file():
        return []
    kept = {line.strip() for line in theirs.read_text(encoding="utf-8").splitlines()}
    lacking = [
        line
        for line in ours.read_text(encoding="utf-8").splitlines()
        if line.strip() and line not in kept and line.rstrip("/") not in kept
    ]
    if not lacking:
        return []
    return [
        Finding(
            False,
            f".gitignore is yours and was kept; it lacks {', '.join(lacking)} (nix build's "
            "result links, direnv's cache): git status will list them. Add them with "
            f"printf '%s\\n' {' '.join(shlex.quote(line) for line in lacking)} >> .gitignore",
        )
    ]


def workflows_of(project: Path) -> list[str]:
    """The crate's own GitHub workflows (crossflake's crossflake.yml aside)."""
    folder = project / ".github/workflows"
    if not folder.is_dir():
        return []
    return sorted(
        path.name
        for path in folder.iterdir()
        if path.suffix in (".yml", ".yaml") and path.name != "crossflake.yml"
    )


def releases_on_tags(project: Path, workflow: str) -> bool:
    """A rough reading: the workflow runs on tags or creates GitHub releases."""
    try:
        text = (project / ".github/workflows" / workflow).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "tags" in text or "release" in text.lower()


def ci_note(project: Path, answers: dict[str, Any]) -> list[Finding]:
    """The crate's own CI stays; crossflake's is a separate file, added only when asked."""
    own = workflows_of(project)
    if not own:
        return []
    listed = ", ".join(own)
    if answers.get("ci") != "github":
        return [
            Finding(
                False,
                f"CI: the crate has its own workflows ({listed}), kept as they are; crossflake "
                "added none (ci=none, the default for a crate with workflows). To add "
                "crossflake's (flake check per host, release archives, a GitHub release on v* "
                "tags) as .github/workflows/crossflake.yml: copier update --trust --defaults "
                "--data ci=github",
            )
        ]
    racing = [name for name in own if releases_on_tags(project, name)]
    text = (
        f"CI: the crate has its own workflows ({listed}), kept as they are; crossflake's "
        "is .github/workflows/crossflake.yml beside them."
    )
    if racing:
        text += (
            f" {', '.join(racing)} may publish releases on tags too; crossflake's release job "
            "creates the GitHub release of each v* tag, so keep one of them (`copier update "
            "--trust --defaults --data ci=none` removes crossflake's)."
        )
    return [Finding(False, text)]


def git(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run git read-only in the project (an error is just a non-zero status)."""
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=False)


def lock_findings(project: Path) -> list[Finding]:
    """naersk reads Cargo.lock to fetch dependencies, and a flake sees only tracked files."""
    ignored = shutil.which("git") is not None and git(project, "check-ignore", "-q", "Cargo.lock")
    is_ignored = bool(ignored) and ignored.returncode == 0
    if not (project / "Cargo.lock").is_file():
        return [
            Finding(
                True,
                "Cargo.lock: the crate has none (libraries often leave it out"
                + (", and .gitignore lists it" if is_ignored else "")
                + "); naersk needs it to know the dependencies, so `nix build` fails without.",
                "cargo generate-lockfile && git add -f Cargo.lock",
            )
        ]
    if is_ignored:
        return [
            Finding(
                True,
                "Cargo.lock: git ignores it (.gitignore), and a flake sees only tracked files, "
                "so `nix build` cannot read it.",
                "git add -f Cargo.lock   (tracked files stay tracked despite .gitignore)",
            )
        ]
    return []


def old_style_findings(project: Path, answers: dict[str, Any] | None = None) -> list[Finding]:
    """Old-style files that silently beat crossflake's (.toml) ones; never rewritten here."""
    found = []
    kept = USER_FILE in ((answers or {}).get("kept_files") or [])
    if (project / ".cargo/config").is_file() and kept:
        found.append(
            Finding(
                True,
                ".cargo/config (the old name) wins: cargo reads it and ignores your "
                ".cargo/config.toml when both exist (it warns); crossflake's settings "
                "(.cargo/crossflake.toml) still reach cargo in `nix develop` and with "
                "--config. Nix builds leave all three out.",
                "move your settings from .cargo/config into .cargo/config.toml "
                "(merge tables both define), then git rm .cargo/config",
            )
        )
    elif (project / ".cargo/config").is_file():
        found.append(
            Finding(
                True,
                ".cargo/config (the old name) wins: cargo reads it and ignores "
                ".cargo/config.toml when both exist (it warns), so none of the runners and "
                "flags crossflake wrote apply. Nix builds leave both out.",
                "move your settings from .cargo/config to the end of .cargo/config.toml "
                "(merge tables both define), then git rm .cargo/config",
            )
        )
    if (project / "rust-toolchain").is_file():
        found.append(
            Finding(
                True,
                "rust-toolchain (the old name) wins: rustup uses it and ignores "
                "rust-toolchain.toml when both exist, so rustup users miss the targets "
                "crossflake lists (the flake's own toolchain comes from the toolchain answer).",
                "keep what you need in rust-toolchain.toml (components, a pinned channel: "
                "then answer toolchain=<version>), then git rm rust-toolchain",
            )
        )
    return found


def kept_config_findings(project: Path, answers: dict[str, Any]) -> list[Finding]:
    """The crate's own .cargo/config.toml, kept beside crossflake's settings file: how
    those reach cargo, and each key both set, quoted from both files (cargo_config)."""
    kept = answers.get("kept_files") or []
    ours = project / ".cargo/crossflake.toml"
    if USER_FILE not in kept or not ours.is_file():
        return []
    ours_file = ours.relative_to(project).as_posix()
    found = [
        Finding(
            False,
            f"{USER_FILE} is yours and was kept as it is; crossflake's per-target settings "
            f"are in {ours_file}, which cargo does not read by itself: `nix develop` passes "
            "them as CARGO_TARGET_<TRIPLE>_RUSTFLAGS and _RUNNER; elsewhere, from the "
            f"crate's root: cargo zigbuild --config {ours_file} --release --target <target> "
            f"(and cargo-zigbuild test --config {ours_file} --target <target>). Nix builds "
            "read neither file: settings your build needs ([env], [build] rustflags) go "
            "into nix/local.nix (env, perTarget.<triple>.env).",
        )
    ]
    try:
        found_clashes = clashes(project, ours_file)
    except ConfigError as error:
        return [
            *found,
            Finding(
                True,
                f"cannot compare {USER_FILE} with {ours_file}: {error}.",
                "fix what the message names, then compare the [target.<triple>] tables "
                "of both files",
            ),
        ]
    for clash in found_clashes:
        quoted = f"\n          yours:        {clash.theirs.quote()}"
        if clash.ours is not None:
            quoted += f"\n          crossflake's: {clash.ours.quote()}"
        else:
            quoted += "\n          crossflake's: zig, through cargo-zigbuild (no line)"
        how = "is set both ways" if clash.ours is not None else "is set in yours only"
        text = f"{clash.key} {how}:{quoted}\n        {clash.effect}"
        text += f": {clash.choice}." if clash.joined else "."
        found.append(Finding(not clash.joined, text, clash.choice))
    return found


def kept_flake_findings(answers: dict[str, Any], crossflake_flake: str | None) -> list[Finding]:
    """The crate's own flake.nix, kept: crossflake wrote nix/ beside it, which nothing calls
    until the user adds crossflake's inputs and outputs; the exact lines (flake_wiring)."""
    if FLAKE not in (answers.get("kept_files") or []):
        return []
    text = (
        "flake.nix is yours and was kept as it is; crossflake's Nix is in nix/ (your own "
        "additions: nix/local.nix), which your flake does not call yet, so `nix build "
        ".#<target>`, `nix run` and `nix develop` give crossflake's outputs only once it does."
    )
    try:
        how = instructions(wiring(crossflake_flake or ""), margin="        ")
    except ValueError as error:
        how = f"add the inputs and the nix/outputs.nix call of crossflake's flake.nix ({error})"
    return [Finding(True, text, how)]


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


def committed_output(
    project: Path, template: Path | None, answers_file: str
) -> dict[str, str] | None:
    """What crossflake wrote with the answers of the last commit, when that commit
    holds crossflake's answers (the adoption was committed): a recopy then replaces
    crossflake's own earlier output, which is no user edit. None otherwise."""
    saved = committed_text(project, answers_file)
    if saved is None or template is None:
        return None
    import yaml  # copier's dependency, present where the task runs

    answers = yaml.safe_load(saved) or {}
    commit = str(answers.get("_commit") or "") or None
    try:
        with template_output(template, commit, answers, answers_file) as earlier:
            return {
                relative: (earlier / relative).read_text(encoding="utf-8")
                for relative in files_in(earlier)
            }
    except Exception:  # an old commit copier cannot render: fall back to "yours"
        return None


def replaced_files(
    project: Path,
    reference: Path,
    theirs: list[str],
    earlier: dict[str, str] | None = None,
) -> list[Finding]:
    """Files of the crate that crossflake's own files replaced, or that the user kept.

    Every file the template writes except the user's (`theirs`: the
    skipped-if-existing ones and the answers file): the flake needs
    crossflake's version, so an adopted crate that had its own loses it on
    --overwrite; git still has it, and the report says where. A committed
    file that is exactly what crossflake wrote before (`earlier`, from the
    committed answers) is crossflake's own output: replacing it loses nothing.
    """
    found = []
    for relative in files_in(reference):
        path = project / relative
        if relative in theirs:
            continue
        before = committed_text(project, relative) if shutil.which("git") else None
        if before is None or not path.is_file():
            continue  # not the crate's own file (or no git to tell)
        ours = same_as_template(project, reference, relative)
        current = path.read_text(encoding="utf-8")
        if ours and before != current and earlier is not None and relative in earlier:
            if earlier[relative] != before:
                found.append(
                    Finding(
                        False,
                        f"{relative}: crossflake regenerated it, replacing your edits to the "
                        "version it wrote before; merge them back from "
                        f"`git diff HEAD -- {relative}`.",
                    )
                )
        elif ours and before != current:
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


def git_note(created_repository: bool) -> list[Finding]:
    """A crate outside git becomes a repository with the whole folder staged: say so."""
    if not created_repository:
        return []
    return [
        Finding(
            False,
            "this crate was not in git: crossflake made it a repository and staged the "
            "whole folder (minus what .gitignore excludes), because flakes see only tracked "
            "files. Review it with `git status` before the first commit.",
        )
    ]


@dataclass
class Adoption:
    """What the report compares: the project, and what copier writes with its answers."""

    project: Path
    reference: Path  # what copier writes with these answers (template_output)
    answers: dict[str, Any]
    theirs: list[str]  # files that stay the user's: skipped-if-existing, the answers file
    editions: list[str]  # the editions the template offers
    created_repository: bool = False
    template: Path | None = None  # to render what the last commit's answers wrote
    answers_file: str = ".copier-answers.yml"
    crossflake_flake: str | None = None  # the flake.nix it writes, when the crate kept its own


def findings_for(adoption: Adoption) -> list[Finding] | None:
    """Every finding for the project; None when Cargo.toml is the template's own (fresh copy)."""
    project, answers = adoption.project, adoption.answers
    if same_as_template(project, adoption.reference, "Cargo.toml"):
        return None
    try:
        layout = crate_layout(project)
        programs = built_programs(project, layout)
    except ManifestError as error:
        return [
            Finding(
                True,
                f"cannot check Cargo.toml: {error}. crossflake left it as it was.",
                "fix what the message names (a TOML error in Cargo.toml, or a Python without "
                "tomllib/tomli running copier), then compare Cargo.toml with .copier-answers.yml",
            )
        ]
    if not layout.is_package and layout.workspace_members is None:
        checks = [
            Finding(
                True,
                "Cargo.toml has neither [package] nor [workspace]: cargo cannot build it.",
                "add a [package] section (name, version, edition) or a [workspace] section",
            )
        ]
    elif not layout.is_package:
        checks = [
            Finding(
                False,
                "Cargo.toml is a workspace root (no [package]): crate_name and edition describe "
                "one package, so they were not checked; the flake takes the name and version "
                "from the member that owns the programs.",
            ),
            *check_kind(programs, answers),
        ]
    else:
        checks = [
            *check_name(layout, answers),
            *check_edition(layout, answers, adoption.editions),
            *check_description(project, answers),
            *check_kind(programs, answers),
        ]
    earlier = committed_output(project, adoption.template, adoption.answers_file)
    return [
        *checks,
        *lock_findings(project),
        *old_style_findings(project, answers),
        *kept_config_findings(project, answers),
        *kept_flake_findings(answers, adoption.crossflake_flake),
        *notes(project, layout, programs, answers),
        *edition_note(layout, answers, adoption.editions),
        *gitignore_note(project, adoption.reference),
        *ci_note(project, answers),
        *replaced_files(project, adoption.reference, adoption.theirs, earlier),
        *git_note(adoption.created_repository),
    ]


def report(findings: list[Finding], layout_summary: str) -> str:
    """The text printed after the copy: problems first, each with its fix."""
    problems = [finding for finding in findings if finding.mismatch]
    lines = []
    if problems:
        lines.append(
            f"crossflake adopt check: {len(problems)} thing(s) to fix "
            "(nothing was changed; the copy succeeded):"
        )
    else:
        lines.append(f"crossflake adopt check: nothing to fix ({layout_summary}).")
    for finding in problems:
        lines.append(f"  FIX   {finding.text}")
        lines.append(f"        how: {finding.fix}")
    for finding in findings:
        if not finding.mismatch:
            lines.append(f"  note  {finding.text}")
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


def report_adoption(adoption: Adoption) -> None:
    """Print the report for an adopted crate (nothing for a fresh one); never raise."""
    try:
        findings = findings_for(adoption)
        if findings is not None:
            print(report(findings, summary(adoption.project)))
    except Exception as error:  # advice only: never fail the copy
        print(f"crossflake adopt check could not finish ({error!r}); nothing was changed.")
