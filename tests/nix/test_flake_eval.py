"""Rung 1 (eval with stubs): generated flakes evaluate offline, and hand naersk and fenix the
right arguments, for a matrix of answer sets (tests/nix/flake_cases.py).

Each project is rendered once per module, tracked with git (flakes see only tracked files) and
evaluated with `--offline --override-input` to our stub nixpkgs/fenix/naersk (tests/nix/stubs),
always with `allow-import-from-derivation = false`. The assertions read the derivations Nix
instantiated (`nix show-derivation`), not the text of flake.nix:

- `nix flake show` and `nix flake check --no-build` pass;
- `packages.<host>` is exactly `default` plus the feasible triples (darwin triples only on
  darwin hosts), computed from the catalog's resolver; checks are those packages plus fmt,
  clippy, test and a `test-<triple>` for each target the host builds and can run inside a
  Nix build (the catalog's `runner_hosts`, its own system, and for a gnu target of another
  system a glibc nixpkgs' cache has); every host has a dev shell and a formatter;
- every cross package and its `-deps` derivation run `cargo ... zigbuild` with
  `--target <cargo_target>` (gnu: the glibc floor), export writable cache dirs and ZIG_LIB_DIR
  before building, and musl builds carry `+crt-static` in RUSTFLAGS;
- no derivation in any package's closure sets a linker or uses a cross C toolchain;
- the toolchain is the asked channel, or for an exact version comes from the `rust-manifest`
  input through fenix's `fromManifestFile` (the stub really parses the manifest file).

What the stubs do NOT prove: that real nixpkgs/fenix/naersk accept these arguments (their
interfaces are modelled from upstream source, not run), that the real channel data has each
target's rust-std, that anything builds (see test_flake_build.py), or that darwin hosts work.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flake_outputs
import nixenv
import pytest
import store_derivations
from flake_cases import EVAL_CASES, answers_of
from flake_projects import generate
from store_derivations import Derivation
from support import CATALOG

pytestmark = pytest.mark.nix

CACHE_VARIABLES = (
    "HOME",
    "XDG_CACHE_HOME",
    "CARGO_ZIGBUILD_CACHE_DIR",
    "ZIG_GLOBAL_CACHE_DIR",
    "ZIG_LOCAL_CACHE_DIR",
)
"""What cargo-zigbuild and zig write to; all must point inside the build's own directory."""

ZIG_RUNTIME_LIB = re.compile(r"^/nix/store/[0-9a-z]{32}-zig-runtime-(?P<triple>[^/]+)/lib$")
"""ZIG_LIB_DIR of the packages: the lib dir of their target's zigRuntime derivation (read-only,
it already holds what cargo-zigbuild adds), one store path that zig's cache hashes agree on."""

WRITABLE_ROOTS = ("$TMPDIR", "${TMPDIR}", "$NIX_BUILD_TOP", "${NIX_BUILD_TOP}", "$PWD", "${PWD}")

MANIFEST_DATE = "2031-03-04"
"""Date of the fake channel manifest: no synthetic fenix channel uses it, so seeing it in the
toolchain proves the manifest file was read."""

CHANNEL_SUFFIX = {"stable": "-stable", "beta": "-beta", "nightly": "-nightly-latest"}
"""fenix stub component suffix per channel answer (nightly is fenix's `latest`)."""

LINKER_KEY = re.compile(r"^(CARGO_TARGET_\w+_LINKER|linker|LINKER)$")
LINKER_TEXT = re.compile(r"CARGO_TARGET_\w+_LINKER|-C\s*linker=|\blinker\s*=|pkgsCross")


@dataclass
class Evaluated:
    """A rendered, tracked project and what Nix said about it (cached per module)."""

    name: str
    project: Path
    answers: dict[str, Any]
    overrides: dict[str, Any]
    show: dict[str, Any]
    _derivations: dict[str, tuple[dict[str, str], dict[str, Derivation]]] = field(
        default_factory=dict
    )

    def derivations(self, host: str) -> tuple[dict[str, str], dict[str, Derivation]]:
        """Package name -> .drv path, and every derivation of their closures, for one host."""
        if host not in self._derivations:
            drv_paths = store_derivations.package_drv_paths(self.project, host, **self.overrides)
            self._derivations[host] = (drv_paths, store_derivations.show(drv_paths.values()))
        return self._derivations[host]


@pytest.fixture(scope="module", params=sorted(EVAL_CASES))
def evaluated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Evaluated:
    """Render the case, track it, and run `nix flake show` once."""
    name = request.param
    answers = answers_of(name)
    folder = tmp_path_factory.mktemp(name)
    project = generate(folder / "project", answers)
    overrides: dict[str, Any] = {}
    if flake_outputs.is_exact(answers):
        overrides["rust_manifest"] = nixenv.write_channel_manifest(
            folder / f"channel-rust-{answers['toolchain']}.toml",
            version=answers["toolchain"],
            date=MANIFEST_DATE,
        )
    return Evaluated(name, project, answers, overrides, nixenv.flake_show(project, **overrides))


def hosts_of(evaluated: Evaluated) -> list[str]:
    """The hosts the case asked for."""
    return list(evaluated.answers["hosts"])


def test_flake_check_no_build_passes_offline_without_ifd(evaluated: Evaluated) -> None:
    # flake_check adds --offline and allow-import-from-derivation=false; it raises on failure.
    nixenv.flake_check(evaluated.project, **evaluated.overrides)


def test_outputs_exist_for_exactly_the_chosen_hosts(evaluated: Evaluated) -> None:
    for output in ("packages", "devShells", "checks", "formatter"):
        assert set(evaluated.show[output]) == set(hosts_of(evaluated)), output


def test_packages_are_default_plus_the_feasible_triples(evaluated: Evaluated) -> None:
    for host in hosts_of(evaluated):
        expected = flake_outputs.package_names(host, evaluated.answers)
        assert set(evaluated.show["packages"][host]) == expected, host


def test_every_host_has_dev_shell_checks_and_formatter(evaluated: Evaluated) -> None:
    for host in hosts_of(evaluated):
        packages = set(evaluated.show["packages"][host])
        tests = flake_outputs.cross_test_names(host, evaluated.answers)
        expected = packages | flake_outputs.CHECK_NAMES | tests
        assert set(evaluated.show["checks"][host]) == expected, host
        assert evaluated.show["devShells"][host]["default"]["type"] == "derivation", host
        assert evaluated.show["formatter"][host]["type"] == "derivation", host


def documented_test_hosts(project: Path) -> dict[str, set[str]]:
    """PLATFORMS.md's list of where `nix flake check` runs each target's tests: triple ->
    the hosts it names ("none" names none)."""
    text = (project / "PLATFORMS.md").read_text(encoding="utf-8")
    section = text[text.index("(`checks.<system>.test-<rust-target>`)") :].split("\n## ")[0]
    found = {}
    for triple, hosts in re.findall(r"^- `([^`]+)`: ([^:;.]+)", section, re.MULTILINE):
        found[triple] = set() if hosts == "none" else set(hosts.split(", "))
    return found


def test_platforms_md_says_where_each_targets_tests_run(evaluated: Evaluated) -> None:
    """The generated docs name, for every target, exactly the hosts whose flake has its
    `test-<triple>` check."""
    expected: dict[str, set[str]] = {
        p.triple: set() for p in flake_outputs.cross_packages(evaluated.answers)
    }
    for host in hosts_of(evaluated):
        for name in evaluated.show["checks"][host]:
            if name.startswith("test-"):
                expected[name.removeprefix("test-")].add(host)
    assert documented_test_hosts(evaluated.project) == expected


def exports(script: str) -> dict[str, str]:
    """`export NAME=VALUE` lines of a shell snippet, values unquoted (not expanded)."""
    found = {}
    for line in script.splitlines():
        match = re.match(r"\s*export\s+(\w+)=(.*)$", line)
        if match:
            found[match.group(1)] = shlex.split(match.group(2))[0] if match.group(2) else ""
    return found


def assert_zigbuild(derivation: Derivation, package: flake_outputs.CrossPackage) -> None:
    """The derivation builds with `cargo zigbuild --target <cargo_target>` in a writable setup;
    a target cargo-zigbuild refuses (zigbuild false) with naersk's plain `cargo build` and
    `--target`, and nothing of zig."""
    env = derivation.env
    where = f"{package.triple}: {derivation.name} ({derivation.path})"
    options = shlex.split(env.get("cargo_build_options", ""))
    targets = [options[i + 1] for i, o in enumerate(options[:-1]) if o == "--target"]
    assert targets == [package.cargo_target], where
    if not package.zigbuild:
        assert "zig" not in env.get("buildPhase", "") + env.get("preBuild", ""), where
        assert not re.search(r"-zig-\d|cargo-zigbuild", env.get("nativeBuildInputs", "")), where
        assert "+crt-static" not in env.get("RUSTFLAGS", ""), where
        return
    assert re.search(r"\bcargo\b[^\n]*\bzigbuild\b", env.get("buildPhase", "")), where
    exported = exports(env.get("preBuild", ""))
    for variable in CACHE_VARIABLES:
        assert variable in exported, f"{where}: preBuild does not export {variable}"
        assert exported[variable].startswith(WRITABLE_ROOTS), (
            f"{where}: {variable}={exported[variable]} is not inside the build directory"
        )
    zig_lib = exported.get("ZIG_LIB_DIR", "")
    lib_dir = ZIG_RUNTIME_LIB.match(zig_lib)
    assert lib_dir and lib_dir["triple"] == package.triple, f"{where}: ZIG_LIB_DIR={zig_lib}"
    # The compiler and linker variables: zigRuntime's copies of cargo-zigbuild's wrappers,
    # one store path for both naersk derivations (zig-runtime.nix says why).
    sourced = re.findall(r"^\s*source (\S+)$", env.get("preBuild", ""), re.MULTILINE)
    runtime = zig_lib.removesuffix("/lib")
    assert sourced == [f"{runtime}/wrappers.sh"], f"{where}: preBuild sources {sourced}"
    rustflags = env.get("RUSTFLAGS", "")
    assert ("+crt-static" in rustflags) == package.musl, f"{where}: RUSTFLAGS={rustflags!r}"


def test_cross_packages_and_their_deps_run_zigbuild_for_their_target(evaluated: Evaluated) -> None:
    for host in hosts_of(evaluated):
        drv_paths, known = evaluated.derivations(host)
        for package in flake_outputs.buildable_on(host, evaluated.answers):
            crate = known[drv_paths[package.triple]]
            assert_zigbuild(crate, package)
            assert_zigbuild(store_derivations.deps_of(crate, known), package)


def test_default_package_is_a_plain_host_build(evaluated: Evaluated) -> None:
    for host in hosts_of(evaluated):
        drv_paths, known = evaluated.derivations(host)
        default = known[drv_paths["default"]]
        assert "zigbuild" not in default.env.get("buildPhase", ""), host
        assert "--target" not in default.env.get("cargo_build_options", ""), host


def test_no_derivation_sets_a_linker_or_uses_a_cross_toolchain(evaluated: Evaluated) -> None:
    """A linker set anywhere would switch zig off (cargo-zigbuild keeps a linker already
    set). The one the packages get is set at build time by zigRuntime's wrappers.sh, the
    variables cargo-zigbuild itself wrote for its zig wrapper (assert_zigbuild checks the
    packages source it; tests/nix/test_c_dependencies_build.py proves what it is for)."""
    for host in hosts_of(evaluated):
        _, known = evaluated.derivations(host)
        for derivation in known.values():
            for key, value in derivation.env.items():
                assert not LINKER_KEY.match(key), f"{derivation.path} sets {key}"
                assert not LINKER_TEXT.search(value), f"{derivation.path}: {key} = {value[:300]}"


def toolchain_components(evaluated: Evaluated, attribute: str) -> list[dict[str, Any]]:
    """The fenix components of the toolchain behind a package (via its naersk)."""
    return nixenv.eval_json(
        evaluated.project, f"{attribute}.naerskStub.cargo.stubComponents", **evaluated.overrides
    )


def std_targets(components: list[dict[str, Any]]) -> set[str]:
    return {c["target"] for c in components if c["name"] == "rust-std"}


def test_toolchain_is_the_chosen_channel_or_the_manifest(evaluated: Evaluated) -> None:
    """Every toolchain comes from the answer's channel (or the pinned manifest), and
    each holds only what it needs: a cross package its own target's standard
    library (so adding a target rebuilds nothing else), `default` none beyond the
    host's, the dev shell every target's plus rust-src and rust-analyzer."""
    toolchain = evaluated.answers["toolchain"]
    for host in hosts_of(evaluated):
        host_components = toolchain_components(evaluated, f"packages.{host}.default")
        host_std = std_targets(host_components)
        assert len(host_std) == 1, f"{host}: default carries only the host's std"
        for package in flake_outputs.buildable_on(host, evaluated.answers):
            components = toolchain_components(evaluated, f"packages.{host}.{package.triple}")
            assert std_targets(components) == host_std | set(package.std_triples), package.triple
        shell_packages = nixenv.eval_json(
            evaluated.project,
            f"devShells.{host}.default.stubShellPackages",
            apply="ps: (builtins.head ps).stubComponents",
            **evaluated.overrides,
        )
        chosen = {t for p in flake_outputs.cross_packages(evaluated.answers) for t in p.std_triples}
        assert chosen <= std_targets(shell_packages), host
        shell_names = {c["name"] for c in shell_packages}
        assert "rust-src" in shell_names, host
        # The manifest calls it rust-analyzer-preview; fenix aliases both names.
        assert shell_names & {"rust-analyzer", "rust-analyzer-preview"}, host
        for components in (host_components, shell_packages):
            if flake_outputs.is_exact(evaluated.answers):
                assert {c["version"] for c in components} == {toolchain}, host
                assert {c["date"] for c in components} == {MANIFEST_DATE}, host
            else:
                assert {c["channel"] for c in components} == {CHANNEL_SUFFIX[toolchain]}, host
            assert {"cargo", "rustc", "rust-std"} <= {c["name"] for c in components}, host


def test_stub_nixpkgs_has_no_pkgs_cross() -> None:
    """Using pkgsCross anywhere would fail evaluation: the stub does not provide it."""
    proc = nixenv.run_nix(
        [
            "eval",
            "--json",
            f"path:{nixenv.STUBS_DIR / 'nixpkgs'}#legacyPackages.x86_64-linux",
            "--apply",
            "pkgs: pkgs ? pkgsCross",
        ],
        cwd="/",
    )
    assert proc.stdout.strip() == "false"


HOST_TRIPLES = {
    "x86_64-linux": "x86_64-unknown-linux-gnu",
    "aarch64-linux": "aarch64-unknown-linux-gnu",
    "x86_64-darwin": "x86_64-apple-darwin",
    "aarch64-darwin": "aarch64-apple-darwin",
}


EXACT_CASES = sorted(name for name in EVAL_CASES if flake_outputs.is_exact(answers_of(name)))


@pytest.mark.parametrize("case", EXACT_CASES)
def test_exact_toolchain_fails_when_the_manifest_lacks_a_target_std(
    case: str, tmp_path: Path
) -> None:
    """The exact toolchain really comes from the manifest file: take a target's std out of it
    and evaluation fails (no silent fallback to a channel)."""
    answers = answers_of(case)
    project = generate(tmp_path / "project", answers)
    host = next(iter(answers["hosts"]))
    host_triple = HOST_TRIPLES[host]
    missing = next(
        p.triple for p in flake_outputs.buildable_on(host, answers) if p.triple != host_triple
    )
    manifest = nixenv.write_channel_manifest(
        tmp_path / "channel.toml",
        version=answers["toolchain"],
        host_triples=(host_triple,),
        std_triples=(),
    )
    with pytest.raises(nixenv.NixError) as failure:
        nixenv.eval_json(project, f"packages.{host}.{missing}.drvPath", rust_manifest=manifest)
    assert "rust-std" in failure.value.stderr, failure.value.stderr[-2000:]


def test_catalog_claims_what_rung_3_builds() -> None:
    """The README's "Proven here" column comes from the catalog's `proven.rung3`: `build`
    exactly for the platforms a test here builds with `nix build` (test_flake_build's
    project with Rust 1.63, the newest Rust's WEB_BUILD_CASES), `eval` for the others."""
    from flake_cases import WEB_BUILD_CASES
    from test_flake_build import ANSWERS

    built = set(ANSWERS["targets"])
    built |= {pid for answers in WEB_BUILD_CASES.values() for pid in answers["targets"]}
    for pid, platform in CATALOG["targets"].items():
        assert platform["proven"]["rung3"] == ("build" if pid in built else "eval"), pid
