"""Rung 1 (eval with stubs): the flake gives crates with C inside the tools their build scripts
run, and stops a build that cannot work with the fix instead of failing deep in a log.

The test crate (tests/c_inside.py: ring, aws-lc-rs, openssl vendored, zstd, rusqlite bundled)
is generated for two static Linux targets. nix/build-tools.nix reads Cargo.lock: for each crate
of the catalog's `build_tools` it holds, its tools (nixpkgs packages) join every crate build
(the host's and each target's) and the dev shell; a lock without those crates adds nothing.
A crate that links the system OpenSSL (openssl-sys without openssl-src) cannot be built for
another platform from nixpkgs' openssl: evaluating that target's package fails with a message
that names the fix, unless nix/local.nix points the target at an OpenSSL of its own.

Not proven here: that the builds succeed (rung 3: test_c_dependencies_build.py) or that the
real nixpkgs attributes are the packages the catalog names (rung 4).
"""

from __future__ import annotations

import re
from pathlib import Path

import c_inside
import nixenv
import pytest
from flake_projects import generate, track
from support import CATALOG

HOST = "x86_64-linux"
ANSWERS = c_inside.LINUX_ANSWERS
TRIPLES = ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"]
# Names of the native build inputs of a derivation (the stub packages carry pname).
NATIVE_NAMES = "d: map (p: p.pname or p.name) (d.nativeBuildInputs or [ ])"


def tools_for(lock: str) -> set[str]:
    """The nixpkgs tools the catalog says the crates of this Cargo.lock need."""
    locked = set(re.findall(r'^name = "([^"]+)"$', lock, re.M))
    tools = CATALOG["build_tools"]
    return {tool for crate, entry in tools.items() if crate in locked for tool in entry["tools"]}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = generate(tmp_path_factory.mktemp("c-eval") / c_inside.CRATE, ANSWERS)
    return track(c_inside.give_c_dependencies(path))


@pytest.fixture(scope="module")
def plain_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("plain-eval") / c_inside.CRATE, ANSWERS)


def native_names(project: Path, attr: str) -> list[str]:
    return nixenv.eval_json(project, attr, apply=NATIVE_NAMES)


def test_the_test_crate_needs_perl_cmake_and_nasm() -> None:
    """The catalog's entries this crate reaches: openssl-src (Perl), cmake (a build
    dependency of aws-lc-sys) and aws-lc-sys (NASM, for x86_64 Windows)."""
    assert tools_for(c_inside.lock_text()) == {"perl", "cmake", "nasm"}


@pytest.mark.parametrize("attr", ["default", *TRIPLES])
def test_every_build_gets_the_tools_of_its_lock(project: Path, attr: str) -> None:
    names = native_names(project, f"packages.{HOST}.{attr}")
    for tool in tools_for(c_inside.lock_text()):
        assert tool in names, (attr, names)


def test_both_naersk_derivations_get_the_tools(project: Path) -> None:
    """The -deps derivation compiles the C libraries: it needs them most."""
    deps = nixenv.eval_json(
        project,
        f"packages.{HOST}.{TRIPLES[1]}",
        apply=f"d: ({NATIVE_NAMES}) (builtins.head d.builtDependencies)",
    )
    assert tools_for(c_inside.lock_text()) <= set(deps), deps


def test_dev_shell_gets_the_tools(project: Path) -> None:
    names = native_names(project, f"devShells.{HOST}.default")
    assert tools_for(c_inside.lock_text()) <= set(names), names


def test_a_crate_without_c_gets_no_tools(plain_project: Path) -> None:
    every_tool = {tool for entry in CATALOG["build_tools"].values() for tool in entry["tools"]}
    for attr in ["default", *TRIPLES]:
        names = native_names(plain_project, f"packages.{HOST}.{attr}")
        assert every_tool.isdisjoint(names), (attr, names)


def test_cross_builds_leave_out_naersks_host_openssl(project: Path) -> None:
    """naersk's crate-specific overrides add the build machine's OpenSSL and pkg-config for
    openssl-sys: the target builds switch them off (of no use to another platform), the
    host's own build keeps them."""
    libraries = nixenv.eval_json(
        project,
        f"packages.{HOST}",
        apply="p: builtins.mapAttrs (_: d: map (x: x.pname or x.name) (d.buildInputs or [ ])) p",
    )
    assert "openssl" in libraries["default"], libraries
    assert all("openssl" not in libraries[triple] for triple in TRIPLES), libraries


def system_openssl_lock() -> str:
    """The test crate's lock as if `openssl` lost its `vendored` feature: no openssl-src."""
    lock = c_inside.lock_text()
    lock, removed = re.subn(r'\[\[package\]\]\nname = "openssl-src"\n(?:.+\n)+\n', "", lock)
    assert removed == 1
    lock, removed = re.subn(r' "openssl-src",\n', "", lock)
    assert removed == 1
    return lock


@pytest.fixture(scope="module")
def system_openssl_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = generate(tmp_path_factory.mktemp("openssl-eval") / c_inside.CRATE, ANSWERS)
    c_inside.give_c_dependencies(path)
    (path / "Cargo.lock").write_text(system_openssl_lock(), encoding="utf-8")
    return track(path)


def test_system_openssl_for_another_platform_stops_with_the_fix(
    system_openssl_project: Path,
) -> None:
    for triple in TRIPLES:
        with pytest.raises(nixenv.NixError) as failed:
            nixenv.eval_json(
                system_openssl_project, f"packages.{HOST}.{triple}", apply="d: d.drvPath"
            )
        message = " ".join(failed.value.stderr.split())
        assert f"needs an OpenSSL built for {triple}" in message, message
        assert 'features = ["vendored"]' in message, message
        assert f"perTarget.{triple}.env.OPENSSL_DIR" in message, message
    # The host's own build links nixpkgs' OpenSSL (naersk's overrides): nothing to stop.
    nixenv.eval_json(system_openssl_project, f"packages.{HOST}.default", apply="d: d.drvPath")


def test_an_openssl_of_the_targets_own_lets_it_evaluate(system_openssl_project: Path) -> None:
    local = system_openssl_project / "nix" / "local.nix"
    text = local.read_text(encoding="utf-8")
    own = 'perTarget = {\n    aarch64-unknown-linux-musl.env.OPENSSL_DIR = "/opt/openssl";\n'
    local.write_text(text.replace("perTarget = {\n", own, 1), encoding="utf-8")
    try:
        path = nixenv.eval_json(
            system_openssl_project, f"packages.{HOST}.{TRIPLES[1]}", apply="d: d.drvPath"
        )
        assert path.endswith(".drv")
    finally:
        local.write_text(text, encoding="utf-8")
