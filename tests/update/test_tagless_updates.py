"""`copier update` from every earlier state a user can hold, on a clone WITHOUT tags.

This is how crossflake reaches users (its main branch, no release tags), so
copier versions every commit `0.0.0.post<N>.dev0+<hash>` and no `version:`
gated migration would ever run. Each earlier state (tagless_history.py: the
0.1.0 and 0.2.0 release commits and a commit after each) is generated at the
real commit with a user's non-default answers, edited the way users edit
(generated files and their own), committed, and updated to the work tree
with `copier update --trust --defaults`, through copier's command line. The
updated project must keep every answer (renamed as CHANGELOG.md documents),
every edit, show conflict markers only where the template and the user
changed the same lines, and its flake must still evaluate. The first
release's project is also built with `nix build` (rung 3: a real builder and
build users, stub inputs on this machine's Rust 1.63, zig and cargo-zigbuild)
and its program run: an update that kept the answers but broke the build would
fail there.

One update per state is shared by the tests of this module (a module fixture):
an update costs about ten seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from copier import run_copy
from project_helpers import (
    append,
    commit_all,
    copier_update,
    files_with_markers,
    insert_after,
    rejected_files,
)
from support import TEMPLATE_ROOT, require_tool, resolve_targets
from tagless_history import EARLIER_STATES, EarlierState, TaglessClone
from template_history import git

pytestmark = pytest.mark.update

ANSWERS_FILE = ".copier-answers.yml"
# The line .cargo/config.toml ends with since 0.2.0; sections appended below it merge.
CLOSING_MARKER = "Settings of your own go below this line"

# The user's edits in generated files, on lines the template keeps.
FLAKE_INPUTS_NOTE = "    # My own note: every input is pinned in flake.lock.\n"
FLAKE_SHELL_SETTING = '            MY_OWN_SETTING = "kept through updates";\n'
# Where the update's migration puts it: nix/local.nix's `devShellEnv`.
MOVED_SHELL_SETTING = '    MY_OWN_SETTING = "kept through updates";\n'
CARGO_ALIAS = '\n# My own alias.\n[alias]\nxtask = "run --package xtask --"\n'
# ... and in the files that are the user's after generation.
CARGO_PROFILE = "\n[profile.release]\nlto = true\n"
README_NOTES = "\n## My own notes\n\nKept by every update.\n"
OWN_SOURCES = {
    "bin": {
        "src/main.rs": 'mod cli;\n\nfn main() {\n    println!("{}", cli::banner());\n}\n',
        "src/cli.rs": 'pub fn banner() -> &\'static str {\n    "my own program"\n}\n',
    },
    "lib": {
        "src/lib.rs": "pub mod extra;\n\npub fn answer() -> u32 {\n    extra::FORTY_TWO\n}\n",
        "src/extra.rs": "pub const FORTY_TWO: u32 = 42;\n",
    },
}
USER_OWNED = ["Cargo.toml", "README.md"]


def saved_answers(project: Path) -> dict[str, object]:
    """The project's .copier-answers.yml."""
    return yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))


def generate_at(clone: TaglessClone, state: EarlierState, project: Path) -> Path:
    """`copier copy --trust --vcs-ref <commit>` of the tagless clone, then the first commit."""
    run_copy(
        str(clone.root),
        str(project),
        data=state.answers,
        defaults=True,
        unsafe=True,
        vcs_ref=clone.commit_of(state.commit),
        quiet=True,
    )
    commit_all(project, f"Start from crossflake {state.name}")
    return project


def edit_like_a_user(project: Path) -> dict[str, str]:
    """Edit generated and own files, commit; the user-owned files' text afterwards."""
    insert_after(project / "flake.nix", "  inputs = {", FLAKE_INPUTS_NOTE)
    insert_after(project / "flake.nix", "devShell = pkgs.mkShell {", FLAKE_SHELL_SETTING)
    append(project / ".cargo/config.toml", CARGO_ALIAS)
    append(project / "Cargo.toml", CARGO_PROFILE)
    append(project / "README.md", README_NOTES)
    crate_type = str(saved_answers(project).get("crate_type", "bin"))
    for name, text in OWN_SOURCES[crate_type].items():
        (project / name).write_text(text, encoding="utf-8")
    commit_all(project, "My own edits")
    return {
        name: (project / name).read_text(encoding="utf-8")
        for name in [*USER_OWNED, *OWN_SOURCES[crate_type]]
    }


@dataclass(frozen=True)
class Edited:
    """One earlier state, generated and edited by its user (committed, not updated)."""

    state: EarlierState
    clone: TaglessClone
    project: Path
    own_files: dict[str, str]  # user-owned files as the user left them
    expected_conflicts: list[str]
    check_before: subprocess.CompletedProcess[str]  # `copier check-update` before updating


@dataclass(frozen=True)
class Updated:
    """An edited project copied and updated one way (`--defaults` or at the prompts)."""

    edited: Edited
    project: Path
    output: str  # what copier printed (stdout and stderr, or the terminal's transcript)
    returncode: int
    targets_chosen: list[str] | None = None  # at the prompts: the targets shown as chosen

    @property
    def state(self) -> EarlierState:
        return self.edited.state


def check_update(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`copier check-update [options]` in the project."""
    return subprocess.run(
        [sys.executable, "-m", "copier", "check-update", *options],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every earlier state for `edited` (module scope, the same order everywhere, so
    each state is generated and updated once), updated with `--defaults`, and at the
    prompts too for the interactive states (the release commits: a pty update is the
    slowest step of the suite, so the states between releases get `--defaults` only).
    """
    if "edited" not in metafunc.fixturenames:
        return
    if "each_update" in metafunc.fixturenames:
        cases = [
            (state, way)
            for state in EARLIER_STATES
            for way in ("defaults", "prompts")
            if way == "defaults" or state.interactive
        ]
        metafunc.parametrize(
            ("edited", "way"),
            cases,
            indirect=["edited"],
            scope="module",
            ids=[f"{state.name}-{way}" for state, way in cases],
        )
        return
    at_prompts = "updated_at_the_prompts" in metafunc.fixturenames
    states = [state for state in EARLIER_STATES if state.interactive or not at_prompts]
    if "nix_build_stubs" in metafunc.fixturenames:
        states = [state for state in states if state.name in BUILT_STATES]
    metafunc.parametrize(
        "edited", states, indirect=True, scope="module", ids=[state.name for state in states]
    )


@pytest.fixture(scope="module")
def edited(
    request: pytest.FixtureRequest, tagless: TaglessClone, tmp_path_factory: pytest.TempPathFactory
) -> Edited:
    """The state's project, generated at its commit, edited and committed."""
    state: EarlierState = request.param
    project = generate_at(tagless, state, tmp_path_factory.mktemp(state.name) / "project")
    # Before 0.2.0 the config had no closing line: a section appended at its end
    # meets the line 0.2.0 adds there, which is a conflict (CHANGELOG.md, 0.2.0).
    had_marker = CLOSING_MARKER in (project / ".cargo/config.toml").read_text(encoding="utf-8")
    own_files = edit_like_a_user(project)
    return Edited(
        state,
        tagless,
        project,
        own_files,
        [] if had_marker else [".cargo/config.toml"],
        check_update(project),
    )


@pytest.fixture(scope="module")
def updated(edited: Edited) -> Updated:
    """The edited project after `copier update --trust --defaults` to the work tree."""
    project = copy_project(edited.project, edited.project.parent / "defaults")
    result = copier_update(project)
    return Updated(edited, project, result.stdout + result.stderr, result.returncode)


@pytest.fixture(scope="module")
def updated_at_the_prompts(edited: Edited) -> Updated:
    """The edited project after `copier update --trust` in a terminal, Enter on every
    question: the saved answers are the defaults offered. The `targets` screen is kept."""
    from terminal_session import ENTER, CopierSession, checkbox_rows

    project = copy_project(edited.project, edited.project.parent / "prompts")
    with CopierSession(TEMPLATE_ROOT, project, command="update") as session:
        session.accept_defaults(until="targets")
        targets_rows = checkbox_rows(session.screen())
        session.press(ENTER)
        session.accept_defaults()
        returncode = session.wait_exit()
        output = session.transcript()
    chosen = sorted(choice for choice, mark in targets_rows.items() if mark == "●")
    return Updated(edited, project, output, returncode, chosen)


@pytest.fixture
def each_update(request: pytest.FixtureRequest, edited: Edited, way: str) -> Updated:
    """The earlier state `edited` updated one `way`: `--defaults` or at the prompts."""
    name = "updated" if way == "defaults" else "updated_at_the_prompts"
    return request.getfixturevalue(name)


def test_the_prompts_offer_the_saved_targets(updated_at_the_prompts: Updated) -> None:
    """Interactively, the targets question shows the user's targets (renamed) as chosen,
    not the template's defaults."""
    expected = updated_at_the_prompts.state.after_update()["targets"]
    assert updated_at_the_prompts.targets_chosen == sorted(expected)


def test_update_succeeds_and_lands_on_the_newest_commit(each_update: Updated) -> None:
    assert each_update.returncode == 0, each_update.output
    assert "No git tags found in template" in each_update.output, "the clone must be tagless"
    assert "Traceback" not in each_update.output
    commit = str(saved_answers(each_update.project)["_commit"])
    assert each_update.edited.clone.head.startswith(commit), (commit, each_update.edited.clone.head)


def test_every_answer_is_kept_or_renamed_as_documented(each_update: Updated) -> None:
    answers = saved_answers(each_update.project)
    expected = each_update.state.after_update()
    assert {name: answers.get(name) for name in expected} == expected


def test_renames_are_announced(each_update: Updated) -> None:
    """The rename of a saved answer is said on the terminal, never silent."""
    renamed = "renamed targets: wasm32-wasi -> wasm32-wasip1" in each_update.output
    assert renamed == ("wasm32-wasi" in each_update.state.answers.get("targets", []))


def test_user_edits_are_kept(each_update: Updated) -> None:
    project = each_update.project
    for name, text in each_update.edited.own_files.items():
        assert (project / name).read_text(encoding="utf-8") == text, name
    flake = (project / "flake.nix").read_text(encoding="utf-8")
    assert FLAKE_INPUTS_NOTE in flake
    # The one-file flake became flake.nix plus nix/: the dev-shell setting moved to the
    # user's own nix/local.nix (hooks/flake_split.py), where no update rewrites it.
    assert FLAKE_SHELL_SETTING not in flake
    local = (project / "nix/local.nix").read_text(encoding="utf-8")
    assert MOVED_SHELL_SETTING in local.split("devShellEnv = {", 1)[1].split("};", 1)[0]
    assert CARGO_ALIAS.strip() in (project / ".cargo/config.toml").read_text(encoding="utf-8")


def test_conflict_markers_only_where_template_and_user_changed_the_same_lines(
    each_update: Updated,
) -> None:
    assert files_with_markers(each_update.project) == each_update.edited.expected_conflicts
    assert rejected_files(each_update.project) == []


def test_the_updated_flake_evaluates_with_the_kept_answers(updated: Updated) -> None:
    """`nix flake show` with the eval-only stubs: every kept target is a package, and the
    user's dev-shell setting is still in the shell's environment (now from nix/local.nix)."""
    require_tool("nix", "the updated project's flake is evaluated")
    from nixenv import eval_json, flake_show

    answers = saved_answers(updated.project)
    packages = flake_show(updated.project)["packages"]["x86_64-linux"]
    triples = [target["triple"] for target in resolve_targets(TEMPLATE_ROOT, answers)]
    assert set(triples) <= set(packages), (triples, sorted(packages))
    from store_derivations import show

    shell = eval_json(updated.project, "devShells.x86_64-linux.default.drvPath")
    environment = show([shell], recursive=False)[shell].env
    assert environment["MY_OWN_SETTING"] == "kept through updates"


def test_a_program_gains_installers_and_bills_of_materials(updated: Updated) -> None:
    """Issue 26's release files reach a project generated before them: the update writes
    nix/installers and nix/sbom.nix, and the release (evaluated, eval-only stubs) holds an
    installer per kind of platform the answers keep and a bill per program; a library
    gets none of them."""
    require_tool("nix", "the updated project's release is evaluated")
    from nixenv import eval_json

    answers = saved_answers(updated.project)
    installers = updated.project / "nix/installers"
    if answers.get("crate_type", "bin") == "lib":
        assert not installers.exists() and not (updated.project / "nix/sbom.nix").exists()
        return
    assert (installers / "install.sh").is_file() and (updated.project / "nix/sbom.nix").is_file()
    files = eval_json(
        updated.project,
        "packages.x86_64-linux.release",
        apply="release: builtins.attrNames (release.installers // release.sboms)",
    )
    prefix = f"{answers['crate_name']}-0.1.0-"
    families = {target["family"] for target in resolve_targets(TEMPLATE_ROOT, answers)}
    expected = {f"{prefix}{answers['crate_name']}.cdx.json", f"{prefix}install.sh"}
    if "windows" in families:
        expected.add(f"{prefix}install.ps1")
    assert set(files) == expected


def test_the_move_to_nix_local_is_announced(updated: Updated) -> None:
    """The migration says what it moved out of flake.nix and where."""
    assert (
        'moved your dev-shell additions (MY_OWN_SETTING = "kept through updates";) from '
        "flake.nix to nix/local.nix"
    ) in updated.output


# Built at rung 3 after the update: the first release, a program with a dynamic
# (glibc 2.28) x86_64 target that Debian's Rust 1.63 has the std for.
BUILT_STATES = ("0.1.0",)
RUST_163_SYSROOT = Path("/opt/crossflake/rust-1.63-sysroot")


@pytest.fixture(scope="module")
def nix_build_stubs() -> Iterator[Path]:
    """BUILD-mode stub inputs (tests/nix/nixenv.py) on this machine's Rust 1.63, as
    tests/nix's `build_stubs`, in a folder the Nix build users can read."""
    import nixenv

    require_tool("nix", "the updated project is built with Nix")
    if not nixenv.build_users_available():
        pytest.fail("no Nix build users (group nixbld): run scripts/setup-nix.sh")
    tools = nixenv.HostTools.detect()
    assert tools.missing_for_zigbuild() == [], tools.missing_for_zigbuild()
    tools.rust_sysroot = str(RUST_163_SYSROOT)
    folder = Path(tempfile.mkdtemp(prefix="crossflake-update-stubs-"))
    folder.chmod(0o755)
    yield nixenv.prepare_stubs(folder / "stubs", build=True, tools=tools)
    shutil.rmtree(folder, ignore_errors=True)


def test_the_updated_project_builds_and_its_program_runs(
    updated: Updated, nix_build_stubs: Path
) -> None:
    """`nix build` of the kept x86_64 target after the update, then the user's program."""
    from nixenv import build

    answers = saved_answers(updated.project)
    target = next(t for t in resolve_targets(TEMPLATE_ROOT, answers) if t["id"] == "x86_64-linux")
    assert target["triple"] == "x86_64-unknown-linux-gnu", target
    out = build(updated.project, f"packages.x86_64-linux.{target['triple']}", nix_build_stubs)
    program = out["out"] / "bin" / answers["crate_name"]
    ran = subprocess.run([str(program)], capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "my own program\n"


def test_check_update_tells_a_tagless_project_what_it_runs_and_what_is_newer(
    updated: Updated,
) -> None:
    """Tagless, `copier check-update` compares commits: `0.0.0.post<N>.dev0+<hash>`, N
    counting main's commits, so any newer commit on main is "a new version" (README)."""
    before = updated.edited.check_before
    assert before.returncode == 0, before.stderr
    assert "New template version available." in before.stdout
    assert "Current version is 0.0.0.post" in before.stdout
    assert f"+{updated.state.commit}" in before.stdout  # the project's commit, as README says
    assert f"+{updated_commit(updated.edited.clone)}" in before.stdout

    after = check_update(updated.project, "--quiet")
    assert after.returncode == 0, after.stderr


def updated_commit(clone: TaglessClone) -> str:
    """The abbreviated hash copier shows for the clone's newest commit."""
    return git(clone.root, "rev-parse", "--short", "HEAD").strip()


def copy_project(project: Path, destination: Path) -> Path:
    """A copy of a committed project (git included), to update it another way."""
    shutil.copytree(project, destination, symlinks=True)
    return destination
