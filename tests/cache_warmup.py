"""Fill the machine cache on the second core while the first runs the light tests.

Most of the suite (rendering, evaluation, updates, the terminal) is Python processes that
do not need the standard libraries the default-path builds need (tests/prebuilt_std.py).
So on a machine that lacks them, a background process compiles them, one at a time,
from the start of the session. pyproject.toml orders the folders so that the builds come
last; by then the cache is (nearly) full, and a test that needs a library still being
compiled waits for it on the cache's file lock.

A process rather than a thread, so that its CPU time is its own: the session's CPU per
test (tests/conftest.py) counts the test process and the children it waited for, and
the warm-up is reaped only at the session's end, where its CPU is reported on its own.

Nothing here decides a test's outcome: the warm-up swallows its own errors (a test that
needs the entry compiles it again and fails with cargo's message), and a session that
selects no test needing these libraries starts nothing.

Run as a program: `python tests/cache_warmup.py TRIPLE...` (what `start` does).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Warmup:
    """The background process and what it reported."""

    process: subprocess.Popen[bytes]
    log: Path


_running: Warmup | None = None


def start(triples: list[str]) -> None:
    """Compile the std of each triple (in this order) in a background process."""
    global _running
    if _running is not None or not triples:
        return
    here = Path(__file__).resolve().parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(here), os.environ.get("PYTHONPATH", "")]),
    }
    handle, name = tempfile.mkstemp(prefix="crossflake-warmup-", suffix=".log")
    with os.fdopen(handle, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(here / "cache_warmup.py"), *triples],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    _running = Warmup(process, Path(name))


def finish() -> tuple[list[str], float]:
    """Let the build in progress end, start nothing new, and say what was done, with the
    warm-up's CPU seconds (its own and its compilers')."""
    global _running
    if _running is None:
        return [], 0.0
    warmup, _running = _running, None
    pid = warmup.process.pid
    done, _status, usage = os.wait4(pid, os.WNOHANG)  # (Popen.poll would drop the usage)
    if done != pid:
        os.kill(pid, signal.SIGTERM)  # "stop after the current library"
        _pid, _status, usage = os.wait4(pid, 0)
    warmup.process.returncode = 0  # reaped above; keeps Popen from waiting again
    lines = warmup.log.read_text(encoding="utf-8", errors="replace").splitlines()
    warmup.log.unlink()
    return lines, usage.ru_utime + usage.ru_stime


def _fill(triples: list[str]) -> None:
    """The background process: each triple's std, stopping between libraries on SIGTERM."""
    import prebuilt_std  # imported here: the test session itself never needs it for this

    stop = {"asked": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(asked=True))
    for triple in triples:
        if stop["asked"]:
            break
        try:
            prebuilt_std.sysroot(prebuilt_std.RUST_WEB, triple)
            print(f"std {triple}: ready", flush=True)
        except Exception as error:  # the test that needs it reports the real failure
            print(f"std {triple}: failed in the background ({type(error).__name__})", flush=True)


if __name__ == "__main__":
    _fill(sys.argv[1:])
