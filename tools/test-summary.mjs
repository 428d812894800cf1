#!/usr/bin/env node
// Adds up the JSON reports of every suite and prints one closing line: "N passed, N failed".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [resultsDir, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}
if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join('; ')}`);
if (passed + failed === 0) console.log('\nNo test ran.');
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failedSteps.length > 0 || failed > 0 || passed === 0 ? 1 : 0);
