#!/usr/bin/env bash
# Creates the project's Python virtualenvs and installs their requirements, from PyPI:
#   .venv           tools/requirements-dev.txt: the generated API clients and our SDK (editable),
#                   and the test tools;
#   .venv-official  tests/official-sdks/python/requirements.txt: the published `daytona` SDK,
#                   pinned, for the tests that run it against this server. Its own virtualenv,
#                   because it is a package named `daytona` like libs/sdk-python.
# Fast when nothing changed: a virtualenv is reinstalled only when its inputs differ from the last
# install. Idempotent; tools/setup.sh calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[36m[setup]\033[0m %s\n' "$*"; }

# setup_venv DIR REQUIREMENTS [MORE INPUTS...]: DIR holds REQUIREMENTS as of the inputs' hash.
setup_venv() {
  local venv=$1 requirements=$2
  local stamp=$venv/.daytona-requirements-hash
  local hash
  hash=$(cat "${@:2}" | sha256sum | cut -d' ' -f1)
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
    log "pip install -r $requirements (into $venv)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$hash" >"$stamp"
  fi
}

setup_venv .venv tools/requirements-dev.txt \
  libs/api-client-python/pyproject.toml libs/api-client-python-async/pyproject.toml libs/sdk-python/pyproject.toml
setup_venv .venv-official tests/official-sdks/python/requirements.txt tests/official-sdks/python/constraints.txt
