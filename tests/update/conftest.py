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
