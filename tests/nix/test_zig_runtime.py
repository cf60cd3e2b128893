"""Rung L3 (nix build with host tools): zig's C runtime is compiled once per target, in the
target's own `zig-runtime-<triple>` derivation (zigRuntime), and a source edit rebuilds only the
crate's own code.

How compiles are seen: an instrumented copy of the generated flake adds two reporting lines and
nothing else: after zigBuildSetup has seeded the writable zig cache it touches a marker, and a
postBuild hook prints every file zig wrote into its global cache's `o/` folder after that marker
("zig compiled: <file>", read from the `nix build -L` log). A missing cache proves the report
sees the runtime's compile (crt objects, libc_nonshared.a); with the seed, nothing is listed.

Proves, in a Nix builder with build users (HOME=/homeless-shelter unwritable):
- the crate derivation after a one-line edit compiles no C runtime for armv7 and for Windows
  (no MinGW library is compiled), and neither does the deps derivation;
- with the seeded cache emptied (missing) or its manifests replaced by stale ones, the package
  still builds correctly (zig compiles the runtime again) and the armv7 binary runs under qemu;
- the packages reference neither zigRuntime nor zig (`nix-store -q --references`).

Does NOT prove: real nixpkgs' zig or naersk (the stubs stand in with the host's zig and
cargo-zigbuild, tests/nix/stubs), nor cache reuse in Nix's sandbox (TMPDIR=/build), which this
machine's builds (sandbox = false) do not use.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import nixenv
import pytest
from flake_projects import generate, subn_in_flake, track
from rebuild_economy import edit_source
from support import require_tool

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
CRATE = "hello-runtime"
ARMV7 = "armv7-unknown-linux-gnueabihf"
WINDOWS = "x86_64-pc-windows-gnu"
ANSWERS = {
    "crate_name": CRATE,
    "crate_type": "bin",
    "edition": "2021",  # Rust 1.63 (the host's) predates edition 2024
    "hosts": [HOST],
    "targets": ["armv7-linux", "x86_64-windows"],
    "linking": "dynamic",
    "glibc": "2.17",
    "toolchain": "stable",
}

SEEDING = re.compile(
    r"^(?P<indent>[ \t]*)cp -r --no-preserve=mode "
    r'\$\{runtime\}/cache/\. "\$ZIG_GLOBAL_CACHE_DIR"\n',
    re.MULTILINE,
)
"""zigBuildSetup's line that seeds the writable zig cache from zigRuntime."""

PRE_BUILD = re.compile(r"^(?P<indent>[ \t]*)preBuild = zigBuildSetup runtime;\n", re.MULTILINE)
"""crossBuild's preBuild: the report's postBuild goes next to it (both naersk derivations)."""

REPORT = (
    "{indent}postBuild = ''\n"
    '{indent}  mkdir -p "$ZIG_GLOBAL_CACHE_DIR/o"\n'
    '{indent}  find "$ZIG_GLOBAL_CACHE_DIR/o" -type f -newer "$TMPDIR/zig-seeded" '
    "-printf 'zig compiled: %f\\n' >&2\n"
    "{indent}'';\n"
)
"""Lists what zig wrote to its cache after seeding (the marker), into the build log."""

EMPTY_CACHE = 'rm -rf "$ZIG_GLOBAL_CACHE_DIR"/*\n'
"""The cache is missing: zigRuntime's files are removed right after seeding."""

STALE_CACHE = (
    'for m in "$ZIG_GLOBAL_CACHE_DIR"/h/*; do '
    "printf 'stale\\n0 0 0 00000000000000000000000000000000 1 libc/gone.c\\n' > \"$m\"; done\n"
)
"""The cache is stale: every manifest names an input that no longer matches."""

RUNTIME_FILES = re.compile(r"^(Scrt1\.o|crti\.o|libc_nonshared\.a|libcompiler_rt\.a)$")
"""Files of zig's armv7 glibc runtime: listed when, and only when, zig compiles it."""

MINGW_FILES = re.compile(r"^(crt2\.obj|libmingw32\.a|libmingwex\.a|libmsvcrt\.a|.*\.lib)$")
"""Files of zig's MinGW runtime (import libraries, crt2): the expensive Windows part."""


def instrument(project: Path, destination: Path, after_seeding: str = "") -> Path:
    """A tracked copy of ``project`` whose flake reports zig's compiles (and may run
    ``after_seeding`` shell lines right after the cache is seeded)."""
    shutil.copytree(project, destination, symlinks=True, ignore=shutil.ignore_patterns(".git"))

    def seeded(match: re.Match[str]) -> str:
        indent = match["indent"]
        extra = "".join(indent + line + "\n" for line in after_seeding.splitlines())
        return match[0] + extra + indent + 'touch "$TMPDIR/zig-seeded"\n'

    seeds = subn_in_flake(destination, SEEDING, seeded)
    hooks = subn_in_flake(
        destination, PRE_BUILD, lambda m: m[0] + REPORT.format(indent=m["indent"])
    )
    assert (seeds, hooks) == (1, 1), "zigBuildSetup or crossBuild changed: update the patterns"
    # A source no earlier run built: the Nix store outlives test runs, and the crate
    # derivation must really build here.
    main = destination / "src" / "main.rs"
    main.write_text(main.read_text() + f"\n// test run {uuid.uuid4()}\n")
    return track(destination)


def build_logged(project: Path, triple: str, stubs: Path) -> tuple[Path, str]:
    """`nix build -L` one package: its output path and the build logs Nix printed."""
    args = ["build", "--no-link", "--json", "-L", f".#packages.{HOST}.{triple}"]
    proc = nixenv.run_nix([*args, *nixenv.override_args(stubs)], cwd=project)
    return Path(json.loads(proc.stdout)[0]["outputs"]["out"]), proc.stderr


def compiled(log: str, derivation: str) -> list[str]:
    """Files zig compiled in the builds of ``derivation`` (its log lines' prefix)."""
    prefix = re.escape(derivation) + r"> zig compiled: (\S+)"
    return re.findall(prefix, log)


def built(log: str, derivation: str) -> bool:
    """Whether ``derivation`` was built in this run (it wrote to the log)."""
    return re.search(rf"^{re.escape(derivation)}> ", log, re.MULTILINE) is not None


def references(path: Path) -> list[str]:
    """Store paths ``path`` references (Nix's scan of the output)."""
    nix_store = require_tool("nix-store", "the packages' references are Nix's own scan")
    result = subprocess.run(
        [nix_store, "-q", "--references", str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def run_armv7(binary: Path) -> str:
    """Run an armv7 glibc binary under qemu; its stdout."""
    qemu = require_tool("qemu-arm", "the armv7 binary must really run")
    env = {**os.environ, "QEMU_LD_PREFIX": "/usr/arm-linux-gnueabihf"}
    result = subprocess.run(
        [qemu, str(binary)], capture_output=True, text=True, timeout=120, check=False, env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated project (armv7 and Windows) the tests build variants of."""
    return generate(tmp_path_factory.mktemp("runtime") / CRATE, ANSWERS)


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize(
    ("triple", "runtime_files", "binary"),
    [(ARMV7, RUNTIME_FILES, CRATE), (WINDOWS, MINGW_FILES, f"{CRATE}.exe")],
    ids=["armv7", "windows"],
)
def test_edit_rebuild_compiles_no_c_runtime(
    project: Path,
    build_stubs: Path,
    tmp_path: Path,
    triple: str,
    runtime_files: re.Pattern[str],
    binary: str,
) -> None:
    copy = instrument(project, tmp_path / CRATE)
    first, log = build_logged(copy, triple, build_stubs)
    assert (first / "bin" / binary).is_file()
    for derivation in (f"{CRATE}-deps", CRATE):
        assert compiled(log, derivation) == [], derivation

    edit_source(copy)
    second, log = build_logged(copy, triple, build_stubs)
    assert second != first, "the edit did not change the package"
    assert built(log, CRATE), log[-3000:]
    assert not built(log, f"{CRATE}-deps"), "a source edit rebuilt the dependencies"
    assert not built(log, f"zig-runtime-{triple}"), "a source edit rebuilt zig's runtime"
    files = compiled(log, CRATE)
    assert [f for f in files if runtime_files.match(f)] == [], files
    assert files == [], files
    for reference in references(second):
        assert "zig-runtime" not in reference and "-zig-" not in reference, reference


@pytest.mark.usefixtures("no_homeless_shelter")
@pytest.mark.parametrize(
    "after_seeding", [EMPTY_CACHE, STALE_CACHE], ids=["missing-cache", "stale-cache"]
)
def test_armv7_builds_correctly_without_a_usable_cache(
    project: Path, build_stubs: Path, tmp_path: Path, after_seeding: str
) -> None:
    copy = instrument(project, tmp_path / CRATE, after_seeding)
    out, log = build_logged(copy, ARMV7, build_stubs)
    files = compiled(log, CRATE)
    assert [f for f in files if RUNTIME_FILES.match(f)], files  # the report sees the compile
    output = run_armv7(out / "bin" / CRATE)
    assert output.strip() == f"Hello from {CRATE} on arm-linux!"
    assert not any("zig" in reference for reference in references(out))
