#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine: the npm dependencies, and Debian's Chromium for the
# browser tests (playwright-core drives /usr/bin/chromium; it never downloads a browser of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update
  $SUDO apt-get install -y chromium
fi
