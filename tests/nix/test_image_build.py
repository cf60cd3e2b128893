"""Rung L3 (nix build with host tools) plus real image tools: the container image of a dynamic
aarch64 program, `packages.<host>.aarch64-unknown-linux-gnu-image`, built by `nix build`.

The image is built in a real Nix builder with the BUILD-mode stubs (the same project and
derivations as test_run_build.py). The stub's dockerTools.buildLayeredImage writes a docker
archive like upstream's (manifest.json, config, layers; one layer instead of many), and its
aarch64-linux glibc mirrors Debian's libc6-arm64-cross. Debian's skopeo reads the archive
(`docker-archive:` transport) and copies it to an OCI layout, which Debian's umoci unpacks.

Proves: what the flake puts in an image and its config: architecture arm64 and os linux, the
package's program as entrypoint, SSL_CERT_FILE naming the CA bundle; the root holds the CA
bundle, the glibc loader at the program's interpreter path and libc.so.6, all resolved INSIDE
the image root (no link leaves it), and no shell; qemu runs the entrypoint with the image root
as its only library root. Does NOT prove: upstream dockerTools' layering, `variant` (upstream
writes none; push-images sets it in the manifest list, rung 1), `docker load` or a registry
push (no engine or registry here: push-images is rung 1 for its commands, rung 4 for a push).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import nixenv
import pytest
from flake_projects import generate
from support import require_tool
from test_run_build import ANSWERS, ARGS, CRATE, HOST, expected, with_main

pytestmark = pytest.mark.nix

TRIPLE = "aarch64-unknown-linux-gnu"


def inside(root: Path, path: str, hops: int = 40) -> Path:
    """Resolve ``path`` (absolute, as the container sees it) within ``root``, following every
    link as the container would; fails if a link needs more than ``hops`` steps."""
    parts = [p for p in path.split("/") if p]
    current = root
    while parts:
        if hops == 0:
            raise AssertionError(f"too many links resolving {path}")
        candidate = current / parts.pop(0)
        if candidate.is_symlink():
            hops -= 1
            target = os.readlink(candidate)
            base = root if target.startswith("/") else current
            parts = [p for p in target.split("/") if p] + parts
            current = base
            continue
        current = candidate
    return current


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory, build_stubs: Path) -> dict[str, object]:
    """The image built by Nix, its config (skopeo) and its root (skopeo copy + umoci unpack)."""
    skopeo = require_tool("skopeo", "reads the docker archive the flake's image is")
    umoci = require_tool("umoci", "unpacks the image's OCI layout")
    folder = tmp_path_factory.mktemp("image")
    project = with_main(generate(folder / CRATE, ANSWERS))
    image = nixenv.build(project, f"packages.{HOST}.{TRIPLE}-image", build_stubs)["out"]
    package = nixenv.build(project, f"packages.{HOST}.{TRIPLE}", build_stubs)["out"]
    # A gzipped docker archive, like upstream's; Debian's skopeo 1.9 reads plain ones only,
    # so it is unpacked first, as push-images does.
    archive = folder / "image.tar"
    archive.write_bytes(gzip.decompress(image.read_bytes()))
    config = json.loads(
        subprocess.run(
            [skopeo, "inspect", "--config", f"docker-archive:{archive}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    layout = folder / "layout"
    subprocess.run(
        [skopeo, "copy", f"docker-archive:{archive}", f"oci:{layout}:latest"],
        capture_output=True,
        check=True,
    )
    bundle = folder / "bundle"
    subprocess.run(
        [umoci, "unpack", "--rootless", "--image", f"{layout}:latest", str(bundle)],
        capture_output=True,
        check=True,
    )
    return {"config": config, "root": bundle / "rootfs", "package": package}


def test_image_config_names_arm64_linux_and_the_program(unpacked: dict[str, object]) -> None:
    config = unpacked["config"]
    assert isinstance(config, dict)
    assert config["architecture"] == "arm64"
    assert config["os"] == "linux"
    assert config["config"]["Entrypoint"] == [f"{unpacked['package']}/bin/{CRATE}"]
    assert config["config"]["Env"] == ["SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt"]


def test_image_root_holds_program_certificates_and_glibc_and_no_shell(
    unpacked: dict[str, object],
) -> None:
    root = unpacked["root"]
    assert isinstance(root, Path)
    program = inside(root, f"{unpacked['package']}/bin/{CRATE}")
    assert program.is_file() and os.access(program, os.X_OK)
    assert "BEGIN CERTIFICATE" in inside(root, "/etc/ssl/certs/ca-bundle.crt").read_text()
    assert inside(root, "/lib/ld-linux-aarch64.so.1").is_file()
    assert inside(root, "/lib/libc.so.6").is_file()
    for shell in ("/bin/sh", "/bin/bash", "/usr/bin/env"):
        assert not (root / shell.lstrip("/")).exists(), shell
    top = sorted(p.name for p in root.iterdir())
    assert set(top) <= {"etc", "lib", "lib64", "nix"}, top


def test_image_entrypoint_runs_with_only_the_image_root(unpacked: dict[str, object]) -> None:
    """qemu loads the program with the image root as its library root (-L). The image's
    absolute links resolve through this machine's store, which holds the same paths: that
    the image alone holds them is the previous test's resolution inside the root."""
    qemu = require_tool("qemu-aarch64", "runs the aarch64 entrypoint")
    root = unpacked["root"]
    assert isinstance(root, Path)
    program = inside(root, f"{unpacked['package']}/bin/{CRATE}")
    ran = subprocess.run(
        [qemu, "-L", str(root), str(program), *ARGS],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == expected("aarch64-linux")
