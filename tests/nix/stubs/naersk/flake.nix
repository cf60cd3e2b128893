{
  description = "crossflake test stub of naersk (offline; two-derivation cargo builds with host tools)";

  # Declared like upstream so that a consumer's `naersk.inputs.nixpkgs.follows = "nixpkgs"`
  # resolves; in tests it always follows the (overridden) nixpkgs stub.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "i686-linux" "x86_64-darwin" "aarch64-darwin" ];
    in
    {
      # `pkgs.callPackage naersk { ... }` imports ./default.nix through the input's outPath.
      lib = nixpkgs.lib.genAttrs systems (system: nixpkgs.legacyPackages.${system}.callPackage ./default.nix { });
    };
}
