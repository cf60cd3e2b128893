#!/usr/bin/env python3
"""Print the README's example session, captured from a real `copier copy` in a pty.

A hand-written transcript drifts from what copier really shows the moment a
question or help text changes. This runs the current work tree exactly as a
newcomer would (tests/terminal/terminal_session.py drives the terminal):
Enter on every question, plus one extra target ticked in the multiselect,
and prints what the terminal then shows, temporary paths replaced by `~`.

Multiselect answers collapse to "done (N selections)" once confirmed; the
transcript shows the list as it stood when Enter was pressed, above that line.

Usage: python3 scripts/capture-transcript.py [--add-target ID] [--markdown]
Needs copier, pexpect and pyte (the test extra) and git.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
# The import roots pyproject.toml declares for the tests (tool.pytest pythonpath).
sys.path[:0] = [
    str(ROOT / root)
    for root in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "pytest"
    ]["ini_options"]["pythonpath"]
]

from support import load_catalog  # noqa: E402
from terminal_session import (  # noqa: E402
    COLUMNS,
    ENTER,
    QUESTION_MARK,
    ROWS,
    CopierSession,
    checkbox_rows,
    snapshot_template,
)

SOURCE = "https://github.com/crossflake/crossflake"
PROJECT = "my-crate"
CLONE = re.compile(rb"/tmp/copier\._vcs\.clone\.[A-Za-z0-9_]+")


def default_extra_target() -> str:
    """The WASI target: it shows a third kind of runner (wasmtime) in the next steps."""
    targets = load_catalog(ROOT)["targets"]
    return next(name for name, target in targets.items() if target["family"] == "wasm")


def template_version() -> str:
    """The release the README documents, from pyproject.toml (copier prints it)."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def list_rows(screen: str) -> list[str]:
    """The rows of the multiselect on screen, as shown (pointer, marks, titles)."""
    return [line for line in screen.splitlines() if re.match(r"^ [» ] [●○-] \S+  \(", line)]


def capture(extra_target: str, rows: int, columns: int) -> str:
    """Run the session; the transcript with multiselect lists put back in place."""
    with tempfile.TemporaryDirectory(prefix="crossflake-transcript-") as scratch:
        work = Path(scratch)
        template = snapshot_template(work / "template", tag=f"v{template_version()}")
        home = work / "home"
        home.mkdir()

        def hide_paths(data: bytes) -> bytes:
            data = data.replace(str(home).encode(), b"~")
            data = data.replace(sys.executable.encode(), b"python3")
            return CLONE.sub(b"/tmp/copier._vcs.clone.XXXXXXXX", data)

        lists: dict[str, list[str]] = {}
        with CopierSession(
            template, home / PROJECT, rows=rows, columns=columns, rewrite=hide_paths
        ) as session:
            while (name := session.next_question()) is not None:
                if name == "targets":
                    session.toggle(extra_target)
                if checkbox_rows(session.screen()):
                    lists[name] = list_rows(session.screen())
                session.press(ENTER)
            status = session.wait_exit()
            transcript = session.transcript()
        if status != 0:
            raise SystemExit(f"copier failed ({status}):\n{transcript}")
    return put_lists_back(transcript, lists, session)


def put_lists_back(transcript: str, lists: dict[str, list[str]], session: CopierSession) -> str:
    """Insert each multiselect's list above its "done (N selections)" line."""
    lines = transcript.splitlines()
    result: list[str] = []
    current = None
    for line in lines:
        if line.startswith(QUESTION_MARK):
            current = next(
                (
                    name
                    for name, prompt in session.prompts.items()
                    if line.removeprefix(QUESTION_MARK).strip().startswith(prompt)
                ),
                None,
            )
        if current in lists and re.match(r"^\s+done \(\d+ selections?\)$", line):
            result += [row.replace(" » ", "   ", 1) for row in lists.pop(current)]
        result.append(line)
    return "\n".join(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add-target", default=default_extra_target(), help="target to tick")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--columns", type=int, default=COLUMNS)
    parser.add_argument("--markdown", action="store_true", help="wrap in a ```console fence")
    options = parser.parse_args(argv)

    body = capture(options.add_target, options.rows, options.columns)
    text = f"$ copier copy --trust {SOURCE} {PROJECT}\n{body}"
    print(f"```console\n{text}\n```" if options.markdown else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
