"""Rung 1 (eval with stubs): rebuild economy of generated flakes, measured on derivation paths.

Nix rebuilds a derivation exactly when its `.drv` path changes, so these tests instantiate the
packages before and after a change and compare paths; nothing is built.

- Editing src/main.rs changes every crate derivation but no `-deps` derivation and no
  `zig-runtime-<triple>` derivation: the expensive dependency builds and zig's per-target C
  runtime (compiled once in zigRuntime) are reused.
- Adding a target adds that target's own derivations (crate, `-deps`, its std, its zigRuntime
  and that one's toolchain) and changes no other package's derivation. `release`, which packs
  every package, changes by design: it is left out of these comparisons
  (rebuild_economy.AGGREGATES), and its cost is the packing alone.

What the stubs do NOT prove: real naersk's dummy source may differ in detail from the stub's
(the stub copies Cargo.toml without targets, Cargo.lock and .cargo/config(.toml), like upstream),
and real nixpkgs closures are far larger; only the flake's own structure is measured.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rebuild_economy
import store_derivations
from flake_projects import generate, git

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
ANSWERS = {
    "crate_name": "hello-cross",
    "hosts": [HOST],
    "targets": ["x86_64-linux", "aarch64-linux", "x86_64-windows"],
    "linking": "dynamic",
    "glibc": "2.17",
}
ADDED_TARGET = ("armv7-linux", "armv7-unknown-linux-gnueabihf")


def test_source_edit_rebuilds_crates_but_not_dependencies(tmp_path: Path) -> None:
    project = generate(tmp_path / "project", ANSWERS)
    before = rebuild_economy.cross_derivations(project, HOST)
    runtimes_before = zig_runtimes(project)
    rebuild_economy.edit_source(project)
    after = rebuild_economy.cross_derivations(project, HOST)
    assert set(before) == set(after)
    for name in before:
        assert after[name].crate != before[name].crate, f"{name}: crate not rebuilt"
        assert after[name].deps == before[name].deps, f"{name}: dependencies rebuilt"
    # zig's C runtime of each cross target (zigRuntime) is not rebuilt either.
    assert len(runtimes_before) == len(ANSWERS["targets"]), sorted(runtimes_before)
    assert zig_runtimes(project) == runtimes_before


def zig_runtimes(project: Path) -> set[str]:
    """The `zig-runtime-<triple>` derivations the packages need."""
    closure = rebuild_economy.package_closure(project, HOST)
    return {path for path in closure if "-zig-runtime-" in path}


def test_adding_a_target_leaves_every_other_package_alone(tmp_path: Path) -> None:
    """Every other package keeps its exact derivation; whatever is new (the crate, its -deps,
    its std) belongs to the new package alone."""
    extra_id, extra_triple = ADDED_TARGET
    before, after = rebuild_economy.with_extra_target(tmp_path, ANSWERS, extra_id)
    packages_before = rebuild_economy.build_packages(before, HOST)
    packages_after = rebuild_economy.build_packages(after, HOST)
    changed = sorted(n for n, p in packages_before.items() if packages_after[n] != p)
    new_only = rebuild_economy.package_closure(after, HOST) - rebuild_economy.package_closure(
        before, HOST
    )
    own = store_derivations.closure([packages_after[extra_triple]])
    others = store_derivations.closure(p for n, p in packages_after.items() if n != extra_triple)
    shared_new = sorted(Path(p).name for p in new_only & others)
    assert not changed, (
        f"packages rebuilt by adding {extra_id}: {changed}; new shared: {shared_new}"
    )
    assert new_only <= own


DESCRIPTIVE_FILES = (
    "flake.nix",
    # The flake's own code (nix/ is left out of the source): a comment changes no derivation.
    "nix/build.nix",
    "nix/local.nix",
    "PLATFORMS.md",
    "rust-toolchain.toml",
    ".envrc",
    ".copier-answers.yml",
    ".cargo/config.toml",
    ".github/workflows/crossflake.yml",
)
"""Files that describe the project or serve the dev shell: the flake's source deny-list."""


def test_editing_descriptive_files_rebuilds_nothing_but_crate_files_do(tmp_path: Path) -> None:
    """The flake's source (lib.fileset: the crate minus a deny-list) leaves out what only
    describes the project: editing those files (or creating the old-style names the deny-list
    also names) keeps every package's derivation. A file outside cargo's usual layout, the kind
    a build script or include_str! reads, IS part of the source: adding one rebuilds the crate,
    which an allow-list of cargo's usual paths would silently miss."""
    project = generate(tmp_path / "project", ANSWERS)
    before = rebuild_economy.build_packages(project, HOST)
    for name in (*DESCRIPTIVE_FILES, ".cargo/config", "rust-toolchain"):
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(old + "\n# edited\n", encoding="utf-8")
    git(project, "add", "-A")
    assert rebuild_economy.build_packages(project, HOST) == before
    (project / "assets").mkdir()
    (project / "assets" / "greeting.txt").write_text("hello\n", encoding="utf-8")
    git(project, "add", "-A")
    after = rebuild_economy.build_packages(project, HOST)
    assert all(after[name] != path for name, path in before.items()), "assets/ left out"


def test_crossflakes_settings_beside_a_kept_cargo_config_rebuild_nothing(tmp_path: Path) -> None:
    """A crate's own .cargo/config.toml is kept, and crossflake's settings go to
    .cargo/crossflake.toml (tests/update/test_adopt_own_cargo_config.py): the deny-list names
    that file too, so editing it, like editing config.toml, keeps every package's derivation."""
    own = '[alias]\nxb = "zigbuild --config .cargo/crossflake.toml"\n'
    (tmp_path / "project" / ".cargo").mkdir(parents=True)
    (tmp_path / "project" / ".cargo" / "config.toml").write_text(own, encoding="utf-8")
    project = generate(tmp_path / "project", ANSWERS)
    assert (project / ".cargo" / "config.toml").read_text(encoding="utf-8") == own
    before = rebuild_economy.build_packages(project, HOST)
    for name in (".cargo/crossflake.toml", ".cargo/config.toml"):
        path = project / name
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    git(project, "add", "-A")
    assert rebuild_economy.build_packages(project, HOST) == before
