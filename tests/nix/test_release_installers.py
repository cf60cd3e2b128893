"""Rung 3 (nix build with host tools): the release's install.sh installs the program from the
release, served on loopback, and refuses what it must refuse.

The release is release_project.py's, built in a real Nix builder once per session (the
`release` fixture of tests/nix/conftest.py, shared with test_release_build.py). Each test copies
it to a folder served by an HTTP server on 127.0.0.1 and runs the generated
`<crate>-<version>-install.sh` as a user does (a file given to the shell, or the script piped
into `sh -s`), under dash (Debian's /bin/sh) and bash. Where a test needs
another machine (processor, system, C library), small scripts named uname, getconf and ldd
come first on PATH: the installer itself is the release's file, unchanged.

Proves: on this machine (x86_64, glibc 2.36) it picks the x86_64 glibc build, checks it against
SHA256SUMS and installs a program that runs here, into --to, into $HELLO_CROSS_INSTALL_DIR or
~/.local/bin, and says how to put that folder on PATH only when it is not; aarch64/arm64 and
armv7l/armv8l machines get their archives (the aarch64 program runs under qemu); a tampered
archive, an archive SHA256SUMS does not list, a machine or system without a build, a glibc older
than the floor and a musl machine are each refused with a message naming the problem and the
fix, with nothing installed (and, where the machine decides, nothing downloaded); a second run
replaces the program in place while the old one still runs; no URL at all is refused with
the option to pass; Cargo.toml's GitHub `repository` becomes the default URL; a project that
links Linux statically gets an installer that lists musl archives without a floor and installs
on glibc 2.36, glibc 2.12 and musl machines alike (its real install.sh, evaluated by Nix, beside
a stand-in archive: building musl here needs the newest Rust); shellcheck
finds nothing in the script (POSIX sh). install.ps1: tree-sitter's PowerShell grammar parses
it (a control with one brace dropped does not), its archive list names exactly the release's
Windows archives, and every placeholder is filled.

Does NOT prove: install.ps1 runs (no PowerShell on this machine: its logic is unexercised
here), macOS (no Mac: the Darwin path shares the code but not the machine), or a download from
GitHub over https (rung 4; the https-only options are not exercised on loopback http).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nixenv
import pytest
from flake_projects import generate, track
from release_project import archive
from support import require_tool
from test_flake_build import CRATE, HOST, run_under

pytestmark = pytest.mark.nix

INSTALLER = archive("install", ".sh")
HELLO = f"Hello from {CRATE} on x86_64-linux!"
SHELLS = ("dash", "bash")


@dataclass
class Served:
    """A copy of a release, served on loopback; `requests` lists the paths asked for."""

    folder: Path
    url: str
    installer: Path
    requests: list[str] = field(default_factory=list)


@contextlib.contextmanager
def serve(folder: Path, installer: str) -> Iterator[Served]:
    """Serve `folder` on 127.0.0.1 (a free port) while the block runs."""
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            requests.append(self.path)

    handler = functools.partial(Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        yield Served(folder, url, folder / installer, requests)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served(release: Path, tmp_path: Path) -> Iterator[Served]:
    folder = tmp_path / "served"
    shutil.copytree(release, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    with serve(folder, INSTALLER) as served:
        yield served


@dataclass
class Machine:
    """A user's environment: HOME, PATH and, where asked, a pretend uname/getconf/ldd."""

    home: Path
    fake_bin: Path
    env: dict[str, str]

    def pretend(self, name: str, script: str) -> None:
        path = self.fake_bin / name
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(0o755)

    def pretend_uname(self, system: str = "Linux", machine: str = "x86_64") -> None:
        answers = f'-s) echo {system} ;; -m) echo {machine} ;; *) exec /bin/uname "$@" ;;'
        self.pretend("uname", f'case "$1" in {answers} esac\n')


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    home = tmp_path / "home"
    home.mkdir()
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith("_INSTALL_DIR") and key != "QEMU_LD_PREFIX"
    }
    env.update(HOME=str(home), PATH=f"{fake_bin}:{env['PATH']}")
    return Machine(home, fake_bin, env)


def run_script(
    script: Path, machine: Machine, *args: str, shell: str = "dash", piped: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run an install.sh as a user does: a file given to the shell, or piped into `sh -s`."""
    command = [require_tool(shell), *(["-s", "--"] if piped else [str(script)]), *args]
    return subprocess.run(
        command,
        input=script.read_text() if piped else None,
        env=machine.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def install(
    served: Served, machine: Machine, *args: str, shell: str = "dash", piped: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the served release's install.sh, downloading from the server."""
    return run_script(
        served.installer, machine, "--from", served.url, *args, shell=shell, piped=piped
    )


def run(program: Path) -> str:
    """What an installed program prints (it must succeed)."""
    return run_under([str(program)], dict(os.environ)).strip()


def refused(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith(f"install {CRATE}: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_installs_a_program_that_runs_here(
    served: Served, machine: Machine, tmp_path: Path, shell: str
) -> None:
    folder = tmp_path / "bin"
    result = install(served, machine, "--to", str(folder), shell=shell)
    assert result.returncode == 0, result.stderr
    chosen = archive("x86_64-unknown-linux-gnu", ".tar.gz")
    assert f"{CRATE} 0.1.0 for Linux on x86_64: {chosen}" in result.stdout
    assert f"installed {folder / CRATE}" in result.stdout
    assert sorted(p.name for p in folder.iterdir()) == [CRATE]
    assert run(folder / CRATE) == HELLO
    assert served.requests == ["/SHA256SUMS", f"/{chosen}"]


def test_piped_into_sh_it_installs_in_home_and_says_how_to_reach_it(
    served: Served, machine: Machine
) -> None:
    result = install(served, machine, piped=True)
    assert result.returncode == 0, result.stderr
    folder = machine.home / ".local/bin"
    assert run(folder / CRATE) == HELLO
    assert f"{folder} is not on your PATH" in result.stdout
    assert f'export PATH="{folder}:$PATH"' in result.stdout


def test_no_path_advice_when_the_folder_is_on_path(served: Served, machine: Machine) -> None:
    folder = machine.home / ".local/bin"
    machine.env["PATH"] = f"{folder}:{machine.env['PATH']}"
    result = install(served, machine)
    assert result.returncode == 0, result.stderr
    assert "PATH" not in result.stdout


def test_install_dir_variable_chooses_the_folder(
    served: Served, machine: Machine, tmp_path: Path
) -> None:
    folder = tmp_path / "chosen"
    machine.env["HELLO_CROSS_INSTALL_DIR"] = str(folder)
    result = install(served, machine)
    assert result.returncode == 0, result.stderr
    assert run(folder / CRATE) == HELLO
    assert not (machine.home / ".local").exists()


def test_a_tampered_archive_is_refused_and_nothing_installed(
    served: Served, machine: Machine, tmp_path: Path
) -> None:
    tarball = served.folder / archive("x86_64-unknown-linux-gnu", ".tar.gz")
    data = bytearray(tarball.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tarball.write_bytes(bytes(data))
    folder = tmp_path / "bin"
    result = install(served, machine, "--to", str(folder))
    refused(result, "does not match the release's checksum", "nothing was installed")
    assert not folder.exists()


def test_a_folder_it_cannot_create_is_refused_before_anything_is_replaced(
    served: Served, machine: Machine, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    result = install(served, machine, "--to", str(blocker / "bin"))
    refused(result, f"cannot write to {blocker / 'bin'}", "--to <folder>")


def test_an_archive_the_checksums_do_not_list_is_refused(
    served: Served, machine: Machine, tmp_path: Path
) -> None:
    sums = served.folder / "SHA256SUMS"
    chosen = archive("x86_64-unknown-linux-gnu", ".tar.gz")
    lines = [line for line in sums.read_text().splitlines() if not line.endswith(chosen)]
    sums.write_text("\n".join(lines) + "\n")
    folder = tmp_path / "bin"
    result = install(served, machine, "--to", str(folder))
    refused(result, f"SHA256SUMS does not list {chosen}")
    assert served.requests == ["/SHA256SUMS"]
    assert not folder.exists()


def test_a_machine_without_a_build_is_told_what_the_release_has(
    served: Served, machine: Machine
) -> None:
    machine.pretend_uname(machine="s390x")
    result = install(served, machine)
    refused(
        result,
        "this release has no build for Linux on s390x (uname -m)",
        "Linux-x86_64",
        "Linux-aarch64",
        "Linux-armv7l",
        f"Build {CRATE} from source",
    )
    assert served.requests == []


@pytest.mark.parametrize(
    ("system", "message"),
    [
        ("FreeBSD", "FreeBSD is not a system this installer knows"),
        ("MINGW64_NT-10.0-19045", f"use {archive('install', '.ps1')} (PowerShell)"),
    ],
)
def test_a_system_without_a_build_is_refused(
    served: Served, machine: Machine, system: str, message: str
) -> None:
    machine.pretend_uname(system=system)
    refused(install(served, machine), message)
    assert served.requests == []


def test_a_glibc_older_than_the_floor_is_refused(served: Served, machine: Machine) -> None:
    machine.pretend(
        "getconf", '[ "$1" = GNU_LIBC_VERSION ] && { echo "glibc 2.12"; exit 0; }\nexit 1\n'
    )
    refused(install(served, machine), "needs glibc 2.17 or newer; this machine has glibc 2.12")
    assert served.requests == []


def test_a_musl_machine_is_refused_a_glibc_build(served: Served, machine: Machine) -> None:
    machine.pretend("getconf", "exit 1\n")
    machine.pretend("ldd", 'echo "musl libc (x86_64)" >&2\necho "Version 1.2.5" >&2\nexit 1\n')
    refused(install(served, machine), "this machine has no glibc (musl?)")
    assert served.requests == []


ELF_MACHINES = {183: "aarch64", 40: "arm"}
"""e_machine of an ELF header: EM_AARCH64, EM_ARM."""


@pytest.mark.parametrize(
    ("uname_m", "triple", "arch"),
    [
        ("aarch64", "aarch64-unknown-linux-gnu", "aarch64"),
        ("arm64", "aarch64-unknown-linux-gnu", "aarch64"),
        ("armv7l", "armv7-unknown-linux-gnueabihf", "arm"),
        ("armv8l", "armv7-unknown-linux-gnueabihf", "arm"),
    ],
)
def test_each_machine_gets_its_own_archive(
    served: Served, machine: Machine, tmp_path: Path, uname_m: str, triple: str, arch: str
) -> None:
    machine.pretend_uname(machine=uname_m)
    folder = tmp_path / "bin"
    result = install(served, machine, "--to", str(folder))
    assert result.returncode == 0, result.stderr
    assert served.requests == ["/SHA256SUMS", f"/{archive(triple, '.tar.gz')}"]
    header = (folder / CRATE).read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    assert ELF_MACHINES[int.from_bytes(header[18:20], "little")] == arch


def test_the_aarch64_program_it_installs_runs_under_qemu(
    served: Served, machine: Machine, tmp_path: Path
) -> None:
    machine.pretend_uname(machine="aarch64")
    folder = tmp_path / "bin"
    assert install(served, machine, "--to", str(folder)).returncode == 0
    env = {**os.environ, "QEMU_LD_PREFIX": "/usr/aarch64-linux-gnu"}
    output = run_under([require_tool("qemu-aarch64"), str(folder / CRATE)], env)
    assert output.strip() == f"Hello from {CRATE} on aarch64-linux!"


def test_running_it_again_replaces_the_program_in_place(
    served: Served, machine: Machine, tmp_path: Path
) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    old = folder / CRATE
    old.write_text("#!/bin/sh\necho old version\nexec sleep 30\n")
    old.chmod(0o755)
    running = subprocess.Popen([str(old)], stdout=subprocess.PIPE, text=True)
    try:
        assert running.stdout is not None and running.stdout.readline() == "old version\n"
        result = install(served, machine, "--to", str(folder))
        assert result.returncode == 0, result.stderr
        assert f"replaced {old}" in result.stdout
        assert run(old) == HELLO
        assert running.poll() is None, "the running old program was disturbed"
        assert sorted(p.name for p in folder.iterdir()) == [CRATE], "a temporary file was left"
    finally:
        running.kill()
        running.wait()


def test_without_any_url_it_says_which_option_to_pass(machine: Machine, release: Path) -> None:
    """The test crate's Cargo.toml names no repository, so the script has no URL of its own."""
    result = run_script(release / INSTALLER, machine)
    refused(result, "names no GitHub repository", "pass --from <the release's URL>")


def test_help_lists_the_options(machine: Machine, release: Path) -> None:
    result = run_script(release / INSTALLER, machine, "--help")
    assert result.returncode == 0, result.stderr
    for option in ("--to DIR", "--from URL", "--help"):
        assert option in result.stdout


def test_a_github_repository_in_cargo_toml_is_the_default_url(
    release_project: Path, tmp_path: Path
) -> None:
    """Rung 1: the installers' texts, evaluated, for a crate that names its repository."""
    copy = tmp_path / CRATE
    shutil.copytree(release_project, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    manifest = copy / "Cargo.toml"
    text = manifest.read_text()
    manifest.write_text(
        text.replace(
            "[package]\n", '[package]\nrepository = "https://github.com/o-w/re.po.git"\n', 1
        )
    )
    texts = nixenv.eval_json(
        track(copy), f"packages.{HOST}.release", apply="release: release.installers"
    )
    url = "https://github.com/o-w/re.po/releases/download/v0.1.0"
    assert f"download_url='{url}'" in texts[INSTALLER]
    assert f"[string]$From = '{url}'" in texts[archive("install", ".ps1")]


def test_shellcheck_finds_nothing(release: Path) -> None:
    result = subprocess.run(
        [require_tool("shellcheck"), "--shell=sh", str(release / INSTALLER)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


NPM_MODULES = Path("/opt/crossflake/npm/node_modules")
PARSER = Path(__file__).with_name("powershell_parse.mjs")


def powershell_syntax_errors(script: Path) -> subprocess.CompletedProcess[str]:
    """tree-sitter's PowerShell grammar over `script` (installed by the machine setup)."""
    node = require_tool("node", "runs the PowerShell parser")
    require_tool(str(NPM_MODULES / "tree-sitter-powershell" / "package.json"))
    return subprocess.run(
        [node, str(PARSER), str(NPM_MODULES), str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_powershell_installer_parses(release: Path) -> None:
    """Rung 0 for install.ps1: no PowerShell here to run it, but its syntax is checked."""
    result = powershell_syntax_errors(release / archive("install", ".ps1"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_parser_sees_a_broken_powershell_script(release: Path, tmp_path: Path) -> None:
    """Control: the same installer with one brace dropped fails the parse."""
    text = (release / archive("install", ".ps1")).read_text()
    broken = tmp_path / "broken.ps1"
    anchor = "if (-not $chosen) {"
    assert anchor in text
    broken.write_text(text.replace(anchor, "if (-not $chosen", 1))
    result = powershell_syntax_errors(broken)
    assert result.returncode == 1 and "syntax error" in result.stdout, result.stdout


def test_every_placeholder_is_filled(release: Path) -> None:
    for name in (INSTALLER, archive("install", ".ps1")):
        leftover = re.findall(r"@[A-Za-z]+@", (release / name).read_text())
        assert leftover == [], (name, leftover)


def test_the_powershell_installer_lists_the_windows_archives(release: Path) -> None:
    text = (release / archive("install", ".ps1")).read_text()
    files = set(re.findall(r"File = '([^']+)'", text))
    windows = {p.name for p in release.iterdir() if p.name.endswith(".zip")}
    assert files == windows == {archive("x86_64-pc-windows-gnu", ".zip")}
    assert "Machines = @('AMD64')" in text
    assert f"$programs = @('{CRATE}.exe')" in text


def test_the_shell_installer_lists_the_linux_archives(release: Path) -> None:
    text = (release / INSTALLER).read_text()
    block = text.split("archives='", 1)[1].split("'", 1)[0]
    files = {line.split()[-1] for line in block.strip().splitlines()}
    assert files == {p.name for p in release.iterdir() if p.name.endswith(".tar.gz")}


STATIC_CRATE = "static-hello"
STATIC_TRIPLE = "x86_64-unknown-linux-musl"


@pytest.fixture(scope="module")
def static_installer(tmp_path_factory: pytest.TempPathFactory) -> str:
    """install.sh of a project that links Linux statically (musl), as Nix evaluates it."""
    answers = {
        "crate_name": STATIC_CRATE,
        "crate_type": "bin",
        "edition": "2021",
        "hosts": [HOST],
        "targets": ["x86_64-linux", "aarch64-linux"],
        "linking": "static",
    }
    project = track(generate(tmp_path_factory.mktemp("static") / STATIC_CRATE, answers))
    texts = nixenv.eval_json(project, f"packages.{HOST}.release", apply="r: r.installers")
    return texts[f"{STATIC_CRATE}-0.1.0-install.sh"]


def stand_in_release(
    folder: Path, crate: str, triple: str, installer_text: str, greeting: str
) -> tuple[Path, str]:
    """A release folder of one project's shape: its real install.sh beside one stand-in
    archive for ``triple`` (a shell script printing ``greeting`` as the program: what is
    tested is the installer's choice), with a real SHA256SUMS. Returns the folder and the
    installer's file name."""
    top = f"{crate}-0.1.0-{triple}"
    (folder / "staging" / top).mkdir(parents=True)
    program = folder / "staging" / top / crate
    program.write_text(f"#!/bin/sh\necho {greeting}\n")
    program.chmod(0o755)
    with tarfile.open(folder / f"{top}.tar.gz", "w:gz") as tar:
        tar.add(folder / "staging" / top, arcname=top)
    shutil.rmtree(folder / "staging")
    digest = hashlib.sha256((folder / f"{top}.tar.gz").read_bytes()).hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  {top}.tar.gz\n")
    installer = f"{crate}-0.1.0-install.sh"
    (folder / installer).write_text(installer_text)
    return folder, installer


@pytest.fixture
def static_release(static_installer: str, tmp_path: Path) -> Iterator[Served]:
    """A release of the static project's shape: its real install.sh beside a stand-in
    archive (a shell script as the program: building musl here needs the newest Rust, and
    what is tested is the installer's choice), with a real SHA256SUMS."""
    folder, installer = stand_in_release(
        tmp_path / "static-release", STATIC_CRATE, STATIC_TRIPLE, static_installer, "static build"
    )
    with serve(folder, installer) as served:
        yield served


def test_a_static_project_lists_its_musl_archives_without_a_floor(static_installer: str) -> None:
    block = static_installer.split("archives='", 1)[1].split("'", 1)[0]
    assert sorted(block.strip().splitlines()) == [
        f"aarch64-unknown-linux-musl Linux aarch64,arm64 musl - "
        f"{STATIC_CRATE}-0.1.0-aarch64-unknown-linux-musl.tar.gz",
        f"{STATIC_TRIPLE} Linux x86_64,amd64 musl - {STATIC_CRATE}-0.1.0-{STATIC_TRIPLE}.tar.gz",
    ]


@pytest.mark.parametrize(
    "c_library",
    ["glibc 2.36 (this machine)", "glibc 2.12", "musl"],
)
def test_a_static_build_installs_whatever_the_c_library(
    static_release: Served, machine: Machine, tmp_path: Path, c_library: str
) -> None:
    if c_library == "glibc 2.12":
        machine.pretend("getconf", 'echo "glibc 2.12"\n')
    elif c_library == "musl":
        machine.pretend("getconf", "exit 1\n")
        machine.pretend("ldd", 'echo "musl libc (x86_64)" >&2\nexit 1\n')
    folder = tmp_path / "bin"
    result = install(static_release, machine, "--to", str(folder))
    assert result.returncode == 0, result.stderr
    assert static_release.requests == [
        "/SHA256SUMS",
        f"/{STATIC_CRATE}-0.1.0-{STATIC_TRIPLE}.tar.gz",
    ]
    assert run(folder / STATIC_CRATE) == "static build"


BSD_CRATE = "bsd-hello"
BSD_TRIPLE = "x86_64-unknown-freebsd"


@pytest.fixture(scope="module")
def bsd_installer(tmp_path_factory: pytest.TempPathFactory) -> str:
    """install.sh of a project with Linux and FreeBSD targets, as Nix evaluates it."""
    answers = {
        "crate_name": BSD_CRATE,
        "crate_type": "bin",
        "edition": "2021",
        "hosts": [HOST],
        "targets": ["x86_64-linux", "x86_64-freebsd"],
        "linking": "dynamic",
        "glibc": "2.17",
    }
    project = track(generate(tmp_path_factory.mktemp("bsd") / BSD_CRATE, answers))
    texts = nixenv.eval_json(project, f"packages.{HOST}.release", apply="r: r.installers")
    return texts[f"{BSD_CRATE}-0.1.0-install.sh"]


@pytest.fixture
def bsd_release(bsd_installer: str, tmp_path: Path) -> Iterator[Served]:
    """Its real install.sh beside a stand-in FreeBSD archive (a shell script as the program:
    nothing here runs a FreeBSD program, and what is tested is the installer's choice)."""
    folder, installer = stand_in_release(
        tmp_path / "bsd-release", BSD_CRATE, BSD_TRIPLE, bsd_installer, "freebsd build"
    )
    with serve(folder, installer) as served:
        yield served


def test_a_freebsd_archive_is_listed_for_freebsd_amd64_without_a_c_library(
    bsd_installer: str,
) -> None:
    """The catalog's FreeBSD facts reach the installer: `uname -s` FreeBSD, `uname -m`
    amd64, and no libc or floor (the glibc choice is Linux's alone)."""
    block = bsd_installer.split("archives='", 1)[1].split("'", 1)[0]
    assert f"{BSD_TRIPLE} FreeBSD amd64 - - {BSD_CRATE}-0.1.0-{BSD_TRIPLE}.tar.gz" in (
        block.strip().splitlines()
    )


def test_a_freebsd_machine_installs_the_freebsd_build(
    bsd_release: Served, machine: Machine, tmp_path: Path
) -> None:
    """On FreeBSD (pretend uname; no getconf answering for glibc) the installer takes the
    FreeBSD archive; a FreeBSD machine of another processor is told what the release has.
    The refusal of FreeBSD by a release without FreeBSD archives is
    test_a_system_without_a_build_is_refused."""
    machine.pretend_uname(system="FreeBSD", machine="amd64")
    machine.pretend("getconf", "exit 1\n")
    folder = tmp_path / "bin"
    result = install(bsd_release, machine, "--to", str(folder))
    assert result.returncode == 0, result.stderr
    assert bsd_release.requests == ["/SHA256SUMS", f"/{BSD_CRATE}-0.1.0-{BSD_TRIPLE}.tar.gz"]
    assert run(folder / BSD_CRATE) == "freebsd build"
    machine.pretend_uname(system="FreeBSD", machine="arm64")
    other = install(bsd_release, machine)
    assert other.returncode == 1, other.stdout + other.stderr
    assert "this release has no build for FreeBSD on arm64 (uname -m)" in other.stderr
    assert "FreeBSD-amd64" in other.stderr, other.stderr
