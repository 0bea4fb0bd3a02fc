#!/usr/bin/env bash
# Tools that do not come from PyPI: Vale (built from the Go module proxy) and,
# for the browser tests, Debian's Chromium. Idempotent: finds what is there first.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/install-vale.sh ] || [ -f scripts/install-vale.sh ]; then
  bash scripts/install-vale.sh
fi
if [ -f scripts/install-browser.sh ]; then
  bash scripts/install-browser.sh
fi
# actionlint checks .github/workflows/ (tests/test_workflow.py); built from the Go module proxy.
if [ -f scripts/install-actionlint.sh ]; then
  bash scripts/install-actionlint.sh
fi
