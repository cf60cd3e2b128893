# crossflake test stub mode. This committed default is EVAL-ONLY: tool packages are
# placeholders that fail when built. tests/nix/nixenv.py writes a BUILD-mode version of this file
# into a temporary copy of the stubs (tool name -> absolute host paths).
{
  build = false;
  tools = { };
  rustSysroot = null;
}
