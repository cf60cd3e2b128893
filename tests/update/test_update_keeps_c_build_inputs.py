"""`copier update` keeps what a user gave their crate's C in nix/local.nix, and the builds
still get it.

A user generates the crate with C inside (tests/c_inside.py) at v0.1.0 and does what
PLATFORMS.md's "Crates with C inside" says: a library from nixpkgs and the tool that
finds it in nix/local.nix, and C flags for one target. After updating to v0.2.0 the
file is byte for byte theirs, and evaluating the updated flake (eval-only stubs) shows
each addition where it belongs: the library in the host's own build, pkg-config in every
build, the flags in that target's build only, beside the tools crossflake's
nix/build-tools.nix adds for the crate's Cargo.lock (Perl for openssl-src).

Not proven here: that the builds succeed (tests/nix/test_c_dependencies_build.py builds
the same crate).
"""

from __future__ import annotations

from pathlib import Path

import c_inside
import pytest
from project_helpers import commit_all, files_with_markers, generate, insert_after, update
from support import require_tool
from template_history import TemplateHistory

pytestmark = pytest.mark.update

ANSWERS = c_inside.LINUX_ANSWERS
TARGET, OTHER = "aarch64-unknown-linux-musl", "x86_64-unknown-linux-musl"
FLAGS = f"CFLAGS_{TARGET.replace('-', '_')}"
# The user's additions, in the places nix/local.nix's comments name.
LIBRARY = "    pkgs.zstd\n"
TOOL = "    pkgs.pkg-config\n"
TARGET_FLAGS = f'    {TARGET}.env.{FLAGS} = "-O2 -DMY_OWN_FLAG";\n'


def test_c_build_inputs_in_local_nix_survive_an_update(
    history: TemplateHistory, project: Path
) -> None:
    require_tool("nix", "the updated project's flake is evaluated")
    from nixenv import eval_json

    generate(history, project, ANSWERS, history.old)
    c_inside.give_c_dependencies(project)
    local = project / "nix" / "local.nix"
    insert_after(local, "  buildInputs = [\n", LIBRARY)
    insert_after(local, "  nativeBuildInputs = [\n", TOOL)
    insert_after(local, "  perTarget = {", TARGET_FLAGS)
    commit_all(project, "C inside, with my own library and flags")
    users_local_nix = local.read_bytes()

    update(project)

    assert files_with_markers(project) == []
    assert local.read_bytes() == users_local_nix
    assert (project / "nix" / "build-tools.nix").is_file()
    names = "map (p: p.pname or p.name)"
    found = eval_json(
        project,
        "packages.x86_64-linux",
        apply=(
            "p: builtins.mapAttrs (_: d: {"
            f" native = {names} (d.nativeBuildInputs or [ ]);"
            f" libraries = {names} (d.buildInputs or [ ]);"
            f" flags = d.{FLAGS} or null; }}) p"
        ),
    )
    assert "zstd" in found["default"]["libraries"], found["default"]
    for attr in ["default", TARGET, OTHER]:
        # nixpkgs names pkgs.pkg-config's package pkg-config-wrapper.
        assert {"pkg-config-wrapper", "perl"} <= set(found[attr]["native"]), (attr, found[attr])
    assert found[TARGET]["flags"] == "-O2 -DMY_OWN_FLAG"
    assert found[OTHER]["flags"] is None and found["default"]["flags"] is None
