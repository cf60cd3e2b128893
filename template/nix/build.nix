# nix/build.nix: crossflake's, rewritten by `copier update`. The crate's packages: the host's
# own build (`nix build`) and one per target (`nix build .#<triple>`), built by naersk with
# `cargo zigbuild`, zig as the linker. Build inputs, variables and per-target settings of your
# own go in nix/local.nix: this file adds them to every build (`local` below).
{
  lib,
  pkgs,
  system,
  naersk,
  rustToolchain,
  targets,
  crate,
  zig,
  buildTools,
  local,
}:
let
  inherit (zig) zigRuntime zigBuildSetup;

  # What every naersk build gets: the source, and the name and version
  # of the crate (naersk's own reading of Cargo.toml knows neither for a
  # virtual workspace, nor an inherited `version.workspace = true`).
  crateArgs = {
    inherit (crate) src name version;
  };

  # nix/local.nix's settings as naersk arguments (which reach both of its
  # derivations); nothing when they are empty.
  localArgs =
    settings:
    lib.optionalAttrs (settings.buildInputs != [ ]) { inherit (settings) buildInputs; }
    // settings.env;

  # naersk with a toolchain holding just the given targets' standard
  # libraries: each package depends only on its own target.
  naerskFor =
    triples:
    let
      toolchain = rustToolchain system [
        "cargo"
        "rustc"
        "rustfmt"
        "clippy"
      ] triples;
    in
    pkgs.callPackage naersk {
      cargo = toolchain;
      rustc = toolchain;
      clippy = toolchain;
    };
  hostNaersk = naerskFor [ ];

  # Tools every build runs: those the build scripts in Cargo.lock need
  # (nix/build-tools.nix), then nix/local.nix's.
  nativeTools = buildTools.tools ++ local.nativeBuildInputs;

  # The host's own builds (package, checks) with the host's C toolchain and
  # nix/local.nix's settings for every build.
  hostArgs =
    crateArgs
    // lib.optionalAttrs (nativeTools != [ ]) { nativeBuildInputs = nativeTools; }
    // lib.optionalAttrs (local.cargoBuildOptions != [ ]) {
      cargoBuildOptions = options: options ++ local.cargoBuildOptions;
      # The tests of `nix flake check` too, like each target's (crossTest).
      cargoTestOptions = options: options ++ local.cargoBuildOptions;
    }
    // localArgs local;

  # A naersk build of the crate for one target, linked by zig through
  # cargo-zigbuild: native packages only, no cross C compiler to build. A
  # target cargo-zigbuild does not know (zigbuild = false) is built by plain
  # cargo: rustc links it itself, zig takes no part. `extra runtime` says
  # what it builds (the package, or its tests).
  crossNaersk =
    triple: target: extra:
    let
      runtime = zigRuntime triple target;
      # nix/local.nix's `perTarget.<triple>`.
      own = local.targetSettings triple;
      # A crate that cannot build for this target as it stands stops here, with
      # the fix (nix/build-tools.nix), not deep in a build log.
      problem = buildTools.problem triple (local.env // own.env);
      targetNaersk = lib.throwIf (problem != null) problem (naerskFor target.stdTriples);
    in
    targetNaersk.buildPackage (
      crateArgs
      // {
        strictDeps = true;
        nativeBuildInputs =
          lib.optionals target.zigbuild [
            pkgs.zig
            pkgs.cargo-zigbuild
            # remove-references-to, for the package's postInstall.
            pkgs.removeReferencesTo
          ]
          ++ nativeTools
          ++ own.nativeBuildInputs;
        # Not naersk's extras for openssl-sys (the build machine's OpenSSL and
        # pkg-config): another platform links a vendored OpenSSL or its own.
        autoCrateSpecificOverrides = false;
      }
      // lib.optionalAttrs target.zigbuild {
        preBuild = zigBuildSetup runtime;
      }
      // extra runtime
      # As RUSTFLAGS, which naersk extends with its --remap-path-prefix flags
      # (cargo would drop them for a [target] rustflags entry).
      // lib.optionalAttrs (target.rustflags != [ ]) {
        RUSTFLAGS = lib.concatStringsSep " " target.rustflags;
      }
      # macOS: the oldest version the binary runs on, else zig stamps its newest.
      // lib.optionalAttrs (target.macosMin != null) {
        MACOSX_DEPLOYMENT_TARGET = target.macosMin;
      }
      # nix/local.nix: `env` for every build, then this target's own settings.
      // local.env
      // localArgs own
    );

  # The crate's package for one target.
  crossBuild =
    triple: target:
    let
      # universal2-apple-darwin: cargo-zigbuild builds both macOS triples and joins
      # each program's two builds into one file in target/universal2-apple-darwin/,
      # reading cargo's JSON itself: naersk's install, which takes the programs from
      # that JSON, finds none, so the joined programs are installed here instead.
      universal = lib.length target.stdTriples > 1;
      installUniversal = lib.concatMapStrings (program: ''
        install -D -m 755 target/${target.cargoTarget}/release/${program} "$out/bin/${program}"
      '') crate.programs;
    in
    crossNaersk triple target (
      runtime:
      {
        cargoBuildOptions =
          options:
          options
          ++ [
            "--target"
            target.cargoTarget
          ]
          ++ local.cargoBuildOptions;
      }
      // lib.optionalAttrs target.zigbuild {
        # `cargo zigbuild` in place of `cargo build`; naersk's options
        # (release, JSON output) stay.
        cargoBuild =
          _:
          lib.concatStringsSep " " [
            "cargo $cargo_options zigbuild $cargo_build_options"
            ">> $cargo_build_output_json"
          ];
        copyBins = !universal;
        # Debug info of zig's runtime names its sources in zigRuntime's lib dir:
        # blank those paths, so the package does not keep zigRuntime alive.
        postInstall = lib.optionalString universal installUniversal + ''
          find "$out" -type f -exec remove-references-to -t ${runtime} {} +
        '';
        # Nix refuses the package if zigRuntime or zig are still referenced.
        overrideMain = _: {
          disallowedReferences = [
            runtime
            pkgs.zig
          ];
        };
      }
    );

  # Darwin targets need Apple's libraries, which only darwin hosts have
  # (unless zig links them here: pure-Rust crates, darwinOnly = false).
  buildable = lib.filterAttrs (
    _: target: pkgs.stdenv.hostPlatform.isDarwin || !target.darwinOnly
  ) targets;

  builds = {
    # The host's own build, with the host's C toolchain.
    default = hostNaersk.buildPackage hostArgs;
  }
  // lib.mapAttrs crossBuild buildable;

  # The crate's tests for one target (`nix flake check`), compiled like its
  # package and run by cargo through the target's runner: `runnerVariable` is
  # CARGO_TARGET_<TRIPLE>_RUNNER, from nix/runners.nix like `nix run`'s. naersk's
  # mode = "test" would run plain `cargo test`, which links with the host's C
  # compiler: `cargo-zigbuild test` links with zig, as the package does (plain
  # `cargo test` where zig takes no part, as for the package).
  crossTest =
    triple: runnerVariable:
    crossNaersk triple buildable.${triple} (
      _:
      {
        # Named after what it is, for `nix flake check`'s log.
        name = "${crate.name}-test-${triple}";
        cargoBuild =
          _:
          if buildable.${triple}.zigbuild then
            "cargo-zigbuild test $cargo_options $cargo_test_options"
          else
            "cargo $cargo_options test $cargo_test_options";
        cargoTestOptions =
          options:
          options
          ++ [
            "--target"
            buildable.${triple}.cargoTarget
          ]
          ++ local.cargoBuildOptions;
        # The package's dependencies, compiled once for both (cargo reuses them:
        # same target, profile and flags): singleStep leaves out the -deps
        # derivation naersk would make for the tests, overrideMain hands over
        # the package's instead.
        singleStep = true;
        overrideMain = _: { inherit (builds.${triple}) builtDependencies; };
      }
      // runnerVariable
    );
in
{
  inherit hostNaersk hostArgs buildable;

  # The crate itself: the host's own build and one package per target, and
  # the crate's tests for a target (nix/checks.nix).
  inherit builds crossTest;
}
