"""Fill the machine cache on the second core while the first runs the light tests.

Most of the suite (rendering, evaluation, updates, the terminal) is one Python process
on one core. The standard libraries the default-path builds need (tests/prebuilt_std.py)
are independent of all that, so on a machine that lacks them a background thread
compiles them, one at a time, from the start of the session. pyproject.toml orders the
folders so that the builds come last; by then the cache is (nearly) full, and a test
that needs a library still being compiled waits for it on the cache's lock.

Nothing here decides a test's outcome: the warm-up swallows its own errors (a test that
needs the entry compiles it again and fails with cargo's message), and a session that
selects no test needing these libraries starts nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import prebuilt_std

_worker: threading.Thread | None = None
_stop = threading.Event()
_log: list[str] = []


def start(triples: list[str], rust: prebuilt_std.Rust = prebuilt_std.RUST_WEB) -> None:
    """Compile the std of each triple (in this order) in a background thread."""
    global _worker
    if _worker is not None or not triples:
        return

    def fill() -> None:
        for triple in triples:
            if _stop.is_set():
                return
            _attempt(triple, lambda t=triple: prebuilt_std.sysroot(rust, t))

    _worker = threading.Thread(target=fill, name="crossflake-cache-warmup", daemon=True)
    _worker.start()


def _attempt(triple: str, build: Callable[[], object]) -> None:
    try:
        build()
        _log.append(f"std {triple}: ready")
    except Exception as error:  # the test that needs it reports the real failure
        _log.append(f"std {triple}: failed in the background ({type(error).__name__})")


def finish() -> list[str]:
    """Start nothing new, wait for the build in progress, and say what was done."""
    _stop.set()
    if _worker is not None:
        _worker.join()
    return list(_log)
