"""Rung 1 (eval with stubs): splitting the flake into nix/ changed no output.

Until issue 25, the whole flake was one generated flake.nix (the template at commit
4ed88e1, `MONOLITH`). Now flake.nix holds the inputs and hosts and calls nix/outputs.nix,
which puts one file per concern together, plus the user's nix/local.nix. This test renders
the same answers with both templates (the old one from `git archive` of that commit), tracks
both projects with git, evaluates both with the stub nixpkgs/fenix/naersk, and compares every
output: `packages`, `apps`, `checks`, `devShells` and `formatter` of every host, each
derivation by its `.drv` path, each app by its program's store path and description. Equal
`.drv` paths mean equal derivations, inputs and environment included, down the whole closure.
That holds only because the crate's source filter (nix/crate.nix) leaves nix/ out, so the
project source has the same store path in both layouts (editing a Nix file rebuilds no crate).
The crate's own files (copier.yml's `_skip_if_exists`: the sample sources, whose doc comment
now names nix/targets.nix, Cargo.toml, README.md...) are the user's, which an update never
changes: the monolith's project gets the split one's, so what is compared is the flakes alone.

Answer sets: the fixed cases of tests/nix/flake_cases.py (every host, target, linking mode,
channel, exact versions, bin and lib) and sets drawn by Hypothesis from the whole answer space
(tests/answer_space.py), each with only the platforms the monolith knows (`known_to`).

Since issue 26 the release holds installers and bills of materials as well, so each host's
`release` (in packages and checks) is left out of the comparison; that every host with a
release before has one now is still compared. Since issue 23 the checks hold each target's
tests (`test-<triple>`, new derivations), also left out; the other checks are compared.

Since issue 24 zigRuntime also keeps cargo-zigbuild's wrappers and the packages name them
(nix/zig-runtime.nix): those lines, taken from the current nix/zig-runtime.nix, are added to
the monolith's flake before comparing (`since_split`), so everything else must still match.

What it does not prove: that real nixpkgs/fenix/naersk evaluate either layout (the stubs model
their interfaces), nor anything about a non-empty nix/local.nix (test_local_settings_eval.py).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flake_outputs
import nixenv
import pytest
from answer_space import examples, valid_answers
from copier import run_copy
from flake_cases import EVAL_CASES, answers_of
from flake_projects import track
from hypothesis import given, settings
from support import TEMPLATE_ROOT, load_catalog
from template_output import skipped_if_existing

MONOLITH = "4ed88e1"
"""The last commit whose template generated the whole flake in flake.nix."""

OUTPUTS = ("packages", "apps", "checks", "devShells", "formatter")
BY_DRV_PATH = (
    "o: builtins.mapAttrs (_: builtins.mapAttrs (_: v: if v ? drvPath then v.drvPath else v)) o"
)


@pytest.fixture(scope="module")
def monolith() -> Iterator[Path]:
    """The template as it was at MONOLITH, extracted from git into a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="crossflake-monolith-"))
    archive = subprocess.run(
        ["git", "archive", MONOLITH], cwd=TEMPLATE_ROOT, capture_output=True, check=False
    )
    assert archive.returncode == 0, f"git archive {MONOLITH}: {archive.stderr.decode()}"
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def render(template: Path, destination: Path, answers: dict[str, Any]) -> Path:
    """Render `template` (a folder, not a repository) with the answers, not yet tracked."""
    run_copy(
        str(template), str(destination), data=answers, defaults=True, skip_tasks=True, quiet=True
    )
    return destination


def users_files(project: Path) -> list[str]:
    """The project's files that are the user's once they exist (copier.yml's list)."""
    return [name for name in skipped_if_existing(TEMPLATE_ROOT) if (project / name).is_file()]


def evaluated(project: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """Every output, derivations as `.drv` paths; None for an output the flake lacks."""
    found: dict[str, Any] = {}
    for output in OUTPUTS:
        try:
            found[output] = nixenv.eval_json(project, output, apply=BY_DRV_PATH, **overrides)
        except nixenv.NixError as error:
            assert "does not provide attribute" in error.stderr, error
            found[output] = None
    return found


def added_since(name: str) -> bool:
    """Outputs changed or added on purpose after the split: each host's `release` (issue 26:
    installers and bills of materials beside the archives, test_release_build.py) and the
    checks `test-<triple>` (issue 23: each target's tests, test_cross_checks_build.py)."""
    return name == "release" or name.startswith("test-")


def without_release(found: dict[str, Any]) -> dict[str, Any]:
    """The outputs minus what `added_since` names. Every host that had a release still has
    one."""
    for output in ("packages", "checks"):
        for host, attrs in (found[output] or {}).items():
            found[output][host] = {k: v for k, v in attrs.items() if not added_since(k)}
            found.setdefault("has_release", {})[f"{output}.{host}"] = "release" in attrs
    return found


def known_to(template: Path, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers with only the platforms `template`'s catalog has. A platform added since
    the split (issue 23: wasm32-wasip2...) has no monolith output to compare with: it is
    evaluated by test_flake_eval instead. Nothing left: x86_64-linux, the usual start."""
    if "targets" not in answers:
        return answers
    known = load_catalog(template)["targets"]
    kept = [target for target in answers["targets"] if target in known]
    return {**answers, "targets": kept or ["x86_64-linux"]}


ZIG_RUNTIME = TEMPLATE_ROOT / "template" / "nix" / "zig-runtime.nix"
WRAPPERS_START = "        # cargo-zigbuild's wrappers around zig for this target"
WRAPPERS_END = '        done > "$out/wrappers.sh"\n'
SEED_END = '                rm -rf "$out/cache/tmp"\n'
"""The monolith's zigRuntime script ends here (16 spaces of Nix indentation)."""
SETUP_END = '            cp -r --no-preserve=mode ${runtime}/cache/. "$ZIG_GLOBAL_CACHE_DIR"\n'
"""The monolith's zigBuildSetup ends here (12 spaces)."""


def since_split(flake: str) -> str:
    """The monolith's flake.nix with the changes made on purpose since the split: zigRuntime
    keeps cargo-zigbuild's wrappers (its script's lines, as nix/zig-runtime.nix has them,
    at the monolith's indentation, which Nix strips from both alike) and zigBuildSetup
    sources the variables naming them."""
    runtime = ZIG_RUNTIME.read_text(encoding="utf-8")
    start = runtime.index(WRAPPERS_START)
    block = runtime[start : runtime.index(WRAPPERS_END, start) + len(WRAPPERS_END)]
    # The monolith's targets have no stdTriples: each is its own triple's std.
    block = block.replace("target.stdTriples", "[ triple ]")
    assert flake.count(SEED_END) == 1 and flake.count(SETUP_END) == 1
    flake = flake.replace(SEED_END, SEED_END + textwrap.indent(textwrap.dedent(block), " " * 16))
    return flake.replace(SETUP_END, SETUP_END + "            source ${runtime}/wrappers.sh\n")


def assert_same_outputs(monolith: Path, answers: dict[str, Any], folder: Path) -> None:
    answers = known_to(monolith, answers)
    overrides: dict[str, Any] = {}
    if flake_outputs.is_exact(answers):
        overrides["rust_manifest"] = nixenv.write_channel_manifest(
            folder / f"channel-rust-{answers['toolchain']}.toml", version=answers["toolchain"]
        )
    before = render(monolith, folder / "monolith", answers)
    after = render(TEMPLATE_ROOT, folder / "split", answers)
    for name in users_files(after):
        if name != "nix/local.nix":
            shutil.copyfile(after / name, before / name)
    old_flake = before / "flake.nix"
    old_flake.write_text(since_split(old_flake.read_text(encoding="utf-8")), encoding="utf-8")
    old = without_release(evaluated(track(before), overrides))
    new = without_release(evaluated(track(after), overrides))
    assert (new["apps"] is None) == (answers.get("crate_type", "bin") == "lib")
    assert set(new["packages"]) == set(answers["hosts"])
    for output in (*OUTPUTS, "has_release"):
        assert new.get(output) == old.get(output), f"{output} differ for {answers}"
    assert (folder / "split/nix/local.nix").is_file()
    flake = (folder / "split/flake.nix").read_text(encoding="utf-8")
    assert len(flake.splitlines()) <= 60, "flake.nix should fit on one screen"


@pytest.mark.parametrize("name", sorted(EVAL_CASES))
def test_fixed_cases_evaluate_as_before(monolith: Path, name: str, tmp_path: Path) -> None:
    assert_same_outputs(monolith, answers_of(name), tmp_path)


@settings(max_examples=examples(8))
@given(answers=valid_answers(text_size=4))
def test_drawn_answers_evaluate_as_before(monolith: Path, answers: dict[str, Any]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="crossflake-split-"))
    try:
        assert_same_outputs(monolith, answers, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
