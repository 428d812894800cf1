#!/usr/bin/env bash
# The published official SDKs (tests/official-sdks) against the live stack this runs in: both
# languages under one tools/e2e/with-stack.mjs, to start the stack once. Fails if either fails.
#   node tools/e2e/with-stack.mjs -- bash tools/official-sdk-tests.sh
set -uo pipefail
cd "$(dirname "$0")/.."
results=.test-results
mkdir -p "$results"
exec bash tools/e2e/each.sh \
  "node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=$results/official-sdk-typescript.json -c tests/official-sdks/typescript/jest.config.js --runInBand" \
  ".venv-official/bin/python -m pytest tests/official-sdks/python -p no:cacheprovider --junitxml=$results/official-sdk-python.junit.xml"
