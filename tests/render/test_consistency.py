"""Rung 0: the generated files agree with each other and with the catalog.

rust-toolchain.toml's targets, the flake's `targets` set, .cargo/config.toml's
[target.*] sections and PLATFORMS.md's table must name exactly the triples the
resolver derives from the catalog for the answers (rust-toolchain.toml and the
config name Rust's own triples: universal2-apple-darwin, which is cargo-zigbuild's
name for both macOS triples joined, stands there as the two it is built from). The flake's target
records (nix/targets.nix) are evaluated by Nix, so values are compared,
not text.
What this does not prove: that `packages.<host>.*` matches (tests/nix does,
with stub inputs).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cases import case_id, matrix
from support import (
    CATALOG,
    TEMPLATE_ROOT,
    cargo_config_triples,
    nix_eval_json,
    read_toml,
    render,
    resolve_targets,
    toolchain_triples,
)


def flake_targets(project: Path) -> dict[str, Any]:
    """The flake's target records (nix/targets.nix, data on its own), evaluated by Nix."""
    assert (project / "nix/targets.nix").is_file(), "the flake has no nix/targets.nix"
    return nix_eval_json("import ./nix/targets.nix", project)


def platforms_triples(project: Path) -> list[str]:
    """Triples named in PLATFORMS.md's table, in order."""
    text = (project / "PLATFORMS.md").read_text(encoding="utf-8")
    return re.findall(r"^\| [^|]+ \| `([^`]+)` \|", text, re.M)


@pytest.fixture(params=matrix()[:8], ids=case_id)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    return request.param, render(tmp_path / "project", request.param)


def test_every_file_names_exactly_the_resolved_triples(
    project: tuple[dict[str, Any], Path],
) -> None:
    answers, path = project
    resolved = resolve_targets(TEMPLATE_ROOT, answers)
    expected = [target["triple"] for target in resolved]
    toolchain = read_toml(path / "rust-toolchain.toml")["toolchain"]
    config = read_toml(path / ".cargo/config.toml")

    assert toolchain["targets"] == toolchain_triples(resolved)
    assert list(config["target"]) == cargo_config_triples(resolved)
    assert list(flake_targets(path)) == sorted(expected)
    assert platforms_triples(path) == expected


def test_flake_and_cargo_config_agree_on_flags(project: tuple[dict[str, Any], Path]) -> None:
    _, path = project
    config = read_toml(path / ".cargo/config.toml")["target"]
    for triple, target in flake_targets(path).items():
        if target["stdTriples"] != [triple]:  # no Rust target, no table (cargo ignores one)
            assert triple not in config and target["rustflags"] == [], triple
            continue
        flags = config[triple].get("rustflags", [])
        assert target["rustflags"] == flags, triple
        assert "linker" not in config[triple], "a linker would switch cargo-zigbuild's zig off"


def test_targets_follow_the_catalog_and_linking(project: tuple[dict[str, Any], Path]) -> None:
    answers, path = project
    flake = flake_targets(path)
    for platform_id in answers["targets"]:
        platform = CATALOG["targets"][platform_id]
        mode = answers["linking"] if platform["family"] == "linux" else "static"
        triple = platform[mode]["triple"]
        target = flake[triple]
        # glibc in dynamic mode, and in static mode where Rust has no musl std (gnu_only).
        if platform["family"] == "linux" and "-gnu" in triple:
            least = int(platform["min_glibc"].split(".")[1])
            floor = max(int(answers["glibc"].split(".")[1]), least)
            assert target["cargoTarget"] == f"{triple}.2.{floor}"
        else:
            assert target["cargoTarget"] == triple
        if "-musl" in triple:
            assert target["rustflags"] == ["-C", "target-feature=+crt-static"]
        assert target["darwinOnly"] == platform["darwin_hosts_only"]


def test_flake_records_carry_the_catalog_runner_and_image_facts(
    project: tuple[dict[str, Any], Path],
) -> None:
    """The runner fields the flake's Nix logic reads are the catalog's, per target: the
    emulator package and its hosts, the glibc facts only for dynamic Linux targets, the OCI
    platform only for Linux targets of a program."""
    answers, path = project
    flake = flake_targets(path)
    for platform_id in answers["targets"]:
        platform = CATALOG["targets"][platform_id]
        mode = answers["linking"] if platform["family"] == "linux" else "static"
        triple = platform[mode]["triple"]
        target = flake[triple]
        assert target["system"] == platform_id
        assert target["runner"] == platform["runner"]
        assert target["emulator"] == platform["emulator_package"]
        assert target["runnerHosts"] == platform["runner_hosts"]
        suffix = CATALOG["families"][platform["family"]]["suffix"]
        assert target["suffix"] == suffix
        if platform["family"] == "linux" and "-gnu" in triple:
            facts = platform["glibc"]
            assert target["glibc"] == {
                "interpreter": facts["interpreter"],
                "nixpkgsSystem": facts["nixpkgs_system"],
                "debianRoot": facts["debian_root"],
                "debianPackage": facts["debian_package"],
            }
        else:
            assert target["glibc"] is None
        if answers.get("crate_type", "bin") == "bin":
            assert target["oci"] == platform["oci"]
        else:
            assert "oci" not in target


def test_toolchain_channel_matches_the_answer(project: tuple[dict[str, Any], Path]) -> None:
    answers, path = project
    toolchain = read_toml(path / "rust-toolchain.toml")["toolchain"]
    assert toolchain["channel"] == answers["toolchain"]
    assert set(toolchain["components"]) >= {"rustfmt", "clippy", "rust-src", "rust-analyzer"}
    flake = (path / "flake.nix").read_text(encoding="utf-8")
    exact = answers["toolchain"] not in {"stable", "beta", "nightly"}
    assert ("rust-manifest" in flake) == exact
    if exact:
        assert f"channel-rust-{answers['toolchain']}.toml" in flake
        assert read_toml(path / "Cargo.toml")["package"]["rust-version"] == answers["toolchain"]
