# crossflake test stub of naersk (own code; `pkgs.callPackage naersk { cargo = ...; rustc = ...; }`).
#
# Interface honoured (how to run it: tests/nix/nixenv.py):
#   buildPackage ATTRS | buildPackage ROOT
#   - src / root (a path src goes through lib.cleanSource); Cargo.toml and Cargo.lock are read from
#     root at evaluation time (no import from derivation); a missing Cargo.lock throws like upstream;
#   - name (else Cargo.toml's package.name), version (else Cargo.toml's);
#   - cargoBuild, cargoBuildOptions, cargoTestOptions, cargoTestCommands, cargoOptions,
#     cargoClippyOptions, cargoFmtOptions are FUNCTIONS of the default (anything else throws);
#   - mode = build | check | test | clippy | fmt (anything else throws);
#   - two derivations: "<name>-deps-<version>" built from a dummy source (Cargo.toml without
#     targets, Cargo.lock, .cargo/config(.toml), a no_std lib and an empty build.rs) whose target/
#     dir is copied to $out, then "<name>-<version>" which starts from that target/ dir;
#     singleStep = true builds only the latter;
#   - every attribute that is not a naersk option (RUSTFLAGS, preBuild, nativeBuildInputs are
#     merged, strictDeps, CARGO_BUILD_TARGET...) goes to BOTH derivations, overriding naersk's;
#   - remapPathPrefix (default true): --remap-path-prefix flags appended to RUSTFLAGS when it is
#     set, else to CARGO_BUILD_RUSTFLAGS;
#   - install: copyBins (default true) copies every `.executable` of the compiler-artifact messages
#     in $cargo_build_output_json (jq, default copyBinsFilter) to $out/bin; copyLibs likewise with
#     `.filenames[]` to $out/lib; copyTarget copies target/;
#   - doCheck runs cargoTestCommands in the check phase; overrideMain / override applied;
#   - autoCrateSpecificOverrides (default true): openssl-sys in Cargo.lock adds pkgs.pkg-config
#     (native) and pkgs.openssl to both derivations, like upstream's crate_specific.nix;
#   - crates.io dependencies of Cargo.lock: each `.crate` fetched with pkgs.fetchurl from
#     cratesDownloadUrl (default https://static.crates.io/crates, as upstream) and its Cargo.lock
#     checksum, unpacked with a `.cargo-checksum.json`, served to cargo as a directory source
#     through $CARGO_HOME/config.toml (source replacement of crates-io), CARGO_NET_OFFLINE set;
# NOT supported: git or other registries' dependencies (throws),
# building workspaces (a virtual one evaluates, named by the name and version given, like
# upstream; its dummy source lacks the members' manifests, so building it fails), doDoc, compressTarget (target/ is copied uncompressed),
# crateSpecificOverrides other than upstream's one (openssl-sys), gitSubmodules/gitAllRefs,
# additionalCargoLock.
{ cargo, fetchurl, jq, lib, lndir, remarshal, formats, rsync, runCommandLocal, rustc, stdenv, writeText, zstd, clippy, pkgs }:
let
  b = builtins;

  naerskOptions = [
    "name" "version" "src" "root" "gitAllRefs" "gitSubmodules" "additionalCargoLock" "cratesDownloadUrl"
    "cargoBuild" "cargoBuildOptions" "remapPathPrefix" "cargoTestCommands" "cargoTestOptions"
    "cargoClippyOptions" "cargoFmtOptions" "nativeBuildInputs" "buildInputs" "cargoOptions" "doDoc"
    "cargoDocCommands" "cargoDocOptions" "release" "override" "overrideMain" "singleStep" "copyBins"
    "copyLibs" "copyBinsFilter" "copyLibsFilter" "copyDocsToSeparateOutput" "doDocFail"
    "removeReferencesToSrcFromDocs" "compressTarget" "copyTarget" "postInstall" "usePureFromTOML"
    "mode" "autoCrateSpecificOverrides" "copySources"
  ];

  # Options given as functions of their default, like upstream's config.
  fnOption = attrs: name: default:
    if !(attrs ? ${name}) then default
    else if lib.isFunction attrs.${name} then attrs.${name} default
    else throw "${name} should be a function from ${b.typeOf default} to ${b.typeOf default}, but is a ${b.typeOf attrs.${name}}";

  # ---- a small TOML writer (enough for Cargo.toml) ----
  tomlKey = k: if b.match "[A-Za-z0-9_-]+" k != null then k else b.toJSON k;
  isTable = v: b.isAttrs v;
  isTableList = v: b.isList v && v != [ ] && b.all b.isAttrs v;
  tomlValue = v:
    if b.isString v then b.toJSON v
    else if b.isBool v then (if v then "true" else "false")
    else if b.isInt v || b.isFloat v then toString v
    else if b.isList v then "[ ${lib.concatMapStringsSep ", " tomlValue v} ]"
    else if b.isAttrs v then "{ ${lib.concatStringsSep ", " (lib.mapAttrsToList (k: x: "${tomlKey k} = ${tomlValue x}") v)} }"
    else throw "naersk stub: cannot write ${b.typeOf v} as TOML";
  tomlTable = path: set:
    let
      names = b.attrNames set;
      plain = b.filter (n: !(isTable set.${n}) && !(isTableList set.${n})) names;
      tables = b.filter (n: isTable set.${n}) names;
      tableLists = b.filter (n: isTableList set.${n}) names;
      header = lib.optionalString (path != [ ]) "[${lib.concatMapStringsSep "." tomlKey path}]\n";
    in
    header
    + lib.concatMapStrings (n: "${tomlKey n} = ${tomlValue set.${n}}\n") plain
    + lib.concatMapStrings (n: "\n" + tomlTable (path ++ [ n ]) set.${n}) tables
    + lib.concatMapStrings (n: lib.concatMapStrings
        (t: "\n[[${lib.concatMapStringsSep "." tomlKey (path ++ [ n ])}]]\n"
          + lib.concatMapStrings (k: "${tomlKey k} = ${tomlValue t.${k}}\n") (b.attrNames t))
        set.${n}) tableLists;
  toTOML = set: tomlTable [ ] set;

  buildPackage = arg:
    let
      argIsAttrs = b.isAttrs arg && !(lib.isDerivation arg) && !(arg ? outPath);
      attrs = if argIsAttrs then arg else { root = arg; };
      userAttrs = removeAttrs attrs naerskOptions;
      isPath = x: b.typeOf x == "path";

      sr =
        if attrs ? src && !(attrs ? root) then
          (if isPath attrs.src then { src = lib.cleanSource attrs.src; root = attrs.src; } else { inherit (attrs) src; root = attrs.src; })
        else if attrs ? src && attrs ? root then { inherit (attrs) src root; }
        else if attrs ? root then
          (if isPath attrs.root then { root = attrs.root; src = lib.cleanSource attrs.root; } else { inherit (attrs) root; src = attrs.root; })
        else throw "please specify either 'src' or 'root'";
      root = sr.root;

      cargotoml = b.fromTOML (b.readFile (root + "/Cargo.toml"));
      cargolockFile = root + "/Cargo.lock";
      cargolockText =
        if b.pathExists cargolockFile then b.readFile cargolockFile
        else throw "Naersk requires Cargo.lock to be available in root. Check that it is not in .gitignore and stage it when using git to filter sources (which flakes does)";
      cargolock = b.fromTOML cargolockText;
      lockedPackages = cargolock.package or [ ];
      fromCratesIo = p: p ? source && b.elem p.source [
        "registry+https://github.com/rust-lang/crates.io-index"
        "sparse+https://index.crates.io/"
      ];
      cratesIoDeps = b.filter fromCratesIo lockedPackages;
      externalDeps = b.filter (p: p ? source && !(fromCratesIo p)) lockedPackages;
      cargoconfigText =
        if b.pathExists (root + "/.cargo/config.toml") then b.readFile (root + "/.cargo/config.toml")
        else if b.pathExists (root + "/.cargo/config") then b.readFile (root + "/.cargo/config")
        else null;

      checked =
        if externalDeps != [ ] then
          throw "naersk stub: dependencies from git or registries other than crates.io (${lib.concatMapStringsSep ", " (p: "${p.name} ${p.version}") externalDeps}) are not supported"
        else true;

      packageName = attrs.name or cargotoml.package.name or "rust-package";
      packageVersion = attrs.version or cargotoml.package.version or "unknown";

      mode = attrs.mode or "build";
      release = attrs.release or true;
      cargoBuild = fnOption attrs "cargoBuild" ''cargo $cargo_options build $cargo_build_options >> $cargo_build_output_json'';
      cargoBuildOptions = fnOption attrs "cargoBuildOptions" [ "$cargo_release" ''-j "$NIX_BUILD_CORES"'' "--message-format=$cargo_message_format" ];
      cargoTestOptions = fnOption attrs "cargoTestOptions" [ "$cargo_release" ''-j "$NIX_BUILD_CORES"'' ];
      cargoTestCommands = fnOption attrs "cargoTestCommands" [ ''cargo $cargo_options test $cargo_test_options'' ];
      cargoOptions = fnOption attrs "cargoOptions" [ ];
      cargoClippyOptions = fnOption attrs "cargoClippyOptions" [ "-D warnings" ];
      cargoFmtOptions = fnOption attrs "cargoFmtOptions" [ "--check" ];
      cargoCommand = {
        build = cargoBuild;
        check = ''cargo $cargo_options check $cargo_build_options >> $cargo_build_output_json'';
        test = ''cargo $cargo_options test $cargo_test_options >> $cargo_build_output_json'';
        clippy = ''cargo $cargo_options clippy $cargo_build_options -- $cargo_clippy_options >> $cargo_build_output_json'';
        fmt = ''cargo $cargo_options fmt -- $cargo_fmt_options'';
      }.${mode} or (throw "Unknown mode ${mode}, allowed modes: build, check, test, clippy");

      # Cargo.toml of the dummy source: every crate is a lib, no build script setting.
      dummyCargotoml =
        let
          t = removeAttrs cargotoml [ "bin" "example" "lib" "test" "bench" ];
        in
        t // lib.optionalAttrs (t ? package) { package = removeAttrs t.package [ "default-run" "metabuild" "build" "autobins" ]; };

      dummySrc = runCommandLocal "dummy-src"
        {
          cargotoml = writeText "Cargo.toml" (toTOML dummyCargotoml);
          cargolock = writeText "Cargo.lock" cargolockText;
          cargoconfig = if cargoconfigText == null then "" else writeText "config.toml" cargoconfigText;
        }
        ''
          mkdir -p $out/src
          cp "$cargotoml" $out/Cargo.toml
          cp "$cargolock" $out/Cargo.lock
          if [ -n "$cargoconfig" ]; then mkdir -p $out/.cargo; cp "$cargoconfig" $out/.cargo/config.toml; fi
          printf '//! stub lib\n#![no_std]\n' > $out/src/lib.rs
          printf '/// stub build script\nfn main() {}\n' > $out/build.rs
        '';

      # Upstream's crate-specific overrides (autoCrateSpecificOverrides, default true): the
      # one upstream has, for openssl-sys, adds the build machine's pkg-config and OpenSSL.
      crateSpecific =
        if (attrs.autoCrateSpecificOverrides or true) && b.any (p: p.name == "openssl-sys") cratesIoDeps
        then { nativeBuildInputs = [ pkgs.pkg-config ]; buildInputs = [ pkgs.openssl ]; }
        else { nativeBuildInputs = [ ]; buildInputs = [ ]; };

      emptyDir = name: runCommandLocal name { } "mkdir -p $out";
      # One folder per crates.io package, as cargo's directory sources want them: the
      # unpacked `.crate` and a `.cargo-checksum.json` naming its checksum (no per-file sums).
      cratesDownloadUrl = attrs.cratesDownloadUrl or "https://static.crates.io/crates";
      unpackedCrate = p:
        let
          download = fetchurl {
            name = "download-${p.name}-${p.version}";
            url = "${cratesDownloadUrl}/${p.name}/${p.version}/download";
            sha256 = p.checksum;
          };
        in
        runCommandLocal "unpack-${p.name}-${p.version}" { inherit download; } ''
          mkdir -p $out
          tar -xzf "$download" -C $out
          printf '{"package":"%s","files":{}}' ${p.checksum} > "$out/${p.name}-${p.version}/.cargo-checksum.json"
        '';
      cratesioSources =
        if cratesIoDeps == [ ] then emptyDir "crates-io-dependencies"
        else runCommandLocal "crates-io-dependencies" { crates = map unpackedCrate cratesIoDeps; } ''
          mkdir -p $out
          for crate in $crates; do ln -s "$crate"/* $out/; done
        '';
      gitSources = emptyDir "git-dependencies";

      mkBuild = { pname, src, builtDependencies, copyBins, copyLibs, copyTarget, testCommands, postInstall }:
        let
          drvAttrs = {
            name = "${pname}-${packageVersion}";
            version = packageVersion;
            inherit src builtDependencies;
            remapPathPrefix = attrs.remapPathPrefix or true;
            cratesio_sources = cratesioSources;
            git_sources = gitSources;
            nativeBuildInputs = [ cargo jq ] ++ (attrs.nativeBuildInputs or [ ]) ++ lib.optional (mode == "clippy") clippy
              ++ crateSpecific.nativeBuildInputs;
            buildInputs = (attrs.buildInputs or [ ]) ++ crateSpecific.buildInputs;
            RUSTC = "${rustc}/bin/rustc";
            cargo_release = lib.optionalString release "--release";
            cargo_options = cargoOptions;
            cargo_build_options = cargoBuildOptions;
            cargo_test_options = cargoTestOptions;
            cargo_clippy_options = cargoClippyOptions;
            cargo_fmt_options = cargoFmtOptions;
            cargo_bins_jq_filter = attrs.copyBinsFilter or ''select(.reason == "compiler-artifact" and .executable != null and .profile.test == false)'';
            cargo_libs_jq_filter = attrs.copyLibsFilter or ''select(.reason == "compiler-artifact" and ((.target.kind | contains(["staticlib"])) or (.target.kind | contains(["cdylib"]))) and .filenames != null and .profile.test == false)'';
            passthru = {
              inherit builtDependencies;
              naerskStub = {
                inherit mode cargo rustc cargoCommand cargoBuildOptions cargoTestOptions cargoOptions;
                singleStep = attrs.singleStep or false;
                userAttrNames = b.attrNames userAttrs;
              };
            };

            configurePhase = ''
              runHook preConfigure
              log() { >&2 echo "[naersk-stub]" "$@"; }
              run_logged() { >&2 echo "$@"; eval "$@"; }
              cargo_build_output_json=$(mktemp)
              cargo_version=$(cargo --version | sed -e 's/^cargo \([^ ]*\).*/\1/')
              cargo_message_format=json-diagnostic-rendered-ansi
              export RUST_TEST_THREADS="''${RUST_TEST_THREADS:-$NIX_BUILD_CORES}"
              log "cargo_version: $cargo_version"
              log "cargo_build_options: $cargo_build_options"
              log "RUSTFLAGS: ''${RUSTFLAGS:-}"
              log "CARGO_BUILD_RUSTFLAGS: ''${CARGO_BUILD_RUSTFLAGS:-}"
              if [ -n "$remapPathPrefix" ]; then
                if [ -n "''${RUSTFLAGS:-}" ]; then
                  RUSTFLAGS="$RUSTFLAGS --remap-path-prefix $cratesio_sources=/sources --remap-path-prefix $git_sources=/sources"
                  log "RUSTFLAGS (updated): $RUSTFLAGS"
                else
                  export CARGO_BUILD_RUSTFLAGS="''${CARGO_BUILD_RUSTFLAGS:-} --remap-path-prefix $cratesio_sources=/sources --remap-path-prefix $git_sources=/sources"
                  log "CARGO_BUILD_RUSTFLAGS (updated): $CARGO_BUILD_RUSTFLAGS"
                fi
              fi
              mkdir -p target
              find . -type f -exec touch {} +
              for dep in $builtDependencies; do
                log "pre-installing dep $dep"
                # Like upstream's tar-based copy: modes survive (build scripts stay executable),
                # read-only store folders are made writable below.
                if [ -d "$dep/target" ]; then tar -C "$dep/target" -cf - . | tar -C target -xf -; fi
              done
              chmod -R u+w target
              export CARGO_HOME=''${CARGO_HOME:-$PWD/.cargo-home}
              mkdir -p "$CARGO_HOME"
              printf '[source.crates-io]\nreplace-with = "nix-sources"\n\n[source.nix-sources]\ndirectory = "%s"\n' \
                "$cratesio_sources" > "$CARGO_HOME/config.toml"
              export CARGO_NET_OFFLINE=true
              runHook postConfigure
            '';

            buildPhase = ''
              runHook preBuild
              cargo_ec=0
              run_logged ${cargoCommand} || cargo_ec="$?"
              if [ "$cargo_ec" -ne 0 ]; then
                jq -cMrR '. as $line | try (fromjson | select(.message.rendered != null) | .message.rendered) catch $line' < "$cargo_build_output_json"
                log "cargo returned with exit code $cargo_ec, exiting"
                exit "$cargo_ec"
              fi
              runHook postBuild
            '';

            checkPhase = ''
              runHook preCheck
              ${lib.concatMapStringsSep "\n" (c: "run_logged ${c}") testCommands}
              runHook postCheck
            '';

            installPhase = ''
              runHook preInstall
              mkdir -p $out
              ${lib.optionalString copyBins ''
                mkdir -p $out/bin
                while IFS= read -r to_copy; do
                  bin_path=$(jq -cMr '.executable' <<<"$to_copy")
                  log "found executable $(basename "$bin_path") -> $out/bin/"
                  cp "$bin_path" "$out/bin/"
                done < <(jq -cMr "$cargo_bins_jq_filter" < "$cargo_build_output_json")
              ''}
              ${lib.optionalString copyLibs ''
                mkdir -p $out/lib
                while IFS= read -r to_copy; do
                  for l in $(jq -cMr '.filenames[]' <<<"$to_copy"); do cp "$l" "$out/lib/"; done
                done < <(jq -cMr "$cargo_libs_jq_filter" < "$cargo_build_output_json")
              ''}
              ${lib.optionalString copyTarget "cp -r target $out/target"}
              ${lib.optionalString (postInstall != false) postInstall}
              runHook postInstall
            '';
          };
          userNative = userAttrs;
          drv = stdenv.mkDerivation (drvAttrs // userNative);
        in
        (attrs.override or (x: x)) drv;

      deps = mkBuild {
        pname = "${packageName}-deps";
        src = dummySrc;
        builtDependencies = [ ];
        copyBins = false;
        copyLibs = false;
        copyTarget = true;
        testCommands = map (c: "${c} || true") cargoTestCommands;
        postInstall = false;
      };

      top = mkBuild {
        pname = packageName;
        inherit (sr) src;
        builtDependencies = lib.optional (!(attrs.singleStep or false)) deps;
        copyBins = (attrs.copyBins or true) && mode == "build";
        copyLibs = (attrs.copyLibs or false) && mode == "build";
        copyTarget = attrs.copyTarget or false;
        testCommands = cargoTestCommands;
        postInstall = attrs.postInstall or false;
      };
    in
    b.seq checked (top.overrideAttrs (attrs.overrideMain or (x: { })));
in
{ inherit buildPackage; }
