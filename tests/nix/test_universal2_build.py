"""Rung 3 (and its rung 1 facts) for universal2-darwin: `nix build .#universal2-apple-darwin` on a
Linux host (`darwin_from_linux`) gives one macOS program file for Intel and Apple silicon.

Like test_default_path_build.py's macOS package: the generated flake is built by a real Nix
builder with build users (HOME=/homeless-shelter) and the stub inputs, whose fenix holds
Debian's newest Rust with both macOS standard libraries compiled once per machine
(tests/prebuilt_std.py). cargo-zigbuild builds both macOS triples and joins each program
itself, reading cargo's JSON messages on its own: naersk's install, which copies the programs
cargo's JSON names, finds none there, so the flake installs the joined program (nix/build.nix).

Proves: the package's toolchain holds both macOS std and no other target's; the build passes
MACOSX_DEPLOYMENT_TARGET from the catalog; result/bin holds exactly the crate's program, a
universal Mach-O with two slices, x86_64 and arm64, each a PIE executable for its CPU stamped
with the catalog's minimum macOS, loading only system libraries, the arm64 slice ad-hoc signed
with matching page hashes (tests/cross/macho.py, whose controls are in
tests/cross/test_universal2.py). Control: with naersk's own install (the flake's override
removed) the package has no program, which is why the override exists.

Does NOT prove: that macOS runs it (rung 4), real nixpkgs/fenix/naersk, fenix's prebuilt std.
"""

from __future__ import annotations

import re
from pathlib import Path

import macho
import nixenv
import pytest
from flake_cases import WEB_BUILD_CASES, WEB_CRATE, WEB_HOST
from flake_projects import generate, subn_in_flake, track
from support import CATALOG

pytestmark = pytest.mark.nix

TRIPLE = "universal2-apple-darwin"
ATTR = f"packages.{WEB_HOST}.{TRIPLE}"
PLATFORM = CATALOG["targets"]["universal2-darwin"]
SLICES = {"x86_64": "x86_64-apple-darwin", "arm64": "aarch64-apple-darwin"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(
        tmp_path_factory.mktemp("universal2") / WEB_CRATE, WEB_BUILD_CASES["universal2"]
    )


def test_package_gets_both_macos_std_and_the_catalog_minimum(project: Path) -> None:
    """Rung 1: the Linux host has the package; its toolchain carries the parts' std (not a
    std for the non-triple universal2-apple-darwin), and its build the catalog's macOS."""
    facts = nixenv.eval_json(
        project,
        ATTR,
        apply=(
            "p: { min = p.MACOSX_DEPLOYMENT_TARGET; "
            'std = map (c: c.target) (builtins.filter (c: c.name == "rust-std") '
            "p.naerskStub.cargo.stubComponents); install = p.installPhase; }"
        ),
    )
    assert facts["min"] == PLATFORM["macos_min"]
    assert set(facts["std"]) == {*PLATFORM["parts"], "x86_64-unknown-linux-gnu"}
    assert f"target/{TRIPLE}/release/{WEB_CRATE}" in facts["install"]


@pytest.mark.usefixtures("no_homeless_shelter")
def test_linux_host_builds_one_universal_program(project: Path, web_build_stubs: Path) -> None:
    out = nixenv.build(project, ATTR, web_build_stubs)["out"]
    assert sorted(p.name for p in (out / "bin").iterdir()) == [WEB_CRATE]
    slices = macho.read_fat(out / "bin" / WEB_CRATE)
    assert sorted(s.cpu for s in slices) == sorted(SLICES), [s.cpu for s in slices]
    for piece in slices:
        info = piece.macho
        assert info.filetype == macho.MH_EXECUTE and info.is_pie, piece.cpu
        assert info.platform == macho.PLATFORM_MACOS, piece.cpu
        assert info.minos == PLATFORM["macos_min"], (piece.cpu, info.minos)
        assert info.dylibs and all(macho.is_system_dylib(d) for d in info.dylibs), info.dylibs
    (arm,) = [s for s in slices if s.cpu == "arm64"]
    assert arm.macho.ad_hoc_signed and arm.signature_matches()


@pytest.mark.usefixtures("no_homeless_shelter")
def test_naersks_own_install_finds_no_universal_program(
    web_build_stubs: Path, tmp_path: Path
) -> None:
    """Control: without the flake's install of the joined program, naersk's JSON-driven
    install copies nothing (cargo-zigbuild consumed cargo's JSON messages itself)."""
    # A fresh copy with the override taken out: copyBins back to naersk's default, no install.
    plain = generate(tmp_path / WEB_CRATE, WEB_BUILD_CASES["universal2"])
    changed = subn_in_flake(plain, re.compile(r"copyBins = !universal;"), "copyBins = true;")
    changed += subn_in_flake(
        plain, re.compile(r"lib\.optionalString universal installUniversal \+ "), ""
    )
    assert changed == 2
    track(plain)
    out = nixenv.build(plain, ATTR, web_build_stubs)["out"]
    assert list((out / "bin").iterdir()) == []
