# crossflake test stub of fenix's package set `fenix.packages.<system>` (own code).
#
# Interface honoured:
#   stable / beta / latest (and nightly profiles minimal, default, complete): component sets with
#     cargo, rustc, rust-std, rust-src, rustfmt, clippy, rust-analyzer, rust-docs, llvm-tools
#     (each also under its manifest name, e.g. rustfmt-preview), `toolchain`,
#     `<profile>Toolchain`, `withComponents [names]`, `manifest`;
#   combine [drvs] -> one derivation "rust-mixed";
#   targets.<triple>.{stable,beta,latest,...}.rust-std for a fixed list of rust triples
#     (an unknown triple is a missing attribute, like upstream);
#   fromManifest / fromManifestFile FILE and targets.<triple>.fromManifest(File): read a Rust
#     channel manifest (channel-rust-X.Y.Z.toml) with builtins.fromTOML and take every
#     `pkg.<component>.target.<triple or "*">` with `available = true`, like upstream;
#   toolchainOf / fromToolchainFile / fromToolchainName: throw (they need the network / IFD).
# The built-in channels are synthetic manifests with the same structure. Every component
# derivation carries `stubComponent = { name; target; channel; version; date; }` and every
# combined toolchain `stubComponents = [ ... ]`, so tests can see what the flake asked for.
{ pkgs, lib, system }:
let
  b = builtins;

  mode = pkgs.crossflakeStub.mode or { build = false; };
  building = mode.build or false;
  rustTools = (mode.tools or { }).rust or { };
  sysroot = mode.rustSysroot or null;
  # BUILD mode with a Rust that ships no std for the targets (Debian's rustc-web): each
  # target's std compiled once on the machine (tests/prebuilt_std.py), triple -> the folder
  # `lib/rustlib/<triple>` of that sysroot; the host triple maps to the Rust's own host
  # folder. rust-std components then hold a target's std like fenix's prebuilt ones, and
  # rustc uses the combined toolchain as its sysroot, like fenix's rustc.
  prebuiltStd = mode.prebuiltStd or { };
  # Native libraries a prebuilt std needs beside it, triple -> folder (Debian's windows-gnu
  # std links mingw's libssp, which zig's mingw lacks: empty archives; fenix's std does not).
  prebuiltStdLibs = mode.prebuiltStdLibs or { };
  webStd = prebuiltStd != { };

  hostTriple = pkgs.stdenv.hostPlatform.rust.rustcTarget;

  # Triples whose host tools (cargo, rustc...) exist in Rust's channels (subset).
  toolTriples = [
    "x86_64-unknown-linux-gnu" "x86_64-unknown-linux-musl" "aarch64-unknown-linux-gnu"
    "aarch64-unknown-linux-musl" "i686-unknown-linux-gnu" "armv7-unknown-linux-gnueabihf"
    "riscv64gc-unknown-linux-gnu" "s390x-unknown-linux-gnu" "powerpc64le-unknown-linux-gnu"
    "x86_64-apple-darwin" "aarch64-apple-darwin" "x86_64-pc-windows-gnu" "x86_64-pc-windows-msvc"
    "aarch64-pc-windows-msvc" "i686-pc-windows-gnu" "i686-pc-windows-msvc"
  ];
  # Triples with a rust-std in Rust's channels (subset).
  stdTriples = toolTriples ++ [
    "armv7-unknown-linux-musleabihf" "armv7-unknown-linux-gnueabi" "armv7-unknown-linux-musleabi"
    "arm-unknown-linux-gnueabihf" "arm-unknown-linux-musleabihf" "i686-unknown-linux-musl"
    "i586-unknown-linux-gnu" "riscv64gc-unknown-linux-musl" "powerpc64le-unknown-linux-musl"
    "loongarch64-unknown-linux-gnu" "loongarch64-unknown-linux-musl" "aarch64-pc-windows-gnullvm"
    "x86_64-pc-windows-gnullvm" "x86_64-unknown-freebsd" "x86_64-unknown-illumos"
    "wasm32-unknown-unknown" "wasm32-wasip1" "wasm32-wasip1-threads" "wasm32-wasip2"
    "wasm32-unknown-emscripten" "aarch64-apple-ios" "aarch64-apple-ios-sim" "aarch64-linux-android"
    "x86_64-linux-android" "thumbv7em-none-eabihf" "thumbv6m-none-eabi" "riscv32imac-unknown-none-elf"
    "x86_64-unknown-none" "aarch64-unknown-none" "armv5te-unknown-linux-gnueabi"
    "armv5te-unknown-linux-musleabi" "powerpc64-unknown-linux-gnu" "powerpc64-unknown-linux-musl"
  ];

  channels = {
    stable = { version = "1.97.1"; date = "2026-07-16"; };
    beta = { version = "1.98.0-beta.4"; date = "2026-07-22"; };
    nightly = { version = "1.99.0-nightly"; date = "2026-07-27"; };
  };

  # A manifest with the structure of static.rust-lang.org's channel-rust-*.toml.
  syntheticManifest = channel:
    let
      info = channels.${channel};
      entry = t: { available = true; url = "stub://rust/${channel}/${t}"; hash = "0000"; };
      pkgFor = triples: { version = "${info.version} (stub ${info.date})"; target = lib.genAttrs triples entry; };
      toolNames = [ "cargo" "rustc" "rustfmt-preview" "clippy-preview" "rust-analyzer-preview" "rust-docs" "llvm-tools-preview" ]
        ++ lib.optionals (channel == "nightly") [ "miri-preview" "rustc-codegen-cranelift-preview" ];
    in
    {
      manifest-version = "2";
      inherit (info) date;
      pkg = lib.genAttrs toolNames (_: pkgFor toolTriples) // {
        rust-std = pkgFor stdTriples;
        rust-src = pkgFor [ "*" ];
        rust-mingw = pkgFor [ "x86_64-pc-windows-gnu" "i686-pc-windows-gnu" ];
      };
      renames = {
        rustfmt.to = "rustfmt-preview";
        clippy.to = "clippy-preview";
        rust-analyzer.to = "rust-analyzer-preview";
        llvm-tools.to = "llvm-tools-preview";
      };
      profiles = rec {
        minimal = [ "rustc" "cargo" "rust-std" "rust-mingw" ];
        default = minimal ++ [ "rust-docs" "rustfmt-preview" "clippy-preview" ];
        complete = default ++ [ "rust-analyzer-preview" "rust-src" "llvm-tools-preview" "miri-preview" ];
      };
    };

  # Binaries each component provides (from the host's Rust in BUILD mode).
  componentBins = {
    cargo = [ "cargo" ];
    rustc = [ "rustc" "rustdoc" ];
    rustfmt = [ "rustfmt" "cargo-fmt" ];
    clippy = [ "cargo-clippy" "clippy-driver" ];
    rust-analyzer = [ "rust-analyzer" ];
    miri = [ "miri" "cargo-miri" ];
  };

  mkComponent = { name, target, suffix, date, version }:
    let
      short = lib.removeSuffix "-preview" name;
      bins = componentBins.${short} or [ ];
      links = lib.filterAttrs (n: _: b.elem n bins) rustTools;
      wrap = n: p:
        if sysroot != null && (n == "rustc" || n == "rustdoc") then ''
          printf '#!/bin/bash\nexec %s --sysroot=%s "$@"\n' ${lib.escapeShellArg p} ${lib.escapeShellArg sysroot} > $out/bin/${n}
          chmod +x $out/bin/${n}
        ''
        # A prebuilt std (webStd): rustc and rustdoc take the toolchain they are called
        # from as their sysroot (`<toolchain>/bin/rustc` -> `<toolchain>`), as fenix's
        # combined toolchains do, so a toolchain holds exactly the std of its targets.
        # Those std libraries were compiled from source and have no self-contained musl
        # startup objects: zig's musl provides them (fenix's prebuilt std brings Rust's own);
        # Debian's windows-gnu std also links libssp, which fenix's does not.
        else if webStd && (n == "rustc" || n == "rustdoc") then ''
          cat > $out/bin/${n} <<'STUB_RUSTC'
          #!/bin/bash
          sysroot="$(cd "$(dirname "$0")/.." && pwd)"
          if [ "@tool@" = rustc ]; then
            case " $* " in
              *" --target "*-musl* | *" --target="*-musl*) set -- "$@" -C link-self-contained=no ;;
            esac
            # Debian's windows-gnu std links mingw's libssp: the empty archives beside it
            # (prebuiltStdLibs), a folder rustc does not hand the linker by itself.
            case " $* " in
              *" --target "*-windows-gnu" "* | *" --target="*-windows-gnu" "*)
                for libs in "$sysroot"/lib/rustlib/*-windows-gnu/lib; do
                  if [ -e "$libs/libssp_nonshared.a" ]; then set -- "$@" -L "native=$libs"; fi
                done ;;
            esac
          fi
          exec @path@ --sysroot="$sysroot" "$@"
          STUB_RUSTC
          sed -i -e "s|@path@|${p}|" -e "s|@tool@|${n}|" $out/bin/${n}
          chmod +x $out/bin/${n}
        ''
        else "ln -s ${lib.escapeShellArg p} $out/bin/${n}";
    in
    pkgs.stdenv.mkDerivation {
      pname = "${name}${suffix}";
      version = date;
      # Part of the derivation, like the per-target download of real fenix: each target's std
      # is its own derivation even where the placeholder build commands are identical.
      stubTarget = target;
      stubVersion = version;
      passthru.stubComponent = { inherit name target version date; channel = suffix; };
      buildCommand =
        if !building then ''
          echo "fenix stub: ${name}${suffix} is a placeholder (eval-only stub mode)" >&2
          exit 1
        ''
        else ''
          mkdir -p $out/share/crossflake-stub
          echo ${lib.escapeShellArg "${name} ${target} ${version}"} > $out/share/crossflake-stub/${name}
          ${lib.optionalString (links != { }) "mkdir -p $out/bin"}
          ${lib.concatStringsSep "\n" (lib.mapAttrsToList wrap links)}
          ${lib.optionalString (short == "rust-std") (stdCommand target)}
        '';
    };

  # What a rust-std component holds: an empty target folder with Debian's 1.63 (its
  # rustc is pointed at a sysroot of every target instead), the target's prebuilt std with
  # a current Rust (host: a link to the Rust's own host folder), or, for a target the tests
  # did not prepare, a build failure that says so.
  stdCommand = target:
    if !webStd then "mkdir -p $out/lib/rustlib/${target}"
    else if prebuiltStd ? ${target} then ''
      mkdir -p $out/lib/rustlib
      ${if target == hostTriple then "ln -s" else "cp -r"} ${lib.escapeShellArg prebuiltStd.${target}} $out/lib/rustlib/${target}
    '' + lib.optionalString (prebuiltStdLibs ? ${target}) ''
      chmod u+w $out/lib/rustlib/${target}/lib
      cp ${lib.escapeShellArg prebuiltStdLibs.${target}}/*.a $out/lib/rustlib/${target}/lib/
    ''
    else ''
      echo "fenix stub: no prebuilt std for ${target} (tests/nix/flake_cases.py WEB_BUILD_CASES)" >&2
      exit 1
    '';

  componentsOf = p: p.stubComponents or (lib.optional (p ? stubComponent) p.stubComponent);

  combine' = name: paths:
    pkgs.symlinkJoin {
      inherit name paths;
      passthru.stubComponents = lib.concatMap componentsOf paths;
    };

  checkManifest = what: m:
    if b.isAttrs m && m ? pkg && b.isAttrs m.pkg && m ? date
      && b.all (p: b.isAttrs p && p ? target && b.isAttrs p.target) (b.attrValues m.pkg)
    then m
    else throw "fenix stub: ${what} is not a Rust channel manifest (channel-rust-<version>.toml): expected a `date` and `[pkg.<component>.target.<triple>]` tables";

  fromManifest' = target: suffix: manifest0:
    let
      manifest = checkManifest "the manifest given to fromManifest" manifest0;
      available = lib.filterAttrs (_: src: src != null && (src.available or false))
        (b.mapAttrs (_: pkg: pkg.target."*" or pkg.target.${target} or null) manifest.pkg);
      versionOf = name: b.head (lib.splitString " " (manifest.pkg.${name}.version or "unknown"));
      components = b.mapAttrs
        (name: _: mkComponent { inherit name target suffix; inherit (manifest) date; version = versionOf name; })
        available;
      withStd = extra: combine' "rust${suffix}-with-std-${manifest.date}" (extra ++ lib.optional (components ? rust-std) components.rust-std);
      set' = components
        // { toolchain = combine' "rust${suffix}-${manifest.date}" (b.attrValues (removeAttrs components [ "rustc-dev" ])); }
        // lib.optionalAttrs (components ? rustc) { rustc = withStd [ components.rustc ] // { unwrapped = components.rustc; }; rustc-unwrapped = components.rustc; }
        // lib.optionalAttrs (components ? clippy-preview) { clippy-preview = withStd [ components.clippy-preview components.rustc ]; clippy-unwrapped = components.clippy-preview; };
      set'' = set' // lib.mapAttrs' (k: v: lib.nameValuePair (lib.removeSuffix "-preview" k) v) set';
    in
    set''
    // lib.mapAttrs' (profile: names: lib.nameValuePair "${profile}Toolchain"
      (combine' "rust${suffix}-${profile}-${manifest.date}" (map (n: set''.${n}) (b.filter (n: set'' ? ${n}) names))))
      (manifest.profiles or { })
    // {
      inherit manifest;
      withComponents = names: combine' "rust${suffix}-with-components-${manifest.date}" (map (n: set''.${n}) names);
    };

  fromManifestFile' = target: suffix: file:
    let
      text = b.readFile file;
      parsed = b.fromTOML text;
    in
    fromManifest' target suffix (checkManifest "${toString file}" parsed);

  offline = what: _: throw "fenix stub: ${what} needs the network (import from derivation); use fromManifestFile with a flake input";

  nightlyProfile = target: profile:
    let m = syntheticManifest "nightly"; in
    fromManifest' target "-nightly-${profile}"
      (if profile == "latest" then m else m // { pkg = lib.filterAttrs (n: _: b.elem n m.profiles.${profile}) m.pkg; });

  channelsFor = target: {
    stable = fromManifest' target "-stable" (syntheticManifest "stable");
    beta = fromManifest' target "-beta" (syntheticManifest "beta");
    latest = nightlyProfile target "latest";
    minimal = nightlyProfile target "minimal";
    default = nightlyProfile target "default";
    complete = nightlyProfile target "complete";
  };
  host = channelsFor hostTriple;
in
host // {
  combine = combine' "rust-mixed";
  fromManifest = fromManifest' hostTriple "";
  fromManifestFile = fromManifestFile' hostTriple "";
  toolchainOf = offline "toolchainOf";
  fromToolchainFile = offline "fromToolchainFile";
  fromToolchainName = offline "fromToolchainName";
  targets = lib.genAttrs stdTriples (target: channelsFor target // {
    fromManifest = fromManifest' target "";
    fromManifestFile = fromManifestFile' target "";
    toolchainOf = offline "targets.${target}.toolchainOf";
    fromToolchainFile = offline "targets.${target}.fromToolchainFile";
    fromToolchainName = offline "targets.${target}.fromToolchainName";
  });
  rust-analyzer = host.latest.rust-analyzer;
}
