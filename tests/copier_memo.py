"""Half the CPU of every render: copier's two pure, repeated steps remembered per process.

A render through copier's API spends about half its CPU time doing the same work again:
it compiles each Jinja string of copier.yml (defaults, `when`, validators, help: some 375
per render) anew, and parses the catalog's YAML once per question that reads it (14 times
per render), because copier asks a computed question's default several times. The suite
renders thousands of projects (property tests, updates), so that repetition is minutes of
CI.

Both steps are pure functions of their inputs, so this module remembers their results:

- ``jinja2.Environment.compile`` of a string (``Environment.from_string``: no name, no
  file): its code object depends only on the text and the environment's syntax and
  compiler options (the key below holds all of them; the environment's class covers the
  sandbox's compile-time operator interception). Code objects are immutable; each call
  still builds its own Template around it, bound to the caller's environment and
  globals. Template files are compiled as before: copier reads them from a fresh clone
  each time, so their file names never repeat.
- ``yaml.safe_load`` of a ``str``: each caller gets its own deep copy of the parsed
  value, so no caller sees another's changes. Streams and bytes are parsed as before.

What it changes: nothing a test observes but time (tests/harness/test_copier_memo.py
renders the same answers with and without it, in separate processes, and compares every
byte). Copier's own processes (the CLI runs in tests/terminal and tests/update, and the
post-generate hook) run without it, exactly as users run them. The speed-up is measured
by benchmarks/render_time.py, not asserted.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Hashable
from types import CodeType
from typing import Any

import jinja2
import yaml

DISABLE = "CROSSFLAKE_NO_COPIER_MEMO"
"""Set to any value to render without the memo (the comparison test and the benchmark)."""

_original_compile = jinja2.Environment.compile
_original_safe_load = yaml.safe_load
_codes: dict[Hashable, Any] = {}
_documents: dict[str, Any] = {}
LIMIT = 20_000
"""Entries per memo; beyond it the memo starts again (bounded memory in long runs)."""


def environment_key(env: jinja2.Environment) -> Hashable:
    """Everything of an environment that changes what a source text compiles to."""
    return (
        type(env),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        tuple(sorted(env.extensions)),
        env.optimized,
        env.is_async,
        env.finalize,
        env.code_generator_class,
        env.autoescape,
    )


def remembered_compile(
    self: jinja2.Environment,
    source: Any,
    name: str | None = None,
    filename: str | None = None,
    raw: bool = False,
    defer_init: bool = False,
) -> CodeType | str:
    """``Environment.compile``, computed once per distinct source text and environment."""
    if not isinstance(source, str) or name is not None or filename is not None:
        return _original_compile(self, source, name, filename, raw, defer_init)
    try:
        key = (environment_key(self), source, name, filename, raw, defer_init)
        known = _codes.get(key)
    except TypeError:  # an unhashable option (a finalize or autoescape closure, say)
        return _original_compile(self, source, name, filename, raw, defer_init)
    if known is None:
        if len(_codes) >= LIMIT:
            _codes.clear()
        known = _codes[key] = _original_compile(self, source, name, filename, raw, defer_init)
    return known


def remembered_safe_load(stream: Any) -> Any:
    """``yaml.safe_load``; a text is parsed once, and each caller gets its own copy."""
    if not isinstance(stream, str):
        return _original_safe_load(stream)
    if stream not in _documents:
        if len(_documents) >= LIMIT:
            _documents.clear()
        _documents[stream] = _original_safe_load(stream)
    return copy.deepcopy(_documents[stream])


def install() -> bool:
    """Put the memo in place for this process, unless DISABLE is set. True if installed."""
    if os.environ.get(DISABLE):
        return False
    jinja2.Environment.compile = remembered_compile  # type: ignore[method-assign,assignment]
    yaml.safe_load = remembered_safe_load
    return True
