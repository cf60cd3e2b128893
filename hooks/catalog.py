"""The target catalog and its resolver, for Python code (hooks and tests).

`catalog/targets.yml` is the one place platform facts live, and
`catalog/resolve.jinja` the one place they are combined with answers (which
triple, which glibc floor, which rustflags). copier.yml renders the resolver
while asking; this module renders the very same file, so Python never holds a
second copy of the rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

CATALOG_FILE = "catalog/targets.yml"
RESOLVER_FILE = "catalog/resolve.jinja"


def load_catalog(template_root: Path) -> dict[str, Any]:
    """The catalog: `hosts`, `targets`, `linking` and `rust` sections."""
    text = (template_root / CATALOG_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def resolve_targets(template_root: Path, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-target build facts for these answers, exactly as copier.yml computes them.

    Answers copier did not ask (linking without Linux targets, glibc when
    static) are absent from an answers file; the resolver only reads them
    when they were asked.
    """
    environment = SandboxedEnvironment(loader=FileSystemLoader(str(template_root)))
    context = {"linking": "static", "glibc": "2.17", **answers}
    context["catalog"] = load_catalog(template_root)
    rendered = environment.get_template(RESOLVER_FILE).render(context)
    return json.loads(rendered)
