"""Configuration every test file shares: Hypothesis runs the property tests with
one fixed profile. (Every test renders through copier's own API: support.render.)"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir


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
