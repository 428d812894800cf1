#!/usr/bin/env bash
# Creates the project's Python virtualenv (.venv) and installs tools/requirements-dev.txt into it
# (the generated API clients, editable, and the test tools). Fast when nothing changed: it
# reinstalls only when the requirements or the clients' pyproject.toml files differ from the last
# install. Idempotent; tools/setup.sh calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[36m[setup]\033[0m %s\n' "$*"; }

venv=.venv
inputs=(tools/requirements-dev.txt libs/api-client-python/pyproject.toml libs/api-client-python-async/pyproject.toml libs/sdk-python/pyproject.toml)
stamp=$venv/.daytona-requirements-hash
hash=$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)

# A virtualenv outlives the interpreter it was made from (e.g. after a Python upgrade): recreate it.
if [ -d "$venv" ] && ! "$venv/bin/python" -c '' 2>/dev/null; then
  log "recreating $venv (its Python no longer runs)"
  rm -rf "$venv"
fi
if [ ! -d "$venv" ]; then
  command -v python3 >/dev/null 2>&1 || { echo "python3 (3.10 or newer) is required" >&2; exit 1; }
  log "creating $venv"
  python3 -m venv "$venv" || { echo "python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  log "pip install -r tools/requirements-dev.txt"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tools/requirements-dev.txt
  echo "$hash" >"$stamp"
fi
