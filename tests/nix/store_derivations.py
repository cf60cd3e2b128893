"""Derivations of a generated flake, read from the store rather than from flake.nix.

A `.drv` file is what a Nix builder really receives: its `env` is the builder's environment
(naersk's `cargo_build_options`, `buildPhase`, `preBuild`, `RUSTFLAGS`...) and its inputs are
what forces a rebuild. Asserting on these instead of grepping flake.nix means a helper function,
an overlay or a naersk default cannot hide a wrong flag from the tests.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nixenv


@dataclass(frozen=True)
class Derivation:
    """One parsed `.drv`: its store path, name, environment and input derivations."""

    path: str
    name: str
    env: dict[str, str]
    input_drvs: tuple[str, ...]
    out_path: str

    @classmethod
    def from_json(cls, path: str, data: dict[str, Any]) -> Derivation:
        """Build from one entry of `nix show-derivation` JSON."""
        return cls(
            path=path,
            name=data["env"].get("name", Path(path).name),
            env=dict(data["env"]),
            input_drvs=tuple(sorted(data.get("inputDrvs", {}))),
            out_path=data["outputs"]["out"]["path"],
        )


def package_drv_paths(
    project: Path, host: str, output: str = "packages", **kw: Any
) -> dict[str, str]:
    """Name -> `.drv` path of every `<output>.<host>.*` (evaluating writes the .drv files)."""
    paths: dict[str, str] = nixenv.eval_json(
        project, f"{output}.{host}", apply="builtins.mapAttrs (_: p: p.drvPath)", **kw
    )
    return paths


def show(drv_paths: Iterable[str], recursive: bool = True) -> dict[str, Derivation]:
    """`nix show-derivation [-r]` of store `.drv` paths, parsed (no flake, no network needed)."""
    paths = list(drv_paths)
    args = ["show-derivation", *(["-r"] if recursive else []), *paths]
    proc = nixenv.run_nix(args, cwd="/")
    return {p: Derivation.from_json(p, d) for p, d in json.loads(proc.stdout).items()}


def deps_of(crate: Derivation, known: dict[str, Derivation]) -> Derivation:
    """The naersk `-deps` derivation a crate derivation starts from (its `builtDependencies`)."""
    wanted = crate.env.get("builtDependencies", "").split()
    found = [known[d] for d in crate.input_drvs if d in known and known[d].out_path in wanted]
    if len(found) != 1:
        raise AssertionError(f"{crate.name}: expected one -deps input derivation, found {found}")
    return found[0]


def closure(drv_paths: Iterable[str]) -> set[str]:
    """Every `.drv` the given derivations depend on, themselves included (`nix-store -qR`)."""
    paths = list(drv_paths)
    if not paths:
        return set()
    proc = subprocess.run(
        ["nix-store", "-qR", *paths],
        env=nixenv.nix_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise nixenv.NixError(
            ["nix-store", "-qR", *paths], proc.returncode, proc.stdout, proc.stderr
        )
    return {line for line in proc.stdout.split() if line.endswith(".drv")}
