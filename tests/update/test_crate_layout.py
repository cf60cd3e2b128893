"""The adoption check reads a crate's targets the way Cargo does (hooks/crate_layout.py).

Each case is a small manifest plus files, and the binaries, library, edition
and build script Cargo would see. Pure Python: no copier, no cargo.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crate_layout import crate_layout

pytestmark = pytest.mark.update


def crate(root: Path, manifest: str, *files: str) -> Path:
    """A crate folder with this Cargo.toml and empty source files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Cargo.toml").write_text(manifest)
    for relative in files:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("fn main() {}\n")
    return root


PACKAGE = '[package]\nname = "tool"\nversion = "0.1.0"\n'


def test_discovers_main_rs_bin_files_and_bin_folders(tmp_path: Path) -> None:
    root = crate(
        tmp_path,
        PACKAGE + 'edition = "2021"\n',
        "src/main.rs",
        "src/bin/extra.rs",
        "src/bin/nested/main.rs",
        "src/bin/nested/helper.rs",
    )
    layout = crate_layout(root)
    assert layout.binaries == {
        "extra": "src/bin/extra.rs",
        "nested": "src/bin/nested/main.rs",
        "tool": "src/main.rs",
    }


def test_declared_bins_keep_their_paths_and_autobins_false_stops_discovery(
    tmp_path: Path,
) -> None:
    manifest = (
        PACKAGE
        + 'edition = "2021"\nautobins = false\n\n[[bin]]\nname = "server"\npath = "srv/main.rs"\n'
    )
    layout = crate_layout(crate(tmp_path, manifest, "src/main.rs", "srv/main.rs"))
    assert layout.binaries == {"server": "srv/main.rs"}


def test_a_bin_named_after_the_package_without_path_is_src_main_rs(tmp_path: Path) -> None:
    manifest = PACKAGE + 'edition = "2021"\n\n[[bin]]\nname = "tool"\n'
    layout = crate_layout(crate(tmp_path, manifest, "src/main.rs"))
    assert layout.binaries == {"tool": "src/main.rs"}


def test_edition_is_inherited_from_the_workspace_or_defaults_to_2015(tmp_path: Path) -> None:
    inherited = PACKAGE + 'edition.workspace = true\n\n[workspace.package]\nedition = "2024"\n'
    layout = crate_layout(crate(tmp_path / "a", inherited, "src/lib.rs"))
    assert (layout.edition, layout.edition_source) == ("2024", "[workspace.package]")
    assert layout.library == "src/lib.rs" and layout.binaries == {}
    assert crate_layout(crate(tmp_path / "b", PACKAGE, "src/main.rs")).edition == "2015"


def test_build_script_is_build_rs_unless_turned_off(tmp_path: Path) -> None:
    assert crate_layout(crate(tmp_path / "a", PACKAGE, "build.rs")).build_script == "build.rs"
    off = PACKAGE + "build = false\n"
    assert crate_layout(crate(tmp_path / "b", off, "build.rs")).build_script is None


def test_a_virtual_manifest_is_no_package(tmp_path: Path) -> None:
    layout = crate_layout(crate(tmp_path, '[workspace]\nmembers = ["a", "b"]\n'))
    assert not layout.is_package and layout.workspace_members == ["a", "b"]
