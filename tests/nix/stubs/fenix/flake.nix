{
  description = "crossflake test stub of fenix (offline; synthetic channels, fromManifestFile reads real TOML)";

  # Declared like upstream so that a consumer's `fenix.inputs.nixpkgs.follows = "nixpkgs"`
  # resolves; in tests it always follows the (overridden) nixpkgs stub.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "i686-linux" "x86_64-darwin" "aarch64-darwin" ];
    in
    {
      packages = nixpkgs.lib.genAttrs systems (system:
        import ./default.nix {
          inherit system;
          inherit (nixpkgs) lib;
          pkgs = nixpkgs.legacyPackages.${system};
        });
    };
}
