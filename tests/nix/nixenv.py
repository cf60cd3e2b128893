"""Run Nix offline against crossflake's stub flakes (nixpkgs, fenix, naersk).

The generated project's ``flake.nix`` has inputs ``nixpkgs``, ``fenix``, ``naersk`` (and, for an
exact toolchain version, ``rust-manifest``). On this machine none of them can be fetched, so every
command here runs with ``--offline`` and ``--override-input NAME path:<stub>``; the stubs live in
``tests/nix/stubs/`` and are our own code honouring the upstream interfaces.

Two stub modes:

* **eval-only** (the committed ``stubs/nixpkgs/mode.nix``): packages are placeholder derivations;
  ``nix flake show``, ``nix flake check --no-build`` and ``nix eval`` work, ``nix build`` fails.
* **build**: :func:`prepare_stubs` copies the stubs to a temporary folder and writes a
  ``mode.nix`` mapping tools (cargo, rustc, zig, cargo-zigbuild, jq...) to absolute host paths;
  ``nix build`` then runs the real naersk-like phases inside a Nix builder. With build users
  (``build-users-group = nixbld``) the builder runs as ``nixbld1`` with an unwritable
  ``HOME=/homeless-shelter``, like a real Nix build, so every tool must be readable by that user.
  ``pkgs.zig`` has nixpkgs' layout: ``$out/bin/zig`` (a wrapper that uses ``$out/lib/zig`` unless
  ``ZIG_LIB_DIR`` is set) and a read-only ``$out/lib/zig`` mirroring the host zig's lib dir,
  without ``arm-features.h`` so that cargo-zigbuild must write into zig's lib dir for arm targets.

Nothing global is configured: all settings go through the ``NIX_CONFIG`` environment variable.
Flakes in a git work tree only see files that are ``git add``-ed.
"""

from __future__ import annotations

import grp
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STUBS_DIR: Path = Path(__file__).resolve().parent / "stubs"
"""The committed stub flakes (eval-only mode)."""

STUB_INPUTS: tuple[str, ...] = ("nixpkgs", "fenix", "naersk")
"""Flake inputs replaced by a stub of the same name."""

BUILD_USERS_GROUP = "nixbld"

NIX_CONFIG_BASE: str = "\n".join(
    [
        "experimental-features = nix-command flakes",
        "substituters =",
        "sandbox = false",
        # A failed evaluation is otherwise cached and later reported as "is not an attribute set".
        "eval-cache = false",
        "warn-dirty = false",
    ]
)
"""Settings every command needs; :func:`nix_config` adds the build-users line."""

DEFAULT_TIMEOUT = 900

MANIFEST_STD_TRIPLES: tuple[str, ...] = (
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "armv7-unknown-linux-gnueabihf",
    "armv7-unknown-linux-musleabihf",
    "i686-unknown-linux-musl",
    "riscv64gc-unknown-linux-gnu",
    "riscv64gc-unknown-linux-musl",
    "s390x-unknown-linux-gnu",
    "powerpc64le-unknown-linux-gnu",
    "x86_64-pc-windows-gnu",
    "x86_64-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
    "wasm32-wasip1",
    "wasm32-unknown-unknown",
)
"""Extra rust-std triples of the fake channel manifest (a real 1.85.0 manifest has all of these)."""


class NixError(RuntimeError):
    """A nix command exited non-zero; ``stderr`` holds Nix's message."""

    def __init__(self, cmd: Sequence[str], returncode: int, stdout: str, stderr: str) -> None:
        self.cmd = list(cmd)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f"{' '.join(cmd)} exited {returncode}:\n{stderr[-4000:]}")


def nix_available() -> bool:
    """Return True when the ``nix`` command exists (Debian's ``nix-bin``)."""
    return shutil.which("nix") is not None


def build_users_available() -> bool:
    """Return True when the ``nixbld`` group has at least one member (scripts/setup-nix.sh)."""
    try:
        return bool(grp.getgrnam(BUILD_USERS_GROUP).gr_mem)
    except KeyError:
        return False


def nix_config(build_users: bool = True) -> str:
    """Return the NIX_CONFIG text.

    With ``build_users`` (and the group present) builds run as ``nixbld1``: HOME is the
    unwritable ``/homeless-shelter`` as in real Nix builds. Without, root runs the builder and
    Nix creates ``/homeless-shelter`` for it, which hides cache-directory bugs.
    """
    users = BUILD_USERS_GROUP if build_users and build_users_available() else ""
    return f"{NIX_CONFIG_BASE}\nbuild-users-group = {users}\n"


def nix_env(build_users: bool = True, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return an environment for running nix: ``base`` (default ``os.environ``) plus NIX_CONFIG."""
    env = dict(os.environ if base is None else base)
    env["NIX_CONFIG"] = nix_config(build_users)
    return env


# --------------------------------------------------------------------------- stubs and modes


def _nix_string(value: str) -> str:
    """Quote ``value`` as a Nix string literal."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${").replace("\n", "\\n")
    )
    return f'"{escaped}"'


def readable_by_others(path: str | os.PathLike[str]) -> bool:
    """Return True when a non-root user (``nixbld1``) can reach and read/execute ``path``.

    Follows symlinks; every parent folder needs ``o+x`` (``/root`` is 0700, so pip or rustup
    tools under it are NOT usable in a build run by build users).
    """
    real = Path(os.path.realpath(path))
    if not real.exists():
        return False
    mode = real.stat().st_mode
    if not mode & stat.S_IROTH:
        return False
    if real.is_file() and mode & stat.S_IXUSR and not mode & stat.S_IXOTH:
        return False
    if not all(p.stat().st_mode & stat.S_IXOTH for p in real.parents):
        return False
    return all(readable_by_others(t) for t in _script_targets(real))


def _script_targets(path: Path) -> list[str]:
    """Absolute paths a small ``#!`` wrapper script refers to (``exec /root/.pyenv/...``)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return []
    if not head.startswith(b"#!"):
        return []
    text = head.decode("utf-8", "replace")
    found = re.findall(r"(?<![\w$])/[\w./+-]+", text)
    return [
        f for f in dict.fromkeys(found) if os.path.exists(f) and os.path.realpath(f) != str(path)
    ]


HOST_GLIBC_FOLDERS = {
    "x86_64-linux": "/lib/x86_64-linux-gnu",
    "aarch64-linux": "/usr/aarch64-linux-gnu/lib",
    "i686-linux": "/usr/i686-linux-gnu/lib",
}
"""Debian's glibc per Nix system (the host's own, libc6-arm64-cross, libc6-i386-cross): the
stub's ``glibc`` of that system mirrors it, standing in for nixpkgs' glibc from the public cache
(the systems the catalog's ``glibc.nixpkgs_system`` names)."""


@dataclass
class HostTools:
    """Host executables the BUILD-mode stubs link into their packages.

    Each field maps a binary name to an absolute path. ``rust`` serves both nixpkgs' cargo/rustc
    and every fenix component (cargo, rustc, rustdoc, rustfmt, cargo-clippy...). ``rust_sysroot``
    (optional) makes the toolchain's rustc/rustdoc wrappers pass ``--sysroot=DIR`` (Debian's
    extra-target std libraries). ``prebuilt_std`` (optional) maps each triple to the folder
    ``lib/rustlib/<triple>`` of a std compiled once on this machine (tests/prebuilt_std.py; the
    host triple to the Rust's own): the stub's ``rust-std`` components hold them, as fenix's
    prebuilt ones, and its rustc takes the combined toolchain as sysroot (musl links zig's
    startup objects). The stand-in for fenix's rust-std with Debian's rustc-web.
    ``prebuilt_std_libs`` maps a triple to a folder of native libraries its std needs beside it
    (Debian's windows-gnu std links mingw's libssp: empty archives, as rung 2 passes them;
    fenix's std needs none): the stub copies them into that std's lib dir. ``zig_lib`` is
    the host zig's lib dir: the stub's zig package mirrors it at ``$out/lib/zig`` like nixpkgs' zig,
    because generated flakes copy that folder to a writable ``ZIG_LIB_DIR``.
    """

    rust: dict[str, str] = field(default_factory=dict)
    zig: dict[str, str] = field(default_factory=dict)
    cargo_zigbuild: dict[str, str] = field(default_factory=dict)
    jq: dict[str, str] = field(default_factory=dict)
    qemu: dict[str, str] = field(default_factory=dict)
    wine64: dict[str, str] = field(default_factory=dict)
    wasmtime: dict[str, str] = field(default_factory=dict)
    extra: dict[str, dict[str, str]] = field(default_factory=dict)
    rust_sysroot: str | None = None
    zig_lib: str | None = None
    prebuilt_std: dict[str, str] = field(default_factory=dict)
    prebuilt_std_libs: dict[str, str] = field(default_factory=dict)
    glibc: dict[str, str] = field(default_factory=dict)

    @classmethod
    def detect(cls, prefix_dirs: Sequence[str] = ("/opt/crossflake/bin",)) -> HostTools:
        """Find the tools on this machine, preferring ones build users can read.

        Rust: Debian's ``/usr/bin/cargo`` etc. (rustup's live under 0700 ``/root``). zig and
        cargo-zigbuild: ``$CROSSFLAKE_ZIG`` / ``$CROSSFLAKE_CARGO_ZIGBUILD``, then ``prefix_dirs``,
        then PATH.
        """

        def find(name: str, env_var: str | None = None, dirs: Sequence[str] = ()) -> str | None:
            candidates: list[str] = []
            if env_var and os.environ.get(env_var):
                candidates.append(os.environ[env_var])
            candidates += [os.path.join(d, name) for d in (*dirs, *prefix_dirs)]
            which = shutil.which(name)
            if which:
                candidates.append(which)
            for c in candidates:
                if os.path.isfile(c) and os.access(c, os.X_OK) and readable_by_others(c):
                    return c
            return None

        def pick(names: Sequence[str], dirs: Sequence[str] = ("/usr/bin",)) -> dict[str, str]:
            out = {}
            for n in names:
                p = find(n, dirs=dirs)
                if p:
                    out[n] = p
            return out

        zig = find("zig", "CROSSFLAKE_ZIG")
        czb = find("cargo-zigbuild", "CROSSFLAKE_CARGO_ZIGBUILD")
        return cls(
            zig_lib=zig_lib_dir(zig) if zig else None,
            rust=pick(
                [
                    "cargo",
                    "rustc",
                    "rustdoc",
                    "rustfmt",
                    "cargo-fmt",
                    "cargo-clippy",
                    "clippy-driver",
                ]
            ),
            zig={"zig": zig} if zig else {},
            cargo_zigbuild={"cargo-zigbuild": czb} if czb else {},
            jq=pick(["jq"]),
            qemu=pick(
                [
                    "qemu-aarch64",
                    "qemu-arm",
                    "qemu-i386",
                    "qemu-x86_64",
                    "qemu-riscv64",
                    "qemu-s390x",
                    "qemu-ppc64le",
                ]
            ),
            # `wine` is the crossflake wrapper (the loader refuses a symlink named wine).
            wine64=pick(["wine64", "wineserver", "wine"], dirs=("/usr/lib/wine", "/usr/bin")),
            wasmtime=pick(["wasmtime"]),
            # Info-ZIP for the flake's Windows release archives (pkgs.zip); the build tools of
            # crates with C inside (pkgs.perl, cmake, nasm, pkg-config).
            extra={
                "zip": pick(["zip"]),
                "perl": pick(["perl"]),
                "cmake": pick(["cmake", "ctest"]),
                "nasm": pick(["nasm", "ndisasm"]),
                "pkg-config": pick(["pkg-config"]),
            },
            glibc={
                system: folder
                for system, folder in HOST_GLIBC_FOLDERS.items()
                if os.path.isdir(folder)
            },
        )

    def missing_for_zigbuild(self) -> list[str]:
        """Return the tools a zigbuild package build needs but that were not found."""
        need = {
            "cargo": self.rust,
            "rustc": self.rust,
            "zig": self.zig,
            "cargo-zigbuild": self.cargo_zigbuild,
            "jq": self.jq,
        }
        missing = [n for n, d in need.items() if n not in d]
        return missing if self.zig_lib else [*missing, "zig lib dir"]

    def to_nix(self) -> str:
        """Render the BUILD-mode ``mode.nix`` text."""
        groups = {
            "rust": self.rust,
            "zig": self.zig,
            "cargo-zigbuild": self.cargo_zigbuild,
            "jq": self.jq,
            "qemu": self.qemu,
            "wine64": self.wine64,
            "wasmtime": self.wasmtime,
            **self.extra,
        }
        lines = [
            "# written by tests/nix/nixenv.py: BUILD mode",
            "{",
            "  build = true;",
            "  tools = {",
        ]
        for key, bins in groups.items():
            inner = " ".join(
                f"{_nix_string(b)} = {_nix_string(p)};" for b, p in sorted(bins.items())
            )
            lines.append(f"    {_nix_string(key)} = {{ {inner} }};")
        lines.append("  };")
        sysroot = _nix_string(self.rust_sysroot) if self.rust_sysroot else "null"
        zig_lib = _nix_string(self.zig_lib) if self.zig_lib else "null"
        lines += [
            f"  rustSysroot = {sysroot};",
            f"  zigLib = {zig_lib};",
            "  prebuiltStd = {",
            *(f"    {_nix_string(t)} = {_nix_string(d)};" for t, d in self.prebuilt_std.items()),
            "  };",
            "  prebuiltStdLibs = {",
            *(
                f"    {_nix_string(t)} = {_nix_string(d)};"
                for t, d in self.prebuilt_std_libs.items()
            ),
            "  };",
            "  glibc = {",
            *(f"    {system} = {_nix_string(folder)};" for system, folder in self.glibc.items()),
            "  };",
            "}",
            "",
        ]
        return "\n".join(lines)


def zig_lib_dir(zig: str) -> str | None:
    """The lib dir ``zig`` uses (``.lib_dir`` of ``zig env``), if build users can read it.

    Asked from zig itself rather than guessed from the pip ``ziglang`` layout, so any zig works.
    """
    try:
        proc = subprocess.run(
            [zig, "env"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "ZIG_LIB_DIR"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    # zig >= 0.14 prints ZON (`.lib_dir = "..."`), older zig JSON (`"lib_dir": "..."`).
    match = re.search(r'\.?"?lib_dir"?\s*[=:]\s*"([^"]+)"', proc.stdout)
    if match is None or not readable_by_others(match.group(1)):
        return None
    return match.group(1)


def prepare_stubs(
    dest: str | os.PathLike[str], build: bool = False, tools: HostTools | None = None
) -> Path:
    """Copy the stub flakes to ``dest`` (created) and write their mode; return ``dest``.

    ``build=False`` keeps the committed eval-only mode (the committed ``STUBS_DIR`` can also be
    used directly). ``build=True`` writes ``nixpkgs/mode.nix`` for ``tools``
    (default :meth:`HostTools.detect`). ``dest`` should be world-readable (e.g. under /tmp).
    """
    dest = Path(dest)
    shutil.copytree(STUBS_DIR, dest, dirs_exist_ok=True)
    if build:
        (dest / "nixpkgs" / "mode.nix").write_text((tools or HostTools.detect()).to_nix())
    return dest


def write_channel_manifest(
    path: str | os.PathLike[str],
    version: str = "1.85.0",
    date: str = "2025-02-20",
    host_triples: Sequence[str] = (
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "i686-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ),
    std_triples: Sequence[str] = MANIFEST_STD_TRIPLES,
) -> Path:
    """Write a fake Rust channel manifest (the shape of ``channel-rust-X.Y.Z.toml``).

    Tool components (cargo, rustc, rustfmt-preview, clippy-preview, rust-analyzer-preview,
    rust-docs) are available for ``host_triples``; ``rust-std`` for ``host_triples`` plus
    ``std_triples``; ``rust-src`` for ``"*"``. URLs and hashes are fake. Use it as
    ``--override-input rust-manifest path:<file>``.
    """
    path = Path(path)
    out = [
        'manifest-version = "2"',
        f'date = "{date}"',
        "",
        "[profiles]",
        'minimal = ["rustc", "cargo", "rust-std"]',
        'default = ["rustc", "cargo", "rust-std", "rust-docs", "rustfmt-preview", '
        '"clippy-preview"]',
        "",
        "[renames.rustfmt]",
        'to = "rustfmt-preview"',
        "[renames.clippy]",
        'to = "clippy-preview"',
        "",
    ]

    def pkg(name: str, triples: Sequence[str]) -> None:
        out.append(f"[pkg.{name}]")
        out.append(f'version = "{version} (fake00000 {date})"')
        for t in triples:
            key = '"*"' if t == "*" else f'"{t}"'
            out.extend(
                [
                    f"[pkg.{name}.target.{key}]",
                    "available = true",
                    f'url = "https://static.rust-lang.org/dist/{date}/{name}-{version}-{t}.tar.gz"',
                    f'hash = "{"0" * 64}"',
                ]
            )
        out.append("")

    for name in (
        "cargo",
        "rustc",
        "rustfmt-preview",
        "clippy-preview",
        "rust-analyzer-preview",
        "rust-docs",
    ):
        pkg(name, host_triples)
    pkg("rust-std", list(dict.fromkeys([*host_triples, *std_triples])))
    pkg("rust-src", ["*"])
    path.write_text("\n".join(out))
    return path


# --------------------------------------------------------------------------- commands


def override_args(
    stubs: str | os.PathLike[str] = STUBS_DIR,
    rust_manifest: str | os.PathLike[str] | None = None,
    extra: Mapping[str, str | os.PathLike[str]] | None = None,
) -> list[str]:
    """Return ``--offline --no-write-lock-file`` and the ``--override-input`` arguments.

    ``rust_manifest``: a fake channel manifest FILE for the ``rust-manifest`` input (pass it only
    when the flake declares that input). ``extra``: more ``NAME -> path`` overrides (nested
    names like ``fenix/nixpkgs`` work too).
    """
    args = ["--offline", "--no-write-lock-file"]
    for name in STUB_INPUTS:
        args += ["--override-input", name, f"path:{Path(stubs, name)}"]
    if rust_manifest is not None:
        args += ["--override-input", "rust-manifest", f"path:{Path(rust_manifest).resolve()}"]
    for name, p in (extra or {}).items():
        args += ["--override-input", name, f"path:{Path(p).resolve()}"]
    return args


def _with_manifest(project: str | os.PathLike[str], kw: dict[str, Any]) -> dict[str, Any]:
    """Add a fake ``rust_manifest`` when the project's flake declares that input and none was given.

    Nix locks every input, used or not: an input left without override must be fetched, which
    fails offline.
    """
    if "rust_manifest" not in kw:
        flake = Path(project, "flake.nix")
        if flake.exists() and "rust-manifest" in flake.read_text():
            kw = {
                **kw,
                "rust_manifest": write_channel_manifest(
                    Path(tempfile.mkdtemp(prefix="crossflake-manifest-"))
                    / "channel-rust-1.85.0.toml"
                ),
            }
    return kw


def run_nix(
    args: Sequence[str],
    cwd: str | os.PathLike[str],
    build_users: bool = True,
    check: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run ``nix ARGS`` in ``cwd`` with NIX_CONFIG; raise :class:`NixError` if ``check`` fails."""
    cmd = ["nix", *args]
    proc = subprocess.run(
        cmd, cwd=cwd, env=nix_env(build_users), capture_output=True, text=True, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise NixError(cmd, proc.returncode, proc.stdout, proc.stderr)
    return proc


NO_IFD: tuple[str, ...] = ("--option", "allow-import-from-derivation", "false")
"""Evaluation must not build anything: a flake that needs import from derivation fails."""


def flake_show(
    project: str | os.PathLike[str],
    stubs: str | os.PathLike[str] = STUBS_DIR,
    allow_ifd: bool = False,
    **kw: Any,
) -> dict[str, Any]:
    """``nix flake show --json`` of ``project``; returns the parsed output tree.

    Keyword arguments go to :func:`override_args` (``rust_manifest``, ``extra``).
    """
    proc = run_nix(
        [
            "flake",
            "show",
            "--json",
            *override_args(stubs, **_with_manifest(project, kw)),
            *(() if allow_ifd else NO_IFD),
        ],
        cwd=project,
    )
    tree: dict[str, Any] = json.loads(proc.stdout)
    return tree


def flake_check(
    project: str | os.PathLike[str],
    stubs: str | os.PathLike[str] = STUBS_DIR,
    no_build: bool = True,
    allow_ifd: bool = False,
    **kw: Any,
) -> subprocess.CompletedProcess[str]:
    """``nix flake check`` (``--no-build`` by default: evaluates and instantiates every output)."""
    args = [
        "flake",
        "check",
        *(["--no-build"] if no_build else []),
        *override_args(stubs, **_with_manifest(project, kw)),
        *(() if allow_ifd else NO_IFD),
    ]
    return run_nix(args, cwd=project)


def eval_json(
    project: str | os.PathLike[str],
    attr: str,
    stubs: str | os.PathLike[str] = STUBS_DIR,
    apply: str | None = None,
    allow_ifd: bool = False,
    **kw: Any,
) -> Any:
    """``nix eval --json .#ATTR [--apply FN]``; import from derivation is refused by default."""
    args = ["eval", "--json", f".#{attr}", *override_args(stubs, **_with_manifest(project, kw))]
    if apply:
        args += ["--apply", apply]
    if not allow_ifd:
        args += NO_IFD
    return json.loads(run_nix(args, cwd=project).stdout)


COMPILING = re.compile(r"Compiling\S*\s+(\S+) v")
"""cargo's progress line for a crate it compiles (a build log has its colours in between)."""


def crates_compiled(
    project: str | os.PathLike[str], attr: str, stubs: str | os.PathLike[str]
) -> tuple[list[str], str]:
    """The crates cargo compiled in the build of ``.#ATTR`` (its derivation's `nix log`),
    sorted and unique, and that log."""
    drv = eval_json(project, attr, stubs=stubs, apply="d: d.drvPath")
    log = run_nix(["log", drv], cwd=project).stdout
    return sorted(set(COMPILING.findall(log))), log


def build(
    project: str | os.PathLike[str],
    attr: str,
    stubs: str | os.PathLike[str],
    build_users: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    **kw: Any,
) -> dict[str, Path]:
    """``nix build --no-link --json .#ATTR`` with BUILD-mode ``stubs``; returns output -> path.

    Raises :class:`NixError` on failure; Nix prints the builder's log tail in ``stderr``
    (``nix log`` has the full log).
    """
    args = [
        "build",
        "--no-link",
        "--json",
        "-L",
        f".#{attr}",
        *override_args(stubs, **_with_manifest(project, kw)),
        # An image of a gnu target holds the stub glibc of its system (aarch64-linux...):
        # on a fresh store nothing has built it yet (run_app's tests may come later).
        *OTHER_SYSTEMS,
    ]
    proc = run_nix(args, cwd=project, build_users=build_users, timeout=timeout)
    results = json.loads(proc.stdout)
    return {name: Path(p) for name, p in results[0]["outputs"].items()}


OTHER_SYSTEMS: tuple[str, ...] = ("--option", "extra-platforms", "aarch64-linux i686-linux")
"""Lets this x86_64 machine build the stub glibc of another system (a /bin/bash builder that only
makes symlinks), standing in for the public cache, which serves nixpkgs' native glibc of that
system to a real installation without building it."""


def run_app(
    project: str | os.PathLike[str],
    attr: str,
    stubs: str | os.PathLike[str],
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    **kw: Any,
) -> subprocess.CompletedProcess[str]:
    """``nix run .#ATTR -- ARGS`` with BUILD-mode ``stubs``: builds the app's closure in the
    builder (build users), then runs the program as the caller, in ``env`` (default: ours).
    Returns the finished process; the caller checks its exit code and output."""
    cmd = [
        "nix",
        "run",
        f".#{attr}",
        *override_args(stubs, **_with_manifest(project, kw)),
        *OTHER_SYSTEMS,
        "--",
        *args,
    ]
    return subprocess.run(
        cmd,
        cwd=project,
        env=nix_env(True, base=env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def realise(drv_path: str, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Build one ``.drv`` (``nix-store --realise``, build users) and return its output path."""
    cmd = ["nix-store", "--realise", drv_path, *OTHER_SYSTEMS]
    proc = subprocess.run(
        cmd, env=nix_env(True), capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise NixError(cmd, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout.split()[-1]


if __name__ == "__main__":  # smoke check: python3 tests/nix/nixenv.py PROJECT_DIR
    import sys

    project = sys.argv[1] if len(sys.argv) > 1 else "."
    print("outputs:", sorted(flake_show(project)))
    flake_check(project)
    print("flake check --no-build: ok")
