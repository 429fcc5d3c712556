#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine: the npm dependencies, and Debian's Chromium for the
# browser tests (playwright-core drives /usr/bin/chromium; it never downloads a browser of its own).
set -euo pipefail
usage="usage: bash scripts/setup-test-machine.sh
  Installs what npm test needs on a fresh Debian machine: the npm dependencies (npm ci) and Debian's Chromium."
for arg in "$@"; do
  case "$arg" in
    -h|--help) echo "$usage"; exit 0 ;;
    *) printf 'unknown argument %s\n\n%s\n' "$arg" "$usage" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
npm ci
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update
  $SUDO apt-get install -y chromium
fi
