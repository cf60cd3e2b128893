"""What an existing crate is made of, read the way Cargo reads it.

Adopting a crate means generating a flake around files crossflake did not
write, so the adoption check needs the crate's facts from its own manifest
and layout: package name, edition (inherited from the workspace or Cargo's
2015 default when absent), binaries ([[bin]] entries plus Cargo's automatic
discovery of src/main.rs and src/bin/), library and build script. This
mirrors Cargo's target auto-discovery rules closely enough to name every
binary naersk will install, for a cargo too old for the crate or no cargo at
all; where cargo runs, `built_programs` asks it (`cargo metadata --no-deps`,
offline). Nothing here writes anything.

The generated flake reads the same facts in Nix (nix/crate.nix's `packageAt`,
`builtPackages`, `mainProgram` and `owner`): evaluation cannot run cargo. The
rules below and those must agree; tests/update/test_adopt_programs.py checks
that they do on every crate shape, against the evaluated flake.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toml_files import read_toml

# Cargo's edition when a package declares none.
DEFAULT_EDITION = "2015"


class ManifestError(Exception):
    """Cargo.toml cannot be read or parsed; the message says why."""


@dataclass
class CrateLayout:
    """The facts of one package (or of a workspace root without a package)."""

    name: str | None = None
    edition: str | None = None
    edition_source: str = "Cargo.toml"
    binaries: dict[str, str] = field(default_factory=dict)
    library: str | None = None
    build_script: str | None = None
    workspace_members: list[str] | None = None
    default_members: list[str] | None = None
    default_run: str | None = None
    version: str | None = None

    @property
    def is_package(self) -> bool:
        """False for a virtual manifest: a workspace root with no [package]."""
        return self.name is not None


def read_manifest(path: Path) -> dict[str, Any]:
    """Parse Cargo.toml; ManifestError with a readable reason otherwise."""
    return read_toml(path, ManifestError)


def package_edition(package: dict[str, Any], workspace: dict[str, Any]) -> tuple[str, str]:
    """The edition and where it came from (`edition.workspace = true` inherits it)."""
    edition = package.get("edition")
    if isinstance(edition, dict) and edition.get("workspace"):
        inherited = workspace.get("package", {}).get("edition")
        if inherited is None:
            return DEFAULT_EDITION, "Cargo's default (workspace.package.edition is not set)"
        return str(inherited), "[workspace.package]"
    if edition is None:
        return DEFAULT_EDITION, "Cargo's default (no edition key)"
    return str(edition), "Cargo.toml"


def bin_default_path(root: Path, name: str, package_name: str) -> str:
    """Where Cargo looks for a [[bin]] declared without `path`."""
    candidates = [f"src/bin/{name}.rs", f"src/bin/{name}/main.rs"]
    if name == package_name:
        candidates.insert(0, "src/main.rs")
    for candidate in candidates:
        if (root / candidate).is_file():
            return candidate
    return candidates[0]


def discovered_binaries(root: Path, package_name: str) -> dict[str, str]:
    """Binaries Cargo finds without a [[bin]] entry: src/main.rs and src/bin/."""
    found: dict[str, str] = {}
    if (root / "src/main.rs").is_file():
        found[package_name] = "src/main.rs"
    bin_dir = root / "src/bin"
    if bin_dir.is_dir():
        for entry in sorted(bin_dir.iterdir()):
            if entry.is_file() and entry.suffix == ".rs":
                found.setdefault(entry.stem, f"src/bin/{entry.name}")
            elif entry.is_dir() and (entry / "main.rs").is_file():
                found.setdefault(entry.name, f"src/bin/{entry.name}/main.rs")
    return found


def binaries(root: Path, manifest: dict[str, Any], edition: str) -> dict[str, str]:
    """Every binary target, name -> source path, as `cargo build` would build them.

    Declared [[bin]] entries win; auto-discovery adds the rest unless
    `autobins = false` (or, in edition 2015, any [[bin]] is declared).
    A discovered file that a declared bin already uses is not counted twice.
    """
    package = manifest["package"]
    name = package["name"]
    declared: dict[str, str] = {}
    for entry in manifest.get("bin", []):
        if isinstance(entry, dict) and "name" in entry:
            path = entry.get("path") or bin_default_path(root, entry["name"], name)
            declared[entry["name"]] = str(path)
    autobins = package.get("autobins", not (edition == DEFAULT_EDITION and declared))
    result = dict(declared)
    if autobins:
        used = set(declared.values())
        for bin_name, path in discovered_binaries(root, name).items():
            if bin_name not in result and path not in used:
                result[bin_name] = path
    return dict(sorted(result.items()))


def library(root: Path, manifest: dict[str, Any]) -> str | None:
    """The library's source path, if the package has one."""
    declared = manifest.get("lib")
    if isinstance(declared, dict):
        return str(declared.get("path", "src/lib.rs"))
    autolib = manifest["package"].get("autolib", True)
    if autolib and (root / "src/lib.rs").is_file():
        return "src/lib.rs"
    return None


def build_script(root: Path, package: dict[str, Any]) -> str | None:
    """The build script's path (`build = false` turns off the build.rs default)."""
    build = package.get("build")
    if build is False:
        return None
    if isinstance(build, str):
        return build
    return "build.rs" if (root / "build.rs").is_file() else None


def crate_layout(root: Path, inherit_from: Path | None = None) -> CrateLayout:
    """Read root/Cargo.toml and the files next to it into a CrateLayout.

    A workspace member inherits `.workspace = true` fields from the workspace
    root's manifest (`inherit_from`), not from its own.
    """
    manifest = read_manifest(root / "Cargo.toml")
    workspace = manifest.get("workspace")
    owning_workspace = workspace
    if inherit_from is not None and inherit_from.resolve() != root.resolve():
        owning_workspace = read_manifest(inherit_from / "Cargo.toml").get("workspace")
    members = defaults = None
    if isinstance(workspace, dict):
        members = [str(member) for member in workspace.get("members", [])]
        if "default-members" in workspace:
            defaults = [str(member) for member in workspace["default-members"]]
    package = manifest.get("package")
    if not isinstance(package, dict) or "name" not in package:
        return CrateLayout(workspace_members=members, default_members=defaults)
    inherited = owning_workspace if isinstance(owning_workspace, dict) else {}
    edition, source = package_edition(package, inherited)
    version = package.get("version")
    if isinstance(version, dict):
        version = inherited.get("package", {}).get("version")
    return CrateLayout(
        name=str(package["name"]),
        edition=edition,
        edition_source=source,
        binaries=binaries(root, manifest, edition),
        library=library(root, manifest),
        build_script=build_script(root, package),
        workspace_members=members,
        default_members=defaults,
        default_run=package.get("default-run"),
        version=None if version is None else str(version),
    )


@dataclass
class Built:
    """One package `cargo build` at the root builds, as the flake's `packageAt` sees it."""

    name: str
    programs: list[str]
    default_run: str | None = None
    version: str = "0.0.0"

    @property
    def main(self) -> str | None:
        """What `cargo run` starts in it: default-run, the only program, else the
        one named after the package (src/main.rs); None when that leaves a choice."""
        if self.default_run:
            return self.default_run
        if len(self.programs) == 1:
            return self.programs[0]
        return self.name if self.name in self.programs else None


@dataclass
class Programs:
    """What `cargo build` at the crate's root builds: naersk's build, so `result/bin`."""

    binaries: dict[str, str]  # name -> source path, relative to the root
    packages: list[str]  # the packages built
    source: str  # "cargo metadata" or "Cargo.toml" (cargo missing or too old)
    built: list[Built] = field(default_factory=list)

    @property
    def main(self) -> str | None:
        """The program `nix run .#<triple>` and the images start (nix/crate.nix's mainProgram)."""
        if len(self.built) == 1:
            return self.built[0].main
        if len(self.binaries) == 1:
            return next(iter(self.binaries))
        mains = [package.main for package in self.built if package.main]
        return mains[0] if len(mains) == 1 else None

    @property
    def owner(self) -> Built | None:
        """The package that names the builds and release archives (nix/crate.nix's owner)."""
        main = self.main
        for candidates in (
            [package for package in self.built if main in package.programs],
            [package for package in self.built if package.programs],
            self.built,
        ):
            if candidates:
                return candidates[0]
        return None


def cargo_metadata(root: Path) -> dict[str, Any] | None:
    """`cargo metadata --no-deps` of the crate, or None when cargo cannot say.

    It runs from the temporary folder, not the crate: rustup picks the
    toolchain from the working directory, and the crate's freshly generated
    rust-toolchain.toml would make rustup download toolchains and targets in
    the middle of a copy. Offline, so it never touches the network.
    """
    cargo = shutil.which("cargo")
    if cargo is None:
        return None
    command = [cargo, "metadata", "--no-deps", "--format-version", "1", "--offline"]
    try:
        result = subprocess.run(
            [*command, "--manifest-path", str(root.resolve() / "Cargo.toml")],
            cwd=tempfile.gettempdir(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return json.loads(result.stdout) if result.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None


def programs_from_metadata(root: Path, metadata: dict[str, Any]) -> Programs:
    """The default members' binary targets (cargo 1.71+ lists them; else cargo's rule)."""
    packages = {package["id"]: package for package in metadata["packages"]}
    built = metadata.get("workspace_default_members")
    if built is None:
        manifest = str(root.resolve() / "Cargo.toml")
        rooted = [id_ for id_, package in packages.items() if package["manifest_path"] == manifest]
        built = rooted or metadata.get("workspace_members", [])
    binaries = {}
    described = []
    for id_ in built:
        own = []
        for target in packages[id_]["targets"]:
            if "bin" in target["kind"]:
                path = Path(target["src_path"])
                if path.is_relative_to(root.resolve()):
                    path = path.relative_to(root.resolve())
                binaries[target["name"]] = path.as_posix()
                own.append(target["name"])
        package = packages[id_]
        described.append(
            Built(package["name"], sorted(own), package.get("default_run"), package["version"])
        )
    names = [packages[id_]["name"] for id_ in built]
    return Programs(dict(sorted(binaries.items())), names, "cargo metadata", described)


def member_dirs(root: Path, patterns: list[str]) -> list[Path]:
    """Workspace member folders: each pattern is a path or a glob (`crates/*`)."""
    found: list[Path] = []
    for pattern in patterns:
        for path in (
            sorted(root.glob(pattern)) if any(c in pattern for c in "*?[") else [root / pattern]
        ):
            if (path / "Cargo.toml").is_file() and path not in found:
                found.append(path)
    return found


def built_of(layout: CrateLayout) -> Built:
    """A package's layout as the flake's `packageAt` describes it."""
    return Built(
        str(layout.name), sorted(layout.binaries), layout.default_run, layout.version or "0.0.0"
    )


def member_layouts(root: Path, patterns: list[str]) -> list[tuple[str, CrateLayout]]:
    """(folder relative to root, layout) of each member package the patterns name."""
    found = []
    for member in member_dirs(root, patterns):
        member_layout = crate_layout(member, inherit_from=root)
        if member_layout.is_package:
            found.append((member.relative_to(root).as_posix(), member_layout))
    return found


def programs_from_manifests(root: Path, layout: CrateLayout) -> Programs:
    """Cargo's rule read from the manifests: default-members, else the root package,
    else every member."""
    if layout.is_package and layout.default_members is None:
        return Programs(layout.binaries, [str(layout.name)], "Cargo.toml", [built_of(layout)])
    binaries: dict[str, str] = {}
    names = []
    described = []
    patterns = layout.default_members or layout.workspace_members or []
    for prefix, member_layout in member_layouts(root, patterns):
        names.append(str(member_layout.name))
        described.append(built_of(member_layout))
        for name, path in member_layout.binaries.items():
            binaries[name] = path if prefix == "." else f"{prefix}/{path}"
    return Programs(dict(sorted(binaries.items())), names, "Cargo.toml", described)


def built_programs(root: Path, layout: CrateLayout | None = None) -> Programs:
    """The binaries naersk's `cargo build` at the root puts in result/bin.

    cargo's own answer where it can give one; the manifests read by the rules
    above otherwise (ManifestError when Cargo.toml cannot be read).
    """
    metadata = cargo_metadata(root)
    if metadata is not None:
        return programs_from_metadata(root, metadata)
    return programs_from_manifests(root, layout or crate_layout(root))
