"""A stand-in for nixpkgs' zig in the read-only Nix store, and a user to run it as.

cargo-zigbuild writes glibc's arm-features.h into zig's lib dir on armv7
builds; in the Nix store that dir is read-only. To show what happens there
without Nix, this builds `<base>/nix/store/<hash>-zig-<version>/{bin/zig,lib/zig}`
(the nixpkgs layout, so zig finds its lib dir next to its binary) as
root-owned, read-only directories of hard links to the machine's zig, minus
the arm-features.h the machine setup pre-seeded, and runs commands as a
non-root user: root ignores permissions and would hide the failure.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import cross_harness as harness
import machine_cache

TEST_USER = "crossflake-test"
# The file cargo-zigbuild adds for arm gnu targets, relative to zig's lib dir.
ARM_FEATURES_H = "libc/glibc/sysdeps/arm/arm-features.h"
FAKE_HASH = "0" * 32


def zig_env_paths() -> tuple[Path, Path]:
    """The machine zig's executable and lib dir, as `zig env` reports them."""
    env = {"PATH": harness.PATH, "HOME": os.environ.get("HOME", "/root")}
    text = subprocess.run(
        ["zig", "env"], env=env, capture_output=True, text=True, check=True
    ).stdout
    found = dict(re.findall(r'\.?"?(zig_exe|lib_dir)"?\s*[:=]\s*"([^"]+)"', text))
    return Path(found["zig_exe"]).resolve(), Path(found["lib_dir"]).resolve()


def make_fake_zig_store(base: Path) -> Path:
    """`<base>/nix/store/<hash>-zig-<v>`: read-only for everyone but root.

    Hard links keep it cheap (same file system as the machine's zig) and
    leave the original files untouched: only the new directories are made
    read-only, which is what stops a non-root user creating files.
    """
    zig_exe, lib_dir = zig_env_paths()
    version = subprocess.run(
        [str(zig_exe), "version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    store = base / "nix" / "store" / f"{FAKE_HASH}-zig-{version}"
    (store / "bin").mkdir(parents=True)
    os.link(zig_exe, store / "bin" / "zig")
    seeded = lib_dir / ARM_FEATURES_H

    def skip_seeded(folder: str, names: list[str]) -> list[str]:
        return [name for name in names if Path(folder, name) == seeded]

    shutil.copytree(lib_dir, store / "lib" / "zig", copy_function=os.link, ignore=skip_seeded)
    for folder, _dirs, _files in os.walk(store):
        os.chmod(folder, 0o555)
    return store


def machine_fake_zig_store() -> Path:
    """The fake store path, made once per machine and zig (tests/machine_cache.py).

    It must outlive the session: a zig runtime the tests keep (kept_zig_runtime) links
    into it, as a store path's runtime links into its zig. Nothing ever writes there:
    its folders are read-only, and only the test user runs builds against it.
    """
    zig_exe, lib_dir = zig_env_paths()
    version = subprocess.run(
        [str(zig_exe), "version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    key = machine_cache.digest(version, str(zig_exe), str(lib_dir), "fake-store-1")
    entry = machine_cache.MACHINE.entry("fake-zig-store", key, make_fake_zig_store)
    return next((entry / "nix" / "store").iterdir())


def release_fake_store(base: Path) -> None:
    """Make the read-only tree removable again (for rmtree at teardown)."""
    for folder, _dirs, _files in os.walk(base):
        os.chmod(folder, 0o755)


def user_exists() -> bool:
    """True when the non-root test user is on this machine."""
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        return False
    return True


def give_to_user(path: Path) -> None:
    """chown -R path to the test user, so it can write there."""
    entry = pwd.getpwnam(TEST_USER)
    subprocess.run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(path)], check=True)


def run_as_user(script: str, *, cwd: Path, env: dict[str, str], timeout: float) -> harness.Timed:
    """Run a bash script as the test user with exactly this environment."""
    assignments = [f"{key}={value}" for key, value in env.items()]
    argv = ["runuser", "-u", TEST_USER, "--", "env", "-i", *assignments, "bash", "-c", script]
    return harness.run(argv, cwd=cwd, env={"PATH": harness.PATH}, timeout=timeout)


def nix_string(flake_text: str, opening: str) -> str:
    """The dedented body of the first `'' ... '';` string after `opening` in a Nix file."""
    match = re.search(re.escape(opening) + r".*?''\n(.*?)\n\s*'';", flake_text, re.S)
    assert match, f"nix/zig-runtime.nix has no string after {opening!r}"
    return textwrap.dedent(match.group(1))


def zig_runtime_scripts(flake_text: str) -> tuple[str, str]:
    """The generated flake's two zig scripts as bash, Nix interpolations left in:
    zigRuntime's build (the lib dir and cache, made once per target) and
    zigBuildSetup (what both naersk derivations run before `cargo zigbuild`),
    each with zigBuildEnv (the writable HOME and caches) put in."""
    environment = nix_string(flake_text, "zigBuildEnv = ")
    runtime = nix_string(flake_text, "zigRuntime =").replace("${zigBuildEnv}", environment)
    setup = nix_string(flake_text, "zigBuildSetup = runtime:").replace(
        "${zigBuildEnv}", environment
    )
    return runtime, setup
