# nix/zig-runtime.nix: crossflake's, rewritten by `copier update`. zig as the linker inside Nix
# builds: the writable caches cargo-zigbuild and zig need (Nix builders set
# HOME=/homeless-shelter, which nobody can write to), and zig's C runtime compiled once per
# target and Nix store. Build inputs and variables of your own go in nix/local.nix.
{
  lib,
  pkgs,
  system,
  rustToolchain,
}:
let
  # Where cargo-zigbuild and zig write, in zigRuntime and in the packages:
  # the build's own directory.
  zigBuildEnv = ''
    export HOME="$TMPDIR/home"
    export XDG_CACHE_HOME="$TMPDIR/cache"
    export CARGO_ZIGBUILD_CACHE_DIR="$TMPDIR/cache/cargo-zigbuild"
    export ZIG_GLOBAL_CACHE_DIR="$TMPDIR/cache/zig"
    export ZIG_LOCAL_CACHE_DIR="$TMPDIR/cache/zig-local"
    mkdir -p "$HOME" "$ZIG_GLOBAL_CACHE_DIR"
  '';
in
{
  # zig's C runtime for one target (crt objects, libc stubs, libunwind,
  # compiler-rt, MinGW's libraries), compiled once per Nix store and reused
  # by both naersk derivations of every package of that target, so that a
  # source edit recompiles only the crate. It links an empty program with
  # `cargo zigbuild` as the packages do, so zig compiles what they need:
  #   $out/lib    zig's lib dir plus the files cargo-zigbuild adds to it
  #               (arm-features.h, synchronization.def), used read-only
  #   $out/cache  zig's global cache, copied to a writable folder by builds
  #   $out/wrappers(.sh)  cargo-zigbuild's wrappers around zig, and the
  #               variables naming them (see zigBuildSetup)
  # zig hashes parts of the runtime (MinGW, libunwind) with the lib dir's
  # path: $out/lib is compiled against and used under one store path.
  # It depends on zig, cargo-zigbuild, the toolchain and the target only,
  # never on the crate's source. A stale or missing cache entry only makes
  # zig compile that part again in the package (slower, still correct).
  zigRuntime =
    triple: target:
    pkgs.runCommand "zig-runtime-${triple}"
      (
        {
          # What the packages link with: Rust for this target, zig, cargo-zigbuild.
          nativeBuildInputs = [
            (rustToolchain system [
              "cargo"
              "rustc"
            ] target.stdTriples)
            pkgs.zig
            pkgs.cargo-zigbuild
          ];
          # The packages' flags: the linking mode decides which runtime zig builds.
          RUSTFLAGS = lib.concatStringsSep " " target.rustflags;
        }
        # As for the packages: the macOS version is part of the runtime.
        // lib.optionalAttrs (target.macosMin != null) {
          MACOSX_DEPLOYMENT_TARGET = target.macosMin;
        }
      )
      ''
        ${zigBuildEnv}
        export ZIG_LIB_DIR="$out/lib"
        mkdir -p "$out"
        cp -rs ${pkgs.zig}/lib/zig "$ZIG_LIB_DIR"
        find "$ZIG_LIB_DIR" -type d -exec chmod u+w {} +
        mkdir -p seed/src
        printf '[package]\nname = "seed"\nversion = "0.0.0"\n' > seed/Cargo.toml
        echo 'fn main() {}' > seed/src/main.rs
        (cd seed && cargo zigbuild --offline --release --target ${target.cargoTarget})
        cp -r "$ZIG_GLOBAL_CACHE_DIR" "$out/cache"
        # zig's scratch folder, not part of any cache entry.
        rm -rf "$out/cache/tmp"
        # cargo-zigbuild's wrappers around zig for this target (cc, c++, ar,
        # ranlib, a CMake toolchain file naming them), from the folder it wrote
        # them to (its layout changes between versions), and $out/wrappers.sh:
        # the variables that name them, as cargo-zigbuild sets them.
        made=$(find "$CARGO_ZIGBUILD_CACHE_DIR" -name zigranlib.sh -printf '%h\n')
        cp -r "$made" "$out/wrappers"
        for file in "$out"/wrappers/cmake/*.cmake; do
          if [ -e "$file" ]; then sed -i "s|$made|$out/wrappers|g" "$file"; fi
        done
        for triple in ${
          # WebAssembly: rustc links it, and cargo-zigbuild names no wrapper after it.
          lib.escapeShellArgs (lib.filter (t: !lib.hasPrefix "wasm" t) target.stdTriples)
        }; do
          set -- "$out"/wrappers/zigcc-"$triple"*.sh
          if [ "$#" -ne 1 ] || [ ! -x "$1" ]; then
            echo "zig-runtime: cargo-zigbuild wrote no zig cc wrapper for $triple" >&2
            exit 1
          fi
          name=$(echo "$triple" | tr - _)
          echo "export CC_$name=$1"
          echo "export CXX_$name=''${1/zigcc-/zigcxx-}"
          echo "export AR_$name=$out/wrappers/ar"
          echo "export RANLIB_$name=$out/wrappers/zigranlib.sh"
          toolchain=$out/wrappers/cmake/$triple-toolchain.cmake
          if [ -e "$toolchain" ]; then
            echo "export CMAKE_TOOLCHAIN_FILE_$name=$toolchain"
          fi
          case $triple in
            wasm*) ;; # rustc links WebAssembly itself
            *) echo "export CARGO_TARGET_$(echo "$name" | tr a-z A-Z)_LINKER=$1" ;;
          esac
        done > "$out/wrappers.sh"
      '';

  # Runs before `cargo zigbuild` in both naersk derivations (deps and crate):
  # the writable caches, seeded with the target's zigRuntime (zig takes locks
  # and updates manifests there), and zigRuntime's lib dir, which already
  # holds what cargo-zigbuild would write into it.
  # Then the compiler and linker variables, naming zigRuntime's wrappers
  # (cargo-zigbuild keeps variables already set): cargo-zigbuild's own would
  # name its cache folder, whose path differs between the two derivations
  # where builds are not sandboxed (macOS; `sandbox = false`). Build scripts
  # rerun when CC_<target> and the like change, and cargo rebuilds every crate
  # whose linker changed: the crate would compile every dependency again.
  zigBuildSetup = runtime: ''
    ${zigBuildEnv}
    export ZIG_LIB_DIR="${runtime}/lib"
    cp -r --no-preserve=mode ${runtime}/cache/. "$ZIG_GLOBAL_CACHE_DIR"
    source ${runtime}/wrappers.sh
  '';
}
