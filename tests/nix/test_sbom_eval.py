"""Rung L1 (eval with stubs): the release's bill of materials lists the crates cargo resolves.

`nix build .#release` writes one CycloneDX file per program (nix/sbom.nix), read from Cargo.lock
and the manifests by Nix alone. Its texts are the release's `sboms` attribute, so they are
evaluated here without building anything, for crates a user brings:

- two published crates, downloaded from crates.io by cargo (never committed): hexyl (dev-only
  dependencies: assert_cmd, predicates) and tokei (a build script with build-dependencies, regex
  both a dependency and a dev-dependency, git2 a dev-only one with a large closure);
- a workspace written here: a program whose library member is a path dependency with a
  dev-dependency of its own, a dependency renamed through `[workspace.dependencies]`, one for
  Windows only, and a build-dependency.

Oracle: cargo itself. `cargo tree --locked --all-features --target all --edges normal,build` on
a pristine copy of each crate (crossflake's rust-toolchain.toml would make rustup fetch a
toolchain) names exactly the crates the bill must list: every feature (Cargo.lock resolves
optional dependencies for all of them), every platform, build scripts' crates, no dev-only ones.
Each registry crate's hash is its Cargo.lock checksum; every dependency edge names a listed crate.

Does NOT prove: that a scanner accepts the file (no CycloneDX schema validator here: the test
checks the fields the 1.5 schema requires), or that the release carries these exact bytes
(test_release_build.py checks the built release's files against the same texts).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nixenv
import pytest
from flake_projects import track
from support import read_toml, render, require_tool

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
ANSWERS = {"hosts": [HOST], "targets": ["x86_64-linux"], "linking": "static", "edition": "2021"}
PUBLISHED = {"hexyl": "0.16.0", "tokei": "12.1.2"}
"""Published bin crates whose .crate holds their Cargo.lock."""

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def cargo(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [require_tool("cargo"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"cargo {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


def download(name: str, version: str, into: Path) -> Path:
    """The published crate's files, as cargo unpacks them from crates.io."""
    fetcher = into / "fetch"
    (fetcher / "src").mkdir(parents=True)
    (fetcher / "src/lib.rs").write_text("")
    (fetcher / "Cargo.toml").write_text(
        f'[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n\n'
        f'[dependencies]\n{name} = "={version}"\n'
    )
    metadata = json.loads(cargo("metadata", "--format-version", "1", cwd=fetcher))
    (package,) = [p for p in metadata["packages"] if p["name"] == name]
    source = Path(package["manifest_path"]).parent
    crate = into / name
    shutil.copytree(source, crate)
    assert (crate / "Cargo.lock").is_file(), f"{name} {version} was published without Cargo.lock"
    return crate


WORKSPACE = {
    "Cargo.toml": """\
        [workspace]
        members = ["app", "engine"]
        resolver = "2"

        [workspace.package]
        version = "0.3.0"
        edition = "2021"

        [workspace.dependencies]
        # Renamed: the code says `numbers`, the package is itoa.
        numbers = { package = "itoa", version = "1" }
        """,
    "app/Cargo.toml": """\
        [package]
        name = "app"
        version.workspace = true
        edition.workspace = true

        [dependencies]
        engine = { path = "../engine" }
        numbers.workspace = true

        [target.'cfg(windows)'.dependencies]
        winapi = { version = "0.3", features = ["winbase"] }

        [dev-dependencies]
        anyhow = "1"
        """,
    "app/src/main.rs": 'fn main() {\n    println!("{}", engine::answer());\n}\n',
    "engine/Cargo.toml": """\
        [package]
        name = "engine"
        version.workspace = true
        edition.workspace = true

        [dependencies]
        libc = "0.2"

        [build-dependencies]
        cfg-if = "1"

        [dev-dependencies]
        thiserror = "1"
        """,
    "engine/build.rs": "fn main() {}\n",
    "engine/src/lib.rs": "pub fn answer() -> u32 {\n    42\n}\n",
}


def write_workspace(into: Path) -> Path:
    crate = into / "app-workspace"
    for relative, text in WORKSPACE.items():
        path = crate / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    cargo("generate-lockfile", cwd=crate)
    return crate


@dataclass
class Case:
    crate_name: str
    package: str
    """The package whose program the bill describes."""
    program: str
    pristine: Path
    adopted: Path


CASES = [*PUBLISHED, "workspace"]


@pytest.fixture(scope="module", params=CASES)
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "workspace":
        pristine = write_workspace(folder / "pristine")
        crate_name, package, program = "app", "app", "app"
    else:
        pristine = download(request.param, PUBLISHED[request.param], folder / "pristine")
        crate_name = package = program = request.param
    adopted = folder / "adopted" / pristine.name
    shutil.copytree(pristine, adopted)
    render(adopted, {"crate_name": crate_name, "crate_type": "bin", **ANSWERS})
    return Case(crate_name, package, program, pristine, track(adopted))


def cargo_tree(case: Case) -> set[tuple[str, str]]:
    """(name, version) of every crate cargo resolves for the package's program."""
    listing = cargo(
        "tree",
        "--locked",
        "--all-features",
        "--target",
        "all",
        "--edges",
        "normal,build",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--package",
        case.package,
        cwd=case.pristine,
    )
    found = set()
    for line in listing.splitlines():
        match = re.match(r"(\S+) v(\S+)", line)
        assert match, line
        found.add((match[1], match[2]))
    return found


@pytest.fixture(scope="module")
def bill(case: Case) -> dict[str, Any]:
    sboms = nixenv.eval_json(
        case.adopted,
        f"packages.{HOST}.release",
        apply="release: builtins.mapAttrs (_: builtins.fromJSON) release.sboms",
    )
    version = read_toml(case.pristine / "Cargo.toml").get("package", {}).get("version", "0.3.0")
    assert set(sboms) == {f"{case.crate_name}-{version}-{case.program}.cdx.json"}
    return next(iter(sboms.values()))


def listed(bill: dict[str, Any]) -> set[tuple[str, str]]:
    root = bill["metadata"]["component"]
    return {(c["name"], c["version"]) for c in bill["components"]} | {
        (root["name"], root["version"])
    }


def test_bill_has_the_fields_cyclonedx_requires(bill: dict[str, Any], case: Case) -> None:
    assert (bill["bomFormat"], bill["specVersion"], bill["version"]) == ("CycloneDX", "1.5", 1)
    root = bill["metadata"]["component"]
    assert root["type"] == "application"
    assert root["name"] == case.program
    assert root["purl"].startswith(f"pkg:cargo/{case.package}@")
    for component in bill["components"]:
        assert component["type"] == "library"
        assert component["purl"] == f"pkg:cargo/{component['name']}@{component['version']}"


def test_bill_lists_exactly_the_crates_cargo_resolves(bill: dict[str, Any], case: Case) -> None:
    expected = cargo_tree(case)
    assert listed(bill) == expected, {
        "listed, cargo does not resolve them": sorted(listed(bill) - expected),
        "missing": sorted(expected - listed(bill)),
    }


def test_dev_only_crates_are_left_out(bill: dict[str, Any], case: Case) -> None:
    """Control: Cargo.lock does list them, so the bill must drop them on purpose."""
    dev_only = {"hexyl": "assert_cmd", "tokei": "git2", "workspace": "thiserror"}[
        case.package if case.package in PUBLISHED else "workspace"
    ]
    lock = read_toml(case.pristine / "Cargo.lock")
    assert any(p["name"] == dev_only for p in lock["package"])
    assert dev_only not in {name for name, _ in listed(bill)}


def test_hashes_are_cargo_lock_checksums(bill: dict[str, Any], case: Case) -> None:
    lock = read_toml(case.pristine / "Cargo.lock")
    checksums = {(p["name"], p["version"]): p.get("checksum") for p in lock["package"]}
    for component in bill["components"]:
        key = (component["name"], component["version"])
        if checksums[key] is None:
            assert "hashes" not in component, key
        else:
            assert component["hashes"] == [{"alg": "SHA-256", "content": checksums[key]}], key


def test_dependency_graph_names_only_listed_crates(bill: dict[str, Any]) -> None:
    refs = {c["bom-ref"] for c in bill["components"]} | {bill["metadata"]["component"]["bom-ref"]}
    assert {entry["ref"] for entry in bill["dependencies"]} == refs
    for entry in bill["dependencies"]:
        assert set(entry["dependsOn"]) <= refs, entry["ref"]
    registry = [c for c in bill["components"] if c["bom-ref"].startswith(CRATES_IO)]
    assert registry, "no crates.io component: the oracle compared nothing"
