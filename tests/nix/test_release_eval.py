"""Rung 1 (eval with stubs): `packages.<host>.release` packs exactly the packages that host
builds, each in its platform's format, for every answer set of tests/nix/flake_cases.py.

The release derivation's build command calls `pack FORMAT PACKAGE NAME` once per archive; the
test reads those calls from the instantiated derivation and compares them with the host's
packages as Nix evaluated them (store paths), the catalog's format per family (.tar.gz, .zip,
.wasm) and the name `<crate>-<version>-<triple>`. A library gets no `release` at all.

Does NOT prove: that the archives build or are reproducible (test_release_build.py), or that
the real nixpkgs' runCommand and zip behave like the stubs' (rung 4).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import flake_outputs
import nixenv
import pytest
from flake_cases import EVAL_CASES, answers_of
from flake_projects import generate
from support import TEMPLATE_ROOT, resolve_targets

pytestmark = pytest.mark.nix

PACK = re.compile(r"^\s*pack (\S+) (/nix/store/\S+) (\S+)$", re.MULTILINE)
SUFFIX = {"tar.gz": ".tar.gz", "zip": ".zip", "wasm": ".wasm"}


@pytest.fixture(scope="module", params=sorted(EVAL_CASES))
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path, dict[str, Any]]:
    answers = answers_of(request.param)
    folder = tmp_path_factory.mktemp(request.param)
    project = generate(folder / "project", answers)
    overrides: dict[str, Any] = {}
    if flake_outputs.is_exact(answers):
        overrides["rust_manifest"] = nixenv.write_channel_manifest(
            folder / "channel.toml", version=answers["toolchain"]
        )
    return answers, project, overrides


def release_of(project: Path, host: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """The release's build command and every other package's store path, for one host."""
    apply = (
        "ps: { command = ps.release.buildCommand; name = ps.release.name; "
        'outs = builtins.mapAttrs (_: p: p.outPath) (removeAttrs ps [ "release" ]); }'
    )
    result: dict[str, Any] = nixenv.eval_json(project, f"packages.{host}", apply=apply, **overrides)
    return result


def test_release_packs_exactly_the_hosts_packages(
    case: tuple[dict[str, Any], Path, dict[str, Any]],
) -> None:
    answers, project, overrides = case
    if answers.get("crate_type", "bin") != "bin":
        pytest.skip("a library has no release (test_library_has_no_release)")
    archives = {t["triple"]: t["archive"] for t in resolve_targets(TEMPLATE_ROOT, answers)}
    for host in answers["hosts"]:
        release = release_of(project, host, overrides)
        assert release["name"] == "hello-cross-0.1.0-release"
        packed = {path: (fmt, name) for fmt, path, name in PACK.findall(release["command"])}
        expected = {
            release["outs"][p.triple]: (
                archives[p.triple],
                f"hello-cross-0.1.0-{p.triple}",
            )
            for p in flake_outputs.buildable_on(host, answers)
        }
        assert packed == expected, host
        assert set(SUFFIX) >= {fmt for fmt, _ in packed.values()}


def test_library_has_no_release(case: tuple[dict[str, Any], Path, dict[str, Any]]) -> None:
    answers, project, overrides = case
    for host in answers["hosts"]:
        names = nixenv.eval_json(
            project, f"packages.{host}", apply="builtins.attrNames", **overrides
        )
        assert ("release" in names) == (answers.get("crate_type", "bin") == "bin"), host
