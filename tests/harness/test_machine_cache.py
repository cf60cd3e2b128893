"""The machine cache (tests/machine_cache.py) never hands out a stale or half-written entry.

CI's time budget depends on reusing what earlier runs built (standard libraries, zig's
cache); its correctness depends on never reusing the wrong thing. These tests run the
cache's own logic on a temporary root with trivial fills: no compiler involved.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import machine_cache
import prebuilt_std
import pytest


@pytest.fixture
def cache_root(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def cache(cache_root: Path) -> machine_cache.Cache:
    """A cache of its own (never machine_cache.MACHINE, which the warm-up may be filling)."""
    return machine_cache.Cache(cache_root)


def test_an_entry_is_filled_once_and_then_reused(
    cache: machine_cache.Cache, cache_root: Path
) -> None:
    calls: list[Path] = []

    def fill(out: Path) -> None:
        calls.append(out)
        (out / "payload").write_text("built", encoding="utf-8")

    first = cache.entry("std", "k1", fill)
    second = cache.entry("std", "k1", fill)
    assert first == second == cache_root / "std" / "k1"
    assert len(calls) == 1
    assert (first / "payload").read_text(encoding="utf-8") == "built"
    assert (first / machine_cache.COMPLETE).is_file()


def test_a_failed_fill_leaves_nothing_and_the_next_call_fills_again(
    cache: machine_cache.Cache, cache_root: Path
) -> None:
    def broken(out: Path) -> None:
        (out / "half").write_text("half", encoding="utf-8")
        raise RuntimeError("compiler crashed")

    with pytest.raises(RuntimeError, match="compiler crashed"):
        cache.entry("std", "k2", broken)
    assert sorted(p.name for p in (cache_root / "std").iterdir()) == []
    done = cache.entry("std", "k2", lambda out: (out / "ok").touch())
    assert (done / "ok").is_file() and not (done / "half").exists()


def test_an_entry_without_its_completion_mark_is_rebuilt(
    cache: machine_cache.Cache, cache_root: Path
) -> None:
    """A folder left by a killed run (no .complete) is never used as it is."""
    leftover = cache_root / "std" / "k3"
    leftover.mkdir(parents=True)
    (leftover / "stale").touch()
    done = cache.entry("std", "k3", lambda out: (out / "fresh").touch())
    assert (done / "fresh").is_file() and not (done / "stale").exists()


def test_concurrent_callers_fill_one_entry_once(
    cache: machine_cache.Cache, cache_root: Path
) -> None:
    calls: list[int] = []
    started = threading.Event()

    def slow_fill(out: Path) -> None:
        calls.append(1)
        started.set()
        threading.Event().wait(0.3)
        (out / "payload").touch()

    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.entry("std", "k4", slow_fill)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(set(results)) == 1 and (results[0] / "payload").is_file()


def test_std_keys_change_with_everything_that_changes_the_std() -> None:
    """Rust (version, Debian patches, std's lock file), target, profile and recipe all
    enter the key: a new Rust can never pick up an old Rust's std."""
    identity = ["rustc 1.96.0 (ac68faa20)", "1.96.0+dfsg1-1~deb12u2", "lock v1"]
    triple = "aarch64-unknown-linux-musl"
    base = prebuilt_std.key_for(identity, triple)
    assert base.startswith(f"{triple}-")
    assert prebuilt_std.key_for(list(identity), triple) == base
    assert prebuilt_std.key_for(identity, "x86_64-unknown-linux-musl") != base
    for index, changed in enumerate(["rustc 1.97.0 (0000)", "1.96.0+dfsg1-1~deb12u3", "v2"]):
        other = list(identity)
        other[index] = changed
        assert prebuilt_std.key_for(other, triple) != base
    assert prebuilt_std.key_for(identity, triple, profile="dev") != base
    assert prebuilt_std.key_for(identity, triple, recipe=prebuilt_std.RECIPE + " changed") != base


def test_a_folder_beyond_its_bound_is_emptied(cache: machine_cache.Cache, cache_root: Path) -> None:
    kept = cache.folder("target", "rust", max_bytes=1000)
    (kept / "small").write_bytes(b"x" * 10)
    assert (cache.folder("target", "rust", max_bytes=1000) / "small").is_file()
    (kept / "big").write_bytes(b"x" * 2000)
    again = cache.folder("target", "rust", max_bytes=1000)
    assert again == kept and list(again.iterdir()) == []


def test_entries_unused_for_long_go_when_another_of_their_kind_is_published(
    cache: machine_cache.Cache, cache_root: Path
) -> None:
    """Old keys (an older Rust, an older script) do not pile up; recently used ones stay."""
    old = cache.entry("zig-runtime", "old", lambda out: (out / "x").touch())
    recent = cache.entry("zig-runtime", "recent", lambda out: (out / "x").touch())
    long_ago = time.time() - machine_cache.STALE_AFTER - 60
    for entry in (old, recent):
        os.utime(entry / machine_cache.COMPLETE, (long_ago, long_ago))
    assert cache.entry("zig-runtime", "recent", lambda out: None) == recent  # a hit: used now
    cache.entry("zig-runtime", "new", lambda out: (out / "x").touch())
    assert sorted(p.name for p in (cache_root / "zig-runtime").iterdir()) == ["new", "recent"]


def test_a_killed_fills_staging_folder_goes_a_live_ones_stays(
    cache: machine_cache.Cache, cache_root: Path
) -> None:
    """A fill killed before its cleanup leaves `.<key>.<pid>`; it goes once that pid is gone."""
    kind = cache_root / "std"
    kind.mkdir(parents=True)
    gone = 2**22 + 1  # above Linux's default pid_max: no such process
    dead, live = kind / f".k.{gone}", kind / f".k.{os.getpid()}"
    for staging in (dead, live):
        staging.mkdir()
    cache.entry("std", "other", lambda out: None)
    assert not dead.exists() and live.is_dir()
