#!/usr/bin/env bash
# Regenerates API clients from the committed spec (apps/api/openapi.json) with openapi-generator
# at the version pinned in openapitools.json, which also holds each client's generator options.
#
#   tools/api-clients/generate.sh all
#   tools/api-clients/generate.sh api-client [api-client-go ...]
#
# The jar comes from Maven Central once (the npm wrapper downloads it into .cache/) and is
# reused offline afterwards. Files from the previous generation (listed in each client's
# .openapi-generator/FILES) are removed first, so a schema dropped from the spec leaves no file
# behind; hand-written files (project.json, smoke/, ...) are never listed there.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
  printf '\033[31m[api-clients]\033[0m %s\n' "$*" >&2
  exit 1
}
log() { printf '\033[36m[api-clients]\033[0m %s\n' "$*"; }

read_config() { node -p "const c = require('./openapitools.json')['generator-cli']; $1"; }
known=$(read_config "Object.keys(c.generators).join(' ')")
version=$(read_config 'c.version')
jar="$(read_config 'c.storageDir')/$version.jar"

(($# > 0)) || fail "usage: $0 all | <client>... (clients: $known)"
if [ "$*" = all ]; then
  read -ra clients <<<"$known"
else
  clients=("$@")
  for client in "${clients[@]}"; do
    [[ " $known " == *" $client "* ]] || fail "unknown client '$client' (clients: $known)"
  done
fi

command -v java >/dev/null 2>&1 ||
  fail "openapi-generator $version needs Java 11 or newer, and there is no 'java' on PATH (Debian: apt-get install openjdk-17-jre-headless)."
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
[ "${java_major:-0}" -ge 11 ] || fail "openapi-generator $version needs Java 11 or newer; 'java' is version ${java_major:-unknown}."
if [[ " ${clients[*]} " == *" api-client-go "* ]]; then
  command -v gofmt >/dev/null 2>&1 || fail "gofmt (from the Go toolchain) is needed to format the Go client, and it is not on PATH."
fi
wrapper=node_modules/.bin/openapi-generator-cli
[ -x "$wrapper" ] || fail "$wrapper is missing: run 'bash tools/setup.sh' (npm ci) first."

# Several generate.sh runs may start at once (nx run-many): one fetches while the others wait.
mkdir -p "$(dirname "$jar")"
exec 9>"$jar.lock"
flock 9
if [ ! -f "$jar" ]; then
  log "fetching openapi-generator-cli $version from Maven Central into $(dirname "$jar")"
  # TMPDIR on the same filesystem makes the wrapper's final move an atomic rename.
  TMPDIR="$(dirname "$jar")" "$wrapper" version >/dev/null 2>&1 || true
  rm -rf "$(dirname "$jar")"/generator-cli-*
  # The wrapper reports a failed download but carries on, so check the jar itself.
  if [ "$(java -jar "$jar" version 2>/dev/null)" != "$version" ]; then
    rm -f "$jar"
    fail "could not fetch openapi-generator-cli $version from Maven Central (is repo1.maven.org reachable?)."
  fi
fi
exec 9>&-

for client in "${clients[@]}"; do
  manifest=libs/$client/.openapi-generator/FILES
  [ -f "$manifest" ] || continue
  grep -v -x -e '.openapi-generator-ignore' -e '' "$manifest" | sed "s|^|libs/$client/|" | xargs -r rm -f
done

log "generating ${clients[*]} with openapi-generator $version"
output=$(mktemp)
trap 'rm -f "$output"' EXIT
if ! "$wrapper" generate --generator-key "${clients[@]}" >"$output" 2>&1; then
  cat "$output" >&2
  fail "generation failed (full output above)"
fi
# The python generator warns 'Failed to get the schema name: null' for any spec, even a trivial one.
grep -E '\] (WARN|ERROR) ' "$output" | grep -v 'Failed to get the schema name: null' | sort -u || true

for client in "${clients[@]}"; do
  # The Go generator writes unformatted code; gofmt makes it what Go readers and linters expect.
  if [ "$client" = api-client-go ]; then gofmt -w libs/api-client-go/*.go; fi
  log "$client: $(grep -c . "libs/$client/.openapi-generator/FILES") files"
done
