{
  description = "crossflake test stub of nixpkgs (offline; lib subset + placeholder or host-tool packages)";

  outputs = { self }:
    let
      lib = import ./lib.nix;
      mode = import ./mode.nix;
      systems = [ "x86_64-linux" "aarch64-linux" "i686-linux" "x86_64-darwin" "aarch64-darwin" ];
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs systems (system: import ./pkgs.nix { inherit lib system mode; });
    };
}
