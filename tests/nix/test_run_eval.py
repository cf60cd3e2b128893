"""Rung L1 (eval with stubs): what runs the programs a generated flake builds.

For the answer sets of tests/nix/flake_cases.py, evaluated offline with the stub inputs:

- `apps.<host>` holds exactly the targets the host both builds and runs (natively, when the
  target is the host's own system, or under the catalog's emulator where `runner_hosts` names
  the host); a library crate has no `apps` output at all;
- each app's program execs that target's runner on `packages.<host>.<triple>`'s program;
- the dev shell sets `CARGO_TARGET_<TRIPLE>_RUNNER` to a store-path runner for exactly those
  targets (so `cargo-zigbuild run/test --target T` needs no variable set by hand);
- `nix flake check`'s `test-<triple>` checks run `cargo-zigbuild test --target <cargo_target>`
  with `CARGO_TARGET_<TRIPLE>_RUNNER` set to the dev shell's runner (the same store path),
  start from the package's own `-deps` derivation (no second dependency build) and get the
  package's zig setup and flags;
- a runner of the host's own system uses no emulator; other runners exec the catalog's
  emulator from nixpkgs; dynamic (gnu) runners hand qemu nixpkgs' glibc of the catalog's
  `nixpkgs_system` (a derivation OF that system: a native build the public cache serves, not
  a pkgsCross one), and where the catalog has none, Debian's cross glibc, named with its package.

Assertions read the derivations Nix instantiated (`nix show-derivation`), not flake.nix.
What this does NOT prove: that the programs run (test_run_build.py, rung 3), that real
nixpkgs' glibc, qemu, wine and wasmtime have these paths, or that cache.nixos.org really has
the glibc named (rung 4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flake_outputs
import nixenv
import pytest
import store_derivations
from flake_cases import EVAL_CASES, answers_of
from flake_projects import generate
from store_derivations import Derivation

pytestmark = pytest.mark.nix

EMULATOR_NAMES = ("qemu", "wine", "wasmtime")
"""Name prefixes of the stub's emulator packages (qemu-*, wine-wow64-*, wasmtime-*)."""

RUNNERS_OF_SHELL = (
    "d: builtins.listToAttrs (map (n: { name = n; value = builtins.attrNames "
    "(builtins.getContext d.${n}); }) (builtins.filter (n: builtins.match "
    '"CARGO_TARGET_.*_RUNNER" n != null) (builtins.attrNames d)))'
)
"""Nix function: the dev shell's runner variables -> the derivations their values come from."""


@dataclass
class Project:
    """A rendered, tracked project and its `nix flake show`."""

    answers: dict[str, Any]
    path: Path
    overrides: dict[str, Any]
    show: dict[str, Any]


@pytest.fixture(scope="module", params=sorted(EVAL_CASES))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Render the case once per module and show its outputs."""
    answers = answers_of(request.param)
    folder = tmp_path_factory.mktemp(request.param)
    path = generate(folder / "project", answers)
    overrides: dict[str, Any] = {}
    if flake_outputs.is_exact(answers):
        overrides["rust_manifest"] = nixenv.write_channel_manifest(
            folder / f"channel-rust-{answers['toolchain']}.toml", version=answers["toolchain"]
        )
    return Project(answers, path, overrides, nixenv.flake_show(path, **overrides))


def hosts_of(project: Project) -> list[str]:
    """The hosts the case asked for."""
    return list(project.answers["hosts"])


def test_apps_are_the_targets_each_host_builds_and_runs(project: Project) -> None:
    if project.answers.get("crate_type", "bin") != "bin":
        assert "apps" not in project.show, "a library has no programs to run"
        return
    for host in hosts_of(project):
        expected = flake_outputs.app_names(host, project.answers)
        assert set(project.show["apps"].get(host, {})) == expected, host
        for triple in expected:
            assert project.show["apps"][host][triple]["type"] == "app"


def dev_shell_runners(project: Project, host: str) -> dict[str, Derivation]:
    """Runner variable -> the derivation of the script it names."""
    contexts: dict[str, list[str]] = nixenv.eval_json(
        project.path, f"devShells.{host}.default", apply=RUNNERS_OF_SHELL, **project.overrides
    )
    found = {}
    for variable, drvs in contexts.items():
        assert len(drvs) == 1, f"{variable} must name one store path: {drvs}"
        found[variable] = store_derivations.show(drvs, recursive=False)[drvs[0]]
    return found


def script_of(derivation: Derivation) -> str:
    """The text of a writeShellScript derivation."""
    return derivation.env["text"]


def assert_runner(
    host: str, target: dict[str, Any], runner: Derivation, known: dict[str, Derivation]
) -> None:
    """The runner runs ``target``'s programs on ``host`` as the catalog says."""
    text = script_of(runner)
    closure = store_derivations.closure([runner.path])
    names = {known[d].name for d in closure if d in known}
    emulators = {n for n in names if n.startswith(EMULATOR_NAMES)}
    where = f"{host} runs {target['triple']}: {text!r}"
    gnu = target["gnu_libc"]
    glibcs = [known[d] for d in closure if d in known and known[d].name.startswith("glibc-")]
    if target["id"] == host:
        assert not emulators, where
        assert not any(word in text for word in EMULATOR_NAMES), where
        if gnu:
            loader = Path(gnu["interpreter"]).name
            assert [g.env["system"] for g in glibcs] == [host], where
            assert f'{glibcs[0].out_path}/lib/{loader} "$@"' in text, where
        else:
            assert text.strip().endswith('exec "$@"'), where
        return
    assert len(emulators) == 1, where
    emulator = next(known[d] for d in closure if d in known and known[d].name in emulators)
    assert f'exec {emulator.out_path}/bin/{target["runner"]} "$@"' in text, where
    if gnu is None:
        assert not glibcs and "QEMU_LD_PREFIX" not in text, where
    elif gnu["nixpkgs_system"]:
        assert [g.env["system"] for g in glibcs] == [gnu["nixpkgs_system"]], where
        roots = [known[d] for d in closure if d in known and known[d].name.endswith("glibc-root")]
        assert len(roots) == 1, where
        assert f"export QEMU_LD_PREFIX={roots[0].out_path}\n" in text, where
    else:
        assert not glibcs, where
        assert gnu["debian_root"] in text and gnu["debian_package"] in text, where


def test_dev_shell_runners_are_store_paths_for_every_runnable_target(project: Project) -> None:
    for host in hosts_of(project):
        runners = dev_shell_runners(project, host)
        runnable = flake_outputs.runnable_on(host, project.answers)
        expected = {flake_outputs.runner_variable(t["triple"]) for t in runnable}
        assert set(runners) == expected, host
        known = store_derivations.show([r.path for r in runners.values()])
        for target in runnable:
            runner = runners[flake_outputs.runner_variable(target["triple"])]
            assert runner.out_path.startswith("/nix/store/"), runner
            assert_runner(host, target, runner, known)


def test_apps_exec_the_runner_on_the_package_program(project: Project) -> None:
    if project.answers.get("crate_type", "bin") != "bin":
        return
    crate = project.answers["crate_name"]
    for host in hosts_of(project):
        names = flake_outputs.app_names(host, project.answers) - {"push-images"}
        if not names:
            continue
        apps = nixenv.eval_json(
            project.path,
            f"apps.{host}",
            apply="builtins.mapAttrs (_: a: builtins.attrNames (builtins.getContext a.program))",
            **project.overrides,
        )
        packages = nixenv.eval_json(
            project.path,
            f"packages.{host}",
            apply="builtins.mapAttrs (_: p: p.outPath)",
            **project.overrides,
        )
        runners = dev_shell_runners(project, host)
        by_triple = {t["triple"]: t for t in flake_outputs.runnable_on(host, project.answers)}
        for triple in names:
            (drv,) = apps[triple]
            app = store_derivations.show([drv], recursive=False)[drv]
            runner = runners[flake_outputs.runner_variable(triple)]
            program = f"{packages[triple]}/bin/{crate}{by_triple[triple]['suffix']}"
            assert f'exec {runner.out_path} {program} "$@"' in script_of(app), (host, triple)


def test_images_name_their_platform_and_run_the_package_program(project: Project) -> None:
    """Each `<triple>-image` gets the catalog's OCI architecture and the package's program as
    its entrypoint; push-images adds each image with its architecture and variant (dockerTools
    writes no variant into the image config, so the multi-arch list carries it)."""
    crate = project.answers["crate_name"]
    for host in hosts_of(project):
        triples = flake_outputs.image_triples(host, project.answers)
        if not triples:
            continue
        drv_paths = store_derivations.package_drv_paths(project.path, host, **project.overrides)
        known = store_derivations.show(drv_paths.values(), recursive=False)
        by_triple = {t["triple"]: t for t in flake_outputs.cross_targets(project.answers)}
        for triple in triples:
            image = known[drv_paths[f"{triple}-image"]]
            config = json.loads(image.env["configJson"])
            oci = by_triple[triple]["oci"]
            assert config["architecture"] == oci["architecture"], triple
            assert config["os"] == "linux"
            program = f"{known[drv_paths[triple]].out_path}/bin/{crate}"
            assert config["config"]["Entrypoint"] == [program], triple
            assert config["config"]["Env"] == ["SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt"]
        if not host.endswith("-linux"):
            continue
        (drv,) = nixenv.eval_json(
            project.path,
            f"apps.{host}.push-images",
            apply="a: builtins.attrNames (builtins.getContext a.program)",
            **project.overrides,
        )
        script = script_of(store_derivations.show([drv], recursive=False)[drv])
        for triple in triples:
            oci = by_triple[triple]["oci"]
            variant = f" --variant {oci['variant']}" if oci["variant"] else ""
            image = known[drv_paths[f"{triple}-image"]].out_path
            unpack = f'/bin/gzip -dc {image} > "$tmp"/{triple}.tar\n'
            platform = f"--os linux --arch {oci['architecture']}{variant}"
            add = f'manifest add {platform} "$list" docker-archive:"$tmp"/{triple}.tar\n'
            assert unpack in script and add in script, (triple, script)
        assert script.count("manifest add") == len(triples)
        assert 'manifest push --all "$list" "$1"' in script


def test_checks_run_each_targets_tests_through_the_dev_shell_runner(project: Project) -> None:
    for host in hosts_of(project):
        names = flake_outputs.cross_test_names(host, project.answers)
        checks = store_derivations.package_drv_paths(
            project.path, host, output="checks", **project.overrides
        )
        assert {n for n in checks if n.startswith("test-")} == names, host
        if not names:
            continue
        packages = store_derivations.package_drv_paths(project.path, host, **project.overrides)
        triples = [name.removeprefix("test-") for name in sorted(names)]
        known = store_derivations.show(
            [*(checks[f"test-{t}"] for t in triples), *(packages[t] for t in triples)]
        )
        runners = dev_shell_runners(project, host)
        by_triple = {t["triple"]: t for t in flake_outputs.cross_targets(project.answers)}
        for triple in triples:
            check, package = known[checks[f"test-{triple}"]], known[packages[triple]]
            where = f"{host}: test-{triple}"
            variable = flake_outputs.runner_variable(triple)
            assert check.env[variable] == runners[variable].out_path, where
            # cargo-zigbuild where zig links the target, plain cargo where it takes no part.
            command = (
                "cargo-zigbuild test $cargo_options $cargo_test_options"
                if by_triple[triple]["zigbuild"]
                else "cargo $cargo_options test $cargo_test_options"
            )
            assert command in check.env["buildPhase"], where
            options = check.env["cargo_test_options"].split()
            assert options[options.index("--target") + 1] == by_triple[triple]["cargo_target"]
            # The package's -deps derivation, and no -deps derivation of its own.
            deps = store_derivations.deps_of(package, known)
            assert [d for d in check.input_drvs if "-deps-" in d] == [deps.path], where
            assert check.env["builtDependencies"] == deps.out_path, where
            for setting in ("preBuild", "RUSTFLAGS", "MACOSX_DEPLOYMENT_TARGET", "strictDeps"):
                assert check.env.get(setting) == package.env.get(setting), (where, setting)
