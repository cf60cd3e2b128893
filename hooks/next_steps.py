"""The message printed after `copier copy`: exact commands for the chosen targets.

It is built from `build_targets`, the per-target facts copier.yml resolved from
the catalog, so the commands shown are the ones the generated flake and
`.cargo/config.toml` really accept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crate_layout import ManifestError, built_programs


def crate_programs(project: Path, answers: dict[str, Any]) -> list[str]:
    """The programs `nix build` puts in result/bin, as cargo sees them.

    A fresh crate has the one its answers describe; an adopted one is asked
    (crate_layout.built_programs). An unreadable manifest falls back to the
    answers: the adopt check has already said what is wrong with it.
    """
    try:
        programs = built_programs(project)
    except ManifestError:
        return [answers["crate_name"]] if answers.get("crate_type") == "bin" else []
    # A package's own binary (src/main.rs) first: the run commands name it.
    return sorted(programs.binaries, key=lambda name: (name not in programs.packages, name))


def artifact_name(program: str, family: str) -> str:
    """File name of the built program for a target family."""
    return program + {"windows": ".exe", "wasm": ".wasm"}.get(family, "")


def run_command(program: str, target: dict[str, Any]) -> str:
    """How to run the program `nix build .#<triple>` produced."""
    path = f"result/bin/{artifact_name(program, target['family'])}"
    if target["family"] == "darwin":
        return f"./{path}   (on macOS)"
    if target["glibc"]:
        return f"QEMU_LD_PREFIX=<{target['id']} glibc root> {target['runner']} {path}"
    return f"{target['runner']} {path}"


def next_steps(project: Path, build_targets: list[dict[str, Any]], programs: list[str]) -> str:
    """The whole message, one block per concern, aligned for reading.

    Run commands name the first program; the others are listed above them. A
    library gets its compile check and its tests instead.
    """
    width = max(len(target["triple"]) for target in build_targets)
    build_lines = []
    test_lines = []
    for target in build_targets:
        build = f"nix build .#{target['triple']}".ljust(width + 12)
        if programs:
            build_lines.append(f"  {build}  then  {run_command(programs[0], target)}")
        else:
            build_lines.append(f"  {build}  (a library: proves it builds for this platform)")
        if target["runner"]:
            # Dynamic glibc binaries need the target's glibc under qemu.
            prefix = f"QEMU_LD_PREFIX=<{target['id']} glibc root> " if target["glibc"] else ""
            test_lines.append(f"  {prefix}cargo-zigbuild test --target {target['triple']}")
    if len(programs) > 1:
        heading = f"Build each target, then run it (result/bin holds {', '.join(programs)}):"
    elif programs:
        heading = "Build each target, then run it:"
    else:
        heading = "Build each target (no program to run: the crate builds no binary):"
    lines = [
        "",
        "Next steps:",
        f"  cd {project}",
        "  nix flake lock      # pin nixpkgs, fenix and naersk (flake.lock: commit it)",
        '  git commit -m "Start from crossflake"   # generated files are already git-added',
        "  nix develop         # toolchain, zig, cargo-zigbuild and the runners",
        "",
        heading,
        *build_lines,
    ]
    if test_lines:
        lines += ["", "Run the tests under emulation (inside nix develop):", *test_lines]
    lines += ["", "Check everything: nix flake check", ""]
    return "\n".join(lines)
