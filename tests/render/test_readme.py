"""The template's README tells the truth: its platform table is the catalog's,
its test command is what CI runs, and its generate command works as written.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from readme_platforms import END, START, platform_table
from support import CATALOG, TEMPLATE_ROOT

README = (TEMPLATE_ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.S)


def test_platform_table_is_the_catalog() -> None:
    block = README.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == platform_table(CATALOG), "run: python3 scripts/readme_platforms.py"


def test_ci_runs_the_readme_test_command() -> None:
    command = next(
        line for block in shell_blocks() for line in block.splitlines() if "pytest" in line
    )
    ci_lines = (TEMPLATE_ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    for step in command.split("&&"):
        step = step.strip()
        assert any(line.strip().startswith(step) for line in ci_lines), step


def test_generate_command_works_as_written(tmp_path: Path) -> None:
    line = next(
        line for block in shell_blocks() for line in block.splitlines() if "copier copy" in line
    )
    words = shlex.split(line)
    assert words[:3] == ["copier", "copy", "--trust"]
    # CI has no network: the same command, from this checkout, answering with defaults.
    source_index = next(i for i, w in enumerate(words) if "://" in w)
    words[source_index] = str(TEMPLATE_ROOT)
    command = [sys.executable, "-m", "copier", *words[1:], "--defaults", "--vcs-ref=HEAD"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    project = tmp_path / words[-1]
    assert (project / "flake.nix").is_file()
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    assert {"flake.nix", "nix/outputs.nix", "nix/local.nix"} <= set(tracked)
