"""install.sh's choice on a Mac when the release has a universal2 archive (rung 1 + the script run).

The installers are the ones Nix evaluates for the project (`packages.<host>.release.installers`),
run by dash with a pretend `uname` against a release served on loopback whose archives are
stand-ins (a shell script per archive that says which archive it came from: building three
macOS targets to test a choice would prove nothing more, and no Mac runs them here) beside a
real SHA256SUMS. Proves: with only the universal archive, both Mac processors (`uname -m`
x86_64 and arm64) get it; with per-processor archives beside it, each Mac gets the build made
for its own processor (smaller, and x86_64-darwin reaches older macOS than universal2), in
whichever order the flake lists them. Does NOT prove that the programs run on a Mac (rung 4).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import nixenv
import pytest
from flake_projects import generate, track
from test_release_installers import Machine, Served, install, machine, run, serve

pytestmark = pytest.mark.nix

__all__ = ["machine"]  # the fixture, shared with test_release_installers

CRATE = "mac-hello"
HOST = "x86_64-linux"
UNIVERSAL = "universal2-apple-darwin"
PER_MACHINE = {"x86_64": "x86_64-apple-darwin", "arm64": "aarch64-apple-darwin"}


def installer_of(tmp_path: Path, targets: list[str]) -> str:
    """install.sh of a project with these targets, as Nix evaluates it on a Linux host."""
    answers = {
        "crate_name": CRATE,
        "crate_type": "bin",
        "hosts": [HOST],
        "targets": targets,
        "darwin_from_linux": True,
    }
    project = track(generate(tmp_path / CRATE, answers))
    texts = nixenv.eval_json(project, f"packages.{HOST}.release", apply="r: r.installers")
    return texts[f"{CRATE}-0.1.0-install.sh"]


@pytest.fixture(scope="module")
def universal_only(tmp_path_factory: pytest.TempPathFactory) -> str:
    return installer_of(tmp_path_factory.mktemp("universal-only"), ["universal2-darwin"])


@pytest.fixture(scope="module")
def all_three(tmp_path_factory: pytest.TempPathFactory) -> str:
    targets = ["x86_64-darwin", "aarch64-darwin", "universal2-darwin"]
    return installer_of(tmp_path_factory.mktemp("all-three"), targets)


def archive_lines(installer: str) -> list[str]:
    """The `archives` table install.sh chooses from, in its order."""
    return installer.split("archives='", 1)[1].split("'", 1)[0].strip().splitlines()


Serve = Callable[[str], contextlib.AbstractContextManager[Served]]


@pytest.fixture
def stand_in_release(tmp_path: Path) -> Serve:
    """Serves a stand-in release for an installer text: one archive per listed line."""

    def make(installer: str) -> contextlib.AbstractContextManager[Served]:
        folder = tmp_path / "release"
        folder.mkdir()
        sums = []
        for line in archive_lines(installer):
            triple, file = line.split()[0], line.split()[-1]
            top = file.removesuffix(".tar.gz")
            staging = tmp_path / "staging" / top
            staging.mkdir(parents=True)
            program = staging / CRATE
            program.write_text(f"#!/bin/sh\necho {triple}\n")
            program.chmod(0o755)
            with tarfile.open(folder / file, "w:gz") as tar:
                tar.add(staging, arcname=top)
            sums.append(f"{hashlib.sha256((folder / file).read_bytes()).hexdigest()}  {file}\n")
        shutil.rmtree(tmp_path / "staging")
        (folder / "SHA256SUMS").write_text("".join(sums))
        name = f"{CRATE}-0.1.0-install.sh"
        (folder / name).write_text(installer)
        return serve(folder, name)

    return make


def installed_from(served: Served, machine: Machine, tmp_path: Path, uname_m: str) -> str:
    machine.pretend_uname(system="Darwin", machine=uname_m)
    folder = tmp_path / f"bin-{uname_m}"
    result = install(served, machine, "--to", str(folder))
    assert result.returncode == 0, result.stderr
    return run(folder / CRATE)


def test_the_universal_archive_serves_both_mac_processors(
    universal_only: str, stand_in_release: Serve, machine: Machine, tmp_path: Path
) -> None:
    (line,) = archive_lines(universal_only)
    assert line.split()[:3] == [UNIVERSAL, "Darwin", "x86_64,arm64"], line
    with stand_in_release(universal_only) as served:
        for uname_m in PER_MACHINE:
            assert installed_from(served, machine, tmp_path, uname_m) == UNIVERSAL


def test_a_build_for_the_machine_alone_wins_over_the_universal_one(
    all_three: str, stand_in_release: Serve, machine: Machine, tmp_path: Path
) -> None:
    triples = [line.split()[0] for line in archive_lines(all_three)]
    assert triples[-1] == UNIVERSAL, triples  # universal builds come last
    with stand_in_release(all_three) as served:
        for uname_m, triple in PER_MACHINE.items():
            assert installed_from(served, machine, tmp_path, uname_m) == triple
