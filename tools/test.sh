#!/usr/bin/env bash
# `npm test`: every test of every language. Each suite writes a JSON report under .test-results/,
# and the last line is one total for the whole run.
set -uo pipefail
cd "$(dirname "$0")/.."
# Never download a Go toolchain: the installed one builds everything here.
export GOTOOLCHAIN=local
results=.test-results
rm -rf "$results" && mkdir -p "$results"
failed=()

step() {
  local name=$1
  shift
  printf '\n\033[1;36m== %s\033[0m\n' "$name"
  local started=$SECONDS
  if "$@"; then
    printf '\033[32m== %s passed (%ss)\033[0m\n' "$name" $((SECONDS - started))
  else
    printf '\033[31m== %s FAILED (%ss)\033[0m\n' "$name" $((SECONDS - started))
    failed+=("$name")
  fi
}

jest() {
  local report=$1
  shift
  node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile="$results/$report.json" "$@"
}

step "build: api, runner and their libraries" npx nx run-many -t build -p api runner --outputStyle=stream
step "typecheck: api, runner" bash -c "npx tsc -p apps/api/tsconfig.json && npx tsc -p apps/runner/tsconfig.json"
step "libraries: unit (env-config, runner-contract)" jest libraries --projects libs/env-config/jest.config.js libs/runner-contract/jest.config.js
step "api: openapi spec is current" bash tools/check-openapi.sh
step "api clients: generated code matches the spec" bash tools/api-clients/check-drift.sh
step "api clients: build (tsc, python import, go build+vet, ruby require)" npx nx run-many -t build -p 'api-client*' --outputStyle=stream
step "api: unit" jest api-unit -c apps/api/jest.config.js
step "tools: the spec check of recorded answers (unit)" node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination="$results/check-api-responses.junit.xml" tools/check-api-responses.test.mjs
step "runner: unit and integration (real bubblewrap)" jest runner -c apps/runner/jest.config.js
step "api: integration (embedded Postgres, Redis, real runners)" jest api-integration -c apps/api/test/jest.config.js --maxWorkers=2
# The integration tests record every answer they receive; each must be documented in the spec.
step "api: every answer the integration tests received is in the spec" node tools/check-api-responses.mjs

step "api clients: smoke against a live stack" node tools/e2e/with-stack.mjs -- npx nx run-many -t smoke -p 'api-client*' --parallel=1 --outputStyle=stream

step "sdk-typescript: typecheck" npx nx run sdk-typescript:typecheck --outputStyle=stream
step "sdk-typescript: unit" jest sdk-typescript-unit -c libs/sdk-typescript/jest.config.js
step "sdk-typescript: built package loads by import, require and tsc" npx nx run sdk-typescript:check-package --outputStyle=stream
# A small runner capacity, so that allowUnder shortfalls are cheap to provoke for real.
# Each language's e2e suite, then its examples, against one stack (the e2e suite first, on a stack
# nothing else has used: its capacity tests count on that).
step "sdk-typescript: e2e, then examples/typescript (bulk-create, snapshots), against a live stack" env RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- \
  bash tools/e2e/each.sh \
  "node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=$results/sdk-typescript-e2e.json -c libs/sdk-typescript/jest.e2e.config.js --runInBand" \
  "npx nx run examples-typescript:check --outputStyle=stream"

# The published @daytonaio/sdk and daytona packages, as users run them, against this server.
step "official SDKs: typecheck of their tests" npx tsc -p tests/official-sdks/typescript/tsconfig.json
# The CLI's e2e tests run the built bin, with and without a pseudo-terminal (util-linux `script`).
step "cli: unit and build" bash -c "\
  node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=$results/cli-unit.json -c apps/cli/jest.config.js && \
  npx nx run cli:build --outputStyle=stream"
step "official SDKs (npm @daytonaio/sdk 0.218.0, PyPI daytona 0.226.1), then the cli's e2e, against a live stack" \
  node tools/e2e/with-stack.mjs -- bash tools/e2e/each.sh \
  "bash tools/official-sdk-tests.sh" \
  "node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=$results/cli-e2e.json -c apps/cli/jest.e2e.config.js --runInBand"

step "sdk-go: build, vet, gofmt" npx nx run sdk-go:build --outputStyle=stream
step "sdk-go: unit" npx nx run sdk-go:test --outputStyle=stream
step "sdk-go: e2e, then examples/go (bulk_create, snapshots), against a live stack" env RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- \
  bash tools/e2e/each.sh "npx nx run sdk-go:e2e --outputStyle=stream" "npx nx run examples-go:check --outputStyle=stream"

step "sdk-python: unit (sync and async)" .venv/bin/python -m pytest libs/sdk-python/tests --junitxml="$results/sdk-python-unit.junit.xml"
step "sdk-python: e2e, then examples/python (bulk-create, snapshots; sync and async), against a live stack" env RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- \
  bash tools/e2e/each.sh \
  ".venv/bin/python -m pytest libs/sdk-python/e2e --junitxml=$results/sdk-python-e2e.junit.xml" \
  ".venv/bin/python -m pytest examples/python/bulk-create examples/python/snapshots --junitxml=$results/examples-python.junit.xml"

step "sdk-ruby: unit" rspec libs/sdk-ruby/spec --format progress --format json --out "$results/sdk-ruby-unit.rspec.json"
step "sdk-ruby: e2e, then examples/ruby (bulk-create, snapshots), against a live stack" env RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- \
  bash tools/e2e/each.sh "npx nx run sdk-ruby:e2e --outputStyle=stream" "npx nx run examples-ruby:check --outputStyle=stream"

node tools/test-summary.mjs "$results" "${failed[@]}"
