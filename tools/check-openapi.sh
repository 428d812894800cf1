#!/usr/bin/env bash
# Regenerates the OpenAPI spec and fails if the committed file differs.
set -euo pipefail
cd "$(dirname "$0")/.."
npx nx run api:openapi --outputStyle=stream >/dev/null
if ! git diff --exit-code --stat -- apps/api/openapi.json; then
  echo "apps/api/openapi.json is out of date: run 'npx nx run api:openapi' and commit the result." >&2
  exit 1
fi
