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
import resource
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

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
    lines, seconds = cache_warmup.finish()
    if lines or seconds:
        _WARMUP.extend(lines)
        _WARMUP_CPU.append(seconds)
        workeroutput = getattr(session.config, "workeroutput", None)  # a pytest-xdist worker
        if workeroutput is not None:
            workeroutput["crossflake_warmup"] = {"lines": lines, "cpu": seconds}


def pytest_testnodedown(node: Any, error: Any) -> None:
    """(pytest-xdist, in the controller) what a worker's warm-up did."""
    warmup = getattr(node, "workeroutput", {}).get("crossflake_warmup")
    if warmup:
        _WARMUP.extend(warmup["lines"])
        _WARMUP_CPU.append(warmup["cpu"])


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


# Seconds per test folder (setup, call and teardown of every test in it), for the summary:
# wall time, and CPU time (the test process's and that of every child it waited for:
# copier's hooks, cargo, zig, rustc, qemu, Nix). Wall time on a machine shared with other
# jobs says little; CPU time barely moves with the load, so budget work can be measured
# anywhere. The warm-up's CPU (tests/cache_warmup.py) is counted apart.
_FOLDER_SECONDS: defaultdict[str, float] = defaultdict(float)
_FOLDER_CPU: defaultdict[str, float] = defaultdict(float)
_FOLDER_TESTS: defaultdict[str, set[str]] = defaultdict(set)
_WARMUP: list[str] = []
_WARMUP_CPU: list[float] = []
_CPU_KEY = "cpu_seconds"


def cpu_seconds() -> float:
    """This process's CPU time plus that of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Each phase's report carries its CPU seconds (user_properties travel with xdist)."""
    outcome = yield
    started = getattr(item, "_crossflake_cpu", None)
    now = cpu_seconds()
    item._crossflake_cpu = now  # type: ignore[attr-defined]
    if started is not None:
        outcome.get_result().user_properties.append((_CPU_KEY, now - started))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item._crossflake_cpu = cpu_seconds()  # type: ignore[attr-defined]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    parts = Path(report.location[0]).parts
    folder = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
    _FOLDER_SECONDS[folder] += report.duration
    _FOLDER_CPU[folder] += sum(value for key, value in report.user_properties if key == _CPU_KEY)
    _FOLDER_TESTS[folder].add(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _FOLDER_SECONDS:
        return
    terminalreporter.section("time per test folder")
    terminalreporter.write_line("   wall      CPU  tests  folder")
    for folder, seconds in sorted(_FOLDER_SECONDS.items(), key=lambda item: -item[1]):
        count = len(_FOLDER_TESTS[folder])
        cpu = _FOLDER_CPU[folder]
        terminalreporter.write_line(
            f"{seconds / 60:5.1f} min {cpu / 60:5.1f} min  {count:5d}  {folder}"
        )
    wall, cpu = sum(_FOLDER_SECONDS.values()), sum(_FOLDER_CPU.values())
    terminalreporter.write_line(
        f"{wall / 60:5.1f} min {cpu / 60:5.1f} min  in all (setup, call and teardown;"
        " summed over the workers)"
    )
    if _WARMUP_CPU:
        done = "; ".join(_WARMUP) or "nothing to do"
        terminalreporter.write_line(
            f"      {sum(_WARMUP_CPU) / 60:5.1f} min CPU in the std warm-up ({done})"
        )
