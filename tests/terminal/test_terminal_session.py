"""A newcomer runs `copier copy` in a real terminal and gets it right the first time.

Each test drives the copier CLI in a pseudo-terminal the way a person does
(Enter, arrow keys, space, typing over a default), then checks two things:
what the screen showed (the emulated terminal, escape codes resolved) and
what was written. Questions are waited for by their text, never by sleeping.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support import IN_CI, load_catalog, read_toml, render, require_tool, resolve_targets

try:
    import pexpect  # noqa: F401
    import pyte  # noqa: F401
except ImportError as missing:  # pragma: no cover - depends on the test extra
    if IN_CI:
        raise
    pytest.skip(f"{missing.name} is not installed (pip install '.[test]')", allow_module_level=True)

from terminal_session import (
    COLUMNS,
    DOWN,
    ENTER,
    KILL_LINE,
    CopierSession,
    checkbox_rows,
    disabled_choices,
    normalize,
    question_prompts,
    render_question_field,
    snapshot_template,
)

pytestmark = pytest.mark.terminal

CRATE = "hello-cross"
# The order a newcomer thinks in: what crate, where it builds, what it
# targets, how it links, which Rust. nixpkgs_branch may sit anywhere after hosts.
FLOW = ["crate_name", "crate_type", "description", "author", "license", "edition",
        "hosts", "targets", "linking", "toolchain", "ci", "binary_cache", "images"]  # fmt: skip
# What a default bin project must contain at least (the template may add more).
ESSENTIAL = {
    ".cargo/config.toml",
    ".copier-answers.yml",
    "Cargo.toml",
    "README.md",
    "flake.nix",
    "nix/local.nix",
    "nix/targets.nix",
    "rust-toolchain.toml",
    "src/main.rs",
}


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tagged git snapshot of the work tree, shared by every session."""
    require_tool("git", "copier clones the template and the hook runs git init")
    return snapshot_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def session(template: Path, tmp_path: Path) -> Iterator[CopierSession]:
    """A running `copier copy --trust` into <tmp>/hello-cross; killed at teardown."""
    with CopierSession(template, tmp_path / CRATE) as running:
        yield running


def wasm_target(template: Path) -> str:
    """The catalog's WASI target id (it was renamed once; the tests follow the catalog)."""
    targets = load_catalog(template)["targets"]
    return next(name for name, target in targets.items() if target["family"] == "wasm")


def answers_of(project: Path) -> dict[str, object]:
    """The answers copier saved."""
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


def finish(session: CopierSession) -> Path:
    """Enter through the remaining questions; copier must succeed."""
    session.accept_defaults()
    status = session.wait_exit()
    assert status == 0, session.transcript()
    return session.destination


def asked_in_order(asked: list[str]) -> list[str]:
    """The questions asked, without nixpkgs_branch (checked on its own)."""
    return [name for name in asked if name != "nixpkgs_branch"]


def test_enter_through_every_question_gives_a_useful_project(
    session: CopierSession, template: Path, tmp_path: Path
) -> None:
    """(a) Enter, Enter, Enter: the defaults make a three-platform, statically linked bin."""
    project = finish(session)

    assert asked_in_order(session.asked) == FLOW, "question order"
    assert session.asked.index("nixpkgs_branch") > session.asked.index("hosts")
    assert "glibc" not in session.asked, "static linking must not ask for a glibc floor"

    files = sorted(
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    )
    answers = answers_of(project)
    given = {key: value for key, value in answers.items() if not key.startswith("_")}
    reference = render(tmp_path / "reference", given)  # what copier writes, no terminal
    generated = sorted(
        str(path.relative_to(reference)) for path in reference.rglob("*") if path.is_file()
    )
    assert files == generated
    assert set(files) >= ESSENTIAL
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(tracked) == generated, "the hook must git add exactly the generated files"

    assert answers["crate_name"] == CRATE
    assert answers["targets"] == ["x86_64-linux", "aarch64-linux", "x86_64-windows"]
    assert answers["linking"] == "static"
    assert "glibc" not in answers

    screen = normalize(session.transcript())
    for line in (
        "Next steps:",
        f"cd {project}",
        "nix flake lock",
        "nix develop",
        "nix build .#x86_64-unknown-linux-musl then nix run .#x86_64-unknown-linux-musl",
        "nix build .#aarch64-unknown-linux-musl then nix run .#aarch64-unknown-linux-musl",
        "nix build .#x86_64-pc-windows-gnu then nix run .#x86_64-pc-windows-gnu",
        "cargo-zigbuild test --target x86_64-pc-windows-gnu",
        "Check everything: nix flake check",
        f"Created {CRATE} in {project}.",
    ):
        assert normalize(line) in screen, line


def test_pick_targets_with_arrow_keys_and_space(session: CopierSession, template: Path) -> None:
    """(b) Add armv7-linux and the WASI target, drop aarch64-linux, in the multiselect."""
    wasm = wasm_target(template)
    session.accept_defaults(until="targets")
    session.toggle("armv7-linux")
    session.toggle(wasm)
    session.toggle("aarch64-linux")
    chosen = {name for name, mark in checkbox_rows(session.screen()).items() if mark == "●"}
    assert chosen == {"x86_64-linux", "armv7-linux", "x86_64-windows", wasm}
    session.press(ENTER)
    project = finish(session)

    answers = answers_of(project)
    # Saved in catalog order, whatever order they were ticked in.
    assert answers["targets"] == ["x86_64-linux", "armv7-linux", "x86_64-windows", wasm]
    triples = [target["triple"] for target in resolve_targets(template, answers)]
    assert triples[:3] == [
        "x86_64-unknown-linux-musl",
        "armv7-unknown-linux-musleabihf",
        "x86_64-pc-windows-gnu",
    ]
    toolchain = read_toml(project / "rust-toolchain.toml")["toolchain"]
    assert toolchain["targets"] == triples
    flake = (project / "nix/targets.nix").read_text(encoding="utf-8")  # the target records
    for triple in triples:
        assert f"{triple} = {{" in flake, triple
    assert "aarch64-unknown-linux" not in flake
    screen = normalize(session.transcript())
    assert f"nix build .#{triples[3]} then nix run .#{triples[3]}" in screen
    assert "nix run .#armv7-unknown-linux-musleabihf" in screen


def test_invalid_crate_names_are_explained_and_corrected(
    session: CopierSession, template: Path
) -> None:
    """(c) 1bad and fn are refused with the validator's whole message; my-tool passes."""
    session.expect_question("crate_name")
    for bad in ("1bad", "fn"):
        session.press(KILL_LINE, bad, ENTER)
        message = render_question_field("crate_name", "validator", {"crate_name": bad}, template)
        assert message, f"copier.yml accepts {bad!r}"
        shown = f"Validation error for question 'crate_name': {message}"
        assert len(shown) <= COLUMNS, f"cut off by a {COLUMNS}-column terminal: {shown}"
        session.wait_for(shown)
        assert session.current_question() == "crate_name", "a refused name must be asked again"
    session.press(KILL_LINE, "my-tool", ENTER)
    session.expect_question("crate_type")
    assert "Validation error" not in session.screen()
    session.press(ENTER)
    project = finish(session)
    assert answers_of(project)["crate_name"] == "my-tool"
    assert read_toml(project / "Cargo.toml")["package"]["name"] == "my-tool"


@pytest.mark.parametrize("linking", ["static", "dynamic"])
def test_glibc_floor_is_asked_only_for_dynamic_linking(
    session: CopierSession, template: Path, linking: str
) -> None:
    """(d) dynamic asks the glibc floor (typed over the default); static never does."""
    session.accept_defaults(until="linking")
    session.move_to(linking)
    session.press(ENTER)
    if linking == "dynamic":
        screen = session.expect_question("glibc")
        assert "2.17" in screen.splitlines()[-1], "the default floor is prefilled"
        session.press(KILL_LINE, "2.28", ENTER)
    session.expect_question("toolchain")
    session.press(ENTER)
    project = finish(session)

    answers = answers_of(project)
    assert answers["linking"] == linking
    expected = resolve_targets(template, answers)
    config = (project / ".cargo/config.toml").read_text(encoding="utf-8")
    flake = (project / "nix/targets.nix").read_text(encoding="utf-8")  # the target records
    if linking == "dynamic":
        assert answers["glibc"] == "2.28"
        assert expected[0]["cargo_target"] == "x86_64-unknown-linux-gnu.2.28"
        assert 'cargoTarget = "x86_64-unknown-linux-gnu.2.28"' in flake
        assert "x86_64-unknown-linux-gnu" in config
    else:
        assert "glibc" not in session.asked
        assert "glibc" not in answers
        assert "-gnu" not in read_toml(project / "rust-toolchain.toml")["toolchain"]["targets"][0]
        assert 'cargoTarget = "x86_64-unknown-linux-musl"' in flake


def test_common_platforms_come_first_in_the_targets_question(
    session: CopierSession, template: Path
) -> None:
    """Twenty platforms are a long list: the ones most projects pick (the catalog's
    `common`) are its first rows, in catalog order, and every platform is on screen."""
    session.accept_defaults(until="targets")
    shown = list(checkbox_rows(session.screen()))
    targets = load_catalog(template)["targets"]
    common = [pid for pid, platform in targets.items() if platform.get("common")]
    assert 5 <= len(common) < len(targets) / 2, common
    assert shown[: len(common)] == common, shown
    assert sorted(shown) == sorted(targets), "every platform is a row of the question"
    session.press(ENTER)
    assert finish(session).is_dir()


def test_darwin_targets_are_disabled_with_the_reason_without_a_macos_host(
    session: CopierSession, template: Path
) -> None:
    """(e) No macOS host: the darwin targets are greyed out, say why, cannot be picked."""
    session.accept_defaults(until="hosts")
    session.toggle("aarch64-darwin")
    session.press(ENTER)
    session.accept_defaults(until="targets")
    screen = session.screen()
    rows = checkbox_rows(screen)
    darwin_only = [
        pid
        for pid, platform in load_catalog(template)["targets"].items()
        if platform["darwin_hosts_only"]
    ]
    assert {"x86_64-darwin", "aarch64-darwin"} <= set(darwin_only)
    for pid in darwin_only:
        assert rows[pid] == "-", pid
    wasm = wasm_target(template)
    assert rows[wasm] == "○"

    hosts = {"hosts": ["x86_64-linux", "aarch64-linux"]}
    reasons = disabled_choices("targets", hosts, template)
    assert len(reasons) == len(darwin_only), reasons
    lines = [line.rstrip() for line in screen.splitlines()]
    for title, reason in reasons.items():
        row = f"   - {title} ({reason})"
        assert len(row) <= COLUMNS, f"cut off by a {COLUMNS}-column terminal: {row}"
        assert row in lines, f"{row!r} not on screen:\n{screen}"

    # The pointer jumps over the disabled rows: Down from x86_64-windows lands on the WASI row.
    session.move_to("x86_64-windows")
    session.press(DOWN)
    session.wait_until(lambda _: session.pointed_choice() != "x86_64-windows", "the pointer move")
    assert session.pointed_choice() == wasm
    session.press(ENTER)
    project = finish(session)
    assert answers_of(project)["hosts"] == ["x86_64-linux", "aarch64-linux"]


@pytest.mark.parametrize(("rows", "columns"), [(40, 120), (24, 80)])
def test_every_question_shows_its_whole_help(template: Path, tmp_path: Path, rows: int,
                                             columns: int) -> None:  # fmt: skip
    """Help is the only explanation a newcomer gets: none of it may be cut off.

    questionary cuts a question row at the terminal's width, so every help
    line must fit an 80-column terminal (copier.yml: `help: |-`, short lines).
    """
    with CopierSession(template, tmp_path / CRATE, rows=rows, columns=columns) as session:
        while (name := session.next_question()) is not None:
            # Help may speak of the catalog (nixpkgs_branch): rendered like copier does.
            help_text = normalize(render_question_field(name, "help", {}, template))
            assert help_text in normalize(session.screen()), (
                f"{name}: help cut off at {columns} columns:\n{session.screen()}"
            )
            session.press(ENTER)
        assert session.wait_exit() == 0
    assert set(question_prompts(template)) >= set(session.asked)
