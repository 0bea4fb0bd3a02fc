#!/usr/bin/env bash
# Chromium for the browser tests (tests/browser/, Playwright driving Debian's
# chromium; never `playwright install`, which downloads a browser).
# Idempotent: does nothing when /usr/bin/chromium is there.
set -euo pipefail
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: installing Debian's chromium with apt-get (for the browser tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "install-browser: $CHROMIUM not found; install Debian's chromium (sudo apt-get install chromium) to run the browser tests (pytest -m browser)"
