"""Rung 0, as properties: every answer either renders a correct project or is refused.

Hypothesis draws answer sets from the whole answer space (tests/answer_space.py:
every host and target subset the rules allow, both linkings, glibc floors,
channels and exact versions, editions, crate names, free text from all of
Unicode with the fragments that break naive escaping):

* a valid set renders; every TOML file parses; every .nix file parses; the
  triples agree across flake.nix, rust-toolchain.toml, .cargo/config.toml and
  PLATFORMS.md; the answers, free text included, come back byte-identical
  from Cargo.toml, from the flake's evaluated `description` and from
  .copier-answers.yml;
* `copier recopy --defaults` of a committed project changes no file (so the
  answers file holds exactly what was rendered);
* a set with one defect is refused by the right question, with a message that
  names the problem and the fix, and nothing is written.

The example counts are fixed (tests/conftest.py's profile); set
CROSSFLAKE_EXAMPLES_SCALE=10 to explore ten times deeper.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from answer_space import (
    DEFECTS,
    any_text,
    examples,
    refusals,
    refused_character,
    saved_answers,
    valid_answers,
)
from copier import run_copy, run_recopy
from hypothesis import event, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from support import (
    TEMPLATE_ROOT,
    cargo_config_triples,
    nix_eval_json,
    read_toml,
    render,
    require_tool,
    resolve_targets,
    toolchain_triples,
)
from test_consistency import flake_targets, platforms_triples

# Identity for the throwaway commits (never the user's).
GIT = [
    "git",
    "-c",
    "user.name=crossflake tests",
    "-c",
    "user.email=tests@crossflake.invalid",
    "-c",
    "commit.gpgsign=false",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The work tree's template files (uncommitted edits included) in a plain folder.

    Rendering from it skips the git clone copier makes of a repository for every
    render (about a third of a refused render's cost), and the answers file then
    has no `_commit` that changes with each snapshot of a dirty work tree.
    """
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    snapshot = tmp_path_factory.mktemp("template") / "crossflake"
    for name in filter(None, listing.split("\0")):
        source = TEMPLATE_ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    return snapshot


def render_from(template: Path, destination: Path, answers: dict[str, Any], **options: Any) -> Path:
    """support.render, from the snapshot: defaults for the rest, no tasks."""
    run_copy(
        str(template),
        str(destination),
        data=answers,
        defaults=True,
        skip_tasks=True,
        quiet=True,
        **options,
    )
    return destination


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder per example (pytest's tmp_path is per test, not per example)."""
    with tempfile.TemporaryDirectory(prefix="crossflake-property-") as folder:
        yield Path(folder)


def project_files(project: Path, suffix: str) -> list[Path]:
    """Generated files with this suffix, outside .git."""
    return sorted(
        path
        for path in project.rglob(f"*{suffix}")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    )


def parse_nix(files: list[Path]) -> None:
    """Parse every file in one nix-instantiate call (it stops at the first error)."""
    nix_instantiate = require_tool("nix-instantiate", "Nix parses generated files")
    result = subprocess.run(
        [nix_instantiate, "--parse", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"Nix cannot parse a generated file:\n{result.stderr}"


def answers_file(project: Path) -> dict[str, Any]:
    """The answers copier saved, without its own `_` keys."""
    saved = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return {key: value for key, value in saved.items() if not key.startswith("_")}


MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
"""A CommonMark parser with GitHub's table and strikethrough extensions."""


def readme_paragraph(project: Path) -> str:
    """The README's description as a Markdown reader gets it: the one block between
    the title and the next heading must be a paragraph of plain text and line breaks."""
    tokens = MARKDOWN.parse((project / "README.md").read_text(encoding="utf-8"))
    assert [t.type for t in tokens[:3]] == ["heading_open", "inline", "heading_close"]
    following = tokens[3:6]
    assert [t.type for t in following] == ["paragraph_open", "inline", "paragraph_close"], (
        "the description turned into other Markdown blocks"
    )
    pieces = []
    for child in following[1].children or []:
        assert child.type in {"text", "softbreak", "hardbreak"}, f"markup: {child.type}"
        pieces.append(child.content if child.type == "text" else "\n")
    return "".join(pieces)


def as_markdown_reads(text: str) -> str:
    """What a paragraph keeps of typed text: everything, line breaks included, but
    each line's indentation, the last line's trailing blanks (Markdown ignores
    both) and, as this parser reads CommonMark, Unicode blanks around the whole."""
    lines = [line.lstrip(" \t") for line in text.split("\n")]
    lines[-1] = lines[-1].rstrip(" \t")
    return "\n".join(lines).strip()


def check_project(project: Path, answers: dict[str, Any]) -> None:
    """Everything a valid answer set must produce; fails with what disagrees."""
    assert answers_file(project) == saved_answers(answers), "the answers file differs"

    tomls = {
        path.relative_to(project).as_posix(): read_toml(path)
        for path in project_files(project, ".toml") + project_files(project, ".lock")
    }
    assert {"Cargo.toml", "Cargo.lock", "rust-toolchain.toml", ".cargo/config.toml"} <= set(tomls)
    package = tomls["Cargo.toml"]["package"]
    assert package["name"] == answers["crate_name"]
    assert package["edition"] == answers["edition"]
    assert package["license"] == answers["license"]
    assert package["description"] == answers["description"], "Cargo.toml changed the description"
    assert package.get("authors", []) == ([answers["author"]] if answers["author"] else []), (
        "Cargo.toml changed the author"
    )
    exact = answers["toolchain"] not in ("stable", "beta", "nightly")
    assert package.get("rust-version") == (answers["toolchain"] if exact else None)
    assert [p["name"] for p in tomls["Cargo.lock"]["package"]] == [answers["crate_name"]]
    toolchain = tomls["rust-toolchain.toml"]["toolchain"]
    assert toolchain["channel"] == answers["toolchain"]

    parse_nix(project_files(project, ".nix"))
    description = nix_eval_json("(import ./flake.nix).description", project)
    assert description == answers["description"], "flake.nix changed the description"

    readable = as_markdown_reads(answers["description"])
    if readable and (project / "README.md").is_file():  # an empty one leaves no paragraph
        assert readme_paragraph(project) == readable

    resolved = resolve_targets(TEMPLATE_ROOT, answers)
    triples = [target["triple"] for target in resolved]
    assert toolchain["targets"] == toolchain_triples(resolved)
    assert list(tomls[".cargo/config.toml"]["target"]) == cargo_config_triples(resolved)
    assert list(flake_targets(project)) == sorted(triples)
    assert platforms_triples(project) == triples


@settings(max_examples=examples(200))
@given(answers=valid_answers())
def test_valid_answers_render_a_correct_project(template: Path, answers: dict[str, Any]) -> None:
    with scratch() as folder:
        check_project(render_from(template, folder / "project", answers), answers)


@settings(max_examples=examples(100))
@given(answers=valid_answers(text_size=4), description=any_text(), author=any_text())
def test_any_free_text_is_refused_or_comes_back_byte_identical(
    template: Path, answers: dict[str, Any], description: str, author: str
) -> None:
    """The issue's rule with no oracle in the way: whatever is typed either renders a
    correct project or is refused by its question, naming the character. Then the
    rule in answer_space.refused_character must agree with the outcome both ways."""
    answers = {**answers, "description": description, "author": author}
    with scratch() as folder:
        destination = folder / "project"
        try:
            render_from(template, destination, answers, cleanup_on_error=False)
        except ValueError as refused:
            event("refused")
            message = str(refused)
            assert re.search(r"'(description|author)'.*(U\+[0-9A-F]{4,6}\b|line break)", message)
            assert not destination.exists(), "nothing may be written for a refused answer"
            assert any(refused_character(c, multiline=True) for c in description) or any(
                refused_character(c, multiline=False) for c in author
            ), f"refused text the rule allows: {message}"
            return
        event("accepted")
        check_project(destination, answers)
        assert not any(refused_character(c, multiline=True) for c in description)
        assert not any(refused_character(c, multiline=False) for c in author)


def git(project: Path, *args: str) -> str:
    result = subprocess.run([*GIT, *args], cwd=project, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


@settings(max_examples=examples(25))
@given(answers=valid_answers())
def test_recopy_with_the_saved_answers_changes_no_file(
    template: Path, answers: dict[str, Any]
) -> None:
    """The answers file alone reproduces the project: nothing was lost or altered in it."""
    with scratch() as folder:
        project = render_from(template, folder / "project", answers)
        git(project, "init", "--quiet")
        git(project, "add", "-A")
        git(project, "commit", "--quiet", "-m", "generated")
        run_recopy(str(project), defaults=True, overwrite=True, skip_tasks=True, quiet=True)
        status = git(project, "status", "--porcelain", "--untracked-files=all")
        assert status == "", f"recopy changed files:\n{status}\n{git(project, 'diff')}"


@pytest.mark.parametrize("defect", DEFECTS)
@settings(max_examples=examples(12))
@given(data=st.data())
def test_invalid_answers_are_refused_and_nothing_is_written(
    template: Path, defect: str, data: st.DataObject
) -> None:
    """One class per test (12 examples each, about 200 in all): drawn from one strategy,
    Hypothesis's preference for the first choice would starve the later classes."""
    refusal = data.draw(refusals(defect), label="refusal")
    with scratch() as folder:
        destination = folder / "project"
        with pytest.raises(ValueError) as refused:
            render_from(template, destination, refusal.answers, cleanup_on_error=False)
        message = str(refused.value)
        assert f"'{refusal.question}'" in message, f"another question refused it: {message}"
        assert re.search(refusal.message, message), (
            f"{refusal.defect}: {message!r} does not match {refusal.message!r}"
        )
        assert not destination.exists(), "nothing may be written for a refused answer"


# --- Controls: the checks above can fail ---------------------------------


@pytest.fixture(scope="module")
def sample() -> tuple[dict[str, Any], Path]:
    """One rendered valid project with tricky free text."""
    answers = {
        "crate_name": "sample",
        "crate_type": "bin",
        "description": "quote \" backslash \\ ${x} ''${y} \u2028 \ufeff",
        "author": 'Zoë "Z" <z@example.com>',
        "license": "MIT",
        "edition": "2024",
        "hosts": ["x86_64-linux"],
        "darwin_from_linux": False,
        "nixpkgs_branch": "nixos-unstable",
        "targets": ["x86_64-linux", "aarch64-linux"],
        "linking": "dynamic",
        "glibc": "2.28",
        "toolchain": "1.85.0",
        "ci": "github",
        "binary_cache": "none",
        "images": True,
    }
    folder = Path(tempfile.mkdtemp(prefix="crossflake-control-"))
    return answers, render(folder / "project", answers)


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("Cargo.toml", "backslash \\\\ ", "backslash \\\\\\\\ "),
        ("flake.nix", "backslash", "Backslash"),
        ("nix/targets.nix", "aarch64-unknown-linux-gnu = {", "aarch64-x = {"),
        (".copier-answers.yml", "2.28", "2.17"),
        (".cargo/config.toml", "[target.aarch64-unknown-linux-gnu]", "[target.aarch64-x]"),
        ("PLATFORMS.md", "`aarch64-unknown-linux-gnu`", "`aarch64-unknown-linux-musl`"),
    ],
)
def test_check_project_catches_a_tampered_file(
    sample: tuple[dict[str, Any], Path], path: str, old: str, new: str, tmp_path: Path
) -> None:
    answers, project = sample
    check_project(project, answers)  # the untouched project passes
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(project), str(copy)], check=True)
    text = (copy / path).read_text(encoding="utf-8")
    assert old in text, f"{path} should contain {old!r}"
    (copy / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(AssertionError):
        check_project(copy, answers)


def test_nel_is_why_control_characters_are_refused() -> None:
    """PyYAML, which writes and reads the answers file, turns NEL into a space: a
    description with it would change at the next recopy or update. If PyYAML ever
    round-trips it, the rule in answer_space.refused_character can be relaxed."""
    from jinja2_ansible_filters.core_filters import to_nice_yaml  # copier's filter

    text = "one\x85two"
    assert yaml.safe_load(to_nice_yaml({"description": text}))["description"] != text
    assert refused_character("\x85", multiline=True)


@pytest.mark.parametrize("field", ["description", "author"])
def test_del_and_every_c1_control_is_refused_by_name(
    template: Path, field: str, tmp_path: Path
) -> None:
    """DEL and C1 (U+007F-U+009F), the class the validators used to let through, one
    render each: the invalid-answer property only samples them."""
    refused = [chr(c) for c in range(0x7F, 0xA0)]
    assert all(refused_character(c, multiline=field == "description") for c in refused)
    for index, c in enumerate(refused):
        destination = tmp_path / f"p{index}"
        with pytest.raises(ValueError, match=rf"'{field}'.*U\+{ord(c):04X}\b.*: remove it"):
            render_from(template, destination, {field: f"text {c} more"}, cleanup_on_error=False)
        assert not destination.exists()
