"""Rung 0: every invalid answer is refused before anything is written, with a
message that names the problem and says how to fix it.

Answers go in through `data` (what `copier copy --data` does), so copier's
validators and choice checks are what refuse them: the same code a person at
the prompt meets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cases import WASM
from support import render

BAD_ANSWERS: list[tuple[str, dict[str, Any], str]] = [
    # (case id, answers, regex the error message must match)
    ("empty-name", {"crate_name": ""}, r"crate name is empty: type a name"),
    ("digit-first", {"crate_name": "1tool"}, r"must start with a letter \(for example my-1tool\)"),
    (
        "space",
        {"crate_name": "my tool"},
        r"use only ASCII letters, digits, - and _ \(for example my-tool\)",
    ),
    (
        "dot",
        {"crate_name": "my.tool"},
        r"use only ASCII letters, digits, - and _ \(for example my-tool\)",
    ),
    ("non-ascii", {"crate_name": "café"}, r"use only ASCII letters, digits, - and _"),
    ("keyword-fn", {"crate_name": "fn"}, r"Rust keyword and cannot name a crate: .*fn-rs"),
    ("keyword-self", {"crate_name": "self"}, r"Rust keyword"),
    ("keyword-async", {"crate_name": "async"}, r"Rust keyword"),
    ("builtin-std", {"crate_name": "std"}, r"Rust's built-in std crate: choose another name"),
    ("builtin-proc-macro", {"crate_name": "proc-macro"}, r"built-in proc_macro crate"),
    ("windows-reserved", {"crate_name": "con"}, r"reserved file name on Windows"),
    ("too-long", {"crate_name": "a" * 65}, r"65 characters long: crates.io allows at most 64"),
    ("no-host", {"hosts": []}, r"Pick at least one host"),
    ("unknown-host", {"hosts": ["sparc-linux"]}, r"'sparc-linux' is not in \["),
    ("no-target", {"targets": []}, r"Pick at least one target"),
    ("unknown-target", {"targets": ["mips-linux"]}, r"'mips-linux' is not in \['x86_64-linux'"),
    (
        "darwin-target-without-darwin-host",
        {"hosts": ["x86_64-linux"], "targets": ["aarch64-darwin"]},
        r"aarch64-darwin needs a macOS host among the hosts",
    ),
    (
        "x86_64-darwin-on-unstable",
        {"hosts": ["x86_64-darwin"], "nixpkgs_branch": "nixos-unstable"},
        r"nixos-unstable no longer builds for x86_64-darwin: pick nixos-26.05",
    ),
    ("unknown-branch", {"nixpkgs_branch": "nixos-24.05"}, r"'nixos-24.05' is not in"),
    ("toolchain-word", {"toolchain": "latest"}, r'"latest" is not a toolchain: write stable, beta'),
    ("toolchain-no-patch", {"toolchain": "1.85"}, r"nightly or e\.g\. 1\.85\.0"),
    ("toolchain-letters", {"toolchain": "1.x.0"}, r'"1.x.0" is not a toolchain'),
    ("toolchain-major-2", {"toolchain": "2.0.0"}, r"Rust 2.0.0 does not exist"),
    (
        "toolchain-too-old-for-2024",
        {"toolchain": "1.80.0", "edition": "2024"},
        r"Rust 1.80.0 is too old: edition 2024 needs 1.85.0 or newer",
    ),
    (
        "toolchain-without-rust-analyzer",
        {"toolchain": "1.60.0", "edition": "2021"},
        r"Rust 1.60.0 is too old: rust-analyzer needs 1.64.0 or newer",
    ),
    (
        "toolchain-too-old-for-wasip1",
        {"toolchain": "1.77.0", "edition": "2021", "targets": [WASM]},
        r"Rust 1.77.0 is too old: wasm32-wasip1 needs 1.78.0 or newer",
    ),
    (
        "toolchain-too-old-for-wasip2",
        {"toolchain": "1.81.0", "edition": "2021", "targets": ["wasm32-wasip2"]},
        r"Rust 1.81.0 is too old: wasm32-wasip2 needs 1.82.0 or newer",
    ),
    (
        "toolchain-too-old-for-riscv-musl",
        {"toolchain": "1.80.0", "edition": "2021", "targets": ["riscv64-linux"]},
        r"Rust 1.80.0 is too old: riscv64gc-unknown-linux-musl needs 1.82.0 or newer",
    ),
    (
        "glibc-too-low",
        {"linking": "dynamic", "glibc": "2.5"},
        r"glibc 2.5 is older than zig and Rust support: pick 2.17 or newer",
    ),
    (
        "glibc-word",
        {"linking": "dynamic", "glibc": "new"},
        r'"new" is not a glibc version: write it as 2.N',
    ),
    ("glibc-major-3", {"linking": "dynamic", "glibc": "3.1"}, r"is not a glibc version"),
    (
        "glibc-three-parts",
        {"linking": "dynamic", "glibc": "2.17.1"},
        r"write it as 2.N, for example 2.17",
    ),
    ("linking-word", {"linking": "shared"}, r"'shared' is not in \['static', 'dynamic'\]"),
    ("edition-2018", {"edition": "2018"}, r"'2018' is not in \['2024', '2021'\]"),
    ("crate-type", {"crate_type": "dylib"}, r"'dylib' is not in \['bin', 'lib'\]"),
    ("license", {"license": "WTFPL"}, r"'WTFPL' is not in"),
    ("description-control", {"description": "bell\x07"}, r"control character .*: remove it"),
    ("author-newline", {"author": "Ada\nLovelace"}, r"write it on one line"),
    # Found by the property tests (test_properties.py): accepted before, broke the project.
    ("keyword-Self", {"crate_name": "Self"}, r"Rust keyword"),
    (
        "bin-named-deps",
        {"crate_name": "deps"},
        r"binary named deps collides .*: pick lib, or rename",
    ),
    (
        "bin-named-Build",
        {"crate_name": "Build"},
        r"binary named Build collides with the build folder",
    ),
    ("description-del", {"description": "a\x7fb"}, r"U\+007F \(DEL\).*: remove it"),
    ("description-nel", {"description": "a\x85b"}, r"U\+0085 \(NEL\).*: remove it"),
    ("author-c1", {"author": "Ada\x9b"}, r"control character U\+009B.*: remove it"),
    ("author-surrogate", {"author": "Ada \udcff"}, r"U\+DCFF, half of a surrogate pair"),
    ("toolchain-leading-zero", {"toolchain": "1.085.0"}, r"no leading zeros\): write 1\.85\.0"),
    ("toolchain-full-width", {"toolchain": "1.\uff18\uff15.0"}, r"ASCII digits.*write 1\.85\.0"),
    ("toolchain-superscript", {"toolchain": "1.\u00b25.0"}, r"is not a toolchain"),
    (
        "glibc-leading-zero",
        {"linking": "dynamic", "glibc": "2.017"},
        r"not how glibc versions are written .*: write 2\.17",
    ),
    (
        "glibc-arabic-indic",
        {"linking": "dynamic", "glibc": "2.\u0662\u0668"},
        r"ASCII digits.*write 2\.28",
    ),
]


@pytest.mark.parametrize(
    ("answers", "message"),
    [pytest.param(answers, message, id=case) for case, answers, message in BAD_ANSWERS],
)
def test_bad_answer_is_refused_and_nothing_is_written(
    tmp_path: Path, answers: dict[str, Any], message: str
) -> None:
    destination = tmp_path / "project"
    with pytest.raises(ValueError, match=message):
        render(destination, answers)
    assert not destination.exists(), "nothing may be written for a refused answer"


def test_a_library_may_take_a_name_cargo_reserves_for_binaries(tmp_path: Path) -> None:
    """Cargo refuses only binaries named like its target/ folders."""
    project = render(tmp_path / "project", {"crate_name": "build", "crate_type": "lib"})
    assert (project / "src/lib.rs").is_file()


def test_messages_name_the_question(tmp_path: Path) -> None:
    """copier prefixes the question's name, so a --data user knows which flag to fix."""
    with pytest.raises(ValueError, match=re.escape("question 'crate_name'")):
        render(tmp_path / "project", {"crate_name": "fn"})
