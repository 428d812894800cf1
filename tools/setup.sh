#!/usr/bin/env bash
# Installs what the project needs and is missing; fast (well under a second) when nothing is.
# Idempotent: `npm start` and `npm test` run it first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[36m[setup]\033[0m %s\n' "$*"; }

# Debian packages: the API's Redis bus (tests) and the runner's bubblewrap sandboxes.
declare -A needs=([redis-server]=redis-server [bwrap]=bubblewrap)
missing=()
for command in "${!needs[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${needs[$command]}")
done
if ((${#missing[@]} > 0)); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.daytona-lock-hash
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi
