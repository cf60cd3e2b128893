"""What a generated flake must output, computed from the answers, the catalog and its resolver.

The flake renders its target table from the same resolver, so these expectations would share a
bug in `catalog/resolve.jinja`; what they catch is the flake itself getting the set of packages,
the `--target` it passes or the linking flags wrong, or building darwin targets on Linux hosts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from support import CATALOG, TEMPLATE_ROOT, resolve_targets

EXACT_CHANNELS = ("stable", "beta", "nightly")
CHECK_NAMES = frozenset({"fmt", "clippy", "test"})
"""Checks every host has besides one check per package and the targets' tests
(cross_test_names)."""


@dataclass(frozen=True)
class CrossPackage:
    """One cross package: its attribute name and what `cargo zigbuild` must receive."""

    triple: str
    cargo_target: str
    musl: bool
    darwin_hosts_only: bool


def cross_packages(answers: dict[str, Any]) -> list[CrossPackage]:
    """Every chosen target, resolved exactly as copier resolves it."""
    return [
        CrossPackage(
            triple=target["triple"],
            cargo_target=target["cargo_target"],
            musl="-musl" in target["triple"],
            darwin_hosts_only=target["darwin_hosts_only"],
        )
        for target in resolve_targets(TEMPLATE_ROOT, answers)
    ]


def buildable_on(host: str, answers: dict[str, Any]) -> list[CrossPackage]:
    """The cross packages a host builds: darwin-only targets need a darwin host."""
    darwin_host = CATALOG["hosts"][host]["darwin"]
    return [p for p in cross_packages(answers) if darwin_host or not p.darwin_hosts_only]


def package_names(host: str, answers: dict[str, Any]) -> set[str]:
    """Exactly the attribute names of `packages.<host>`: `default` plus the feasible triples,
    and `release` (their archives) for a program; a library gets no archives."""
    release = {"release"} if answers.get("crate_type", "bin") == "bin" else set()
    images = {f"{t}-image" for t in image_triples(host, answers)}
    return {"default", *(p.triple for p in buildable_on(host, answers))} | release | images


def image_triples(host: str, answers: dict[str, Any]) -> set[str]:
    """Targets with a container image on ``host``: a program's Linux targets the host builds,
    answer `images` yes (its default), and a glibc the image can hold (static, or gnu with
    nixpkgs' glibc in the public cache)."""
    if answers.get("crate_type", "bin") != "bin" or not answers.get("images", True):
        return set()
    built = {p.triple for p in buildable_on(host, answers)}
    return {
        t["triple"]
        for t in resolve_targets(TEMPLATE_ROOT, answers)
        if t["oci"]
        and t["triple"] in built
        and (t["gnu_libc"] is None or t["gnu_libc"]["nixpkgs_system"])
    }


def is_exact(answers: dict[str, Any]) -> bool:
    """An exact toolchain version (pinned by the `rust-manifest` input), not a channel."""
    return answers.get("toolchain", "stable") not in EXACT_CHANNELS


def runnable_on(host: str, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Resolved targets whose programs ``host`` runs: natively (the target is the host's own
    system) or under the catalog's emulator where ``runner_hosts`` names the host."""
    return [
        target
        for target in resolve_targets(TEMPLATE_ROOT, answers)
        if target["id"] == host or host in target["runner_hosts"]
    ]


def app_names(host: str, answers: dict[str, Any]) -> set[str]:
    """Exactly the attribute names of `apps.<host>`: the targets the host both builds and
    runs, for a program (a library has no apps)."""
    if answers.get("crate_type", "bin") != "bin":
        return set()
    built = {p.triple for p in buildable_on(host, answers)}
    push = {"push-images"} if image_triples(host, answers) and host.endswith("-linux") else set()
    return {t["triple"] for t in runnable_on(host, answers) if t["triple"] in built} | push


def cross_test_names(host: str, answers: dict[str, Any]) -> set[str]:
    """The `test-<triple>` checks of `checks.<host>`: the targets the host builds and runs
    (runnable_on), less the gnu targets of other systems whose glibc nixpkgs' cache lacks
    (catalog `glibc.nixpkgs_system` null): their runner takes Debian's glibc from /usr, which a
    Nix build cannot see."""
    built = {p.triple for p in buildable_on(host, answers)}
    return {
        f"test-{t['triple']}"
        for t in runnable_on(host, answers)
        if t["triple"] in built
        and (t["id"] == host or t["gnu_libc"] is None or t["gnu_libc"]["nixpkgs_system"])
    }


def runner_variable(triple: str) -> str:
    """The environment variable cargo reads a target's runner from (it overrides
    .cargo/config.toml's `runner`)."""
    return f"CARGO_TARGET_{triple.upper().replace('-', '_')}_RUNNER"


def cross_targets(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Every chosen target as the resolver gives it (all catalog facts)."""
    return list(resolve_targets(TEMPLATE_ROOT, answers))
