"""Which derivations a change to a generated project invalidates, measured on `.drv` paths.

Nix rebuilds exactly the derivations whose `.drv` path changed, so comparing paths before and
after a change measures rebuild cost without building anything. Shared by
test_rebuild_economy.py (assertions) and benchmarks/nix_derivations.py (figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import store_derivations
from flake_projects import generate, git

AGGREGATES = frozenset({"release"})
"""Packages that bundle the others (`release` packs every cross package): they change with
any package by design, and cost only the packing, so the economy is measured without them.
Container images (`<triple>-image`) likewise wrap one package each: left out too."""


def build_packages(project: Path, host: str, **kw: Any) -> dict[str, str]:
    """Name -> `.drv` path of every package that builds the crate (aggregates left out)."""
    paths = store_derivations.package_drv_paths(project, host, **kw)
    return {
        name: path
        for name, path in paths.items()
        if name not in AGGREGATES and not name.endswith("-image")
    }


@dataclass(frozen=True)
class CrossDerivations:
    """The two naersk derivations of one cross package."""

    crate: str
    deps: str


def cross_derivations(project: Path, host: str, **kw: Any) -> dict[str, CrossDerivations]:
    """Package name -> its crate and `-deps` .drv paths (`default` included)."""
    drv_paths = build_packages(project, host, **kw)
    known = store_derivations.show(drv_paths.values())
    return {
        name: CrossDerivations(path, store_derivations.deps_of(known[path], known).path)
        for name, path in drv_paths.items()
    }


def package_closure(project: Path, host: str, **kw: Any) -> set[str]:
    """Every .drv that any package building the crate needs (aggregates left out)."""
    return store_derivations.closure(build_packages(project, host, **kw).values())


def edit_source(project: Path) -> None:
    """Change the program's source the way a user would (the file stays tracked)."""
    main = project / "src" / "main.rs"
    main.write_text(main.read_text(encoding="utf-8") + "\n// edited\n", encoding="utf-8")
    git(project, "add", "src/main.rs")


def with_extra_target(folder: Path, answers: dict[str, Any], extra: str) -> tuple[Path, Path]:
    """Two projects from the same answers, the second with one more target."""
    before = generate(folder / "before", answers)
    after = generate(folder / "after", {**answers, "targets": [*answers["targets"], extra]})
    return before, after
