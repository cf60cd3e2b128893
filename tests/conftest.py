"""Configuration every test file shares: Hypothesis runs the property tests with
one fixed profile, and the run ends with the time spent per test folder (CI's
budget is watched per layer; the 15 slowest tests come from `--durations` in
pyproject.toml). (Every test renders through copier's own API: support.render.)

Copier's repeated Jinja compiles and YAML parses are remembered per process
(tests/copier_memo.py: half the CPU of a render, no byte changed, proven by
tests/harness/test_copier_memo.py); installed here, before any test module imports copier's
users."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from pathlib import Path

import cache_warmup
import copier_memo
import prebuilt_std
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

copier_memo.install()

# Fixtures whose tests build with the newest Rust and its std compiled once per machine.
_NEEDS_PREBUILT_STD = {"web_session": "cross", "web_build_stubs": "nix"}


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start compiling missing standard libraries on the second core (tests/cache_warmup.py)
    when the selection has tests that need them: the Nix tests' first, then the rest."""
    layers = {
        layer
        for item in session.items
        for fixture, layer in _NEEDS_PREBUILT_STD.items()
        if fixture in getattr(item, "fixturenames", ())
    }
    if session.config.option.collectonly or not layers or worker() not in ("", "gw0"):
        return  # with pytest-xdist, the first worker warms up for both
    if not prebuilt_std.RUST_WEB.vendor_config.is_file():  # the tests report the missing tool
        return
    import cross_platforms  # tests/cross and tests/nix: importable roots (pyproject.toml)
    import flake_cases

    first = flake_cases.web_std_triples() if "nix" in layers else []
    rest = cross_platforms.web_std_triples() if "cross" in layers else []
    cache_warmup.start(first + [t for t in rest if t not in first])


def worker() -> str:
    """This pytest-xdist worker's name ("gw0", "gw1"...), "" in a serial run."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def pytest_sessionfinish(session: pytest.Session) -> None:
    cache_warmup.finish()


def pytest_configure(config: pytest.Config) -> None:
    # The fixed profile below, unless --hypothesis-profile names another.
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile("crossflake")


# Property tests (Hypothesis): one fixed profile, so CI explores the same
# examples on every run (derandomize) and writes nothing into the repository
# (no example database). Each property sets its own example count; set
# CROSSFLAKE_EXAMPLES_SCALE to explore deeper locally, and
# `--hypothesis-profile=crossflake-explore` for fresh random examples.
# Hypothesis's caches and failure patches go to a temporary folder, not .hypothesis/.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "crossflake-hypothesis")
settings.register_profile(
    "crossflake",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "crossflake-explore",
    parent=settings.get_profile("crossflake"),
    derandomize=False,
)


# Seconds per test folder (setup, call and teardown of every test in it), for the summary.
_FOLDER_SECONDS: defaultdict[str, float] = defaultdict(float)
_FOLDER_TESTS: defaultdict[str, set[str]] = defaultdict(set)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    parts = Path(report.location[0]).parts
    folder = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
    _FOLDER_SECONDS[folder] += report.duration
    _FOLDER_TESTS[folder].add(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _FOLDER_SECONDS:
        return
    terminalreporter.section("time per test folder")
    total = sum(_FOLDER_SECONDS.values())
    for folder, seconds in sorted(_FOLDER_SECONDS.items(), key=lambda item: -item[1]):
        count = len(_FOLDER_TESTS[folder])
        terminalreporter.write_line(f"{seconds / 60:7.1f} min  {count:4d} tests  {folder}")
    terminalreporter.write_line(
        f"{total / 60:7.1f} min  in all (setup, call and teardown; summed over the workers)"
    )
