# nix/dev-shell.nix: crossflake's, rewritten by `copier update`. `nix develop` (or direnv with
# .envrc): Rust with every target's standard library and what editors want, zig,
# cargo-zigbuild, the emulators, and cargo's runners, so `cargo-zigbuild run` and `test
# --target <triple>` need no setting. Tools, libraries and variables of your own go in
# nix/local.nix (`devShellPackages`, `devShellEnv`, `nativeBuildInputs`,
# `buildInputs`, `env`).
{
  lib,
  pkgs,
  system,
  targets,
  rustToolchain,
  emulators,
  runnerVariables,
  local,
}:
let
  # Every target's standard library, plus what editors want.
  devToolchain = rustToolchain system [
    "cargo"
    "rustc"
    "rustfmt"
    "clippy"
    "rust-src"
    "rust-analyzer"
  ] (builtins.attrNames targets);
in
pkgs.mkShell (
  {
    packages = [
      devToolchain
      pkgs.zig
      pkgs.cargo-zigbuild
    ]
    # The emulators .cargo/config.toml names, for use by hand.
    ++ emulators
    ++ local.nativeBuildInputs
    ++ local.devShellPackages;
    # `cargo-zigbuild run` and `test --target <triple>` need no setting.
    env = runnerVariables // local.env // local.devShellEnv;
  }
  // lib.optionalAttrs (local.buildInputs != [ ]) { inherit (local) buildInputs; }
)
