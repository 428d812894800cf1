#!/usr/bin/env node
// Adds up the reports every suite wrote under .test-results/ and prints one closing line:
// "N passed, N failed". Formats: Jest and RSpec JSON, JUnit XML (pytest, node --test), and
// `go test -v` output.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [resultsDir, ...failedSteps] = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };

function add(passed, failed, skipped) {
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
}

function countJson(report) {
  if ('numPassedTests' in report) {
    add(report.numPassedTests, report.numFailedTests, report.numPendingTests + (report.numTodoTests ?? 0));
  } else if (report.summary && 'example_count' in report.summary) {
    const { example_count: all, failure_count: failed, pending_count: pending } = report.summary;
    add(all - failed - pending, failed, pending);
  }
}

function countJunit(xml) {
  const cases = xml.match(/<testcase\b[^>]*?(\/>|>[\s\S]*?<\/testcase>)/g) ?? [];
  for (const testCase of cases) {
    if (/<(failure|error)\b/.test(testCase)) add(0, 1, 0);
    else if (/<skipped\b/.test(testCase)) add(0, 0, 1);
    else add(1, 0, 0);
  }
}

function countGoTest(text) {
  add(
    (text.match(/^\s*--- PASS: /gm) ?? []).length,
    (text.match(/^\s*--- FAIL: /gm) ?? []).length,
    (text.match(/^\s*--- SKIP: /gm) ?? []).length,
  );
}

for (const file of readdirSync(resultsDir)) {
  const text = readFileSync(join(resultsDir, file), 'utf8');
  if (file.endsWith('.junit.xml')) countJunit(text);
  else if (file.endsWith('.gotest.txt')) countGoTest(text);
  else if (file.endsWith('.json') && !file.startsWith('bench')) countJson(JSON.parse(text));
}
if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join('; ')}`);
if (totals.passed + totals.failed === 0) console.log('\nNo test ran.');
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(failedSteps.length > 0 || totals.failed > 0 || totals.passed === 0 ? 1 : 0);
