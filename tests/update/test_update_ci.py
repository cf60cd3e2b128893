"""Changing `hosts`, `targets` or `ci` through `copier update` keeps the CI workflow, the flake
and PLATFORMS.md in step: the workflow's matrix, the flake's `hosts` list and PLATFORMS.md's
runner list name exactly the new hosts; `ci=none` removes the workflow (and its section) and
`ci=github` brings it back, with the Cachix cache named in the workflow.

Does NOT cover a project whose saved answers predate the `ci` question (the throwaway history's
old release already has it); copier then applies the question's default, `github`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from project_helpers import commit_all, files_with_markers, generate, update
from support import CATALOG
from template_history import TemplateHistory

pytestmark = pytest.mark.update

WORKFLOW = ".github/workflows/crossflake.yml"
START = {
    "crate_name": "demo",
    "hosts": ["x86_64-linux"],
    "targets": ["x86_64-linux", "aarch64-linux"],
}


def workflow_hosts(project: Path) -> list[tuple[str, str]]:
    flow = yaml.safe_load((project / WORKFLOW).read_text())
    return [
        (m["system"], m["runner"]) for m in flow["jobs"]["build"]["strategy"]["matrix"]["include"]
    ]


def flake_hosts(project: Path) -> list[str]:
    flake = (project / "flake.nix").read_text()
    block = flake[
        flake.index("      hosts = [") : flake.index("      ];", flake.index("      hosts = ["))
    ]
    return re.findall(r'"([^"]+)"', block)


def platforms_runners(project: Path) -> list[tuple[str, str]]:
    text = (project / "PLATFORMS.md").read_text()
    return re.findall(r"^- \*\*(\S+)\*\* on `([^`]+)`$", text, re.MULTILINE)


def expected(hosts: list[str]) -> list[tuple[str, str]]:
    return [(h, CATALOG["hosts"][h]["github_runner"]) for h in hosts]


def test_changing_hosts_targets_and_ci_on_update_keeps_workflow_flake_and_docs_in_step(
    history: TemplateHistory, project: Path
) -> None:
    generate(history, project, START, history.old)
    assert workflow_hosts(project) == expected(START["hosts"])

    hosts = ["x86_64-linux", "aarch64-linux", "aarch64-darwin"]
    update(project, data={"hosts": hosts, "targets": ["aarch64-linux", "aarch64-darwin"]})
    assert files_with_markers(project) == []
    assert workflow_hosts(project) == expected(hosts)
    assert flake_hosts(project) == hosts
    assert platforms_runners(project) == expected(hosts)
    assert "aarch64-apple-darwin = " in (project / "nix/targets.nix").read_text()
    commit_all(project, "More hosts")

    update(project, data={"ci": "none"})
    assert not (project / ".github").exists()
    assert platforms_runners(project) == []
    assert "No CI files are generated" in (project / "PLATFORMS.md").read_text()
    assert flake_hosts(project) == hosts
    commit_all(project, "No CI")

    update(project, data={"ci": "github", "binary_cache": "cachix", "cachix_cache": "demo-cache"})
    assert workflow_hosts(project) == expected(hosts)
    assert "name: demo-cache" in (project / WORKFLOW).read_text()
    assert platforms_runners(project) == expected(hosts)
