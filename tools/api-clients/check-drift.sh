#!/usr/bin/env bash
# Regenerates every API client from the committed spec and fails if the result differs from what
# is committed (CI runs this; generated code is never edited by hand).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash tools/api-clients/generate.sh all
drift=$(git status --porcelain -- 'libs/api-client*')
if [ -n "$drift" ]; then
  printf '%s\n' "$drift" >&2
  echo "The generated API clients differ from apps/api/openapi.json: run 'bash tools/api-clients/generate.sh all' and commit the result." >&2
  exit 1
fi
echo "The generated API clients match apps/api/openapi.json."
