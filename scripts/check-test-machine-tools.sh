#!/usr/bin/env bash
# Check that every tool in test-machine-tools.tsv (the list tests/support.py reads) is here.
# Bare names are looked up with /opt/crossflake/bin first on PATH, as the tests do; absolute
# entries must exist. Prints each missing tool with why the tests need it and exits 1, so a
# setup that forgot one fails with its name instead of failing tests one by one.
#
# Usage: check-test-machine-tools.sh [LIST]   (default: test-machine-tools.tsv beside this)
set -euo pipefail

list=${1:-$(dirname "$0")/test-machine-tools.tsv}
bin=${CROSSFLAKE_TOOLS_BIN:-/opt/crossflake/bin}

missing=0
present=0
while IFS=$'\t' read -r tool why; do
  case "$tool" in '' | '#'*) continue ;; esac
  if [ "${tool#/}" != "$tool" ]; then
    found=$([ -e "$tool" ] && echo yes || true)
  else
    found=$(PATH="$bin:$PATH" command -v "$tool" || true)
  fi
  if [ -n "$found" ]; then
    present=$((present + 1))
  else
    printf 'missing tool: %s (%s)\n' "$tool" "$why" >&2
    missing=$((missing + 1))
  fi
done <"$list"

if [ "$missing" -gt 0 ]; then
  printf 'error: %d tool(s) the tests need are missing: install them in scripts/setup-test-machine.sh\n' \
    "$missing" >&2
  exit 1
fi
echo "all $present tools the tests use are present ($list)"
