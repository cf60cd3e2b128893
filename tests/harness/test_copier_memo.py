"""Remembering copier's Jinja compiles and YAML parses (tests/copier_memo.py) changes no byte.

Every test renders through the memo, so if it changed a rendered file, every render test
would be testing something users never get. These tests render the same answer sets in
two fresh processes, one with the memo and one without (as users run copier), and
compare the trees byte for byte, including a repeat render served from the memo.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import copier_memo
import pytest
from support import TEMPLATE_ROOT

# Answer sets that take different paths through copier.yml and the templates: the
# defaults, a library with GitHub CI and dynamic glibc targets, and every host with
# images and an exact toolchain.
ANSWER_SETS: dict[str, dict[str, object]] = {
    "defaults": {"crate_name": "memo-defaults"},
    "library": {
        "crate_name": "memo-lib",
        "crate_type": "lib",
        "ci": "github",
        "linking": "dynamic",
        "glibc": "2.28",
        "targets": ["x86_64-linux", "aarch64-linux", "armv7-linux", "x86_64-windows"],
    },
    "everything": {
        "crate_name": "memo-all",
        "hosts": ["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"],
        "images": True,
        "toolchain": "1.85.0",
    },
}

RENDER = """
import json, sys
from pathlib import Path
import copier_memo
installed = copier_memo.install()
from support import render
base, sets = Path(sys.argv[1]), json.loads(sys.argv[2])
for name, answers in sets.items():
    render(base / name / answers["crate_name"], answers)
first = next(iter(sets))  # once more, now from the memo where it is installed
render(base / "again" / sets[first]["crate_name"], sets[first])
print(json.dumps({"installed": installed, "codes": len(copier_memo._codes)}))
"""


def render_all(base: Path, memo: bool) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(["tests", os.environ.get("PYTHONPATH", "")])}
    env.pop(copier_memo.DISABLE, None)
    if not memo:
        env[copier_memo.DISABLE] = "1"
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(base), json.dumps(ANSWER_SETS)],
        cwd=TEMPLATE_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


COMMIT_LINE = re.compile(rb"^_commit: .*$", re.MULTILINE)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root by relative path, with its bytes (git metadata left out).

    The one expected difference is blanked: with uncommitted template changes, copier
    commits them in its clone with the time in the commit, so `_commit` differs per render.
    """
    return {
        str(path.relative_to(root)): COMMIT_LINE.sub(b"_commit: <clone>", path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    with_memo = tmp_path_factory.mktemp("with-memo")
    without = tmp_path_factory.mktemp("without-memo")
    facts = render_all(with_memo, memo=True)
    assert facts["installed"] and int(facts["codes"]) > 50, facts  # the memo was in use
    assert render_all(without, memo=False) == {"installed": False, "codes": 0}
    return {"with": with_memo, "without": without}


@pytest.mark.parametrize("answer_set", sorted(ANSWER_SETS))
def test_a_render_with_the_memo_is_byte_identical(
    renders: dict[str, Path], answer_set: str
) -> None:
    with_memo = tree(renders["with"] / answer_set)
    assert with_memo == tree(renders["without"] / answer_set)
    assert len(with_memo) > 5


def test_a_render_served_from_the_memo_is_byte_identical(renders: dict[str, Path]) -> None:
    first = next(iter(ANSWER_SETS))
    assert tree(renders["with"] / "again") == tree(renders["without"] / first)
