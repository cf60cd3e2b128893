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
  buildTools,
  emulators,
  runnerVariables,
  ownCargoConfig,
  local,
}:
let
  # Beside a .cargo/config.toml of the crate's own, crossflake's settings are in
  # .cargo/crossflake.toml, which cargo does not read by itself: its rustflags reach
  # cargo here as CARGO_TARGET_<TRIPLE>_RUSTFLAGS (joined with that config's own).
  rustflagsVariables = lib.optionalAttrs ownCargoConfig (
    lib.mapAttrs' (
      triple: target:
      lib.nameValuePair "CARGO_TARGET_${
        lib.toUpper (builtins.replaceStrings [ "-" ] [ "_" ] triple)
      }_RUSTFLAGS" (lib.concatStringsSep " " target.rustflags)
    ) (lib.filterAttrs (_: target: target.rustflags != [ ]) targets)
  );

  # Every target's standard library, plus what editors want.
  devToolchain = rustToolchain system [
    "cargo"
    "rustc"
    "rustfmt"
    "clippy"
    "rust-src"
    "rust-analyzer"
  ] (lib.unique (lib.concatMap (target: target.stdTriples) (lib.attrValues targets)));
in
pkgs.mkShell (
  {
    packages = [
      devToolchain
      pkgs.zig
      pkgs.cargo-zigbuild
    ]
    # The emulators .cargo/config.toml (or crossflake.toml) names, for use by hand.
    ++ emulators
    # What the build scripts in Cargo.lock run (nix/build-tools.nix).
    ++ buildTools.tools
    ++ local.nativeBuildInputs
    ++ local.devShellPackages;
    # `cargo-zigbuild run` and `test --target <triple>` need no setting.
    env = runnerVariables // rustflagsVariables // local.env // local.devShellEnv;
  }
  // lib.optionalAttrs (local.buildInputs != [ ]) { inherit (local) buildInputs; }
)
