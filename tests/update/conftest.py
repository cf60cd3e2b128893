"""Fixtures for the update and adoption tests: one tagged and one tagless template clone
per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from tagless_history import TaglessClone, build_tagless_clone
from template_history import TemplateHistory, build_history


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> TemplateHistory:
    """The work tree as release v0.2.0 of a throwaway clone whose v0.1.0 is scripted."""
    return build_history(tmp_path_factory.mktemp("template") / "crossflake")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Where a test generates its project (copier creates the folder)."""
    return tmp_path / "demo"


@pytest.fixture(scope="session")
def tagless(tmp_path_factory: pytest.TempPathFactory) -> TaglessClone:
    """This repository as users get it: cloned without tags, the work tree as last commit."""
    return build_tagless_clone(tmp_path_factory.mktemp("tagless") / "crossflake")


def interactive_only(item: pytest.Item) -> bool:
    """False for a test at the prompts of a state that is updated with --defaults only
    (test_tagless_updates.py: a pty update is the slowest step of the suite)."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or "edited" not in callspec.params:
        return True
    at_prompts = callspec.params.get("way") == "prompts" or "updated_at_the_prompts" in getattr(
        item, "fixturenames", ()
    )
    return callspec.params["edited"].interactive or not at_prompts


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the prompt runs of states that are not interactive (see interactive_only)."""
    kept = [item for item in items if interactive_only(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
