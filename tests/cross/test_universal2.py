"""Rung 2 for universal2-darwin: one macOS program for Intel and Apple silicon, linked on Linux.

The project is rendered with `targets = [universal2-darwin]` and `darwin_from_linux`, and built
as its generated files say (`MACOSX_DEPLOYMENT_TARGET=<macos_min> cargo zigbuild --release
--target universal2-apple-darwin`) with Debian's newest Rust and both macOS standard libraries
compiled once per machine (tests/prebuilt_std.py, the same ones test_default_path uses).
cargo-zigbuild builds x86_64-apple-darwin and aarch64-apple-darwin and joins each program into
target/universal2-apple-darwin/release/<program>.

Proves, at the level of the file (no Mac here): the program is a universal Mach-O with exactly
two slices, x86_64 and arm64, each a position-independent executable for its CPU (the table's
CPU and the slice's own header agree), stamped for macOS with the catalog's minimum, loading
only system libraries, byte for byte the two thin builds of this run; the arm64 slice carries
an ad-hoc signature whose page hashes match its bytes. The reader refuses a thin file, a
corrupted table and misplaced slices (controls below), so the checks cannot pass by accident.

Does NOT prove that macOS runs it (rung 4 runs macOS builds on a macOS runner), fenix's
prebuilt std (here built from Debian's source), or per-slice deployment targets: both slices
carry the catalog's one macos_min (catalog/targets.yml says why).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import cross_harness as harness
import macho
import pytest
import rust_web
from cross_platforms import HELLO, UNIVERSAL_TARGETS
from support import TEMPLATE_ROOT, read_toml, render, resolve_targets

pytestmark = pytest.mark.cross

ANSWERS: dict[str, Any] = {
    "crate_name": HELLO,
    "hosts": ["x86_64-linux"],
    "targets": UNIVERSAL_TARGETS,
    "linking": "static",
    "darwin_from_linux": True,
}
# Mach-O CPU names of the parts, by Rust triple.
SLICE_CPU = {"x86_64-apple-darwin": "x86_64", "aarch64-apple-darwin": "arm64"}


@pytest.fixture(scope="module")
def target() -> dict[str, Any]:
    """The resolver's record of universal2-darwin, as the template sees it."""
    (resolved,) = resolve_targets(TEMPLATE_ROOT, ANSWERS)
    return resolved


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("universal2") / HELLO, ANSWERS)


@pytest.fixture(scope="module")
def built(
    web_session: harness.Session, project: Path, target: dict[str, Any]
) -> tuple[harness.Timed, Path]:
    """The build PLATFORMS.md and the config comment show, and the fat program's path."""
    env = {
        **rust_web.build_env(web_session, target),
        "MACOSX_DEPLOYMENT_TARGET": target["macos_min"],
    }
    build = harness.cargo_zigbuild(
        project, env, "build", "--release", "--target", target["cargo_target"]
    )
    print(f"universal2-darwin: built in {build.seconds:.0f} s ({rust_web.rustc_version()})")
    return build, rust_web.release_binary(web_session, target["triple"], HELLO)


def test_generated_files_ask_for_both_macos_standard_libraries(
    project: Path, target: dict[str, Any]
) -> None:
    """rust-toolchain.toml lists both real triples (fenix and rustup need their std), and the
    cargo config has no table for a triple cargo does not know, but says how to build it."""
    assert target["triple"] == "universal2-apple-darwin"
    assert target["std_triples"] == list(SLICE_CPU)
    toolchain = read_toml(project / "rust-toolchain.toml")["toolchain"]
    assert toolchain["targets"] == list(SLICE_CPU)
    config_text = (project / ".cargo" / "config.toml").read_text(encoding="utf-8")
    assert "universal2-apple-darwin" not in read_toml(project / ".cargo" / "config.toml").get(
        "target", {}
    )
    command = f"MACOSX_DEPLOYMENT_TARGET={target['macos_min']} cargo zigbuild --release"
    assert f"{command} --target universal2-apple-darwin" in config_text
    platforms = (project / "PLATFORMS.md").read_text(encoding="utf-8")
    assert f"\n{command} --target universal2-apple-darwin\n" in platforms


def test_program_is_a_universal_binary_with_both_valid_slices(
    built: tuple[harness.Timed, Path], target: dict[str, Any], web_session: harness.Session
) -> None:
    build, binary = built
    assert build.result.returncode == 0, build.describe()
    slices = macho.read_fat(binary)
    assert sorted(s.cpu for s in slices) == sorted(SLICE_CPU.values()), [s.cpu for s in slices]
    assert len(slices) == 2
    thin_dir = web_session.target_dir(target["triple"])
    for part, cpu in SLICE_CPU.items():
        (piece,) = [s for s in slices if s.cpu == cpu]
        info = piece.macho
        assert info.filetype == macho.MH_EXECUTE and info.is_pie, (cpu, info)
        assert info.platform == macho.PLATFORM_MACOS, (cpu, info.platform)
        assert info.minos == target["macos_min"], (cpu, info.minos)
        assert info.dylibs and all(macho.is_system_dylib(d) for d in info.dylibs), info.dylibs
        # The slice is this run's thin build of the part, unchanged by the join.
        thin = thin_dir / part / "release" / HELLO
        assert piece.data == thin.read_bytes(), f"{cpu} slice differs from {thin}"
        if cpu == "arm64":
            assert info.ad_hoc_signed, "arm64 macOS refuses unsigned code"
            assert piece.signature_matches(), "the arm64 slice's signature does not match it"


def test_reader_refuses_what_is_not_a_sound_universal_binary(
    built: tuple[harness.Timed, Path], target: dict[str, Any], web_session: harness.Session
) -> None:
    """Controls: the checks above would fail on a thin file, a corrupted table, a misaligned
    or truncated slice, and a changed byte of signed code."""
    build, binary = built
    assert build.result.returncode == 0, build.describe()
    scratch = web_session.target_root / "universal2-controls"
    scratch.mkdir(exist_ok=True)
    good = binary.read_bytes()

    def refused(data: bytes, why: str) -> None:
        path = scratch / "broken"
        path.write_bytes(data)
        with pytest.raises(ValueError, match=why):
            macho.read_fat(path)

    thin = web_session.target_dir(target["triple"]) / "aarch64-apple-darwin" / "release" / HELLO
    with pytest.raises(ValueError, match="not a universal Mach-O"):
        macho.read_fat(thin)
    slices = macho.read_fat(binary)
    # The second entry claims the first entry's CPU: table and slice disagree.
    wrong_cpu = bytearray(good)
    struct.pack_into(">i", wrong_cpu, 8 + 20, struct.unpack_from(">i", good, 8)[0])
    refused(bytes(wrong_cpu), "the table says")
    # The first slice moved by one byte: no longer aligned as its entry says.
    misaligned = bytearray(good)
    struct.pack_into(">I", misaligned, 8 + 8, slices[0].offset + 1)
    refused(bytes(misaligned), "not aligned")
    # Cut in the middle of the last slice.
    refused(good[: max(s.offset for s in slices) + 100], "outside the file")
    # Zero slices.
    refused(good[:4] + b"\0\0\0\0" + good[8:], "slices do not fit")
    # One changed byte of arm64 code breaks its page hashes.
    (arm,) = [s for s in slices if s.cpu == "arm64"]
    tampered = bytearray(good)
    tampered[arm.offset + 0x4000 + 100] ^= 0xFF
    path = scratch / "tampered"
    path.write_bytes(bytes(tampered))
    (arm_again,) = [s for s in macho.read_fat(path) if s.cpu == "arm64"]
    assert not arm_again.signature_matches()
