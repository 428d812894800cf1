#!/usr/bin/env bash
# Builds the toolbox helper next to the compiled runner: static (no libc), so it runs in any image.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
mkdir -p "$root/dist/apps/runner"
cd "$root/apps/runner/toolbox-helper"
GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$root/dist/apps/runner/toolbox-helper" .
