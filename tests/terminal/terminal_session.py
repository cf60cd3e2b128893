"""Drive `copier copy` in a real pseudo-terminal and read the screen a person sees.

Copier asks through questionary (prompt_toolkit), which only behaves like it
does for users when it talks to a terminal: raw key input, arrow keys, cursor
position requests, redraws. So the tests spawn the CLI in a pty (pexpect) and
feed everything it prints into a VT100 emulator (pyte). Assertions then read
the emulated screen, not the escape-laden byte stream, and waits key on the
text of a question, never on sleeps.

Used by the tests in this folder and by scripts/capture-transcript.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

import pexpect
import pyte
import yaml
from jinja2.sandbox import SandboxedEnvironment

TEMPLATE_ROOT = Path(__file__).resolve().parents[2]

# What a person's keys send to the terminal (xterm, normal cursor mode).
ENTER = "\r"
SPACE = " "
UP = "\x1b[A"
DOWN = "\x1b[B"
KILL_LINE = "\x15"  # Ctrl-U: prompt_toolkit erases the typed text before the cursor.

ROWS = 40
COLUMNS = 120
TIMEOUT = 60.0  # Generous: a cold copier import plus a git clone on a busy CI runner.

_WHITESPACE = re.compile(r"\s+")
# prompt_toolkit turns bracketed paste on when a prompt starts: one per question.
_PROMPT_STARTED = b"\x1b[?2004h"
QUESTION_MARK = "\N{MICROPHONE}"  # copier's qmark, first on every question's row


def normalize(text: str) -> str:
    """Collapse whitespace, so text prompt_toolkit wrapped still matches in one piece."""
    return _WHITESPACE.sub(" ", text).strip()


def snapshot_template(destination: Path, tag: str = "v0.0.0") -> Path:
    """Copy the template work tree into a fresh, tagged git repository.

    Copier clones a git template at its newest tag (or HEAD plus uncommitted
    changes, with a warning on screen). A snapshot of exactly what git would
    see (tracked and untracked, .gitignore honoured) gives every session the
    current template, a clean screen, and immunity from edits made meanwhile.
    """
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:  # not a git checkout (a source archive): copy it all
        shutil.copytree(
            TEMPLATE_ROOT,
            destination,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".git", "__pycache__", ".*_cache", ".venv"),
        )
    for name in filter(None, listing.stdout.decode().split("\0")):
        source = TEMPLATE_ROOT / name
        if source.is_file():  # deleted-but-tracked files are skipped
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=crossflake", "-c", "user.email=crossflake@example.com"]
    for command in (["init", "--quiet"], ["add", "-A"], ["commit", "--quiet", "-m", "snapshot"]):
        subprocess.run([*git, *command], cwd=destination, check=True, capture_output=True)
    subprocess.run([*git, "tag", tag], cwd=destination, check=True, capture_output=True)
    return destination


def question_prompts(template_root: Path = TEMPLATE_ROOT) -> dict[str, str]:
    """Question name -> the start of its help text, which is what the screen shows.

    Read from copier.yml, so the tests follow rewording; only the first 40
    characters count, which survive prompt_toolkit cutting long rows.
    """
    config = yaml.safe_load((template_root / "copier.yml").read_text(encoding="utf-8"))
    return {
        name: normalize(spec["help"].splitlines()[0])[:40]
        for name, spec in config.items()
        if isinstance(spec, dict) and spec.get("help")
    }


def render_question_field(
    name: str, field: str, answers: dict[str, object], template_root: Path = TEMPLATE_ROOT
) -> str:
    """Render one Jinja field of a copier.yml question (validator, choices) as copier does.

    Tests compare the screen with what copier.yml says, so rewording a
    message never breaks them, while a message the terminal cuts off does.
    """
    config = yaml.safe_load((template_root / "copier.yml").read_text(encoding="utf-8"))
    environment = SandboxedEnvironment()
    catalog = yaml.safe_load((template_root / "catalog/targets.yml").read_text(encoding="utf-8"))
    source = config[name][field]
    return environment.from_string(source).render({"catalog": catalog, **answers}).strip()


def disabled_choices(
    name: str, answers: dict[str, object], template_root: Path = TEMPLATE_ROOT
) -> dict[str, str]:
    """Title -> reason for each choice of `name` that these answers disable."""
    choices = yaml.safe_load(render_question_field(name, "choices", answers, template_root))
    environment = SandboxedEnvironment()
    reasons = {}
    for title, spec in choices.items():
        if isinstance(spec, dict) and spec.get("validator"):
            reason = environment.from_string(spec["validator"]).render(answers).strip()
            if reason:
                reasons[title] = reason
    return reasons


class CopierSession:
    """One `copier copy --trust` (or `copier update --trust`) run in a pty, with an
    emulated screen.

    The screen keeps a scroll-back, so `transcript()` returns everything a
    person could scroll through afterwards, and `screen()` what is visible now.
    """

    def __init__(
        self,
        template: Path,
        destination: Path,
        *,
        rows: int = ROWS,
        columns: int = COLUMNS,
        extra_args: tuple[str, ...] = (),
        rewrite: Callable[[bytes], bytes] | None = None,
        command: str = "copy",
    ) -> None:
        self.screen_model = pyte.HistoryScreen(columns, rows, history=10_000, ratio=0.5)
        # prompt_toolkit asks the terminal where the cursor is (CSI 6n); pyte
        # answers through write_process_input, which must reach the child.
        self.screen_model.write_process_input = self._answer_terminal
        self.stream = pyte.ByteStream(self.screen_model)
        # Applied to output before it reaches the screen (the transcript script
        # hides temporary paths); `raw` keeps what copier really wrote.
        self.rewrite = rewrite
        self.raw = bytearray()
        environment = {
            **os.environ,
            "TERM": "xterm",
            "COLUMNS": str(columns),
            "LINES": str(rows),
            "PYTHONUNBUFFERED": "1",
        }
        # `update` takes the project only (its answers name the template); `template`
        # still gives the question texts the screen shows.
        operands = [str(template), str(destination)] if command == "copy" else [str(destination)]
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "copier", command, "--trust", *extra_args, *operands],
            dimensions=(rows, columns),
            env=environment,
            cwd=str(destination.parent),
            echo=False,
        )
        self.destination = destination
        self.exit_status: int | None = None
        self.prompts = question_prompts(template)
        self.asked: list[str] = []

    # -- context management: the child never outlives its test ---------------

    def __enter__(self) -> CopierSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Kill the child if it still runs; reap it either way."""
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close(force=True)

    # -- reading the screen ----------------------------------------------------

    def _answer_terminal(self, data: str) -> None:
        """Send the emulated terminal's replies (cursor position) to the child."""
        if self.child.isalive():
            self.child.send(data.encode())

    def _pump(self, timeout: float) -> bool:
        """Feed output for up to `timeout` seconds into the screen; False at EOF."""
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.raw.extend(data)
        self.stream.feed(self.rewrite(data) if self.rewrite else data)
        return True

    def screen(self) -> str:
        """The visible screen, one line per row, trailing blanks removed."""
        return "\n".join(line.rstrip() for line in self.screen_model.display).rstrip()

    def _history_lines(self) -> Iterator[str]:
        columns = self.screen_model.columns
        for row in self.screen_model.history.top:
            yield "".join(row[column].data for column in range(columns)).rstrip()

    def transcript(self) -> str:
        """Scroll-back plus visible screen: the whole session as a person saw it."""
        lines = [*self._history_lines(), *self.screen().splitlines()]
        return "\n".join(lines).strip("\n")

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait until `text` is on the visible screen; return that screen.

        Whitespace is normalised on both sides, so a question prompt_toolkit
        wrapped over two rows is still found. Fails with the screen attached.
        """
        wanted = normalize(text)
        deadline = time.monotonic() + timeout
        alive = True
        while True:
            if wanted in normalize("".join(self.screen_model.display)):
                return self.screen()
            if not alive or time.monotonic() > deadline:
                reason = "copier exited" if not alive else f"{timeout:.0f}s passed"
                raise AssertionError(
                    f"{reason} before the screen showed {text!r}; screen:\n{self.screen()}"
                )
            alive = self._pump(0.1)

    def wait_until(
        self, predicate: Callable[[str], bool], what: str, timeout: float = TIMEOUT
    ) -> str:
        """Wait until predicate(screen) is true; `what` names it in the failure."""
        deadline = time.monotonic() + timeout
        alive = True
        while True:
            if predicate(self.screen()):
                return self.screen()
            if not alive or time.monotonic() > deadline:
                raise AssertionError(f"screen never showed {what}; screen:\n{self.screen()}")
            alive = self._pump(0.1)

    # -- typing ------------------------------------------------------------------

    def press(self, *keys: str) -> None:
        """Type keys, one write each, as a person would."""
        for key in keys:
            self.child.send(key.encode())

    def answer(self, question: str, *keys: str) -> str:
        """Wait for a question, type the keys; return the screen the question showed."""
        shown = self.wait_for(question)
        self.press(*keys)
        return shown

    def current_question(self) -> str | None:
        """Name of the question whose row is lowest on screen (the one being asked)."""
        rows = [line for line in self.screen().splitlines() if line.startswith(QUESTION_MARK)]
        if not rows:
            return None
        shown = normalize(rows[-1].removeprefix(QUESTION_MARK))
        for name, prompt in self.prompts.items():
            if shown.startswith(prompt):
                return name
        if any(prompt.startswith(shown) for prompt in self.prompts.values()):
            return None  # the row is still being drawn
        raise AssertionError(f"a question copier.yml does not have:\n{self.screen()}")

    def next_question(self, timeout: float = TIMEOUT) -> str | None:
        """Wait for the next question; its name, or None when copier finished asking.

        A question counts as asked once its prompt has started and its text is
        on screen; `asked` records the order, for assertions on the flow.
        """
        deadline = time.monotonic() + timeout
        alive = True
        while True:
            started = self.raw.count(_PROMPT_STARTED)
            if started > len(self.asked):
                name = self.current_question()
                if name is not None and name not in self.asked:
                    self.asked.append(name)
                    return name
            elif not alive:
                return None
            if time.monotonic() > deadline:
                raise AssertionError(f"no next question after {timeout:.0f}s:\n{self.screen()}")
            alive = self._pump(0.1)

    def expect_question(self, name: str) -> str:
        """Wait for the next question, which must be `name`; return the screen."""
        asked = self.next_question()
        assert asked == name, f"expected question {name}, got {asked}:\n{self.screen()}"
        return self.screen()

    def accept_defaults(self, until: str | None = None) -> list[str]:
        """Press Enter on every question, up to (not including) `until` or the end.

        Returns the names of the questions answered this way.
        """
        answered = []
        while (name := self.next_question()) is not None:
            if name == until:
                return answered
            self.press(ENTER)
            answered.append(name)
        assert until is None, f"copier finished without asking {until}; asked {self.asked}"
        return answered

    def pointed_choice(self) -> str | None:
        """The choice the pointer (») is on, in the select or checkbox on screen."""
        for line in reversed(self.screen().splitlines()):
            match = re.match(r"^ » (?:[●○] )?(\S+)", line)
            if match:
                return match.group(1)
        return None

    def move_to(self, choice: str, max_steps: int = 30) -> None:
        """Press Down until the pointer is on `choice` (the list wraps around)."""
        for _ in range(max_steps):
            current = self.pointed_choice()
            if current == choice:
                return
            self.press(DOWN)
            self.wait_until(
                lambda screen, before=current: self.pointed_choice() != before,
                f"the pointer leave {current}",
            )
        raise AssertionError(f"the pointer never reached {choice}:\n{self.screen()}")

    def toggle(self, choice: str) -> None:
        """Move to a checkbox choice and press space; wait until its mark flips."""
        self.move_to(choice)
        before = checkbox_rows(self.screen()).get(choice)
        self.press(SPACE)
        self.wait_until(
            lambda screen: checkbox_rows(screen).get(choice) != before,
            f"{choice} toggled",
        )

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        """Read until copier exits; its exit status."""
        deadline = time.monotonic() + timeout
        while self._pump(0.1):
            if time.monotonic() > deadline:
                raise AssertionError(f"copier still running after {timeout:.0f}s:\n{self.screen()}")
        self.child.close()
        self.exit_status = self.child.exitstatus
        assert self.exit_status is not None, f"copier killed by signal {self.child.signalstatus}"
        return self.exit_status


def checkbox_rows(screen: str) -> dict[str, str]:
    """The rows of the multiselect on screen: choice id -> its marker.

    questionary draws a checkbox row as `[pointer] ● id  (...)` (chosen),
    `○ id  (...)` (not chosen) or `- id  (...) (reason)` (disabled).
    """
    rows = {}
    for line in screen.splitlines():
        match = re.match(r"^ [» ] ([●○-]) (\S+)  \(", line)
        if match:
            rows[match.group(2)] = match.group(1)
    return rows


__all__ = [
    "COLUMNS",
    "DOWN",
    "ENTER",
    "KILL_LINE",
    "QUESTION_MARK",
    "ROWS",
    "SPACE",
    "TEMPLATE_ROOT",
    "UP",
    "CopierSession",
    "checkbox_rows",
    "disabled_choices",
    "normalize",
    "question_prompts",
    "render_question_field",
    "snapshot_template",
]
