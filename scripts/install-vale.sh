#!/usr/bin/env bash
# Vale, the prose linter, for `python -m linters check` and the tests.
#
# Finds it in the same order as the checker (linters/vale.py): $VALE_BIN, then
# `vale` on PATH, then .tools/bin/vale in this repo (git-ignored). When none is
# there and Go is installed, builds the pinned version from the Go module proxy:
#
#   GOBIN=$PWD/.tools/bin go install github.com/vale-cli/vale/v3/cmd/vale@v3.21.0
#
# Why this route: the PyPI `vale` wrapper downloads the binary from GitHub on
# first run, which a machine limited to package registries cannot do. Why this
# module path: Vale moved from github.com/errata-ai to github.com/vale-cli, and
# v3.21.0's go.mod declares `github.com/vale-cli/vale/v3`, so
# `go install github.com/errata-ai/vale/v3/cmd/vale@v3.21.0` fails with
# "module declares its path as: github.com/vale-cli/vale/v3". Building needs cgo
# (gcc): Vale links tree-sitter parsers.
#
# Prints one line saying what it did. Never fails the set-up: without Go (or if
# the build fails) it prints how to install Vale and exits 0; the Vale tests
# then fail with the same advice unless LINTERS_SKIP_VALE=1.
set -uo pipefail
cd "$(dirname "$0")/.."

VERSION="${VALE_VERSION:-3.21.0}"
MODULE="github.com/vale-cli/vale/v3"
BIN_DIR="$PWD/.tools/bin"
LOCAL="$BIN_DIR/vale"
LOG="$PWD/.tools/vale-build.log"
HOWTO="install Vale ${VERSION} (https://vale.sh/docs/install: brew install vale, choco install vale, or a release binary) and put it on PATH or set VALE_BIN; or install Go and gcc and run scripts/install-vale.sh again"

version_of() {
  "$1" --version 2>/dev/null | head -n1 | sed -e 's/^vale version //' -e 's/^v//'
}

if [ -n "${VALE_BIN:-}" ]; then
  if [ -x "$VALE_BIN" ] && [ ! -d "$VALE_BIN" ]; then
    echo "vale: using VALE_BIN=$VALE_BIN (version $(version_of "$VALE_BIN"))"
  else
    echo "vale: VALE_BIN=$VALE_BIN is not an executable file; fix or unset it, or $HOWTO" >&2
  fi
  exit 0
fi

if found="$(command -v vale 2>/dev/null)" && [ -n "$found" ]; then
  echo "vale: using $found from PATH (version $(version_of "$found"); this repo pins $VERSION)"
  exit 0
fi

if [ -x "$LOCAL" ] && [ "$(version_of "$LOCAL")" = "$VERSION" ]; then
  echo "vale: using .tools/bin/vale (version $VERSION)"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "vale: not found, and Go is not installed to build it: $HOWTO" >&2
  exit 0
fi

mkdir -p "$BIN_DIR"
# -X main.version makes `vale --version` report the pin, which is how a rerun
# knows the build is current (a plain `go install` reports "master").
if GOBIN="$BIN_DIR" GOFLAGS="${GOFLAGS:-} -buildvcs=false" CGO_ENABLED=1 \
  go install -ldflags "-s -w -X main.version=${VERSION}" "${MODULE}/cmd/vale@v${VERSION}" >"$LOG" 2>&1 \
  && [ -x "$LOCAL" ]; then
  echo "vale: built $VERSION from the Go module proxy into .tools/bin/vale (go install ${MODULE}/cmd/vale@v${VERSION})"
else
  echo "vale: building $VERSION with Go failed (last lines of .tools/vale-build.log below); $HOWTO" >&2
  tail -n 5 "$LOG" >&2
fi
exit 0
