# nix/crate.nix: crossflake's, rewritten by `copier update`. What the crate is, read as cargo
# reads it: the sources Nix builds, and the name, version and programs of the packages that
# `cargo build` builds at its root (Cargo.toml and readDir of the source: no
# import-from-derivation). Nothing here needs editing for a new member, program or binary: it
# follows Cargo.toml. Your own additions go in nix/local.nix.
{ lib, root }:
let
  # The sources Nix builds see: the whole crate minus the files that only
  # describe the project or serve the dev shell, so editing them (or adding
  # a target) rebuilds nothing. A deny-list rather than an allow-list of
  # cargo's usual paths on purpose: build scripts, include_str! and
  # include_bytes! may read any file of the crate (proto/, assets/, ...),
  # and an allow-list would silently drop those. .cargo/config.toml (and
  # .cargo/crossflake.toml beside a config of the crate's own) is for `nix develop`
  # (the flags Nix builds need are passed in nix/build.nix); old-style .cargo/config
  # and rust-toolchain (no .toml) stay out for the same reasons.
  # nix/ is the flake's own code: editing it (nix/local.nix too) rebuilds a
  # package only where the change reaches its derivation.
  src = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.difference root (
      lib.fileset.unions (
        map (path: lib.fileset.maybeMissing (root + path)) [
          "/flake.nix"
          "/flake.lock"
          "/nix"
          "/PLATFORMS.md"
          "/rust-toolchain.toml"
          "/.envrc"
          "/.copier-answers.yml"
          "/.cargo/config.toml"
          "/.cargo/crossflake.toml"
          "/.cargo/config"
          "/rust-toolchain"
          "/.github"
        ]
      )
    );
  };

  # naersk installs every program it builds in bin/.
  manifest = lib.importTOML (root + "/Cargo.toml");
  workspace = manifest.workspace or { };
  # A package field that may be inherited: `version.workspace = true`.
  inherited =
    package: key: default:
    let
      value = package.${key} or null;
    in
    if builtins.isAttrs value then
      workspace.package.${key} or default
    else if value == null then
      default
    else
      value;
  # Workspace members: paths, or globs in their last part (`crates/*`); a
  # member must hold a Cargo.toml, and `exclude` removes members.
  expandMember =
    pattern:
    let
      parts = lib.splitString "/" pattern;
      parent = lib.concatStringsSep "/" (lib.take (lib.length parts - 1) parts);
      last = lib.last parts;
      isGlob = builtins.match ".*[*?[].*" last != null;
      regex = builtins.replaceStrings [ "." "*" "?" ] [ "\\." "[^/]*" "[^/]" ] last;
      parentPath = if parent == "" then root else root + "/${parent}";
      entries = if builtins.pathExists parentPath then builtins.readDir parentPath else { };
      matches = lib.filter (name: builtins.match regex name != null) (
        lib.attrNames (lib.filterAttrs (_: type: type == "directory") entries)
      );
    in
    if isGlob then
      map (name: if parent == "" then name else "${parent}/${name}") matches
    else
      [ pattern ];
  isMember = dir: builtins.pathExists (root + "/${dir}/Cargo.toml");
  isExcluded = dir: lib.elem dir (workspace.exclude or [ ]);
  memberDirs =
    patterns:
    lib.filter (dir: isMember dir && !isExcluded dir) (
      lib.unique (lib.concatMap expandMember patterns)
    );
  # One package: name, version, `default-run`, and its programs: [[bin]]
  # entries plus, unless `autobins = false` (edition 2015: any [[bin]]),
  # src/main.rs (named after the package), src/bin/*.rs and src/bin/*/main.rs.
  packageAt =
    dir:
    let
      packageRoot = if dir == "." then root else root + "/${dir}";
      toml = lib.importTOML (packageRoot + "/Cargo.toml");
      package = toml.package;
      edition = inherited package "edition" "2015";
      has = relative: builtins.pathExists (packageRoot + "/${relative}");
      declaredPath =
        bin:
        bin.path or (lib.findFirst has "src/bin/${bin.name}.rs" (
          lib.optional (bin.name == package.name) "src/main.rs"
          ++ [
            "src/bin/${bin.name}.rs"
            "src/bin/${bin.name}/main.rs"
          ]
        ));
      declared = map (bin: {
        inherit (bin) name;
        path = declaredPath bin;
      }) (toml.bin or [ ]);
      binDir = if has "src/bin" then builtins.readDir (packageRoot + "/src/bin") else { };
      discovered =
        lib.optional (has "src/main.rs") {
          inherit (package) name;
          path = "src/main.rs";
        }
        ++ builtins.concatLists (
          lib.mapAttrsToList (
            entry: type:
            if type == "regular" && lib.hasSuffix ".rs" entry then
              [
                {
                  name = lib.removeSuffix ".rs" entry;
                  path = "src/bin/${entry}";
                }
              ]
            else if type == "directory" && has "src/bin/${entry}/main.rs" then
              [
                {
                  name = entry;
                  path = "src/bin/${entry}/main.rs";
                }
              ]
            else
              [ ]
          ) binDir
        );
      autobins = package.autobins or (!(edition == "2015" && declared != [ ]));
      # A discovered file a [[bin]] entry already builds is not a second program.
      plainPath = bin: lib.removePrefix "./" bin.path;
      isNew =
        bin:
        !lib.elem bin.name (map (b: b.name) declared)
        && !lib.elem (plainPath bin) (map plainPath declared);
      programs = lib.unique (
        map (bin: bin.name) (declared ++ lib.optionals autobins (lib.filter isNew discovered))
      );
      # The package names of its dependencies that can end up in a program: every
      # [dependencies] and [build-dependencies] table, per platform too, but not
      # [dev-dependencies] (tests, examples and benches only). A renamed
      # dependency (`package = "..."`, also through `workspace = true`) counts
      # under its package's name.
      dependencyTables = [
        toml
      ]
      ++ lib.attrValues (toml.target or { });
      dependencyName =
        key: spec:
        let
          fromWorkspace = workspace.dependencies.${key} or { };
        in
        if builtins.isAttrs spec && spec ? package then
          spec.package
        else if builtins.isAttrs spec && spec.workspace or false then
          fromWorkspace.package or key
        else
          key;
      linkedDependencies = lib.unique (
        lib.concatMap (
          table:
          builtins.concatLists (
            map (kind: lib.mapAttrsToList dependencyName (table.${kind} or { })) [
              "dependencies"
              "build-dependencies"
              "build_dependencies"
            ]
          )
        ) dependencyTables
      );
    in
    {
      inherit (package) name;
      inherit programs linkedDependencies;
      version = inherited package "version" "0.0.0";
      # Where its source is published (`repository` in Cargo.toml), or null.
      repository = inherited package "repository" null;
      # What `cargo run` starts: `default-run`, else the only program, else the
      # one named after the package (src/main.rs); null when that leaves a choice.
      main =
        if package ? default-run then
          package.default-run
        else if lib.length programs == 1 then
          lib.head programs
        else if lib.elem package.name programs then
          package.name
        else
          null;
    };
  # The root package, else the workspace's default-members, else every member
  # (a root package with default-members builds those, like cargo).
  builtPackages =
    if workspace ? default-members then
      map packageAt (memberDirs workspace.default-members)
    else if manifest ? package then
      [ (packageAt ".") ]
    else
      map packageAt (memberDirs (workspace.members or [ ]));
  # Every package of the crate: the root one and each workspace member.
  localPackages = map packageAt (
    lib.unique (lib.optional (manifest ? package) "." ++ memberDirs (workspace.members or [ ]))
  );
  programs = lib.unique (lib.concatMap (package: package.programs) builtPackages);
  mains = lib.filter (main: main != null) (map (package: package.main) builtPackages);
  # The program `nix run .#<triple>` and the images start; null when the
  # crate has several and nothing says which one is the main one.
  mainProgram =
    if lib.length builtPackages == 1 then
      (lib.head builtPackages).main
    else if lib.length programs == 1 then
      lib.head programs
    else if lib.length mains == 1 then
      lib.head mains
    else
      null;
  # The package that names the builds and archives: the main program's, else
  # the first one with programs, else the first one built.
  owner =
    let
      withPrograms = lib.filter (package: package.programs != [ ]) builtPackages;
      ofMain = lib.filter (package: lib.elem mainProgram package.programs) builtPackages;
    in
    lib.head (
      ofMain
      ++ withPrograms
      ++ builtPackages
      ++ [
        {
          name = "rust-workspace";
          version = "0.0.0";
        }
      ]
    );
in
{
  inherit src programs mainProgram;
  inherit (owner) name version;
  repository = owner.repository or null;
  # The packages `cargo build` builds here, each with its name, version, programs
  # and linkedDependencies (nix/sbom.nix).
  packages = builtPackages;
  inherit localPackages;
  # Cargo.lock, read by nix/sbom.nix; null where the crate has none.
  lock =
    let
      path = root + "/Cargo.lock";
    in
    if builtins.pathExists path then lib.importTOML path else null;
}
