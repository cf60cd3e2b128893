"""`copier check-update` tells a v0.1.0 project that v0.2.0 exists, and is quiet after updating."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from project_helpers import commit_all, generate, update
from template_history import TemplateHistory

pytestmark = pytest.mark.update


def check_update(project: Path) -> subprocess.CompletedProcess[str]:
    """`copier check-update --quiet`: exit 2 when a newer release exists."""
    return subprocess.run(
        [sys.executable, "-m", "copier", "check-update", "--quiet", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_update_reports_the_new_release_until_the_project_takes_it(
    history: TemplateHistory, project: Path
) -> None:
    generate(history, project, {"crate_name": "demo"}, history.old)
    assert check_update(project).returncode == 2

    update(project)
    commit_all(project, "Update to v0.2.0")

    result = check_update(project)
    assert result.returncode == 0, result.stderr
