# crossflake test stub: the package set `legacyPackages.<system>` of the nixpkgs stub.
#
# mode (see mode.nix):
#   build = false  EVAL-ONLY: every tool package is a derivation whose builder fails with a clear
#                  message; evaluation, `nix flake show` and `nix flake check --no-build` work.
#   build = true   BUILD: tool packages are tiny derivations whose $out/bin holds symlinks to the
#                  host tools listed in mode.tools (absolute paths), so `nix build` really runs
#                  cargo/zig/cargo-zigbuild inside a Nix builder (cleared env, build users).
{ lib, system, mode }:
let
  b = builtins;

  tools = mode.tools or { };
  building = mode.build or false;

  arch = b.head (lib.splitString "-" system);
  kernel = b.elemAt (lib.splitString "-" system) 1;
  isLinux = kernel == "linux";
  isDarwin = kernel == "darwin";
  rustTriple = {
    x86_64-linux = "x86_64-unknown-linux-gnu";
    aarch64-linux = "aarch64-unknown-linux-gnu";
    i686-linux = "i686-unknown-linux-gnu";
    x86_64-darwin = "x86_64-apple-darwin";
    aarch64-darwin = "aarch64-apple-darwin";
  }.${system} or (throw "nixpkgs stub: unknown system ${system}");

  platform = {
    inherit system isLinux isDarwin;
    config = rustTriple;
    isx86_64 = arch == "x86_64";
    isAarch64 = arch == "aarch64";
    isi686 = arch == "i686";
    isx86 = arch == "x86_64" || arch == "i686";
    isWindows = false;
    isStatic = false;
    isMusl = false;
    parsed = { cpu.name = arch; kernel.name = kernel; };
    rust = { rustcTarget = rustTriple; rustcTargetSpec = rustTriple; };
    canExecute = other: other.system == system;
  };

  # Symlinks to basic host tools: the stub's equivalent of stdenv's initial PATH.
  stdenvToolNames = [
    "bash" "sh" "cat" "cp" "mv" "rm" "ln" "ls" "mkdir" "rmdir" "chmod" "chown" "touch" "find" "xargs"
    "grep" "egrep" "sed" "awk" "tr" "cut" "head" "tail" "sort" "uniq" "wc" "tee" "basename" "dirname"
    "readlink" "realpath" "mktemp" "date" "env" "printf" "echo" "test" "[" "true" "false" "sleep"
    "tar" "gzip" "xz" "bzip2" "zstd" "diff" "cmp" "patch" "make" "cc" "gcc" "c++" "g++" "cpp" "ld"
    "ar" "as" "nm" "ranlib" "strip" "objdump" "objcopy" "readelf" "file" "install" "uname" "id" "expr"
    "seq" "stat" "du" "od" "sha256sum" "base64" "nproc" "timeout" "which" "cmp" "comm" "join" "paste"
  ];
  stdenvTools = b.derivation {
    name = "stub-stdenv-tools";
    inherit system;
    builder = "/bin/bash";
    toolNames = stdenvToolNames;
    args = [ "-c" ''
      set -e
      /bin/mkdir -p "$out/bin"
      for t in $toolNames; do
        for d in /usr/bin /bin /usr/sbin /sbin; do
          if [ -x "$d/$t" ]; then /bin/ln -sf "$d/$t" "$out/bin/$t"; break; fi
        done
      done
    '' ];
  };

  # Environment attributes a derivation must not see (they are Nix-side only).
  nonEnvAttrs = [ "passthru" "meta" "env" ];

  mkDerivation = attrs0:
    let
      attrs = if b.isFunction attrs0 then (let final = attrs0 final; in final) else attrs0;
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      meta = attrs.meta or { };
      passthru = attrs.passthru or { };
      unsupported = meta ? platforms && !(b.elem system meta.platforms);
      drv = b.derivation (removeAttrs attrs nonEnvAttrs // (attrs.env or { }) // {
        inherit name system stdenvTools;
        builder = "/bin/bash";
        args = [ ./builder.sh ];
      });
      result = drv // passthru // {
        inherit meta passthru;
        overrideAttrs = f:
          let r = f attrs; in mkDerivation (attrs // (if b.isFunction r then r attrs else r));
      };
    in
    if unsupported
    then throw "nixpkgs stub: package ‘${name}’ is not available on the requested hostPlatform ${system} (meta.platforms)"
    else result;

  # A package made of host tools: in BUILD mode $out/bin/<bin> -> mode.tools.<key>.<bin>,
  # in EVAL-ONLY mode a derivation whose build fails on purpose.
  # `mirrors` maps a folder under $out to a host folder: it becomes a tree of REAL folders with
  # symlinked files (`cp -rs`), like a read-only store copy whose folders a build can re-create;
  # `mirrorsWithout` leaves files out of it. `binEnv` makes each bin a wrapper script that sets
  # VAR to $out/<dir> unless the caller already set VAR.
  hostPackage = { pname, version, key ? pname, bins ? [ pname ], mainProgram ? b.head bins, platforms ? null, mirrors ? { }, mirrorsWithout ? [ ], binEnv ? { } }:
    let
      available = tools.${key} or { };
      links = lib.filterAttrs (n: _: b.elem n bins) available;
      mirror = dir: hostDir:
        if hostDir == null then ''
          echo "nixpkgs stub: ${pname} needs a host folder for $out/${dir} (BUILD mode.nix has none)" >&2
          exit 1
        '' else ''
          mkdir -p "$(dirname "$out/${dir}")"
          cp -rs ${lib.escapeShellArg hostDir} "$out/${dir}"
          ${lib.concatMapStringsSep "\n" (f: "rm -f \"$out/${dir}/${f}\"") mirrorsWithout}
        '';
      envLines = lib.concatStrings (lib.mapAttrsToList (var: dir: ''
        export ${var}="\''${${var}:-$out/${dir}}"
      '') binEnv);
      link = n: p:
        if binEnv == { } then "ln -s ${lib.escapeShellArg p} $out/bin/${n}"
        else ''
          cat > $out/bin/${n} <<STUB_WRAPPER
          #!/bin/bash
          ${envLines}exec ${lib.escapeShellArg p} "\$@"
          STUB_WRAPPER
          chmod +x $out/bin/${n}
        '';
    in
    mkDerivation ({
      inherit pname version;
      meta = { inherit mainProgram; } // lib.optionalAttrs (platforms != null) { inherit platforms; };
      passthru.stubHostTool = key;
      buildCommand =
        if building && links != { } then ''
          mkdir -p $out/bin
          ${lib.concatStringsSep "\n" (lib.mapAttrsToList mirror mirrors)}
          ${lib.concatStringsSep "\n" (lib.mapAttrsToList link links)}
        ''
        else ''
          echo "nixpkgs stub: ${pname} is a placeholder (eval-only stub mode, or no host tool '${key}' configured in mode.nix)" >&2
          exit 1
        '';
    });

  writeTextFile = { name, text, executable ? false, destination ? "" }:
    mkDerivation {
      inherit name text;
      passAsFile = [ "text" ];
      buildCommand = ''
        target="$out${destination}"
        mkdir -p "$(dirname "$target")"
        cp "$textPath" "$target"
        ${lib.optionalString executable ''chmod +x "$target"''}
      '';
    };

  runCommandWith = extra: name: env: buildCommand:
    mkDerivation ({ inherit name buildCommand; } // extra // env);

  symlinkJoin = { name, paths, postBuild ? "", passthru ? { }, ... }@args:
    mkDerivation (removeAttrs args [ "paths" ] // {
      inherit name passthru;
      pathsToLink = paths;
      buildCommand = ''
        mkdir -p $out
        for p in $pathsToLink; do
          if [ -d "$p" ]; then cp -rsf --no-preserve=mode "$p"/. $out/; fi
        done
        ${postBuild}
      '';
    });

  mkShell = { name ? "nix-shell", packages ? [ ], inputsFrom ? [ ], nativeBuildInputs ? [ ], buildInputs ? [ ], ... }@args:
    mkDerivation (removeAttrs args [ "packages" "inputsFrom" ] // {
      inherit name;
      nativeBuildInputs = packages ++ nativeBuildInputs ++ lib.concatMap (d: d.nativeBuildInputs or [ ]) inputsFrom;
      buildInputs = buildInputs ++ lib.concatMap (d: d.buildInputs or [ ]) inputsFrom;
      passthru = (args.passthru or { }) // { stubShellPackages = packages; };
      buildCommand = "export -p > $out";
    });

  rust = hostPackage { pname = "rust-host-tools"; version = "1.0.0"; key = "rust"; bins = [ "cargo" "rustc" "rustdoc" "rustfmt" "cargo-fmt" "cargo-clippy" "clippy-driver" ]; };

  self = {
    inherit lib system stdenvTools mkShell symlinkJoin writeTextFile;
    pkgs = self;
    hostPlatform = platform;
    buildPlatform = platform;
    targetPlatform = platform;
    stdenv = {
      inherit mkDerivation isLinux isDarwin;
      hostPlatform = platform;
      buildPlatform = platform;
      targetPlatform = platform;
      system = system;
      cc = hostPackage { pname = "cc"; version = "12"; key = "cc"; bins = [ "cc" ]; } // { isClang = isDarwin; };
    };
    stdenvNoCC = self.stdenv;
    crossflakeStub = { inherit mode; };

    callPackage = fn: overrides:
      let
        f = if b.isFunction fn then fn else import fn;
        auto = b.intersectAttrs (b.functionArgs f) self;
      in
      lib.makeOverridable f (auto // overrides);

    mkShellNoCC = mkShell;
    writeText = name: text: writeTextFile { inherit name text; };
    writeShellScript = name: text: writeTextFile { inherit name; executable = true; text = "#!/bin/bash\n" + text; };
    writeShellScriptBin = name: text: writeTextFile { inherit name; executable = true; destination = "/bin/${name}"; text = "#!/bin/bash\n" + text; };
    runCommand = runCommandWith { };
    runCommandLocal = runCommandWith { preferLocalBuild = true; allowSubstitutes = false; };
    runCommandNoCC = runCommandWith { };

    # Host tools (names/versions are only labels).
    # Like nixpkgs' zig: the compiler in $out/bin, its lib dir (std, libc sources and headers) in
    # $out/lib/zig, read-only in the store. BUILD mode mirrors the host zig's lib dir there
    # (mode.zigLib) and $out/bin/zig uses it unless ZIG_LIB_DIR says otherwise (a writable copy).
    # The mirror leaves out arm-features.h, which zig >= 0.14 ships but older zigs lack:
    # cargo-zigbuild then writes it into the lib dir for arm targets, as it does with those
    # zigs, so an armv7 build proves the flake gives zig a writable lib dir.
    zig = hostPackage {
      pname = "zig";
      version = "0.15.2";
      mirrors."lib/zig" = mode.zigLib or null;
      mirrorsWithout = [ "libc/glibc/sysdeps/arm/arm-features.h" ];
      binEnv.ZIG_LIB_DIR = "lib/zig";
    };
    cargo-zigbuild = hostPackage { pname = "cargo-zigbuild"; version = "0.20.1"; };
    # Like nixpkgs' removeReferencesTo: `remove-references-to -t STOREPATH... FILE...` overwrites
    # each STOREPATH's hash in FILEs with e's (same length, so binaries stay valid) and Nix no
    # longer sees a reference. Our own script (sed), not nixpkgs' code.
    removeReferencesTo = self.writeShellScriptBin "remove-references-to" ''
      set -eu
      targets=()
      while getopts t: opt; do
        case "$opt" in
          t) targets+=("$OPTARG") ;;
          *) echo "usage: remove-references-to -t STOREPATH... FILE..." >&2; exit 2 ;;
        esac
      done
      shift $((OPTIND - 1))
      for file in "$@"; do
        for target in "''${targets[@]}"; do
          store="$(dirname "$target")"
          hash="$(basename "$target" | cut -c1-32)"
          sed -i -e "s|$store/$hash|$store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee|g" "$file"
        done
      done
    '';
    jq = hostPackage { pname = "jq"; version = "1.8.1"; };
    rsync = hostPackage { pname = "rsync"; version = "3.4.1"; };
    zstd = hostPackage { pname = "zstd"; version = "1.5.7"; };
    lndir = hostPackage { pname = "lndir"; version = "1.0.5"; };
    remarshal = hostPackage { pname = "remarshal"; version = "0.17.1"; };
    file = hostPackage { pname = "file"; version = "5.46"; };
    # Info-ZIP, for the Windows release archives (mode.tools.zip in BUILD mode).
    zip = hostPackage { pname = "zip"; version = "3.0"; };
    qemu = hostPackage {
      pname = "qemu"; version = "10.1.0";
      bins = [ "qemu-aarch64" "qemu-arm" "qemu-i386" "qemu-x86_64" "qemu-riscv64" "qemu-s390x" "qemu-ppc64le" ];
    };
    wine64 = hostPackage { pname = "wine64"; version = "10.0"; bins = [ "wine64" "wine" "wineserver" ]; };
    # nixpkgs' 64-bit wine; `wine64` is kept as an alias like in recent nixpkgs. Its bin/wine is
    # what the flake's Windows runner execs (BUILD mode: the host's `wine` wrapper script). The
    # emulator stubs (qemu, wine, wasmtime) prove the runners' paths and that the host tools they
    # link run the programs; not that nixpkgs' builds of them behave the same (rung 4).
    wineWow64Packages = rec {
      stable = hostPackage { pname = "wine-wow64"; version = "10.0"; key = "wine64"; bins = [ "wine64" "wine" "wineserver" ]; };
      staging = stable;
      unstable = stable;
      minimal = stable;
    };
    wineWowPackages = self.wineWow64Packages;
    # nixpkgs' glibc: the C library and its loader (ld-linux-*) in $out/lib. BUILD mode
    # mirrors a host folder holding this system's glibc there (mode.glibc.<system>, e.g.
    # Debian's libc6-arm64-cross for aarch64-linux), so a runner that hands it to qemu as
    # QEMU_LD_PREFIX really loads a dynamic program with it. Like nixpkgs' it is a derivation
    # of ITS system (an aarch64-linux glibc on an x86_64 host): real Nix substitutes it from the
    # public cache, the tests build this one locally with `extra-platforms`. What it does not
    # prove: that cache.nixos.org has nixpkgs' glibc for that system (rung 4).
    glibc = mkDerivation {
      pname = "glibc";
      version = "2.40";
      passthru.stubHostTool = "glibc";
      buildCommand =
        if building && (mode.glibc or { }) ? ${system} then ''
          mkdir -p $out
          cp -rs ${lib.escapeShellArg mode.glibc.${system}} $out/lib
        ''
        else ''
          echo "nixpkgs stub: glibc of ${system} is a placeholder (eval-only stub mode, or no mode.glibc.${system})" >&2
          exit 1
        '';
    };
    # nixpkgs' CA bundle: $out/etc/ssl/certs/ca-bundle.crt. BUILD mode copies the host's bundle
    # (Debian's ca-certificates) so an image holds a real file, not a link out of the store.
    cacert = mkDerivation {
      pname = "nss-cacert";
      version = "3.117";
      buildCommand =
        if building then ''
          mkdir -p $out/etc/ssl/certs
          cp /etc/ssl/certs/ca-certificates.crt $out/etc/ssl/certs/ca-bundle.crt
        ''
        else ''
          echo "nixpkgs stub: cacert is a placeholder (eval-only stub mode)" >&2
          exit 1
        '';
    };
    # gzip (push-images unpacks the images with it); BUILD mode links the host's.
    gzip = hostPackage { pname = "gzip"; version = "1.14"; };
    # podman (push-images runs it); BUILD mode links the host's.
    podman = hostPackage { pname = "podman"; version = "5.6.2"; };

    # nixpkgs' dockerTools, the part the generated flake uses: buildLayeredImage with upstream's
    # arguments (name, tag, contents, config, architecture defaulting to the host's GOARCH,
    # created), whose result is a gzipped docker archive (`docker load < result`): manifest.json,
    # the image config JSON {architecture, os = linux, config, rootfs.diff_ids, created} and the
    # layers. Proves what an image holds (the store closure of contents and config, contents'
    # files at the image root) and what its config says. Differs from upstream: ONE layer
    # (upstream spreads the closure over up to 100 popularity-ordered layers) and no
    # fakeRootCommands/enableFakechroot; store files are copied dereferenced (the BUILD-mode
    # stub packages are links to host files, which would dangle in an image).
    dockerTools = {
      buildLayeredImage =
        { name, tag ? null, contents ? [ ], config ? { }, created ? "1970-01-01T00:00:01Z"
        , architecture ? { x86_64 = "amd64"; aarch64 = "arm64"; i686 = "386"; }.${arch}, ... }:
        let
          contentsList = if b.isList contents then contents else [ contents ];
          configJson = b.toJSON { inherit architecture config created; os = "linux"; };
          # Everything the image must hold: its contents and whatever its config refers to.
          roots = self.writeText "${name}-roots" (b.concatStringsSep "\n" contentsList + "\n" + configJson);
        in
        mkDerivation {
          name = "docker-image-${name}.tar.gz";
          inherit configJson contentsList;
          imageName = lib.toLower name;
          imageTag = if tag == null then "latest" else lib.toLower tag;
          exportReferencesGraph = [ "graph" roots ];
          passthru = { inherit architecture; imageTag = if tag == null then "latest" else tag; };
          buildCommand = ''
            # Store paths of the closure: the graph file lists path, deriver, count, references.
            : > store-paths
            while read -r path; do
              read -r _deriver; read -r count
              for _ in $(seq 1 "$count"); do read -r _ref; done
              case "$path" in */*-${name}-roots) ;; *) echo "''${path#/}" >> store-paths ;; esac
            done < graph
            mkdir root image
            for p in $contentsList; do cp -rs --no-preserve=mode "$p"/. root/; done
            tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1 -C root -cf layer.tar .
            sort -u store-paths | tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1 \
              --dereference --hard-dereference -C / -rf layer.tar -T -
            layer=$(sha256sum layer.tar | cut -d' ' -f1)
            mkdir "image/$layer"
            mv layer.tar "image/$layer/layer.tar"
            printf '%s' "$configJson" | sed -e 's/}$//' > config.json
            printf ',"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$layer" >> config.json
            config=$(sha256sum config.json | cut -d' ' -f1)
            mv config.json "image/$config.json"
            printf '[{"Config":"%s.json","RepoTags":["%s:%s"],"Layers":["%s/layer.tar"]}]' \
              "$config" "$imageName" "$imageTag" "$layer" > image/manifest.json
            tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1 -C image -c . | gzip -9n > $out
          '';
        };
    };
    wasmtime = hostPackage { pname = "wasmtime"; version = "38.0.0"; };
    nixfmt = hostPackage { pname = "nixfmt"; version = "1.0.0"; };
    nixfmt-rfc-style = self.nixfmt;
    nixpkgs-fmt = hostPackage { pname = "nixpkgs-fmt"; version = "1.3.0"; };
    git = hostPackage { pname = "git"; version = "2.51.0"; };
    cargo = rust // { pname = "cargo"; };
    rustc = rust // { pname = "rustc"; };
    clippy = rust // { pname = "clippy"; };
    rustfmt = rust // { pname = "rustfmt"; };

    formats = {
      toml = _: { generate = _: _: throw "nixpkgs stub: formats.toml.generate is not implemented"; };
      json = _: { generate = name: value: self.writeText name (b.toJSON value); };
    };
    # nixpkgs' fetchurl, the part naersk uses ({ name, url, sha256 }): a fixed-output
    # derivation fetched by Nix's own builtin:fetchurl (real downloads, so BUILD mode needs the
    # network: static.crates.io is reachable here). The hash is checked like upstream's.
    fetchurl =
      { url, sha256, name ? b.baseNameOf url }:
      b.derivation {
        inherit name url;
        system = "builtin";
        builder = "builtin:fetchurl";
        outputHashMode = "flat";
        outputHashAlgo = "sha256";
        outputHash = sha256;
        executable = false;
        unpack = false;
        preferLocalBuild = true;
      };
    # Tools that build scripts of crates with C inside run (openssl-src: perl; CMake projects:
    # cmake; aws-lc-sys for x86_64 Windows: nasm; pkg-config), as nixpkgs names them. BUILD
    # mode links the host's (mode.tools.<name>); make is in stdenv.
    perl = hostPackage { pname = "perl"; version = "5.40.0"; };
    cmake = hostPackage { pname = "cmake"; version = "3.31.7"; bins = [ "cmake" "ctest" ]; };
    nasm = hostPackage { pname = "nasm"; version = "2.16.03"; bins = [ "nasm" "ndisasm" ]; };
    pkg-config = hostPackage { pname = "pkg-config-wrapper"; version = "0.29.2"; key = "pkg-config"; bins = [ "pkg-config" ]; };
    # nixpkgs' OpenSSL of the build machine, which naersk's override for openssl-sys adds to the
    # host's own build. An empty folder in BUILD mode: no test links it (the test crate builds
    # OpenSSL itself, openssl-src), so only where it reaches is proven, not that it works.
    openssl = mkDerivation { pname = "openssl"; version = "3.5.4"; buildCommand = "mkdir -p $out/lib"; };
  };
in
self
