#!/usr/bin/env bash
# Downloads the Go modules that the workspace (go.work) needs into the module cache, so builds and
# tests run offline afterwards. Fast when go.work and the modules' go.mod/go.sum are unchanged
# since the last download. It never runs `go work sync`, which would rewrite committed go.mod
# files. Idempotent; tools/setup.sh calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[36m[setup]\033[0m %s\n' "$*"; }

# Never fetch a Go toolchain: use the installed one, or fail below.
export GOTOOLCHAIN=local
command -v go >/dev/null 2>&1 || { echo "Go is required (see the go line of go.work for the minimum version)" >&2; exit 1; }

stamp=.cache/setup-go.hash
files=(go.work go.work.sum)
for module in $(go work edit -json | sed -n 's/^ *"DiskPath": "\(.*\)",\{0,1\}$/\1/p'); do
  files+=("$module/go.mod" "$module/go.sum")
done
hash=$(for file in "${files[@]}"; do [ ! -f "$file" ] || cat "$file"; done | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  log "go mod download"
  go mod download
  mkdir -p "$(dirname "$stamp")"
  echo "$hash" >"$stamp"
fi
