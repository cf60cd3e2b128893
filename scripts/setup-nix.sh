#!/usr/bin/env bash
# Install Nix (Debian's `nix-bin`) for the flake tests and create Nix build users.
#
# Idempotent. Writes nothing global that changes how the host behaves: no /etc/nix/nix.conf,
# no daemon, no sandbox-paths (overlapping sandbox-paths once truncated /bin/dash). The tests
# pass their whole configuration through the NIX_CONFIG environment variable instead
# (see tests/nix/nixenv.py).
#
# Build users matter: with `build-users-group = nixbld`, a build runs as nixbld1 with
# HOME=/homeless-shelter unwritable, exactly like a real Nix builder. As root without build
# users, Nix creates /homeless-shelter and hides cache-directory bugs.
#
# Environment: NIX_BUILD_USERS (default 4) = number of nixbldN users to create.
set -euo pipefail

n_users="${NIX_BUILD_USERS:-4}"

log() { printf 'setup-nix: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root (apt-get, groupadd, useradd)"
    exit 1
fi

if ! command -v nix >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    # A mirror glitch (size mismatch on the security mirror) makes `apt-get update` exit 100
    # although the main lists are fine: tolerate it and let the install decide.
    # setup-test-machine.sh passes CROSSFLAKE_APT_UPDATED=1 when it has just fetched them.
    [ -n "${CROSSFLAKE_APT_UPDATED:-}" ] || apt-get update -qq || log "apt-get update exited $? (tolerated)"
    apt-get install -y -qq --no-install-recommends nix-bin >/dev/null
fi
command -v nix >/dev/null 2>&1 || { log "nix not found after install"; exit 1; }

# Build users (system accounts, no home, in group nixbld).
if ! getent group nixbld >/dev/null; then
    groupadd -r nixbld
fi
for i in $(seq 1 "$n_users"); do
    user="nixbld$i"
    if ! id -u "$user" >/dev/null 2>&1; then
        useradd -r -M -N -g nixbld -G nixbld -d /var/empty -s /usr/sbin/nologin \
            -c "Nix build user $i" "$user"
    fi
done

# A root build without build users leaves /homeless-shelter behind, and Nix then refuses every
# later build ("home directory '/homeless-shelter' exists"). Nothing legitimate lives there.
if [ -e /homeless-shelter ]; then
    log "removing a stale /homeless-shelter (left by a build without build users)"
    rm -rf /homeless-shelter
fi

# Nix as root single-user needs its state dirs; nix creates them itself on first use, but make
# sure the store is usable by build users (Debian's package creates /nix/store).
mkdir -p /nix/store /nix/var/nix
log "ok: $(nix --version), build users: $(getent group nixbld | cut -d: -f4)"
