"""Rung 3 (nix build with host tools): `nix build .#release` packs every cross package of a
host into reproducible archives whose programs run after unpacking.

The project and its build: release_project.py (test_flake_build's crate plus x86_64 Linux and
WASI). The release derivation runs in a real Nix builder (build users, cleared environment) with
the stub stdenv's host tools (tar, gzip, sha256sum, find, sort) and `pkgs.zip` pointing at the
host's Info-ZIP.

Proves: the archives are exactly `<crate>-<version>-<triple>` .tar.gz (x86_64 and aarch64 gnu,
armv7), .zip (Windows) and the bare .wasm (WASI), each archive holds one top folder with the
program and README.md, owned by 0:0 with fixed times and modes; beside them the installers and
the program's bill of materials, the very texts Nix evaluates (test_release_installers.py runs
the installer, test_sbom_eval.py checks bills); `sha256sum -c SHA256SUMS` passes over all; the
unpacked programs run under qemu, Wine and wasmtime; `nix build --rebuild` reproduces the
derivation bit for bit; a control with a time stamp in the output shows `--rebuild` catches a
non-reproducible release.

Does NOT prove: the real nixpkgs stdenv's tar/gzip/zip versions give the same bytes as the
host's (reproducibility is per toolchain, not across them), darwin or musl archives (no std
here), or that a GitHub release accepts them (rung 4).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nixenv
import pytest
from flake_projects import track
from release_project import LINUX, archive
from support import require_tool
from test_flake_build import CRATE, HOST, run_under

pytestmark = pytest.mark.nix

EPOCH = 315532800
"""stdenv's SOURCE_DATE_EPOCH (1980-01-01): every time in the archives."""

EXPECTED = {
    archive("x86_64-unknown-linux-gnu", ".tar.gz"),
    archive("aarch64-unknown-linux-gnu", ".tar.gz"),
    archive("armv7-unknown-linux-gnueabihf", ".tar.gz"),
    archive("x86_64-pc-windows-gnu", ".zip"),
    archive("wasm32-wasip1", ".wasm"),
    archive("install", ".sh"),
    archive("install", ".ps1"),
    archive(CRATE, ".cdx.json"),
    "SHA256SUMS",
}


@pytest.fixture
def unpacked(tmp_path: Path) -> Path:
    folder = tmp_path / "unpacked"
    folder.mkdir()
    return folder


def test_release_holds_one_archive_per_target_and_checksums(release: Path) -> None:
    assert {p.name for p in release.iterdir()} == EXPECTED


def test_checksums_verify_with_sha256sum(release: Path) -> None:
    sha256sum = require_tool("sha256sum")
    result = subprocess.run(
        [sha256sum, "--strict", "--check", "SHA256SUMS"],
        cwd=release,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    listed = [line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()]
    assert listed == sorted(EXPECTED - {"SHA256SUMS"})


def test_tarballs_are_normalised(release: Path) -> None:
    """One top folder, sorted entries, root-owned, fixed time, fixed modes, no gzip name."""
    for triple in LINUX:
        path = release / archive(triple, ".tar.gz")
        raw = path.read_bytes()
        assert raw[3] & 0x08 == 0, f"{path.name}: gzip header carries a file name"
        assert raw[4:8] == b"\0\0\0\0", f"{path.name}: gzip header carries a time"
        top = archive(triple, "")
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
            members = tar.getmembers()
        names = [m.name for m in members]
        assert names == [top, f"{top}/README.md", f"{top}/{CRATE}"], names
        for member in members:
            assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", ""), member
            assert member.mtime == EPOCH, member.name
        modes = {m.name: m.mode for m in members}
        assert modes == {top: 0o755, f"{top}/README.md": 0o644, f"{top}/{CRATE}": 0o755}


def test_zip_is_normalised(release: Path) -> None:
    top = archive("x86_64-pc-windows-gnu", "")
    with zipfile.ZipFile(release / f"{top}.zip") as bundle:
        infos = bundle.infolist()
    assert [i.filename for i in infos] == [f"{top}/", f"{top}/README.md", f"{top}/{CRATE}.exe"]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
        assert info.extra == b"", f"{info.filename}: zip -X keeps no extra fields"


def unpack_tarball(release: Path, triple: str, into: Path) -> Path:
    with tarfile.open(release / archive(triple, ".tar.gz")) as tar:
        # The "data" filter (no absolute paths, links out, devices) exists from Python 3.11.4
        # and 3.10.12; Debian 12's 3.11.2 lacks it, and our own archive needs no protection.
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="data")
        else:
            tar.extractall(into)
    return into / archive(triple, "") / CRATE


@pytest.mark.parametrize(
    ("triple", "qemu", "prefix", "arch"),
    [
        ("aarch64-unknown-linux-gnu", "qemu-aarch64", "/usr/aarch64-linux-gnu", "aarch64"),
        ("armv7-unknown-linux-gnueabihf", "qemu-arm", "/usr/arm-linux-gnueabihf", "arm"),
    ],
)
def test_unpacked_linux_programs_run_under_qemu(
    release: Path, unpacked: Path, triple: str, qemu: str, prefix: str, arch: str
) -> None:
    program = unpack_tarball(release, triple, unpacked)
    env = {**os.environ, "QEMU_LD_PREFIX": prefix}
    output = run_under([require_tool(qemu), str(program)], env)
    assert output.strip() == f"Hello from {CRATE} on {arch}-linux!"


@pytest.fixture
def wine_env() -> Iterator[dict[str, str]]:
    """A throwaway wine prefix; its wineserver is stopped and the prefix removed afterwards."""
    prefix = tempfile.mkdtemp(prefix="crossflake-wine-")
    env = {**os.environ, "WINEPREFIX": prefix, "WINEDEBUG": "-all"}
    yield env
    subprocess.run([require_tool("wineserver"), "-k"], env=env, check=False, capture_output=True)
    shutil.rmtree(prefix, ignore_errors=True)


def test_unpacked_windows_program_runs_under_wine(
    release: Path, unpacked: Path, wine_env: dict[str, str]
) -> None:
    with zipfile.ZipFile(release / archive("x86_64-pc-windows-gnu", ".zip")) as bundle:
        bundle.extractall(unpacked)
    program = unpacked / archive("x86_64-pc-windows-gnu", "") / f"{CRATE}.exe"
    output = run_under([require_tool("wine"), str(program)], wine_env)
    assert output.strip() == f"Hello from {CRATE} on x86_64-windows!"


def test_wasi_module_runs_under_wasmtime(release: Path, unpacked: Path) -> None:
    module = unpacked / f"{CRATE}.wasm"
    shutil.copyfile(release / archive("wasm32-wasip1", ".wasm"), module)
    output = run_under([require_tool("wasmtime"), str(module)], dict(os.environ))
    # Rust 1.63 reports an empty OS on wasm32-wasi (newer Rust says "wasi").
    assert output.strip() == f"Hello from {CRATE} on wasm32-!"


def rebuild(project: Path, stubs: Path) -> subprocess.CompletedProcess[str]:
    """`nix build --rebuild` of the release: builds it again and compares with the store."""
    args = [
        "build",
        "--no-link",
        "--rebuild",
        "-L",
        f".#packages.{HOST}.release",
        *nixenv.override_args(stubs),
    ]
    return nixenv.run_nix(args, cwd=project, check=False, timeout=1800)


@pytest.mark.usefixtures("no_homeless_shelter")
def test_rebuild_reproduces_the_release_bit_for_bit(
    release_project: Path, build_stubs: Path, release: Path
) -> None:
    result = rebuild(release_project, build_stubs)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.usefixtures("no_homeless_shelter")
def test_rebuild_catches_a_release_that_is_not_reproducible(
    release_project: Path, build_stubs: Path, release: Path, tmp_path: Path
) -> None:
    """Control: the same release plus a nanosecond time stamp fails `--rebuild`."""
    copy = tmp_path / CRATE
    shutil.copytree(release_project, copy, symlinks=True)
    release_nix = copy / "nix/release.nix"
    anchor = '    cd "$out"\n'
    text = release_nix.read_text()
    assert text.count(anchor) == 1, "nix/release.nix changed: update the control's anchor"
    release_nix.write_text(text.replace(anchor, anchor + "    date +%s%N > stamp\n"))
    track(copy)
    nixenv.build(copy, f"packages.{HOST}.release", build_stubs)
    result = rebuild(copy, build_stubs)
    assert result.returncode != 0
    assert "not deterministic" in result.stderr or "may not be deterministic" in result.stderr, (
        result.stderr[-3000:]
    )


def test_installers_and_bills_are_the_texts_nix_evaluates(
    release_project: Path, release: Path
) -> None:
    """What the release ships is what nix/installers and nix/sbom.nix write (the texts the
    installer and SBOM tests read), for every host alike: nothing in them depends on what
    this host built."""
    texts = nixenv.eval_json(
        release_project, f"packages.{HOST}.release", apply="r: r.installers // r.sboms"
    )
    assert set(texts) == {
        archive("install", ".sh"),
        archive("install", ".ps1"),
        archive(CRATE, ".cdx.json"),
    }
    for name, text in texts.items():
        assert (release / name).read_text() == text, name
