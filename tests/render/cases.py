"""Answer sets for the render layer: a matrix that touches every value of every
question at least once, in varied combinations, all of them valid.

Built from the catalog, so a platform added there is rendered here too.
"""

from __future__ import annotations

from itertools import cycle, islice
from typing import Any

from support import CATALOG

ALL_HOSTS = list(CATALOG["hosts"])
ALL_TARGETS = list(CATALOG["targets"])
DARWIN_TARGETS = [t for t, facts in CATALOG["targets"].items() if facts["darwin_hosts_only"]]
PORTABLE_TARGETS = [t for t in ALL_TARGETS if t not in DARWIN_TARGETS]


def first_of_family(family: str) -> str:
    """The catalog's first platform of a family (ids may be renamed; families stay)."""
    return next(t for t, facts in CATALOG["targets"].items() if facts["family"] == family)


WASM = first_of_family("wasm")
WINDOWS = first_of_family("windows")

HOST_SETS = [
    ["x86_64-linux"],
    ["aarch64-linux", "aarch64-darwin"],
    ALL_HOSTS,
    ["x86_64-linux", "aarch64-linux"],
    ["aarch64-darwin"],
]
TARGET_SETS = [
    ["x86_64-linux"],
    PORTABLE_TARGETS,
    ALL_TARGETS,
    [WASM],
    [WINDOWS, "riscv64-linux"],
    ["aarch64-linux", "armv7-linux", "i686-linux"],
]
LINKING = ["static", "dynamic"]
TOOLCHAINS = ["stable", "beta", "nightly", "1.85.0", "1.91.1"]
CRATE_TYPES = ["bin", "lib"]
EDITIONS = list(CATALOG["rust"]["editions"])
GLIBC = ["2.17", "2.28", "2.31"]

MATRIX_SIZE = 16


def _valid(answers: dict[str, Any]) -> dict[str, Any]:
    """Make a combination valid the way a user would: a darwin host for darwin targets,
    nixos-26.05 when x86_64-darwin builds."""
    hosts = answers["hosts"]
    if not any(CATALOG["hosts"][h]["darwin"] for h in hosts):
        answers["targets"] = [t for t in answers["targets"] if t not in DARWIN_TARGETS] or [
            "x86_64-linux"
        ]
    if "x86_64-darwin" in hosts:
        answers["nixpkgs_branch"] = "nixos-26.05"
    # An exact Rust too old for a platform's std (catalog min_rust) leaves it out, as the
    # toolchain question's validator asks a user to.
    if answers["toolchain"][0].isdigit():
        minor = int(answers["toolchain"].split(".")[1])
        answers["targets"] = [
            t for t in answers["targets"] if _min_rust_minor(t, answers["linking"]) <= minor
        ] or ["x86_64-linux"]
    return answers


def _min_rust_minor(target: str, linking: str) -> int:
    """The minor version of the oldest Rust with the target's std for ``linking``, or 0."""
    facts = CATALOG["targets"][target]
    mode = linking if facts["family"] == "linux" else "static"
    oldest = facts[mode].get("min_rust")
    return int(oldest.split(".")[1]) if oldest else 0


def matrix() -> list[dict[str, Any]]:
    """MATRIX_SIZE answer sets; each dimension cycles with its own period, so the
    combinations vary and every value appears."""
    dimensions = {
        "hosts": HOST_SETS,
        "targets": TARGET_SETS,
        "linking": LINKING,
        "toolchain": TOOLCHAINS,
        "crate_type": CRATE_TYPES,
        "edition": EDITIONS,
        "glibc": GLIBC,
    }
    columns = {
        name: list(islice(cycle(values), MATRIX_SIZE)) for name, values in dimensions.items()
    }
    cases = []
    for row in range(MATRIX_SIZE):
        answers = {name: column[row] for name, column in columns.items()}
        answers["crate_name"] = f"matrix-crate-{row}"
        cases.append(_valid(answers))
    return cases


def case_id(answers: dict[str, Any]) -> str:
    """A readable pytest id for an answer set."""
    targets = "+".join(answers["targets"]) if len(answers["targets"]) < 4 else "many"
    hosts = "+".join(h.split("-")[0][:3] + h.split("-")[1][0] for h in answers["hosts"])
    return (
        f"{answers['crate_type']}-{answers['edition']}-{answers['toolchain']}-"
        f"{answers['linking']}-{hosts}-{targets}"
    )
