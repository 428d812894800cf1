#!/usr/bin/env bash
# Runs every command given (each one argument, a shell command line) in order, all of them even
# after a failure, and fails if any failed: several suites against one stack (with-stack.mjs), so
# they share its start-up time but not their verdicts.
status=0
for command in "$@"; do
  echo "[each] $command"
  bash -c "$command" || { echo "[each] FAILED: $command"; status=1; }
done
exit $status
