"""A crate's own .cargo/config.toml beside crossflake's cargo settings: what clashes.

An adopted crate that already has `.cargo/config.toml` keeps it byte for byte;
crossflake writes its per-target settings to `.cargo/crossflake.toml`, which
reaches cargo as CARGO_TARGET_<TRIPLE>_RUSTFLAGS/_RUNNER in `nix develop` and
as `cargo zigbuild --config .cargo/crossflake.toml` elsewhere. Both routes rank
above config files, so where the two files set the same thing, cargo decides
without a word. This module finds those places and quotes the exact lines, so
that the user chooses instead of cargo:

* `runner` for a target in both: one wins (crossflake's in `nix develop` and
  with `--config`; the user's with plain cargo);
* `[build] rustflags` in the user's file: cargo ignores `build.rustflags` for a
  target as soon as any `target.<triple>.rustflags` applies, so crossflake's
  `+crt-static` (musl) silently switches the user's flags off for those targets;
* `linker` for a target: `cargo zigbuild` sets CARGO_TARGET_<TRIPLE>_LINKER to
  zig, which beats config files, so the user's linker applies only to plain
  `cargo build --target`;
* `rustflags` for a target in both: no choice to make (cargo joins the two
  lists, the user's first), reported as a note with both lines.

Measured with cargo 1.95 and cargo-zigbuild 0.24; tests/cross/test_kept_cargo_config.py
checks all four against real builds. `[target.'cfg(...)']` tables are
not compared. Read-only, standard library only (copier's Python runs it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toml_files import read_toml, tomllib

USER_FILE = ".cargo/config.toml"


class ConfigError(Exception):
    """A cargo config file cannot be read or parsed; the message says why."""


@dataclass(frozen=True)
class Line:
    """One setting as written: the file, its 1-based line number and the text."""

    file: str
    number: int
    text: str

    def quote(self) -> str:
        """`.cargo/config.toml:7  runner = "x"` for the report (no number when the
        setting was not found as one line, e.g. in an inline table)."""
        return f"{self.file}{f':{self.number}' if self.number else ''}  {self.text}"

    def place(self) -> str:
        """`line 7 of .cargo/config.toml`, for the choice."""
        return f"line {self.number} of {self.file}" if self.number else f"it from {self.file}"


@dataclass(frozen=True)
class Clash:
    """One key both files set: both lines, what cargo does, and the choice."""

    key: str
    theirs: Line
    ours: Line | None  # None: crossflake writes no line (the linker is cargo-zigbuild's)
    effect: str
    choice: str
    joined: bool = False  # both apply (rustflags lists): a note, nothing to choose


def read_config(path: Path) -> dict[str, Any]:
    """Parse a cargo config file; ConfigError with a readable reason otherwise."""
    return read_toml(path, ConfigError)


def table_of(header: str) -> tuple[str, ...] | None:
    """The dotted name of a `[table]` header line, unquoted; None for other lines."""
    stripped = header.split("#", 1)[0].strip()
    if not stripped.startswith("[") or stripped.startswith("[["):
        return None
    try:
        parsed = tomllib.loads(f"{stripped}\n")
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    node: Any = parsed
    while isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        path.append(key)
        node = node[key]
    return tuple(path)


def find_line(text: str, file: str, table: tuple[str, ...], key: str) -> Line | None:
    """The line that sets `key` in `[table]` (or `table.key = ...` at the top), with the
    rest of a value that spans lines. None when it is written some other way (an
    inline table): the caller then quotes the parsed value."""
    current: tuple[str, ...] | None = ()
    lines = text.splitlines()
    dotted = ".".join(f'"{part}"' if "." in part else part for part in (*table, key))
    for index, line in enumerate(lines):
        header = table_of(line)
        if header is not None:
            current = header
            continue
        name = line.split("=", 1)[0].strip() if "=" in line else ""
        if (current == table and name in (key, f'"{key}"')) or (current == () and name == dotted):
            value = [line.rstrip()]
            depth = line.count("[") - line.count("]")
            for more in lines[index + 1 :]:
                if depth <= 0:
                    break
                value.append(more.rstrip())
                depth += more.count("[") - more.count("]")
            return Line(file, index + 1, " ".join(part.strip() for part in value))
    return None


def toml_value(value: Any) -> str:
    """A parsed string or list of strings written back as TOML, for a quote."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return str(value)


def line_for(text: str, file: str, table: tuple[str, ...], key: str, value: Any) -> Line:
    """The exact line when it can be found, else the setting as cargo reads it."""
    found = find_line(text, file, table, key)
    if found is not None:
        return found
    return Line(file, 0, f"[{'.'.join(table)}] {key} = {toml_value(value)}")


def env_name(triple: str) -> str:
    """CARGO_TARGET_<TRIPLE>: how cargo spells a triple in its variables."""
    return "CARGO_TARGET_" + triple.upper().replace("-", "_").replace(".", "_")


def clashes(project: Path, ours_file: str) -> list[Clash]:
    """Every place where the crate's .cargo/config.toml and crossflake's settings file
    set the same thing for one of crossflake's targets (see the module docstring)."""
    user_path, ours_path = project / USER_FILE, project / ours_file
    user, ours = read_config(user_path), read_config(ours_path)
    user_text = user_path.read_text(encoding="utf-8")
    ours_text = ours_path.read_text(encoding="utf-8")
    with_config = f"`cargo zigbuild --config {ours_file}`"
    found: list[Clash] = []
    user_targets = user.get("target", {}) if isinstance(user.get("target"), dict) else {}
    flagged: list[str] = []
    for triple, settings in ours.get("target", {}).items():
        mine = user_targets.get(triple)
        table = ("target", triple)
        if settings.get("rustflags"):
            flagged.append(triple)
        if not isinstance(mine, dict):
            continue
        if "runner" in mine and "runner" in settings:
            theirs = line_for(user_text, USER_FILE, table, "runner", mine["runner"])
            found.append(
                Clash(
                    f"target.{triple}.runner",
                    theirs,
                    line_for(ours_text, ours_file, table, "runner", settings["runner"]),
                    f"in `nix develop` the flake's runner wins ({env_name(triple)}_RUNNER); "
                    f"with {with_config} crossflake's wins; plain cargo uses yours",
                    f"delete {theirs.place()} to run {triple} "
                    "crossflake's way everywhere, or keep it and leave out --config "
                    "outside `nix develop`",
                )
            )
        if "linker" in mine:
            theirs = line_for(user_text, USER_FILE, table, "linker", mine["linker"])
            found.append(
                Clash(
                    f"target.{triple}.linker",
                    theirs,
                    None,
                    f"`cargo zigbuild` and Nix builds link {triple} with zig "
                    f"(cargo-zigbuild sets {env_name(triple)}_LINKER, which beats config "
                    "files); your linker applies only to plain `cargo build --target "
                    f"{triple}`",
                    f"keep {theirs.place()} for plain cargo builds, or delete it: "
                    "crossflake's builds never use it",
                )
            )
        if "rustflags" in mine and settings.get("rustflags"):
            theirs = line_for(user_text, USER_FILE, table, "rustflags", mine["rustflags"])
            found.append(
                Clash(
                    f"target.{triple}.rustflags",
                    theirs,
                    line_for(ours_text, ours_file, table, "rustflags", settings["rustflags"]),
                    "cargo joins both lists (yours first) wherever crossflake's apply",
                    "nothing to choose unless they contradict each other",
                    joined=True,
                )
            )
    build = user.get("build", {}) if isinstance(user.get("build"), dict) else {}
    if build.get("rustflags") and flagged:
        theirs = line_for(user_text, USER_FILE, ("build",), "rustflags", build["rustflags"])
        listed = ", ".join(flagged)
        found.append(
            Clash(
                "build.rustflags",
                theirs,
                line_for(
                    ours_text,
                    ours_file,
                    ("target", flagged[0]),
                    "rustflags",
                    ours["target"][flagged[0]]["rustflags"],
                ),
                f"cargo ignores [build] rustflags for a target that has target rustflags, "
                f"so yours stop applying to {listed} in `nix develop` and with {with_config}",
                f"repeat them as `rustflags` under [target.<triple>] in {USER_FILE} for "
                f"{listed} (cargo joins those with crossflake's)",
            )
        )
    return found
