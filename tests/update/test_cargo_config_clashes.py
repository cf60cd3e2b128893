"""hooks/cargo_config.py reads a crate's own .cargo/config.toml the ways TOML allows.

The adopt report quotes the user's exact line for each key both files set; users write
tables with quoted headers, dotted keys at the top, inline tables and multi-line arrays.
Each case below writes both files and checks the quoted line (or, for an inline table,
the setting as cargo reads it, without a line number) and what is NOT a clash. The real
builds behind the report's claims are tests/cross/test_kept_cargo_config.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cargo_config import ConfigError, clashes

pytestmark = pytest.mark.update

OURS = ".cargo/crossflake.toml"
ARM = "aarch64-unknown-linux-musl"
CROSSFLAKE = (
    "# crossflake's\n"
    f"[target.{ARM}]\n"
    'rustflags = ["-C", "target-feature=+crt-static"]\n'
    'runner = "qemu-aarch64"\n'
    "\n"
    "[target.x86_64-pc-windows-gnu]\n"
    'runner = "wine"\n'
)


def crate_with(tmp_path: Path, theirs: str, ours: str = CROSSFLAKE) -> Path:
    """A crate folder holding both files."""
    (tmp_path / ".cargo").mkdir()
    (tmp_path / ".cargo/config.toml").write_text(theirs, encoding="utf-8")
    (tmp_path / OURS).write_text(ours, encoding="utf-8")
    return tmp_path


def quotes(project: Path) -> dict[str, str]:
    """Key -> the user's quoted line."""
    return {clash.key: clash.theirs.quote() for clash in clashes(project, OURS)}


def test_quoted_headers_and_multi_line_arrays_are_quoted_with_their_line(tmp_path: Path) -> None:
    theirs = f'# mine\n[target."{ARM}"]\nrustflags = [\n  "--cfg", "mine",\n]\nrunner = "my-qemu"\n'
    found = quotes(crate_with(tmp_path, theirs))
    assert found == {
        f"target.{ARM}.rustflags": '.cargo/config.toml:3  rustflags = [ "--cfg", "mine", ]',
        f"target.{ARM}.runner": '.cargo/config.toml:6  runner = "my-qemu"',
    }


def test_dotted_keys_at_the_top_are_found(tmp_path: Path) -> None:
    found = quotes(crate_with(tmp_path, f'target.{ARM}.runner = "my-qemu"\n'))
    assert found == {
        f"target.{ARM}.runner": f'.cargo/config.toml:1  target.{ARM}.runner = "my-qemu"'
    }


def test_an_inline_table_is_quoted_as_cargo_reads_it(tmp_path: Path) -> None:
    (clash,) = clashes(crate_with(tmp_path, f'[target]\n{ARM} = {{ runner = "my-qemu" }}\n'), OURS)
    assert clash.theirs.quote() == f'.cargo/config.toml  [target.{ARM}] runner = "my-qemu"'
    assert clash.choice.startswith("delete it from .cargo/config.toml")


def test_what_is_no_clash(tmp_path: Path) -> None:
    """cfg() tables, targets crossflake does not build, and [build] rustflags when none of
    crossflake's targets has rustflags of its own."""
    theirs = (
        "[build]\n"
        'rustflags = ["--cfg", "mine"]\n'
        "[target.'cfg(unix)']\n"
        'runner = "my-runner"\n'
        "[target.armv7-unknown-linux-gnueabihf]\n"
        'linker = "arm-linux-gnueabihf-gcc"\n'
    )
    windows_only = '[target.x86_64-pc-windows-gnu]\nrunner = "wine"\n'
    assert clashes(crate_with(tmp_path, theirs, windows_only), OURS) == []


def test_a_file_that_is_not_toml_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.toml is not valid TOML"):
        clashes(crate_with(tmp_path, "[target.\n"), OURS)
