# nix/checks.nix: crossflake's, rewritten by `copier update`. `nix flake check`: formatting,
# lints, the host's tests, every package builds (nix/local.nix's `packages` too), and the tests
# of every target this host runs, through the runner `nix run` uses. Build inputs and variables
# of your own (nix/local.nix) reach these builds as they reach the packages.
{
  lib,
  packages,
  hostNaersk,
  hostArgs,
  buildable,
  crossTest,
  builderRunnerVariables,
}:
let
  # `test-<triple>`: the crate's tests built for that target and run by cargo
  # through its runner (nix/runners.nix), natively or under its emulator, for
  # each target this host builds and can run inside a Nix build. None for the
  # targets this host cannot run (macOS on Linux, Linux on macOS, Windows where
  # nixpkgs has no Wine), nor for gnu targets of other systems whose glibc
  # nixpkgs' cache lacks: their runner finds Debian's glibc in /usr, which a
  # Nix build cannot see (their tests run in `nix develop`).
  crossTests = lib.mapAttrs' (
    triple: runnerVariable: lib.nameValuePair "test-${triple}" (crossTest triple runnerVariable)
  ) (lib.intersectAttrs buildable builderRunnerVariables);
in
packages
// crossTests
// {
  fmt = hostNaersk.buildPackage (hostArgs // { mode = "fmt"; });
  clippy = hostNaersk.buildPackage (hostArgs // { mode = "clippy"; });
  test = hostNaersk.buildPackage (hostArgs // { mode = "test"; });
}
