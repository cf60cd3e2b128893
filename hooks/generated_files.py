"""Which files the template generates for a given set of answers.

The post-generate hook must `git add` exactly the generated files: in an
adopted crate, the user's other untracked files are none of our business.
Rather than keep a second list of files by hand, this walks the template
folder and renders each path the way copier does: Jinja in every path
component, a component that renders empty drops the file, `.jinja` suffix
stripped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment

TEMPLATE_SUFFIX = ".jinja"

# copier.yml's `existing` for an empty destination: every file the template can
# write. Files it leaves out for an adopted crate are skipped-if-existing ones,
# which the callers tell apart by looking at the project.
FRESH = {"crate": False, "binaries": False, "library": False}


def template_folder(template_root: Path) -> Path:
    """The folder copier renders from (`_subdirectory` in copier.yml)."""
    config = yaml.safe_load((template_root / "copier.yml").read_text(encoding="utf-8"))
    return template_root / config.get("_subdirectory", "")


def read_answers(project: Path, answers_file: str) -> dict[str, Any]:
    """The answers copier saved in the project (empty if the file is missing)."""
    path = project / answers_file
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def render_path(relative: Path, context: dict[str, Any]) -> str | None:
    """Render one template path; None when a component renders empty."""
    environment = SandboxedEnvironment()
    parts = []
    for part in relative.parts:
        rendered = environment.from_string(part).render(context)
        if rendered.endswith(TEMPLATE_SUFFIX):
            rendered = rendered[: -len(TEMPLATE_SUFFIX)]
        if not rendered:
            return None
        parts.append(rendered)
    return "/".join(parts)


def skipped_if_existing(template_root: Path) -> list[str]:
    """copier.yml's `_skip_if_exists`: the files that belong to the user once they exist."""
    config = yaml.safe_load((template_root / "copier.yml").read_text(encoding="utf-8"))
    return list(config.get("_skip_if_exists", []))


def generated_paths(template_root: Path, answers: dict[str, Any], answers_file: str) -> list[str]:
    """Project-relative paths the template generates with these answers."""
    context = {**answers, "_copier_conf": {"answers_file": answers_file}, "existing": FRESH}
    folder = template_folder(template_root)
    paths = []
    for source in sorted(folder.rglob("*")):
        if source.is_file():
            rendered = render_path(source.relative_to(folder), context)
            if rendered is not None:
                paths.append(rendered)
    return paths
