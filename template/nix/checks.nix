# nix/checks.nix: crossflake's, rewritten by `copier update`. `nix flake check`: formatting,
# lints, tests, and every package builds (nix/local.nix's `packages` too). Build inputs and
# variables of your own (nix/local.nix) reach these builds as they reach the host's package.
{
  packages,
  hostNaersk,
  hostArgs,
}:
packages
// {
  fmt = hostNaersk.buildPackage (hostArgs // { mode = "fmt"; });
  clippy = hostNaersk.buildPackage (hostArgs // { mode = "clippy"; });
  test = hostNaersk.buildPackage (hostArgs // { mode = "test"; });
}
