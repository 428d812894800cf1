#!/usr/bin/env bash
# Regenerates every API client from the committed spec and fails if that changes any file under
# libs/api-client* (CI runs this; generated code is never edited by hand). Comparing the tree
# before and after, rather than against git, keeps unrelated uncommitted edits out of the verdict.
set -euo pipefail
cd "$(dirname "$0")/../.."

fingerprint() {
  git ls-files --cached --others --exclude-standard -- 'libs/api-client*' | sort | while read -r file; do
    if [ -f "$file" ]; then sha256sum "$file"; else echo "missing  $file"; fi
  done
}

before=$(fingerprint)
bash tools/api-clients/generate.sh all
after=$(fingerprint)
if [ "$before" != "$after" ]; then
  diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed -n 's/^[<>] [0-9a-f]*  */  /p' | sort -u >&2 || true
  echo "The generated API clients differ from apps/api/openapi.json: run 'npm run generate:api-clients' and commit the result." >&2
  exit 1
fi
echo "The generated API clients match apps/api/openapi.json."
