"""Rung 3 for the default answers: `nix build` of static musl, edition 2024 packages, and of a
macOS package on a Linux host, with a current Rust.

The generated flake (default answers: edition 2024, static linking, toolchain stable) is built
with `nix build` inside a real Nix builder run by build users (HOME=/homeless-shelter), like
tests/nix/test_flake_build.py, but with the stub fenix toolchain pointing at Debian's newest
Rust (`rustc-web`, >= 1.85; the test output names the version) instead of 1.63. Debian ships
no musl or macOS std for it, so each target's std is compiled from Debian's rust-web-src once
per machine (tests/prebuilt_std.py, the same std the rung-2 tests use) and the stub fenix's
`rust-std` derivation holds it, as fenix's prebuilt rust-std does: the builders compile no std
(see the fenix stub and `web_build_stubs`).

Proves: the flake's musl packages (its RUSTFLAGS +crt-static, naersk's two derivations, the zig
setup) give static binaries that run under qemu with nothing to load; a Linux host builds
`packages.x86_64-linux.aarch64-apple-darwin` when `darwin_from_linux` is answered yes, and the
Mach-O is for arm64, stamped with the catalog's minimum macOS (the flake's
MACOSX_DEPLOYMENT_TARGET), ad-hoc signed, and loads only libSystem.

Does NOT prove: fenix's prebuilt std (here built with cargo's release profile, with zig's
musl startup objects instead of Rust's self-contained ones), the real nixpkgs/naersk,
hermeticity, or that the macOS program runs (rung 4). No RUSTC_BOOTSTRAP reaches the builders:
the compiler runs as a stable one.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import binary_facts
import macho
import nixenv
import pytest
from flake_cases import WEB_BUILD_CASES, WEB_CRATE, WEB_HOST
from flake_projects import generate

pytestmark = pytest.mark.nix

HOST = WEB_HOST
CRATE = WEB_CRATE
RUSTC = "/opt/crossflake/rust-web/bin/rustc"
DEFAULTS = WEB_BUILD_CASES["default"]
DARWIN = WEB_BUILD_CASES["darwin"]
MUSL = {
    "x86_64-unknown-linux-musl": ("qemu-x86_64", "x86_64-linux"),
    "aarch64-unknown-linux-musl": ("qemu-aarch64", "aarch64-linux"),
}


@pytest.fixture(scope="module", autouse=True)
def rust_used() -> None:
    version = subprocess.run([RUSTC, "--version"], capture_output=True, text=True, check=False)
    print(f"\nRust in the stub toolchain: {version.stdout.strip()} (rustc-web, std prebuilt once)")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = generate(tmp_path_factory.mktemp("default") / CRATE, DEFAULTS)
    assert 'edition = "2024"' in (path / "Cargo.toml").read_text()
    return path


@pytest.fixture(scope="module")
def darwin_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("darwin") / CRATE, DARWIN)


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize("triple", sorted(MUSL))
def test_static_musl_package_builds_and_runs_with_nothing_to_load(
    project: Path, web_build_stubs: Path, triple: str, tmp_path: Path
) -> None:
    out = nixenv.build(project, f"packages.{HOST}.{triple}", web_build_stubs)["out"]
    binary = out / "bin" / CRATE
    assert binary.is_file(), sorted(p.name for p in (out / "bin").iterdir())
    assert binary_facts.is_fully_static(binary)
    qemu, platform = MUSL[triple]
    ran = binary_facts.run_with_empty_root(qemu, binary, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == f"Hello from {CRATE} on {platform}!\n"


@pytest.mark.usefixtures("no_homeless_shelter")
def test_linux_host_builds_the_macos_package(darwin_project: Path, web_build_stubs: Path) -> None:
    attr = f"packages.{HOST}.aarch64-apple-darwin"
    out = nixenv.build(darwin_project, attr, web_build_stubs)["out"]
    info = macho.read(out / "bin" / CRATE)
    assert info.cpu == "arm64"
    assert info.minos == "11.0"
    assert info.dylibs and all(macho.is_system_dylib(d) for d in info.dylibs), info.dylibs
    assert info.ad_hoc_signed
    assert macho.signature_matches(out / "bin" / CRATE)


def test_macos_packages_exist_on_linux_only_when_asked(
    darwin_project: Path, tmp_path: Path
) -> None:
    """Evaluation (committed eval-only stubs): the Linux host has the macOS package, with the
    catalog's minimum macOS; without the answer, macOS targets cannot even be chosen."""
    darwin = nixenv.eval_json(
        darwin_project,
        f"packages.{HOST}",
        apply=(
            "p: { names = builtins.attrNames p; "
            'min = p."aarch64-apple-darwin".MACOSX_DEPLOYMENT_TARGET; }'
        ),
    )
    assert "aarch64-apple-darwin" in darwin["names"]
    assert darwin["min"] == "11.0"
    with pytest.raises(ValueError, match="aarch64-darwin needs a macOS host among the hosts"):
        generate(tmp_path / CRATE, {**DARWIN, "darwin_from_linux": False})
