# nix/read-local.nix: crossflake's, rewritten by `copier update`. Reads your nix/local.nix for
# the other files: calls it, refuses a setting or target it does not know (a typo would
# otherwise do nothing), and fills in what it leaves out. Your settings go in nix/local.nix,
# not here.
{
  lib,
  pkgs,
  system,
  inputs,
  targets,
}:
let
  file = ./local.nix;
  # A deleted nix/local.nix is an empty one.
  given =
    if builtins.pathExists file then
      import file {
        inherit
          lib
          pkgs
          system
          inputs
          targets
          ;
      }
    else
      { };
  defaults = {
    nativeBuildInputs = [ ];
    buildInputs = [ ];
    env = { };
    cargoBuildOptions = [ ];
    packages = { };
    devShellPackages = [ ];
    devShellEnv = { };
    perTarget = { };
  };
  targetDefaults = {
    nativeBuildInputs = [ ];
    buildInputs = [ ];
    env = { };
  };
  # A message for each name of `given` that `known` lacks: what is wrong, and the names allowed.
  refused =
    what: known: given:
    map (name: "nix/local.nix: ${what name}; use one of: ${lib.concatStringsSep ", " known}.") (
      lib.subtractLists known (lib.attrNames given)
    );
  perTarget = given.perTarget or { };
  problems =
    refused (name: "unknown setting `${name}`") (lib.attrNames defaults) given
    ++ refused (name: "perTarget.${name}: not a target of this flake (nix/targets.nix)") (
      lib.attrNames targets
    ) perTarget
    ++ builtins.concatLists (
      lib.mapAttrsToList (
        triple: own:
        refused (name: "unknown setting `perTarget.${triple}.${name}`") (
          lib.attrNames targetDefaults
        ) own
      ) perTarget
    );
  settings = if problems == [ ] then defaults // given else throw (lib.concatLines problems);
in
settings
// {
  # `perTarget.<triple>` with every setting filled in.
  targetSettings = triple: targetDefaults // settings.perTarget.${triple} or { };
}
