"""Rung 3: `nix build` of the crate with C inside, and its C runs.

The test crate (tests/c_inside.py: ring, aws-lc-rs, openssl vendored, zstd, rusqlite bundled,
pinned by its Cargo.lock) is generated for static x86_64 and aarch64 Linux and built with
`nix build .#<triple>` inside a real Nix builder run by build users (HOME=/homeless-shelter),
with the BUILD-mode stubs of test_default_path_build.py (Debian's newest Rust, each target's
std prebuilt once). The naersk stub fetches the 50-odd crates the lock names from crates.io
(fixed-output downloads checked against the lock's checksums) as upstream naersk does.

Proves: the flake's builds of a crate with C inside work in a builder with nothing but what
the flake gives it: Perl for OpenSSL's Configure comes from nix/build-tools.nix (stdenv's
make), zig compiles every C file for the target in BOTH naersk derivations (the -deps one
builds the C libraries: its OpenSSL archive carries clang's stamp and no GCC's, though the
stub stdenv puts the host's gcc on PATH as real stdenv does), the programs are static (no
interpreter, no dynamic section), run under qemu with an empty library root and compute
what Python computes (tests/c_inside.py), and the x86_64 one holds no code of the host's GCC.

Does NOT prove: real nixpkgs' perl/cmake or zig, fenix's std, hermeticity (rung 4).

Cost: the most expensive Nix builds of the suite (OpenSSL and aws-lc per target, about 10
minutes each cold on 2 cores). Nix reuses them: the source is the same content every run, so
the derivations are the same and a warm store builds nothing; this test then checks the
outputs Nix holds for exactly these derivations.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import c_inside
import nixenv
import pytest
from flake_projects import generate, track

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
ANSWERS = c_inside.LINUX_ANSWERS
QEMU = {"x86_64-unknown-linux-musl": "qemu-x86_64", "aarch64-unknown-linux-musl": "qemu-aarch64"}
BUILD_TIMEOUT = 3600
"""A cold build compiles OpenSSL and aws-lc for the target in the -deps derivation."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = generate(tmp_path_factory.mktemp("c-build") / c_inside.CRATE, ANSWERS)
    return track(c_inside.give_c_dependencies(path))


def readelf(*args: str) -> str:
    return subprocess.run(["readelf", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def built(project: Path, web_build_stubs: Path) -> dict[str, Path]:
    """Each target's package output (built once for the module's tests)."""
    return {
        triple: nixenv.build(
            project, f"packages.{HOST}.{triple}", web_build_stubs, timeout=BUILD_TIMEOUT
        )["out"]
        for triple in QEMU
    }


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize("triple", sorted(QEMU))
def test_c_inside_package_is_static_and_its_c_runs(
    built: dict[str, Path], triple: str, tmp_path: Path
) -> None:
    program = built[triple] / "bin" / c_inside.CRATE
    assert program.is_file(), sorted(p.name for p in (built[triple] / "bin").iterdir())
    assert "Requesting program interpreter" not in readelf("-l", str(program))
    assert "There is no dynamic section in this file." in readelf("-d", str(program))
    empty = tmp_path / "empty-root"
    empty.mkdir()
    ran = subprocess.run(
        [QEMU[triple], "-L", str(empty), str(program)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert ran.returncode == 0, ran.stderr
    assert c_inside.expected_output(ran.stdout) == [], ran.stdout


@pytest.mark.usefixtures("no_homeless_shelter")
def test_zig_compiled_the_c_in_both_derivations(
    project: Path, built: dict[str, Path], web_build_stubs: Path
) -> None:
    """x86_64 is the build machine's own architecture, the one target the host's gcc (on the
    builder's PATH as `cc`, like stdenv's) could compile for unasked: the OpenSSL archive of
    the -deps derivation and the program both carry clang's stamp and no GCC's."""
    triple = "x86_64-unknown-linux-musl"
    deps = nixenv.eval_json(
        project,
        f"packages.{HOST}.{triple}",
        stubs=web_build_stubs,
        apply="d: map (x: x.outPath) d.builtDependencies",
    )
    assert len(deps) == 1, deps
    archives = sorted(
        Path(deps[0]).glob(f"target/{triple}/release/build/openssl-sys-*/out/**/libcrypto.a")
    )
    assert archives, f"no libcrypto.a in {deps[0]}"
    for made in [archives[0], built[triple] / "bin" / c_inside.CRATE]:
        comment = readelf("-p", ".comment", str(made))
        assert "clang version" in comment, (made, comment)
        assert "GCC:" not in comment, (made, comment)
