"""The one list of machine tools (scripts/test-machine-tools.tsv) is complete and enforced.

What this proves: every tool a test asks for by name is on the list the machine setup
checks, the setup's check passes on this machine (CI runs the setup first), and the check
really fails, naming the tool, when one is missing. It does not prove that a fresh machine
gets every tool: scripts/rehearse-fresh-machine.sh does that, in a new Debian root.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from support import IN_CI, MACHINE_TOOLS, MACHINE_TOOLS_FILE, TEMPLATE_ROOT, require_tool

CHECK = TEMPLATE_ROOT / "scripts" / "check-test-machine-tools.sh"


def required_tool_literals() -> set[str]:
    """Names passed as string literals to require_tool anywhere in the tests (but here)."""
    names = set()
    for path in (TEMPLATE_ROOT / "tests").rglob("*.py"):
        if path == Path(__file__):
            continue  # the control below requires an unlisted tool on purpose
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "require_tool"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def test_every_required_tool_is_on_the_list() -> None:
    names = required_tool_literals()
    assert "nix" in names, "the scan finds require_tool calls"
    assert names <= set(MACHINE_TOOLS), sorted(names - set(MACHINE_TOOLS))


def test_a_tool_off_the_list_cannot_be_required() -> None:
    with pytest.raises(LookupError, match=r"not in test-machine-tools\.tsv"):
        require_tool("a-tool-nobody-installs")


def test_the_setup_check_passes_on_this_machine() -> None:
    result = subprocess.run(["bash", str(CHECK)], capture_output=True, text=True, check=False)
    if result.returncode != 0 and not IN_CI:
        pytest.skip(f"machine not set up (run scripts/setup-test-machine.sh): {result.stderr}")
    assert result.returncode == 0, result.stderr
    assert f"all {len(MACHINE_TOOLS)} tools" in result.stdout


def test_the_setup_check_names_a_missing_tool(tmp_path: Path) -> None:
    listing = tmp_path / "tools.tsv"
    listing.write_text(
        MACHINE_TOOLS_FILE.read_text(encoding="utf-8")
        + "crossflake-absent-tool\tneeded by a test that does not exist\n"
        + "/nonexistent/crossflake/file\ta file the setup never wrote\n"
    )
    result = subprocess.run(
        ["bash", str(CHECK), str(listing)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "missing tool: crossflake-absent-tool (needed by a test" in result.stderr
    assert "missing tool: /nonexistent/crossflake/file" in result.stderr
    assert "2 tool(s) the tests need are missing" in result.stderr
