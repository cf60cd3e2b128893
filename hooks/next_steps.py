"""The message printed after `copier copy`: exact commands for the chosen targets.

It is built from `build_targets`, the per-target facts copier.yml resolved from
the catalog, so the commands shown are the ones the generated flake and
`.cargo/config.toml` really accept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def artifact_name(crate: str, family: str) -> str:
    """File name of the built program for a target family."""
    return crate + {"windows": ".exe", "wasm": ".wasm"}.get(family, "")


def run_command(crate: str, target: dict[str, Any]) -> str:
    """How to run the program `nix build .#<triple>` produced."""
    program = f"result/bin/{artifact_name(crate, target['family'])}"
    if target["family"] == "darwin":
        return f"./{program}   (on macOS)"
    if target["glibc"]:
        return f"QEMU_LD_PREFIX=<{target['id']} glibc root> {target['runner']} {program}"
    return f"{target['runner']} {program}"


def next_steps(project: Path, build_targets: list[dict[str, Any]], crate: str) -> str:
    """The whole message, one block per concern, aligned for reading."""
    width = max(len(target["triple"]) for target in build_targets)
    build_lines = []
    test_lines = []
    for target in build_targets:
        build = f"nix build .#{target['triple']}".ljust(width + 12)
        build_lines.append(f"  {build}  then  {run_command(crate, target)}")
        if target["runner"]:
            # Dynamic glibc binaries need the target's glibc under qemu.
            prefix = f"QEMU_LD_PREFIX=<{target['id']} glibc root> " if target["glibc"] else ""
            test_lines.append(f"  {prefix}cargo-zigbuild test --target {target['triple']}")
    lines = [
        "",
        "Next steps:",
        f"  cd {project}",
        "  nix flake lock      # pin nixpkgs, fenix and naersk (flake.lock: commit it)",
        '  git commit -m "Start from crossflake"   # generated files are already git-added',
        "  nix develop         # toolchain, zig, cargo-zigbuild and the runners",
        "",
        "Build each target, then run it:",
        *build_lines,
    ]
    if test_lines:
        lines += ["", "Run the tests under emulation (inside nix develop):", *test_lines]
    lines += ["", "Check everything: nix flake check", ""]
    return "\n".join(lines)
