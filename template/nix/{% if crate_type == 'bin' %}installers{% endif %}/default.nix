# nix/installers/default.nix: crossflake's, rewritten by `copier update`, like the two scripts
# beside it. The release's installers, written from nix/targets.nix and Cargo.toml for
# `nix build .#release`: install.sh (POSIX sh, Linux, macOS, FreeBSD) and install.ps1 (PowerShell,
# Windows), each where the crate has such a platform. They download from the GitHub release of
# tag v<version> when Cargo.toml's `repository` names a github.com repository; otherwise a user
# passes the release's URL (--from, -From). Your own additions go in nix/local.nix.
{
  lib,
  targets,
  crate,
}:
let
  inherit (crate) name version;
  github = builtins.match "https://github\\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/?" (
    if crate.repository == null then "" else crate.repository
  );
  downloadUrl = lib.optionalString (github != null) (
    "https://github.com/${lib.removeSuffix ".git" (lib.head github)}/releases/download/v${version}"
  );
  # Lets a user choose the folder by environment variable: HELLO_CROSS_INSTALL_DIR.
  installDirVariable = "${
    lib.toUpper (builtins.replaceStrings [ "-" ] [ "_" ] name)
  }_INSTALL_DIR";

  # Only these characters reach the scripts, so no value can end a quoted string.
  safe =
    what: value:
    if builtins.match "[A-Za-z0-9_.+-]+" value != null then
      value
    else
      throw "nix/installers: ${what} \"${value}\" has characters the installers do not quote";

  installable = lib.filterAttrs (_: target: target.install != null) targets;
  forScript =
    script: lib.filterAttrs (_: target: target.install.script == script) installable;
  file = triple: "${name}-${version}-${triple}.${targets.${triple}.archive}";
  orDash = value: if value == null then "-" else value;

  shArchive =
    triple: target:
    lib.concatStringsSep " " [
      (safe "target" triple)
      target.install.os
      (lib.concatStringsSep "," target.install.machines)
      (orDash target.install.libc)
      (orDash target.install.glibcFloor)
      (safe "archive" (file triple))
    ];
  # install.sh's lines: the builds for one machine, then the universal ones (macOS
  # universal2: one file for both Mac processors). install.sh takes the first build that
  # runs on the machine, so a release with both gives a Mac the build made for its own
  # processor (smaller, and x86_64-darwin runs on older macOS than universal2).
  shLines =
    archives:
    let
      universal = lib.filterAttrs (_: target: lib.length target.stdTriples > 1) archives;
    in
    lib.mapAttrsToList shArchive (removeAttrs archives (lib.attrNames universal))
    ++ lib.mapAttrsToList shArchive universal;
  psList = values: lib.concatMapStringsSep ", " (value: "'${value}'") values;
  psArchive =
    triple: target:
    lib.concatStringsSep "; " [
      "@{ Triple = '${safe "target" triple}'"
      "Machines = @(${psList target.install.machines})"
      "File = '${safe "archive" (file triple)}' }"
    ];

  fill =
    template: programSuffix: archives:
    builtins.replaceStrings
      [
        "@crate@"
        "@version@"
        "@downloadUrl@"
        "@downloadUrlOrNone@"
        "@installDirVariable@"
        "@programs@"
        "@archives@"
      ]
      [
        (safe "crate name" name)
        (safe "version" version)
        downloadUrl
        (if downloadUrl == "" then "none: Cargo.toml names no GitHub repository" else downloadUrl)
        installDirVariable
        (programSuffix (map (program: safe "program" program) crate.programs))
        archives
      ]
      (builtins.readFile template);
in
# Installer name -> its text.
lib.optionalAttrs (forScript "install.sh" != { }) {
  "install.sh" = fill ./install.sh (lib.concatStringsSep " ") (
    "\n" + lib.concatLines (shLines (forScript "install.sh"))
  );
}
// lib.optionalAttrs (forScript "install.ps1" != { }) {
  "install.ps1" = fill ./install.ps1 (programs: psList (map (program: "${program}.exe") programs)) (
    "\n  "
    + lib.concatStringsSep ",\n  " (lib.mapAttrsToList psArchive (forScript "install.ps1"))
    + "\n"
  );
}
