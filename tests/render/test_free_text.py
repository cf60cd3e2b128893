"""Rung 0: free text is data, never syntax.

The description and author are typed by people and may hold quotes,
backslashes, Nix interpolations, TOML or Markdown syntax and line breaks.
Each generated file must carry the text verbatim, read back by that format's
own parser (tomllib for Cargo.toml, Nix for flake.nix), and the README's
structure must not change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import nix_eval_json, read_toml, render

TRICKY_TEXTS = {
    "quotes": 'He said "hi" and left',
    "backslashes": r"C:\path\to\n and \" and \\",
    "nix-interpolation": "${builtins.abort \"pwned\"} and $${x} and ''${y}",
    "toml-breakout": '"\n[package.metadata]\nevil = true\ndescription = "x',
    "markdown": "# Heading\n- list\n[link](http://x) <script>alert(1)</script> | pipe |",
    "newlines": "first line\nsecond line\n\nfourth line",
    "shell": "$(whoami) `id` ; rm -rf / #",
    "unicode": "🦀 crabs — naïve façade 你好",
    "tabs": "a\tb",
}

AUTHORS = {
    "quotes": 'Ada "The Countess" Lovelace <ada@example.com>',
    "backslashes": r"Back\slash <b@example.com>",
    "nix-interpolation": "${evil} <e@example.com>",
    "toml-breakout": 'x"], evil = ["y',
    "markdown": "# Not a heading",
    "newlines": "One Line <one@example.com>",
    "shell": "$(whoami)",
    "unicode": "Zoë Ærø",
    "tabs": "tab\there",
}


def readme_description(project: Path) -> str:
    """The README's description paragraph with Markdown escapes removed."""
    lines = (project / "README.md").read_text(encoding="utf-8").split("\n")
    paragraph = []
    for line in lines[2:]:
        if not line:
            break
        paragraph.append(line[:-1] if line.endswith("\\") else line)
    return re.sub(r"\\(.)", r"\1", "\n".join(paragraph))


def headings(project: Path) -> list[str]:
    text = (project / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^#+ .*$", text, re.M)


@pytest.fixture(scope="module")
def plain_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("plain") / "project", {"crate_name": "demo"})


@pytest.mark.parametrize("case", TRICKY_TEXTS)
def test_free_text_reads_back_verbatim(case: str, tmp_path: Path, plain_project: Path) -> None:
    description, author = TRICKY_TEXTS[case], AUTHORS[case]
    project = render(
        tmp_path / "project",
        {"crate_name": "demo", "description": description, "author": author},
    )

    package = read_toml(project / "Cargo.toml")["package"]
    assert package["description"] == description
    assert package["authors"] == [author]
    assert set(package) == {"name", "version", "edition", "description", "authors", "license"}

    flake_description = nix_eval_json("(import ./flake.nix).description", project)
    assert flake_description == description

    assert readme_description(project) == description
    assert headings(project) == headings(plain_project), "README structure must not change"

    rust = (project / "src/main.rs").read_text(encoding="utf-8")
    assert description not in rust, "free text stays out of Rust sources"
