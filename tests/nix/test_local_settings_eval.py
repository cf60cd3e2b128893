"""Rung 1 (eval with stubs): every setting of the user's nix/local.nix reaches what it names.

nix/local.nix is the one Nix file crossflake never rewrites; the template's files read it
(through nix/read-local.nix). A generated project (a program for two static Linux targets)
gets a local.nix that sets every key, each with its own marker derivation or variable, and the
derivations Nix instantiates (`nix show-derivation`, not the text) must show each marker exactly
where the file's comments promise:

- `nativeBuildInputs`: every crate build (the host's, each target's, both naersk derivations),
  the checks and the dev shell;
- `buildInputs`: the host's own build, its checks and the dev shell, never a target's build;
- `env`: every build and the dev shell; a target's `perTarget` env wins for that target;
- `cargoBuildOptions`: every crate build's cargo arguments (a target's keep its `--target`),
  and those of the tests `nix flake check` runs (`test`, each `test-<triple>`);
- `packages`: new flake packages, built by `nix flake check` too;
- `devShellPackages`, `devShellEnv`: the dev shell only (its env wins over `env`);
- `perTarget.<triple>.{nativeBuildInputs, buildInputs, env}`: that target's build and the
  check that runs its tests only;
- the arguments `system`, `targets` and `inputs` are what they say.

A misspelt setting or a triple the flake does not build is refused with a message naming it
and the names allowed. The stock (commented-out) local.nix changes nothing: that is
test_split_layout_equivalence.py. What the stubs do not prove: that real naersk and mkShell
treat these attributes the same way (the stubs model their upstream interfaces).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nixenv
import pytest
import store_derivations
from flake_projects import generate, git
from store_derivations import Derivation

HOST = "x86_64-linux"
ANSWERS = {
    "crate_name": "hello-local",
    "hosts": [HOST],
    "targets": ["x86_64-linux", "aarch64-linux"],
    "linking": "static",
}
OWN, OTHER = "aarch64-unknown-linux-musl", "x86_64-unknown-linux-musl"

LOCAL = """\
{ pkgs, lib, system, inputs, targets, ... }:
let
  marker = name: pkgs.runCommand "marker-${name}" { } "mkdir $out";
in
{
  nativeBuildInputs = [ (marker "native") ];
  buildInputs = [ (marker "library") ];
  env = {
    LOCAL_SETTING = "everywhere";
    LOCAL_SYSTEM = system;
    LOCAL_TARGETS = lib.concatStringsSep " " (lib.attrNames targets);
    LOCAL_INPUTS = if inputs ? naersk && inputs ? fenix then "yes" else "no";
  };
  cargoBuildOptions = [ "--workspace" ];
  packages.extra = marker "extra-package";
  devShellPackages = [ (marker "shell-tool") ];
  devShellEnv.LOCAL_SETTING = "in the shell";
  devShellEnv.SHELL_ONLY = "1";
  perTarget.aarch64-unknown-linux-musl = {
    nativeBuildInputs = [ (marker "own-native") ];
    buildInputs = [ (marker "own-library") ];
    env = {
      LOCAL_SETTING = "aarch64";
      OWN_ONLY = "1";
    };
  };
}
"""

REFUSED = """\
{ ... }:
{
  buildInput = [ ];
  perTarget.sparc-unknown-linux-gnu = { };
  perTarget.aarch64-unknown-linux-musl.envs = { };
}
"""


def markers(derivation: Derivation) -> set[str]:
    """The marker derivations among a derivation's inputs, by name."""
    names = {path.split("-", 1)[1].removesuffix(".drv") for path in derivation.input_drvs}
    return {name.removeprefix("marker-") for name in names if name.startswith("marker-")}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = generate(tmp_path_factory.mktemp("local") / "project", ANSWERS)
    (project / "nix/local.nix").write_text(LOCAL, encoding="utf-8")
    git(project, "add", "-A")
    return project


@pytest.fixture(scope="module")
def derivations(project: Path) -> dict[str, Any]:
    """Package and check name -> derivation, the dev shell, and every derivation they need."""
    packages = store_derivations.package_drv_paths(project, HOST)
    checks = store_derivations.package_drv_paths(project, HOST, output="checks")
    shell = nixenv.eval_json(project, f"devShells.{HOST}.default.drvPath")
    known = store_derivations.show([*packages.values(), *checks.values(), shell])
    return {"packages": packages, "checks": checks, "shell": known[shell], "known": known}


def crate_and_deps(derivations: dict[str, Any], output: str, name: str) -> list[Derivation]:
    """A naersk package and its `-deps` derivation: both must get the settings."""
    known = derivations["known"]
    crate = known[derivations[output][name]]
    return [crate, store_derivations.deps_of(crate, known)]


def test_packages_adds_flake_packages_that_checks_build(derivations: dict[str, Any]) -> None:
    for output in ("packages", "checks"):
        extra = derivations["known"][derivations[output]["extra"]]
        assert extra.name == "marker-extra-package"


def test_host_build_and_checks_get_native_inputs_libraries_and_env(
    derivations: dict[str, Any],
) -> None:
    for output, name in [("packages", "default"), ("checks", "test"), ("checks", "clippy")]:
        for derivation in crate_and_deps(derivations, output, name):
            assert {"native", "library"} <= markers(derivation), derivation.name
            assert not {"shell-tool", "own-native", "own-library"} & markers(derivation)
            assert derivation.env["LOCAL_SETTING"] == "everywhere"
            assert "OWN_ONLY" not in derivation.env
            assert "SHELL_ONLY" not in derivation.env


def target_builds(derivations: dict[str, Any], triple: str) -> list[Derivation]:
    """A target's package, its `-deps` derivation, and the check that runs its tests."""
    check = derivations["known"][derivations["checks"][f"test-{triple}"]]
    return [*crate_and_deps(derivations, "packages", triple), check]


def test_per_target_settings_reach_only_their_target(derivations: dict[str, Any]) -> None:
    for derivation in target_builds(derivations, OWN):
        assert markers(derivation) == {"native", "own-native", "own-library"}, derivation.name
        assert derivation.env["LOCAL_SETTING"] == "aarch64"
        assert derivation.env["OWN_ONLY"] == "1"
    for derivation in target_builds(derivations, OTHER):
        assert markers(derivation) == {"native"}, derivation.name
        assert derivation.env["LOCAL_SETTING"] == "everywhere"
        assert "OWN_ONLY" not in derivation.env


def test_cargo_build_options_reach_every_crate_build(derivations: dict[str, Any]) -> None:
    for name, target in [("default", None), (OWN, OWN), (OTHER, OTHER)]:
        for derivation in crate_and_deps(derivations, "packages", name):
            options = derivation.env["cargo_build_options"].split()
            assert "--workspace" in options, derivation.name
            if target:
                assert options[options.index("--target") + 1] == target, derivation.name
    # The tests of `nix flake check` are built with them too (a target's beside its --target).
    for name, target in [("test", None), (f"test-{OWN}", OWN), (f"test-{OTHER}", OTHER)]:
        check = derivations["known"][derivations["checks"][name]]
        options = check.env["cargo_test_options"].split()
        assert "--workspace" in options, check.name
        if target:
            assert options[options.index("--target") + 1] == target, check.name


def test_dev_shell_gets_tools_libraries_and_env(derivations: dict[str, Any]) -> None:
    shell: Derivation = derivations["shell"]
    assert markers(shell) == {"native", "library", "shell-tool"}
    assert shell.env["LOCAL_SETTING"] == "in the shell"
    assert shell.env["SHELL_ONLY"] == "1"
    assert shell.env["LOCAL_SYSTEM"] == HOST  # `env` too
    # crossflake's own variables stay beside the user's.
    assert f"CARGO_TARGET_{OWN.upper().replace('-', '_')}_RUNNER" in shell.env


def test_arguments_are_the_host_the_targets_and_the_inputs(derivations: dict[str, Any]) -> None:
    env = derivations["known"][derivations["packages"]["default"]].env
    assert env["LOCAL_SYSTEM"] == HOST
    assert env["LOCAL_TARGETS"].split() == sorted([OWN, OTHER])
    assert env["LOCAL_INPUTS"] == "yes"


def test_unknown_settings_and_targets_are_refused_by_name(
    tmp_path: Path,
) -> None:
    project = generate(tmp_path / "project", ANSWERS)
    (project / "nix/local.nix").write_text(REFUSED, encoding="utf-8")
    git(project, "add", "-A")
    with pytest.raises(nixenv.NixError) as refused:
        nixenv.eval_json(project, f"packages.{HOST}.default.drvPath")
    message = refused.value.stderr
    assert "nix/local.nix: unknown setting `buildInput`; use one of:" in message
    assert "buildInputs" in message and "devShellPackages" in message
    assert "nix/local.nix: perTarget.sparc-unknown-linux-gnu: not a target of this flake" in message
    assert f"unknown setting `perTarget.{OWN}.envs`" in message
