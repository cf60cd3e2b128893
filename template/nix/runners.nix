# nix/runners.nix: crossflake's, rewritten by `copier update`. How this host runs the programs
# of other platforms: natively, under the catalog's emulator (qemu, Wine, wasmtime), and with
# which glibc. Cargo's runners in the dev shell, `nix run`, the images and the tests of
# `nix flake check` use them. Your own dev-shell tools and variables go in nix/local.nix.
{
  lib,
  pkgs,
  nixpkgs,
  system,
  targets,
}:
let
  # Targets whose programs this host runs: natively (same system) or
  # under the catalog's emulator where nixpkgs has it for this host.
  canRun = target: target.system == system || lib.elem system target.runnerHosts;
  runnable = lib.filterAttrs (_: canRun) targets;
  emulatorOf = target: lib.getAttrFromPath (lib.splitString "." target.emulator) pkgs;
  # A dynamic (gnu) program of another system whose glibc the public cache
  # lacks (armv7l and riscv64 are no Hydra platforms): its runner takes
  # Debian's or Ubuntu's cross glibc from /usr, outside the Nix store.
  usesDistroGlibc =
    target:
    target.glibc != null && target.system != system && target.glibc.nixpkgsSystem == null;

  # A root for QEMU_LD_PREFIX holding nixpkgs' glibc of the target's
  # system, fetched from the public cache (never built: that system's
  # glibc is a native build there). The interpreter is in /lib or /lib64.
  glibcRoot =
    triple: target:
    let
      glibc = nixpkgs.legacyPackages.${target.glibc.nixpkgsSystem}.glibc;
    in
    pkgs.runCommand "${triple}-glibc-root" { } ''
      mkdir "$out"
      ln -s ${glibc}/lib "$out/lib"
      ln -s ${glibc}/lib "$out/lib64"
    '';

  # The body of a target's runner, called as cargo calls one:
  # `RUNNER PROGRAM ARGS...`.
  runnerBody =
    triple: target:
    let
      emulator = lib.getExe' (emulatorOf target) target.runner;
      # Static programs, Windows, WASI and macOS on its own host.
      plain = if target.system == system then ''exec "$@"'' else ''exec ${emulator} "$@"'';
      # Same system, dynamic: the host's glibc loader runs it, because
      # NixOS has no /lib64/ld-linux-* for its interpreter.
      nativeGnu = ''exec ${pkgs.glibc}/lib/${baseNameOf target.glibc.interpreter} "$@"'';
      # Other system, dynamic, and the public cache has its glibc.
      nixGlibc = ''
        export QEMU_LD_PREFIX=${glibcRoot triple target}
        exec ${emulator} "$@"
      '';
      # Other system, dynamic, no glibc in the public cache (only x86_64,
      # aarch64 and i686 are Hydra platforms): Debian's or Ubuntu's cross
      # glibc, or whatever root QEMU_LD_PREFIX names.
      distroGlibc = ''
        export QEMU_LD_PREFIX="''${QEMU_LD_PREFIX:-${target.glibc.debianRoot}}"
        if [ ! -e "$QEMU_LD_PREFIX${target.glibc.interpreter}" ]; then
          echo "${triple}: no glibc for this platform in $QEMU_LD_PREFIX." >&2
          echo "Install ${target.glibc.debianPackage} (Debian, Ubuntu), set" >&2
          echo "QEMU_LD_PREFIX to a ${target.system} glibc root," >&2
          echo "or build the static (musl) target instead." >&2
          exit 127
        fi
        exec ${emulator} "$@"
      '';
    in
    if target.glibc == null then
      plain
    else if target.system == system then
      nativeGnu
    else if usesDistroGlibc target then
      distroGlibc
    else
      nixGlibc;
  runners = lib.mapAttrs (
    triple: target: pkgs.writeShellScript "run-${triple}" (runnerBody triple target)
  ) runnable;

  # CARGO_TARGET_<TRIPLE>_RUNNER = the target's runner.
  runnerVariable =
    triple: runner:
    lib.nameValuePair "CARGO_TARGET_${
      lib.toUpper (builtins.replaceStrings [ "-" ] [ "_" ] triple)
    }_RUNNER" "${runner}";
in
{
  inherit glibcRoot runners;

  # The emulators .cargo/config.toml names, for use by hand in the dev shell.
  emulators = lib.unique (
    map emulatorOf (
      lib.filter (target: target.emulator != null && lib.elem system target.runnerHosts) (
        lib.attrValues targets
      )
    )
  );

  # CARGO_TARGET_<TRIPLE>_RUNNER for the dev shell: it overrides the
  # plain runner names of .cargo/config.toml, which stay for users
  # outside Nix.
  runnerVariables = lib.mapAttrs' runnerVariable runners;

  # By target, its runner variable where the runner needs nothing outside the
  # Nix store, so that it works inside a Nix build too: there `nix flake check`
  # runs the target's tests through it (nix/checks.nix). Left out: the gnu
  # targets that look for Debian's glibc in /usr, which a build cannot see.
  builderRunnerVariables = lib.mapAttrs (
    triple: runner: lib.listToAttrs [ (runnerVariable triple runner) ]
  ) (lib.filterAttrs (triple: _: !usesDistroGlibc targets.${triple}) runners);
}
