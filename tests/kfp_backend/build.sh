#!/bin/sh
# Builds the KFP backend conformance check (main.go) once per source and module set, and prints its path.
# The binary is cached under ${XDG_CACHE_HOME:-~/.cache}/kfmigrate/, keyed by go.sum, go.mod and main.go,
# so only the first run after a change pays for the Go build (minutes: it compiles the KFP API server).
# Exit 3: Go is not installed (the test suite skips then, except under CI=true).
# Exit 4: the Go module proxy refuses the KFP backend modules (this workplace's proxy serves the 2.17
# release to some machines only): the suite skips the check and says so, in CI too; docs/kubeflow.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
key=$(cat "$here/go.sum" "$here/go.mod" "$here/main.go" | sha256sum | cut -c1-12)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kfmigrate"
binary="$cache/kfp-backend-check-$key"
if [ ! -x "$binary" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "go is not installed: the KFP backend conformance check needs Go (see docs/kubeflow.md)" >&2
    exit 3
  fi
  mkdir -p "$cache"
  echo "building the KFP backend conformance check into $binary (once per go.sum)" >&2
  log="$cache/build-$$.log"
  (cd "$here" && go build -buildvcs=false -o "$binary.partial.$$" .) >"$log" 2>&1 || {
    cat "$log" >&2
    if grep -q "kubeflow/pipelines.*\(403\|not available\|invalid version\)" "$log"; then
      rm -f "$log"
      echo "the Go module proxy (GOPROXY=$(go env GOPROXY)) does not serve the KFP backend modules to this machine:" \
           "the KFP backend conformance check cannot be built here" >&2
      exit 4
    fi
    rm -f "$log"
    echo "the KFP backend conformance check did not build: its modules come from the Go module proxy (GOPROXY=$(go env GOPROXY))" >&2
    exit 1
  }
  rm -f "$log"
  mv "$binary.partial.$$" "$binary"  # whole or not at all, even with two builds at once
fi
echo "$binary"
