#!/usr/bin/env bash
# Rehearse CI on a machine where nothing was installed by hand.
#
# Builds a new Debian 12 root with mmdebstrap from the Debian archive this machine already
# uses, gives it only what CI's machine image brings (a CPython with pip, the machine's rustup
# Rust, gcc, git), clones the repository into it and runs `.ci/run` there as CI does: as
# root, CI=true, no terminal, no standard input. Everything else (Nix, zig, cargo-zigbuild,
# Debian's Rust 1.63 and its cross std libraries, qemu, Wine, wasmtime, node, actionlint...)
# must come from the project's own setup script. A missing install step fails here even if
# this machine has the tool from an earlier session.
#
# What it does not prove: that the image's own Python (pyenv) and Rust (rustup) behave like
# the stand-ins (a venv of Debian's python3; this machine's rustup toolchain, mounted
# read-only), and anything hermetic (rung 4 needs the internet).
#
# Usage (root): scripts/rehearse-fresh-machine.sh [--keep] [--command CMD] [COMMIT]
#   --keep          leave the root at $WORK/root for inspection (it is removed otherwise)
#   --command CMD   run CMD in the clone instead of `bash .ci/run`, e.g.
#                   'bash scripts/setup-test-machine.sh' to prove the setup alone (minutes)
#   COMMIT          what to clone (default: HEAD)
# Output: $WORK/ci.log and the exit code of .ci/run. About 25-40 minutes on 2 cores.
set -euo pipefail

WORK=${REHEARSAL_DIR:-/var/tmp/crossflake-rehearsal}
ROOT=$WORK/root
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
keep=0
command="bash .ci/run"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --command) command=$2; shift ;;
    *) break ;;
  esac
  shift
done
commit=$(git -C "$REPO" rev-parse "${1:-HEAD}")

log() { printf '\n== rehearsal: %s\n' "$*"; }
die() { printf 'rehearsal: error: %s\n' "$*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap, chroot, mounts)"
if ! command -v mmdebstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq mmdebstrap >/dev/null
fi

# Removing the root must never follow a mount into the host: mounts live only in the
# private mount namespace below, and rm stays on one file system all the same.
remove_root() {
  [ -d "$ROOT" ] || return 0
  if findmnt -rn -o TARGET | grep -q "^$ROOT"; then
    die "something is still mounted under $ROOT; not removing it"
  fi
  rm -rf --one-file-system "$ROOT"
}
remove_root
mkdir -p "$WORK"

log "new Debian 12 root in $ROOT (mmdebstrap, minbase)"
# The same archive and apt options the machine uses, nothing from its installed packages.
sources=$(mktemp)
cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null >"$sources" || true
aptopts=()
for conf in /etc/apt/apt.conf.d/*; do
  grep -q '^Acquire::' "$conf" 2>/dev/null && aptopts+=(--aptopt="$conf")
done
# Stand-ins for what CI's machine image brings besides Debian's base: gcc (cc for native
# crates), git, a CPython with pip (below, a venv), and the CA certificates pip needs.
mmdebstrap --variant=minbase --quiet "${aptopts[@]}" \
  --include=ca-certificates,git,gcc,libc6-dev,python3,python3-venv,procps \
  bookworm "$ROOT" - <"$sources"
rm -f "$sources"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

log "the machine's network trust: its extra CA certificates, pip and npm settings"
# Not tools but how this workplace reaches the registries (an egress proxy with its own
# CA): CI's machine has them in its image and its environment, so the root gets the same.
if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
  cp -a /usr/local/share/ca-certificates/. "$ROOT/usr/local/share/ca-certificates/"
  chroot "$ROOT" update-ca-certificates >/dev/null
fi
[ ! -f /etc/pip.conf ] || cp /etc/pip.conf "$ROOT/etc/pip.conf"
[ ! -f /root/.npmrc ] || cp /root/.npmrc "$ROOT/root/.npmrc"
network_env=()
while IFS= read -r assignment; do network_env+=("$assignment"); done < <(
  env | grep -E '^[A-Za-z_]*(CA_|CERT|SSL|PROXY|proxy|PIP_DEFAULT_TIMEOUT)[A-Za-z_]*=' |
    grep -v '^PIP_FIND_LINKS=' || true
)

log "the image's toolchains: a pip-capable python3, rustup's Rust (read-only)"
chroot "$ROOT" python3 -m venv /opt/image-python
mkdir -p "$ROOT/root/.rustup" "$ROOT/root/.cargo/bin"
cp -a "${CARGO_HOME:-/root/.cargo}/bin/." "$ROOT/root/.cargo/bin/"

log "fresh clone of $commit"
git clone -q "$REPO" "$ROOT/src"
git -C "$ROOT/src" checkout -q "$commit"

log "running '$command' inside the root (log: $WORK/ci.log)"
inner="cd /src && $command"
status=0
# pivot_root, not chroot: Nix 2.8 re-enters its saved mount namespace before running git,
# which resets a chroot'd process to the namespace's root ("fatal: cannot change to
# '/tmp/...'"). After pivot_root the new root IS the namespace's root.
unshare --mount --propagation private --pid --fork bash -s <<EOF \
  >"$WORK/ci.log" 2>&1 || status=$?
set -e
mount --bind "$ROOT" "$ROOT"
mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev"
mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys"
mount -t proc proc "$ROOT/proc"
mount -t tmpfs tmpfs "$ROOT/dev/shm"
mount --bind "${RUSTUP_HOME:-/root/.rustup}" "$ROOT/root/.rustup"
mount -o remount,bind,ro "$ROOT/root/.rustup"
mkdir -p "$ROOT/.host-root"
cd "$ROOT" && pivot_root . .host-root && umount -l /.host-root
exec /usr/bin/env -i CI=true HOME=/root LANG=C.UTF-8 TERM=dumb \
  ${network_env[*]@Q} \
  PATH=/root/.cargo/bin:/opt/image-python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c ${inner@Q} </dev/null
EOF
tail -n 5 "$WORK/ci.log"

[ "$keep" -eq 1 ] || remove_root
log "'$command' exited $status in a fresh Debian 12 root (full log: $WORK/ci.log)"
exit "$status"
