"""Rung L1 (eval with stubs): the flake of an adopted crate follows the crate, whatever its shape.

Published crates break what the template's own sample crate takes for granted: a program named
otherwise than its package (fd-find installs fd), a `[[bin]]` at a custom path, many programs
and none of them the main one, a virtual workspace whose members are globs and inherit their
version, a root package with members. Each shape of tests/update/crate_shapes.py (written by
the test, never vendored) is adopted by rendering the template over it, then:

- `nix flake check --no-build` evaluates and instantiates every output (packages, release,
  images, apps, checks, dev shells) with the eval-only stubs: a virtual workspace evaluates;
- the apps are `<triple>` (the main program) plus `<triple>-<program>` for each program when
  there are several, exactly the programs hooks/crate_layout.py reads (`cargo metadata` where
  cargo runs, the manifests otherwise: the adopt report's reading);
- `<triple>` execs the runner on `bin/<main program>`, or lists the programs when nothing says
  which one is the main one; the image's entrypoint is the same program (none then);
- the release is named after the package that owns the programs, with its version (inherited
  from `[workspace.package]` where the manifest says so);
- beside a crate's own `.cargo/config.toml` (kept; crossflake's settings in
  `.cargo/crossflake.toml`), the dev shell sets CARGO_TARGET_<TRIPLE>_RUSTFLAGS to exactly
  crossflake.toml's rustflags; without one it sets none (config.toml holds them: cargo would
  join the two and pass every flag twice).

Does NOT prove: that cargo honours those variables (tests/cross/test_kept_cargo_config.py,
rung 2, builds with crossflake.toml), that the programs run (test_run_program_name_build.py,
rung 3, for one shape), or that real naersk builds a workspace (rung 4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nixenv
import pytest
import store_derivations
from cargo_config import read_config
from crate_layout import Programs, built_programs
from crate_shapes import (
    CUSTOM_BIN_PATH_OWN_CONFIG,
    MANY_BINARIES,
    MULTI_BIN,
    OWN_CARGO_CONFIG_CROSS_LINKER,
    PROGRAM_NAMED_OTHERWISE,
    ROOT_PACKAGE_WITH_MEMBERS,
    VIRTUAL_WORKSPACE_GLOB,
    WORKSPACE_ROOT,
    CrateShape,
)
from flake_projects import track
from support import render

pytestmark = pytest.mark.nix

HOST = "x86_64-linux"
TRIPLE = "x86_64-unknown-linux-musl"
ANSWERS = {"hosts": [HOST], "targets": ["x86_64-linux"], "linking": "static"}
"""One host, one target it runs natively and builds an image for: every kind of output, cheaply."""

SHAPES = [
    PROGRAM_NAMED_OTHERWISE,
    CUSTOM_BIN_PATH_OWN_CONFIG,
    OWN_CARGO_CONFIG_CROSS_LINKER,
    MULTI_BIN,
    MANY_BINARIES,
    VIRTUAL_WORKSPACE_GLOB,
    WORKSPACE_ROOT,
    ROOT_PACKAGE_WITH_MEMBERS,
]


@dataclass
class Adopted:
    """A crate of one shape with crossflake's files rendered around it, tracked."""

    shape: CrateShape
    path: Path
    programs: Programs


@pytest.fixture(scope="module", params=SHAPES, ids=[shape.id for shape in SHAPES])
def adopted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Adopted:
    shape: CrateShape = request.param
    crate = shape.write(tmp_path_factory.mktemp(shape.id) / shape.answers["crate_name"])
    programs = built_programs(crate)
    # A crate's own .cargo/config.toml is kept (crossflake's settings: .cargo/crossflake.toml).
    render(crate, {**shape.answers, **ANSWERS})
    return Adopted(shape, track(crate), programs)


def script(drv: str) -> str:
    """The text of a writeShellScript derivation."""
    return store_derivations.show([drv], recursive=False)[drv].env["text"]


def test_every_output_evaluates(adopted: Adopted) -> None:
    # `nix flake show` first: Nix 2.8's `flake check --no-build` evaluates without adding
    # the filtered source to the store, then refuses to read it (test_flake_eval.py's
    # fixture shows every flake before checking it, too).
    show = nixenv.flake_show(adopted.path)
    assert set(show["packages"][HOST]) == {"default", "release", TRIPLE, f"{TRIPLE}-image"}
    nixenv.flake_check(adopted.path)


def test_apps_run_the_programs_the_crate_installs(adopted: Adopted) -> None:
    programs = sorted(adopted.programs.binaries)
    assert set(programs) == adopted.shape.binaries
    apps = nixenv.eval_json(
        adopted.path,
        f"apps.{HOST}",
        apply="builtins.mapAttrs (_: a: builtins.attrNames (builtins.getContext a.program))",
    )
    packages = nixenv.eval_json(
        adopted.path, f"packages.{HOST}", apply="builtins.mapAttrs (_: p: p.outPath)"
    )
    several = {f"{TRIPLE}-{program}" for program in programs} if len(programs) > 1 else set()
    assert set(apps) == {TRIPLE, "push-images"} | several
    for program in programs if len(programs) > 1 else []:
        (drv,) = apps[f"{TRIPLE}-{program}"]
        assert f'{packages[TRIPLE]}/bin/{program} "$@"' in script(drv), program
    (drv,) = apps[TRIPLE]
    main = adopted.programs.main
    if main is None:
        text = script(drv)
        assert "exit 2" in text
        for program in programs:
            assert f"nix run .#{TRIPLE}-{program}" in text
    else:
        assert f'{packages[TRIPLE]}/bin/{main} "$@"' in script(drv), main


def test_image_and_release_follow_the_package_that_owns_the_programs(adopted: Adopted) -> None:
    drv_paths = store_derivations.package_drv_paths(adopted.path, HOST)
    known = store_derivations.show(
        [drv_paths[f"{TRIPLE}-image"], drv_paths[TRIPLE], drv_paths["release"]], recursive=False
    )
    config = json.loads(known[drv_paths[f"{TRIPLE}-image"]].env["configJson"])["config"]
    main = adopted.programs.main
    if main is None:
        assert "Entrypoint" not in config and "PATH=/bin" in config["Env"]
    else:
        assert config["Entrypoint"] == [f"{known[drv_paths[TRIPLE]].out_path}/bin/{main}"]
    owner = adopted.programs.owner
    assert owner is not None
    assert known[drv_paths["release"]].name == f"{owner.name}-{owner.version}-release"


RUSTFLAGS_OF_SHELL = (
    "d: builtins.listToAttrs (map (n: { name = n; value = d.${n}; }) (builtins.filter (n: "
    'builtins.match "CARGO_TARGET_.*_RUSTFLAGS" n != null) (builtins.attrNames d)))'
)
"""Nix function: the dev shell's rustflags variables and their values."""


def test_the_dev_shell_passes_crossflakes_rustflags_only_beside_a_kept_config(
    adopted: Adopted,
) -> None:
    kept = ".cargo/config.toml" in adopted.shape.files
    ours = adopted.path / (".cargo/crossflake.toml" if kept else ".cargo/config.toml")
    targets = read_config(ours)["target"]
    variables = nixenv.eval_json(
        adopted.path, f"devShells.{HOST}.default", apply=RUSTFLAGS_OF_SHELL
    )
    if not kept:
        assert variables == {}
        return
    assert (adopted.path / ".cargo/config.toml").read_text() == adopted.shape.files[
        ".cargo/config.toml"
    ]
    assert variables == {
        "CARGO_TARGET_" + triple.upper().replace("-", "_") + "_RUSTFLAGS": " ".join(
            settings["rustflags"]
        )
        for triple, settings in targets.items()
        if settings.get("rustflags")
    }
    assert variables, "the static musl target has rustflags"
