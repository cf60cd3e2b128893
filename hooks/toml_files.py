"""TOML files the hooks read (Cargo.toml, cargo config files), parsed one way.

Copier runs the hooks with its own Python: tomllib from 3.11, tomli before it
where installed, else no parser at all. `read_toml` then raises the caller's
own error class with a message that says what is missing, as it does for a
file that cannot be read or is not TOML.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - copier may run on Python 3.10
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]


def read_toml(path: Path, error: type[Exception]) -> dict[str, Any]:
    """Parse the file; `error` with a readable reason when it cannot be."""
    if tomllib is None:
        raise error("this Python has no TOML parser (Python 3.11+ or tomli needed)")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as reason:
        raise error(f"cannot read {path.name}: {reason}") from reason
    except tomllib.TOMLDecodeError as reason:
        raise error(f"{path.name} is not valid TOML: {reason}") from reason
