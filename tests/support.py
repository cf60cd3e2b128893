"""Shared helpers for every test layer: where the template is, how to render it,
and how a test says that a tool it needs is missing.

Tests are organised by what they prove (render/, nix/, cross/, update/,
terminal/); this module holds only what more than one of them needs.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy
from jinja2 import FileSystemLoader, Template
from jinja2.sandbox import SandboxedEnvironment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent


def load_catalog(template_root: Path = TEMPLATE_ROOT) -> dict[str, Any]:
    """The catalog (catalog/targets.yml): every platform fact, as copier.yml reads it."""
    return yaml.safe_load((template_root / "catalog" / "targets.yml").read_text(encoding="utf-8"))


@functools.cache
def plain_defaults(template_root: Path = TEMPLATE_ROOT) -> dict[str, Any]:
    """copier.yml's defaults that are values, not Jinja (those depend on other answers)."""
    config = yaml.safe_load((template_root / "copier.yml").read_text(encoding="utf-8"))
    return {
        name: question["default"]
        for name, question in config.items()
        if isinstance(question, dict)
        and "default" in question
        and "{" not in json.dumps(question["default"])
    }


def resolve_targets(template_root: Path, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """`build_targets` for these answers: catalog/resolve.jinja, rendered as copier.yml does.

    The tests' oracle for per-target facts. Unanswered questions take copier.yml's
    defaults (read from it, never restated here); copier itself offers no API to
    read a computed answer.
    """
    context = {
        **plain_defaults(template_root),
        **answers,
        "catalog": load_catalog(template_root),
    }
    return json.loads(resolver(template_root).render(context))


def toolchain_triples(resolved: list[dict[str, Any]]) -> list[str]:
    """What rust-toolchain.toml's `targets` list for resolved targets: each target's standard
    libraries (`std_triples`; universal2-apple-darwin stands as both macOS triples), once each,
    in order."""
    return list(dict.fromkeys(t for target in resolved for t in target["std_triples"]))


def cargo_config_triples(resolved: list[dict[str, Any]]) -> list[str]:
    """The `[target.<triple>]` tables .cargo/config.toml has: Rust's own triples only
    (cargo ignores a table for universal2-apple-darwin, cargo-zigbuild's name for two)."""
    return [t["triple"] for t in resolved if t["std_triples"] == [t["triple"]]]


@functools.cache
def resolver(template_root: Path) -> Template:
    """catalog/resolve.jinja, compiled once per template root (the property tests call
    resolve_targets for every example)."""
    environment = SandboxedEnvironment(loader=FileSystemLoader(str(template_root)))
    return environment.get_template("catalog/resolve.jinja")


CATALOG = load_catalog()
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


MACHINE_TOOLS_FILE = TEMPLATE_ROOT / "scripts" / "test-machine-tools.tsv"
TOOLS_BIN = Path("/opt/crossflake/bin")
"""Wrappers the machine setup writes (zig, cargo-zigbuild, wine, wineserver, wasmtime)."""


def load_machine_tools(path: Path = MACHINE_TOOLS_FILE) -> dict[str, str]:
    """The tools the suite may run, with why, from the list the machine setup checks."""
    tools = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, why = line.split("\t", 1)
            tools[name] = why
    return tools


MACHINE_TOOLS = load_machine_tools()


def find_tool(name: str) -> str | None:
    """Where a listed tool is: an absolute entry as is, a name on the tests' PATH."""
    if name.startswith("/"):
        return name if os.path.exists(name) else None
    return shutil.which(name, path=f"{TOOLS_BIN}{os.pathsep}{os.environ.get('PATH', '')}")


def require_tool(name: str, why: str | None = None) -> str:
    """Path of a tool the test needs.

    Only tools in scripts/test-machine-tools.tsv may be required: the machine setup
    installs and checks exactly that list, so a test cannot depend on something a fresh
    machine lacks. Locally a missing tool skips the test with the reason; in CI
    (CI=true) it fails it, because `.ci/run` runs the setup and a silent skip there
    would hide a missing install step.
    """
    if name not in MACHINE_TOOLS:
        raise LookupError(
            f"{name} is not in {MACHINE_TOOLS_FILE.name}: add it there (with why) and make "
            "scripts/setup-test-machine.sh install it"
        )
    path = find_tool(name)
    if path is None:
        message = (
            f"{name} not found ({why or MACHINE_TOOLS[name]}); run scripts/setup-test-machine.sh"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def render(
    destination: Path,
    answers: dict[str, Any] | None = None,
    *,
    run_tasks: bool = False,
    **options: Any,
) -> Path:
    """Render the template (working tree, uncommitted changes included) into destination.

    Unanswered questions take their defaults. Tasks (the git hook) run only
    when asked, so most tests need no trust and no git.
    """
    run_copy(
        str(TEMPLATE_ROOT),
        str(destination),
        data=answers or {},
        defaults=True,
        unsafe=run_tasks,
        skip_tasks=not run_tasks,
        vcs_ref="HEAD",
        **{"quiet": True, **options},
    )
    return destination


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file (tomllib, or tomli before Python 3.11)."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def nix_eval_json(expression: str, cwd: Path) -> Any:
    """Evaluate a Nix expression without flakes or network, as JSON."""
    nix_instantiate = require_tool("nix-instantiate", "Nix evaluates generated files")
    result = subprocess.run(
        [nix_instantiate, "--eval", "--strict", "--json", "-E", expression],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


__all__ = [
    "CATALOG",
    "IN_CI",
    "MACHINE_TOOLS",
    "MACHINE_TOOLS_FILE",
    "TEMPLATE_ROOT",
    "TOOLS_BIN",
    "find_tool",
    "load_catalog",
    "nix_eval_json",
    "read_toml",
    "render",
    "require_tool",
    "resolve_targets",
]
