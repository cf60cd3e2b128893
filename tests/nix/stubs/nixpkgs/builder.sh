# crossflake test stub: the generic builder of the stub `stdenv.mkDerivation` (BUILD mode).
#
# Runs the usual phases (unpack, patch, configure, build, check, install) with the phase and
# hook strings of the derivation, like nixpkgs' stdenv does, but with host tools: PATH is made
# ONLY of the `bin` folders of nativeBuildInputs/buildInputs and of `$stdenvTools` (symlinks to a
# fixed list of basic host tools: coreutils, grep, sed, tar, cc...). Nix cleared the environment
# and set HOME=/homeless-shelter; nothing here makes HOME writable.
set -eo pipefail

PATH=
for _p in $nativeBuildInputs $buildInputs $propagatedBuildInputs $propagatedNativeBuildInputs; do
    if [ -d "$_p/bin" ]; then PATH="${PATH:+$PATH:}$_p/bin"; fi
done
PATH="${PATH:+$PATH:}$stdenvTools/bin"
export PATH
export NIX_BUILD_CORES="${NIX_BUILD_CORES:-1}"
if [ "$NIX_BUILD_CORES" = 0 ]; then NIX_BUILD_CORES=$(nproc); fi
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-315532800}"

# runHook NAME: evaluate the hook string NAME (e.g. preBuild) when the derivation set it.
runHook() {
    local _hook="$1"
    if [ -n "${!_hook:-}" ]; then eval "${!_hook}"; fi
}

stripHash() { basename "$1" | sed -e 's/^[a-z0-9]\{32\}-//'; }

defaultUnpackPhase() {
    runHook preUnpack
    if [ -z "${src:-}" ]; then
        if [ -n "${srcs:-}" ]; then src="$srcs"; else echo "stub stdenv: no src" >&2; exit 1; fi
    fi
    local _name
    _name="$(stripHash "$src")"
    if [ -d "$src" ]; then
        cp -r --no-preserve=mode "$src" "$_name"
    else
        mkdir "$_name"
        tar -xf "$src" -C "$_name" --strip-components=1
    fi
    chmod -R u+w "$_name"
    sourceRoot="${sourceRoot:-$_name}"
    runHook postUnpack
    cd "$sourceRoot"
}

defaultPatchPhase() {
    runHook prePatch
    local _patch
    for _patch in ${patches:-}; do patch -p1 < "$_patch"; done
    runHook postPatch
}

defaultConfigurePhase() { runHook preConfigure; runHook postConfigure; }
defaultBuildPhase() { runHook preBuild; runHook postBuild; }
defaultCheckPhase() { runHook preCheck; runHook postCheck; }
defaultInstallPhase() { runHook preInstall; runHook postInstall; }

# runPhase NAME: the derivation's own `NAMEPhase` string if set, else the default above.
runPhase() {
    local _phase="$1"
    local _var="${_phase}Phase"
    echo "stub stdenv: running ${_phase}Phase" >&2
    if [ -n "${!_var:-}" ]; then
        eval "${!_var}"
    else
        "default${_phase^}Phase"
    fi
}

mkdir -p "$NIX_BUILD_TOP/tmp" 2>/dev/null || true
cd "$NIX_BUILD_TOP"

if [ -n "${buildCommand:-}" ]; then
    eval "$buildCommand"
    exit 0
fi

if [ -n "${phases:-}" ]; then
    for _ph in $phases; do
        case "$_ph" in
            *Phase) _ph="${_ph%Phase}" ;;
        esac
        runPhase "$_ph"
    done
else
    [ -n "${dontUnpack:-}" ] || runPhase unpack
    runPhase patch
    [ -n "${dontConfigure:-}" ] || runPhase configure
    [ -n "${dontBuild:-}" ] || runPhase build
    if [ -n "${doCheck:-}" ]; then runPhase check; fi
    [ -n "${dontInstall:-}" ] || runPhase install
fi

if [ ! -e "$out" ]; then
    echo "stub stdenv: the build did not create \$out ($out)" >&2
    exit 1
fi
