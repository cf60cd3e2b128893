# crossflake test stub mode. This committed default is EVAL-ONLY: tool packages are
# placeholders that fail when built. tests/nix/nixenv.py writes a BUILD-mode version of this file
# into a temporary copy of the stubs (tool name -> absolute host paths; rustSysroot: extra-target
# std libraries; zigLib: the host zig's lib dir, mirrored at ${pkgs.zig}/lib/zig; prebuiltStd:
# triple -> that target's std compiled once on this machine (tests/prebuilt_std.py), when the
# Rust ships no std for the targets; glibc:
# Nix system -> a host folder with that system's glibc, the stand-in for nixpkgs' glibc).
{
  build = false;
  tools = { };
  rustSysroot = null;
  zigLib = null;
  prebuiltStd = { };
  glibc = { };
}
