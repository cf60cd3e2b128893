"""One cache folder per machine for what the tests build expensively, outside the repository.

A fresh machine pays each expensive piece once (a target's standard library, zig's C
runtime for a target, Wine's prefix, the crates' dependency builds); every later test
and every later run reuses it. Each entry lives under a key made of everything that
changes its content (compiler version and hash, zig version, target, profile, recipe),
so a stale entry is never found: a new Rust or zig simply gets new folders.

Where: $CROSSFLAKE_CACHE, default /var/cache/crossflake (readable by the Nix build
users, which copy prebuilt standard libraries into the store). Deleting the folder is
always safe: the next run fills it again (the cold path, measured in BENCHMARKS.md).

Entries that two processes might fill at once (a helper's test run beside CI's, or two
pytest workers) are filled under a file lock and published by an atomic rename, so a
reader never sees half an entry.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(os.environ.get("CROSSFLAKE_CACHE", "/var/cache/crossflake"))
COMPLETE = ".complete"
"""Written last into a published entry: an entry without it is never used. Its mtime says
when the entry was last used (touched on every hit)."""
STALE_AFTER = 14 * 24 * 3600
"""Seconds unused after which an entry goes when another of its kind is published: keys
change with every new tool or recipe, and the old entries would otherwise stay forever."""


def digest(*parts: str) -> str:
    """A short, stable key for the given facts (order matters)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\0")
    return hasher.hexdigest()[:20]


def command_output(argv: list[str], env: dict[str, str] | None = None) -> str:
    """The stdout of a version query such as `rustc -vV`, stripped."""
    return subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout.strip()


def size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (symlinks not followed)."""
    total = 0
    for folder_, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder_, name)).st_size
    return total


@dataclass(frozen=True)
class Cache:
    """A cache folder: MACHINE for the tests, another root for the cache's own tests
    (which must never redirect MACHINE: the warm-up thread fills it meanwhile)."""

    root: Path

    def folder(self, *names: str, max_bytes: int | None = None) -> Path:
        """A persistent folder (created, world-readable), for caches that keep their own
        consistency: zig's global cache, cargo target dirs, a Wine prefix.

        ``max_bytes``: a folder that grew beyond it is emptied first. Cargo's target dirs
        keep one set of artifacts per project path, and every test session renders its
        projects at new paths, so without a bound they grow run after run.
        """
        path = self.root.joinpath(*names)
        if max_bytes is not None and path.is_dir() and size(path) > max_bytes:
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        for made in (path, *path.parents):
            made.chmod(0o755)
            if made == self.root:
                break
        return path

    @contextlib.contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """An exclusive lock across processes (and threads), held while one entry is filled."""
        with open(self.folder("locks") / f"{name}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def entry(self, kind: str, key: str, fill: Callable[[Path], None]) -> Path:
        """The published entry `<kind>/<key>`, filled by ``fill(staging)`` if it is missing.

        ``fill`` writes into an empty staging folder; only when it returns is the folder
        renamed into place and marked complete. A failed fill leaves nothing behind.
        """
        final = self.folder(kind) / key
        if (final / COMPLETE).is_file():
            return self.used(final)
        with self.locked(f"{kind}-{key}"):
            if (final / COMPLETE).is_file():  # filled by another process meanwhile
                return self.used(final)
            shutil.rmtree(final, ignore_errors=True)  # an incomplete leftover
            staging = final.with_name(f".{key}.{os.getpid()}")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            try:
                fill(staging)
                (staging / COMPLETE).write_text(key + "\n", encoding="utf-8")
                staging.rename(final)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        self.forget_stale(kind)
        return final

    @staticmethod
    def used(entry: Path) -> Path:
        """Mark an entry as just used (its completion mark's mtime) and return it."""
        with contextlib.suppress(OSError):
            os.utime(entry / COMPLETE)
        return entry

    def forget_stale(self, kind: str, now: float | None = None) -> None:
        """Remove the published entries of a kind unused for STALE_AFTER seconds, and the
        staging folders of fills whose process is gone (killed before its cleanup)."""
        now = time.time() if now is None else now
        for entry in self.folder(kind).iterdir():
            if entry.name.startswith("."):
                pid = entry.name.rsplit(".", 1)[-1]
                if pid.isdecimal() and not Path(f"/proc/{pid}").exists():
                    shutil.rmtree(entry, ignore_errors=True)
                continue
            mark = entry / COMPLETE
            with contextlib.suppress(OSError):
                if mark.is_file() and now - mark.stat().st_mtime > STALE_AFTER:
                    shutil.rmtree(entry, ignore_errors=True)


MACHINE = Cache(ROOT)
"""The machine's cache, shared by every test session and run."""
