#!/usr/bin/env bash
# Installs what the project needs and is missing; fast (well under a second) when nothing is.
# Idempotent: `npm start` and `npm test` run it first.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[36m[setup]\033[0m %s\n' "$*"; }

# Debian packages: Redis (the state bus in tests), bubblewrap (the runner's sandboxes), and Ruby
# with the only gems the Ruby client and SDK use (there is no RubyGems registry here). Images:
# skopeo pulls and pushes them, umoci unpacks and builds them, docker-registry is the local
# registry, mmdebstrap builds the default image from Debian's packages (uidmap lets it run
# unprivileged), busybox-static is the test images' userland. Sandbox security: slirp4netns (egress),
# nftables (egress rules), e2fsprogs (each sandbox's disk), python3-seccomp and gcc with libc6-dev
# (the seccomp filter, its loader and the static launch tools, built by the runner), iproute2 (the
# tests' network namespaces).
packages=(redis-server bubblewrap ruby ruby-typhoeus ruby-json ruby-rspec
  skopeo umoci docker-registry mmdebstrap uidmap busybox-static
  slirp4netns nftables e2fsprogs python3-seccomp gcc libc6-dev iproute2)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null | grep -q '^ii' || missing+=("$package")
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

# The published @daytonaio/sdk, pinned, for the tests that run it against this server: a package
# folder of its own, so it never shadows libs/sdk-typescript (the same package name).
official=tests/official-sdks/typescript
stamp=$official/node_modules/.daytona-lock-hash
lock_hash=$(sha256sum "$official/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  log "npm ci (in $official)"
  npm ci --prefix "$official" --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

# As root, Postgres runs as the `postgres` system user and sandboxes as an unprivileged uid, so
# both must be able to reach files under this checkout. A clone inside a private directory
# (mode 0700, as `mktemp -d` makes) blocks them: grant search (x, not read) on such ancestors.
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    log "creating the postgres system user (embedded Postgres refuses to run as root)"
    groupadd --system postgres 2>/dev/null || true
    useradd --system --gid postgres --no-create-home --shell /usr/sbin/nologin postgres
  fi
  dir=$(pwd -P)
  while [ "$dir" != "/" ]; do
    if ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$dir" 2>/dev/null; then
      log "granting search permission on $dir (so Postgres and sandboxes can reach the checkout)"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
fi

# Python virtualenv (generated clients, SDK, pytest) and Go modules (go.work).
bash tools/setup-python.sh
bash tools/setup-go.sh

# The default sandbox image, from Debian's packages: about a minute the first time, then cached in
# .cache/images until its recipe changes.
bash tools/images/build-default-image.sh >/dev/null
