"""The whole answer space of crossflake, as Hypothesis strategies.

Valid answer sets come from the catalog (hosts, targets, families, glibc
floors, Rust minimums) and copier.yml's own choices, so a platform or a
choice added there is explored here with no edit. Invalid answer sets are a
valid set with exactly one defect, each paired with the question that must
refuse it and a pattern its message must match (the problem and the fix).

What is *allowed* in free text is spelled out here as a rule of its own
(`refused_character`), not read from copier.yml: the property tests compare
the validators against it, and the renders against the formats' parsers.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st
from support import CATALOG, TEMPLATE_ROOT, resolve_targets

COPIER = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text(encoding="utf-8"))


def choice_values(question: str) -> list[str]:
    """The values of a question's choices (a list, or labels mapped to values or to
    {value, validator})."""
    choices = COPIER[question]["choices"]
    if isinstance(choices, list):
        return [str(choice) for choice in choices]
    return [str(v["value"] if isinstance(v, dict) else v) for v in choices.values()]


HOSTS = list(CATALOG["hosts"])
TARGETS = list(CATALOG["targets"])
# The targets question's order (copier.yml): the catalog's `common` platforms, then the rest.
TARGET_CHOICES = [t for t in TARGETS if CATALOG["targets"][t].get("common")]
TARGET_CHOICES += [t for t in TARGETS if t not in TARGET_CHOICES]
BRANCHES = list(CATALOG["nixpkgs"])
CRATE_TYPES = choice_values("crate_type")
LICENSES = choice_values("license")
EDITIONS = list(CATALOG["rust"]["editions"])
LINKINGS = choice_values("linking")
CI_CHOICES = choice_values("ci")
BINARY_CACHES = choice_values("binary_cache")
CHANNELS = list(CATALOG["rust"]["channels"])
FIRST_GLIBC_MINOR = min(
    int(t["min_glibc"].split(".")[1]) for t in CATALOG["targets"].values() if t.get("min_glibc")
)

# Names Cargo or rustc refuse for a package (cargo's restricted names, Rust's
# keywords including the reserved `gen`, the built-in crates) and names Windows
# reserves for files. These are outside facts the validator is checked against.
KEYWORDS = (  # noqa: SIM905 (a word list reads better than 52 quoted lines)
    "Self abstract as async await become box break const continue crate do dyn else enum "
    "extern false final fn for gen if impl in let loop macro match mod move mut override "
    "priv pub ref return self static struct super trait true try type typeof unsafe unsized "
    "use virtual where while yield"
).split()
BUILTIN_CRATES = ["std", "core", "alloc", "proc_macro", "proc-macro", "test"]
WINDOWS_RESERVED = ["con", "prn", "aux", "nul"] + [
    f"{p}{n}" for p in ("com", "lpt") for n in "123456789"
]
# Folders Cargo keeps beside the binaries in target/<profile>/: no binary may take their name.
CARGO_ARTIFACT_DIRS = ["deps", "examples", "build", "incremental"]


def examples(count: int) -> int:
    """An example budget, scaled by CROSSFLAKE_EXAMPLES_SCALE (default 1) for deeper local runs."""
    return max(1, int(count * float(os.environ.get("CROSSFLAKE_EXAMPLES_SCALE", "1"))))


# ---------------------------------------------------------------------------
# Free text
# ---------------------------------------------------------------------------


def refused_character(c: str, *, multiline: bool) -> bool:
    """Whether free text may not contain c.

    Control characters (Unicode category Cc: C0, DEL, C1) are refused except
    tab, and line feed where the text may span lines: TOML cannot hold some
    of them raw and PyYAML reads NEL back as a space, so they would not come
    back as typed. Lone surrogates (Cs) are not characters at all; copier
    gets them from command-line bytes that are not UTF-8. Everything else,
    non-characters and format characters included, must round-trip.
    """
    category = unicodedata.category(c)
    if c == "\t" or (multiline and c == "\n"):
        return False
    return category in ("Cc", "Cs")


def code_point(c: str) -> str:
    """U+XXXX, as the validators name a character."""
    return f"U+{ord(c):04X}"


# Fragments that break naive escaping in one of the formats (TOML, Nix, YAML,
# Markdown, Jinja) or sit at the edges of the allowed set.
TRICKY = [
    '"',
    "'",
    "''",
    "'''",
    '"""',
    "\\",
    "\\n",
    "\\u0041",
    "${",
    "$${",
    "''${",
    "$",
    "{{",
    "}}",
    "{%",
    "#",
    ": ",
    "- ",
    "? ",
    "|",
    ">",
    "&a",
    "*a",
    "!!",
    "%",
    "@",
    "`",
    "[",
    "]",
    "{",
    "}",
    " ",
    "  ",
    "\t",
    "\xa0",
    "\u00ad",
    "\u200b",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\ufffe",
    "\uffff",
    "\U0001f980",
    "\U0010ffff",
    "null",
    "true",
    "~",
    "0x1F",
    "1.0",
]

_ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
# Every control character (category Cc: C0, DEL, C1).
CONTROLS = [chr(cp) for cp in range(0xA0) if unicodedata.category(chr(cp)) == "Cc"]


def free_text(*, multiline: bool, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text a person may type: any allowed character, with tricky fragments mixed in."""
    allowed_controls = [c for c in CONTROLS if not refused_character(c, multiline=multiline)]
    allowed_chars = st.one_of(
        st.characters(exclude_categories=("Cs", "Cc")), st.sampled_from(allowed_controls)
    )
    fragments = [f for f in TRICKY if not any(refused_character(c, multiline=multiline) for c in f)]
    if multiline:
        fragments += ["\n", "\n\n", "\n  "]
    pieces = st.one_of(allowed_chars, st.sampled_from(fragments))
    return st.lists(pieces, max_size=max_size).map("".join)


def any_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Text from all of Unicode, controls and lone surrogates included (about one
    piece in sixteen), with the tricky fragments: no rule decides what is drawn."""
    refusable = st.one_of(st.sampled_from(CONTROLS), st.integers(0xD800, 0xDFFF).map(chr))
    ordinary = st.one_of(_ANY_CHARACTER, st.sampled_from([*TRICKY, "\n"]))
    piece = st.integers(0, 15).flatmap(lambda roll: refusable if roll == 0 else ordinary)
    return st.lists(piece, max_size=max_size).map("".join)


def refused_characters(*, multiline: bool) -> st.SearchStrategy[str]:
    """Characters free text must not contain: every control character, lone surrogates."""
    controls = [c for c in CONTROLS if refused_character(c, multiline=multiline)]
    surrogates = st.integers(0xD800, 0xDFFF).map(chr)
    return st.one_of(st.sampled_from(controls), surrogates)


# ---------------------------------------------------------------------------
# Valid answer sets
# ---------------------------------------------------------------------------


def reserved_name(name: str, crate_type: str) -> bool:
    """Whether Cargo, rustc or Windows refuse this (otherwise well-formed) crate name."""
    ident = name.replace("-", "_")
    return (
        name in KEYWORDS
        or ident in KEYWORDS
        or name in BUILTIN_CRATES
        or ident in BUILTIN_CRATES
        or ident.lower() in WINDOWS_RESERVED
        or (crate_type == "bin" and name.lower() in CARGO_ARTIFACT_DIRS)
    )


def crate_names(crate_type: str) -> st.SearchStrategy[str]:
    """Names Cargo accepts for this kind of crate: ASCII, a letter first, at most 64."""
    shaped = st.one_of(
        st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,63}", fullmatch=True),
        # Near misses of the reserved names, which must stay accepted.
        st.sampled_from(KEYWORDS + CARGO_ARTIFACT_DIRS + WINDOWS_RESERVED).flatmap(
            lambda word: st.sampled_from([f"{word}-rs", f"my_{word}", f"{word}1", word.upper()])
        ),
    )
    return shaped.filter(lambda name: not reserved_name(name, crate_type))


@functools.cache
def _target_minimums(targets: tuple[str, ...], linking: str) -> tuple[tuple[str, str], ...]:
    """(triple, min_rust) of the resolved targets that have a minimum (cached: the
    resolver is a Jinja template, and generation asks often)."""
    resolved = resolve_targets(TEMPLATE_ROOT, {"targets": list(targets), "linking": linking})
    return tuple((t["triple"], t["min_rust"]) for t in resolved if t["min_rust"])


def oldest_minor(answers: dict[str, Any]) -> tuple[int, str]:
    """The oldest Rust minor these answers allow, and what decides it (the rule the
    toolchain validator states: rust-analyzer, then the edition, then each target)."""
    minor, reason = int(CATALOG["rust"]["min_exact"].split(".")[1]), "rust-analyzer"
    edition_minor = int(CATALOG["rust"]["editions"][answers["edition"]].split(".")[1])
    if edition_minor > minor:
        minor, reason = edition_minor, f"edition {answers['edition']}"
    linking = answers.get("linking", "static")
    for triple, min_rust in _target_minimums(tuple(sorted(answers["targets"])), linking):
        if int(min_rust.split(".")[1]) > minor:
            minor, reason = int(min_rust.split(".")[1]), triple
    return minor, reason


def has_linux(targets: list[str]) -> bool:
    return any(CATALOG["targets"][t]["family"] == "linux" for t in targets)


@st.composite
def valid_answers(draw: st.DrawFn, *, text_size: int = 40) -> dict[str, Any]:
    """A complete answer set copier must accept, covering every question's range."""
    hosts = draw(st.lists(st.sampled_from(HOSTS), min_size=1, unique=True))
    darwin_host = any(CATALOG["hosts"][h]["darwin"] for h in hosts)
    # Asked only when every host is Linux: yes lets the Linux hosts build macOS targets.
    from_linux = None if darwin_host else draw(st.booleans())
    reachable = [
        t
        for t in TARGETS
        if darwin_host or from_linux or not CATALOG["targets"][t]["darwin_hosts_only"]
    ]
    targets = draw(st.lists(st.sampled_from(reachable), min_size=1, unique=True))
    branches = [b for b in BRANCHES if set(hosts) <= set(CATALOG["nixpkgs"][b]["hosts"])]
    crate_type = draw(st.sampled_from(CRATE_TYPES))
    answers: dict[str, Any] = {
        "crate_name": draw(crate_names(crate_type)),
        "crate_type": crate_type,
        "description": draw(free_text(multiline=True, max_size=text_size)),
        "author": draw(free_text(multiline=False, max_size=text_size)),
        "license": draw(st.sampled_from(LICENSES)),
        "edition": draw(st.sampled_from(EDITIONS)),
        "hosts": hosts,
        "nixpkgs_branch": draw(st.sampled_from(branches)),
        "targets": targets,
    }
    if from_linux is not None:
        answers["darwin_from_linux"] = from_linux
    if has_linux(targets):
        answers["linking"] = draw(st.sampled_from(LINKINGS))
        if answers["linking"] == "dynamic":
            answers["glibc"] = f"2.{draw(st.integers(FIRST_GLIBC_MINOR, 45))}"
    minor, _ = oldest_minor(answers)
    answers["toolchain"] = draw(
        st.one_of(
            st.sampled_from(CHANNELS),
            st.builds(lambda m, p: f"1.{m}.{p}", st.integers(minor, 130), st.integers(0, 12)),
        )
    )
    answers["ci"] = draw(st.sampled_from(CI_CHOICES))
    if answers["ci"] == "github":
        answers["binary_cache"] = draw(st.sampled_from(BINARY_CACHES))
        if answers["binary_cache"] == "cachix":
            answers["cachix_cache"] = draw(
                st.from_regex(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?", fullmatch=True)
            )
    # Asked (and saved) only for a program with a Linux target.
    if answers["crate_type"] == "bin" and has_linux(targets):
        answers["images"] = draw(st.booleans())
    return answers


def saved_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """What .copier-answers.yml must hold for answers from `valid_answers`: every answer,
    hosts and targets in the order their questions list them (copier orders multiselects
    by choice): the catalog's, targets with the common platforms first."""
    saved = dict(answers)
    saved["hosts"] = [h for h in HOSTS if h in answers["hosts"]]
    saved["targets"] = [t for t in TARGET_CHOICES if t in answers["targets"]]
    return saved


# ---------------------------------------------------------------------------
# Invalid answer sets: one defect each
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """An answer set with one defect, who must refuse it, and what the message says."""

    answers: dict[str, Any]
    question: str
    message: str  # a regular expression: the problem and the fix
    defect: str  # for reports: which class of defect

    def __repr__(self) -> str:
        return f"Refusal({self.defect}: {self.question}={self.answers.get(self.question)!r})"


# Every non-ASCII decimal digit by its value (full-width, Arabic-Indic, Devanagari...):
# Python's isdigit() and int() take them, Rust and glibc version strings do not.
NON_ASCII_DIGITS: dict[str, list[str]] = {}
for _cp in range(0x80, 0x110000):
    if unicodedata.category(chr(_cp)) == "Nd":
        NON_ASCII_DIGITS.setdefault(str(unicodedata.decimal(chr(_cp))), []).append(chr(_cp))


@st.composite
def non_canonical_number(draw: st.DrawFn, canonical: str) -> str:
    """The same number written another way: leading zeros, or a non-ASCII digit."""
    parts = canonical.split(".")
    index = draw(st.integers(0, len(parts) - 1))
    if draw(st.booleans()):
        parts[index] = "0" * draw(st.integers(1, 2)) + parts[index]
    else:
        at = draw(st.integers(0, len(parts[index]) - 1))
        digit = draw(st.sampled_from(NON_ASCII_DIGITS[parts[index][at]]))
        parts[index] = parts[index][:at] + digit + parts[index][at + 1 :]
    return ".".join(parts)


def _insert(draw: st.DrawFn, text: str, piece: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + piece + text[at:]


# Every class of defect the validators must catch.
DEFECTS = [
    "crate-name-reserved",
    "crate-name-artifact-dir",
    "crate-name-shape",
    "crate-name-too-long",
    "free-text-control",
    "author-line-break",
    "toolchain-non-canonical",
    "toolchain-not-a-version",
    "toolchain-too-old",
    "glibc-non-canonical",
    "glibc-not-a-version",
    "glibc-too-old",
    "no-host",
    "no-target",
    "darwin-target-without-darwin-host",
    "branch-without-dropped-host",
    "unknown-choice",
]


@st.composite
def refusals(draw: st.DrawFn, kind: str) -> Refusal:
    """A valid answer set with one defect of this class (one of DEFECTS)."""
    answers = draw(valid_answers(text_size=12))
    q = re.escape
    if kind == "crate-name-reserved":
        word = draw(st.sampled_from(KEYWORDS + BUILTIN_CRATES + WINDOWS_RESERVED))
        if word in WINDOWS_RESERVED:
            word = "".join(draw(st.sampled_from([c, c.upper()])) for c in word)
        answers["crate_name"] = word
        return Refusal(
            answers,
            "crate_name",
            q(f'"{word}"')
            + r" (is a Rust keyword|is Rust's built-in|is a reserved file name on Windows)"
            + r".*: (try|choose)",
            kind,
        )
    if kind == "crate-name-artifact-dir":
        word = "".join(
            draw(st.sampled_from([c, c.upper()]))
            for c in draw(st.sampled_from(CARGO_ARTIFACT_DIRS))
        )
        answers["crate_name"], answers["crate_type"] = word, "bin"
        return Refusal(
            answers,
            "crate_type",
            f"binary named {q(word)} collides with .*: pick lib, or rename the crate",
            kind,
        )
    if kind == "crate-name-shape":
        bad = draw(
            st.characters(exclude_categories=("Cs",)).filter(
                lambda c: not (c.isascii() and (c.isalnum() or c in "-_"))
            )
        )
        name = _insert(draw, answers["crate_name"], bad)
        answers["crate_name"] = name
        return Refusal(
            answers, "crate_name", r"use only ASCII letters, digits, - and _ \(for example", kind
        )
    if kind == "crate-name-too-long":
        answers["crate_name"] = draw(st.from_regex(r"[a-z][a-z0-9_-]{64,90}", fullmatch=True))
        return Refusal(
            answers, "crate_name", r"characters long: crates\.io allows at most 64", kind
        )
    if kind == "free-text-control":
        field = draw(st.sampled_from(["description", "author"]))
        bad = draw(refused_characters(multiline=field == "description"))
        answers[field] = _insert(draw, answers[field], bad)
        if bad in "\n\r" and field == "author":
            return Refusal(answers, field, r"has a line break: write it on one line", kind)
        fix = r": remove it" if unicodedata.category(bad) == "Cc" else r": type it again as UTF-8"
        return Refusal(answers, field, q(code_point(bad)) + r"\b.*" + fix, kind)
    if kind == "author-line-break":
        answers["author"] = _insert(
            draw, answers["author"], draw(st.sampled_from(["\n", "\r", "\r\n"]))
        )
        return Refusal(answers, "author", r"has a line break: write it on one line", kind)
    minor, reason = oldest_minor(answers)
    if kind == "toolchain-non-canonical":
        canonical = f"1.{draw(st.integers(minor, 130))}.{draw(st.integers(0, 12))}"
        answers["toolchain"] = draw(non_canonical_number(canonical))
        return Refusal(
            answers,
            "toolchain",
            r"not how Rust versions are written .*: write " + q(canonical) + r"\.",
            kind,
        )
    if kind == "toolchain-not-a-version":
        answers["toolchain"] = draw(
            st.one_of(
                st.from_regex(r"1\.[0-9]{1,3}", fullmatch=True),
                st.from_regex(r"1\.[0-9]{1,3}\.[0-9]\.[0-9]", fullmatch=True),
                st.sampled_from(
                    ["latest", "Stable", "stable ", "1.85.0-beta", "v1.85.0", "1..0", "1.²5.0"]
                ),
            )
        )
        return Refusal(
            answers,
            "toolchain",
            r"is not a toolchain: write stable, beta, nightly or e\.g\. 1\.85\.0",
            kind,
        )
    if kind == "toolchain-too-old":
        answers["toolchain"] = f"1.{draw(st.integers(0, minor - 1))}.{draw(st.integers(0, 5))}"
        return Refusal(
            answers, "toolchain", rf"is too old: {q(reason)} needs 1\.{minor}\.0 or newer", kind
        )
    if kind.startswith("glibc"):
        targets = answers["targets"]
        if not has_linux(targets):
            answers["targets"] = targets = [*targets, next(t for t in TARGETS if has_linux([t]))]
            answers["toolchain"] = "stable"  # the new target may raise the Rust minimum
        answers["linking"] = "dynamic"
        if kind == "glibc-non-canonical":
            canonical = f"2.{draw(st.integers(FIRST_GLIBC_MINOR, 45))}"
            answers["glibc"] = draw(non_canonical_number(canonical))
            return Refusal(
                answers,
                "glibc",
                r"not how glibc versions are written .*: write " + q(canonical) + r"\.",
                kind,
            )
        if kind == "glibc-not-a-version":
            answers["glibc"] = draw(
                st.one_of(
                    st.from_regex(r"[13-9]\.[1-9][0-9]?", fullmatch=True),
                    st.from_regex(r"2\.[1-9][0-9]\.[0-9]", fullmatch=True),
                    st.sampled_from(["2", "2.", ".17", "glibc-2.17", "2.x", "2.17 "]),
                )
            )
            return Refusal(
                answers,
                "glibc",
                r"is not a glibc version: write it as 2\.N, for example 2\.17",
                kind,
            )
        answers["glibc"] = f"2.{draw(st.integers(0, FIRST_GLIBC_MINOR - 1))}"
        return Refusal(
            answers, "glibc", r"older than zig and Rust support: pick 2\.17 or newer", kind
        )
    if kind == "no-host":
        answers["hosts"] = []
        return Refusal(answers, "hosts", r"Pick at least one host", kind)
    if kind == "no-target":
        answers["targets"] = []
        return Refusal(answers, "targets", r"Pick at least one target", kind)
    if kind == "darwin-target-without-darwin-host":
        darwin_targets = [t for t in TARGETS if CATALOG["targets"][t]["darwin_hosts_only"]]
        plain_hosts = [h for h in HOSTS if not CATALOG["hosts"][h]["darwin"]]
        answers["hosts"] = draw(st.lists(st.sampled_from(plain_hosts), min_size=1, unique=True))
        answers["darwin_from_linux"] = False  # asked with Linux-only hosts; yes would allow it
        answers["nixpkgs_branch"] = BRANCHES[0]
        target = draw(st.sampled_from(darwin_targets))
        answers["targets"] = [t for t in answers["targets"] if t not in darwin_targets] + [target]
        answers["toolchain"] = "stable"
        return Refusal(answers, "targets", rf"{q(target)} needs a macOS host among the hosts", kind)
    if kind == "branch-without-dropped-host":
        branch = draw(
            st.sampled_from(
                [b for b in BRANCHES if set(CATALOG["nixpkgs"][b]["hosts"]) < set(HOSTS)]
            )
        )
        host = draw(
            st.sampled_from([h for h in HOSTS if h not in CATALOG["nixpkgs"][branch]["hosts"]])
        )
        answers["hosts"] = (
            [*answers["hosts"], host] if host not in answers["hosts"] else answers["hosts"]
        )
        answers["nixpkgs_branch"] = branch
        kept = [b for b in BRANCHES if set(answers["hosts"]) <= set(CATALOG["nixpkgs"][b]["hosts"])]
        return Refusal(
            answers,
            "nixpkgs_branch",
            rf"{q(branch)} no longer builds for .*{q(host)}.*: pick {q(' or '.join(kept))}",
            kind,
        )
    # unknown-choice
    question = draw(
        st.sampled_from(["crate_type", "license", "edition", "linking", "nixpkgs_branch"])
    )
    if question == "linking" and not has_linux(answers["targets"]):
        answers["targets"] = [*answers["targets"], next(t for t in TARGETS if has_linux([t]))]
        answers["toolchain"] = "stable"
    known = {"nixpkgs_branch": set(BRANCHES), "edition": set(EDITIONS)}.get(question) or set(
        choice_values(question)
    )
    value = draw(
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 .-]{0,15}", fullmatch=True).filter(
            lambda v: v not in known
        )
    )
    answers[question] = value
    if question == "linking":
        answers.pop("glibc", None)
    return Refusal(answers, question, rf"{q(repr(value))} is not in \[", kind)
