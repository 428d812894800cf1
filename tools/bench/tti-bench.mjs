// Time to interactive, as the computesdk benchmark measures it: from the API call until the
// sandbox's first command has answered, for a burst of sandboxes asked for at the same moment.
// Two ways in: one bulk request (awaitStarted, then one process/execute per sandbox), and
// concurrent create() calls of the published @daytonaio/sdk (then one executeCommand each).
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../stack/services.mjs';
import { pool, postJson } from './measure.mjs';

/** The published package from its own folder (tests/official-sdks/typescript), never libs/sdk-typescript. */
function officialSdk() {
  return createRequire(join(ROOT, 'tests/official-sdks/typescript/package.json'))('@daytonaio/sdk');
}

const COMMAND = 'echo ready';

function expectReady(answer, id) {
  if (answer.exitCode !== 0 || answer.result !== 'ready\n') throw new Error(`sandbox ${id} answered ${JSON.stringify(answer)}`);
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarize(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), all: sorted.at(-1) };
}

async function deleteAll(apiUrl, key, ids) {
  await pool(ids.length, 16, (i) => fetch(`${apiUrl}/sandbox/${ids[i]}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } }));
}

/** One POST /sandbox/bulk of `n` with awaitStarted, then one process/execute per sandbox, all at once. */
async function bulkBurst({ apiUrl, key, n }) {
  const started = performance.now();
  const sandboxes = await postJson(`${apiUrl}/sandbox/bulk`, key, {
    items: [{ snapshotIdOrName: 'default', count: n, sandboxNamePrefix: `tti-${randomBytes(4).toString('hex')}` }],
    awaitStarted: true,
  });
  try {
    const notStarted = sandboxes.filter((sandbox) => sandbox.state !== 'started');
    if (notStarted.length > 0) throw new Error(`${notStarted.length} of ${n} sandboxes not started: ${notStarted[0].state} ${notStarted[0].errorReason ?? ''}`);
    return await Promise.all(
      sandboxes.map(async (sandbox) => {
        expectReady(await postJson(`${sandbox.toolboxProxyUrl}/${sandbox.id}/process/execute`, key, { command: COMMAND }), sandbox.id);
        return performance.now() - started;
      }),
    );
  } finally {
    await deleteAll(apiUrl, key, sandboxes.map((sandbox) => sandbox.id));
  }
}

/** `n` concurrent create() calls of one official Daytona client, each followed by executeCommand. */
async function officialSdkBurst({ apiUrl, key, n }) {
  const { Daytona } = officialSdk();
  const daytona = new Daytona({ apiUrl, apiKey: key });
  const ids = [];
  try {
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: n }, async () => {
        const sandbox = await daytona.create({}, { timeout: 300 });
        ids.push(sandbox.id);
        expectReady(await sandbox.process.executeCommand(COMMAND), sandbox.id);
        return performance.now() - started;
      }),
    );
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
    if (failed.length > 0) throw new Error(`${failed.length} of ${n} official create()+executeCommand failed: ${failed[0].reason?.message}`);
    return outcomes.map((outcome) => outcome.value);
  } finally {
    await deleteAll(apiUrl, key, ids);
    await daytona[Symbol.asyncDispose]();
  }
}

/**
 * Both bursts, `rounds` times each, alternating; each statistic is the median over the rounds.
 * `newKey()` gives a key of a fresh organization with room for `n` sandboxes.
 */
export async function measureTimeToInteractive({ apiUrl, newKey, n, rounds, say }) {
  // Warm: the image unpacked on the runner, the official SDK's modules loaded.
  officialSdk();
  await bulkBurst({ apiUrl, key: await newKey(n), n: 4 });
  const runs = { bulk: [], official: [] };
  for (let round = 0; round < rounds; round++) {
    const bulk = summarize(await bulkBurst({ apiUrl, key: await newKey(n), n }));
    say(`TTI round ${round + 1}: bulk ${n}: p50 ${bulk.p50.toFixed(0)} ms, p95 ${bulk.p95.toFixed(0)} ms, all ${bulk.all.toFixed(0)} ms`);
    runs.bulk.push(bulk);
    const official = summarize(await officialSdkBurst({ apiUrl, key: await newKey(n), n }));
    say(`TTI round ${round + 1}: ${n} official create(): p50 ${official.p50.toFixed(0)} ms, p95 ${official.p95.toFixed(0)} ms, all ${official.all.toFixed(0)} ms`);
    runs.official.push(official);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const combine = (list) => ({ p50: median(list.map((r) => r.p50)), p95: median(list.map((r) => r.p95)), all: median(list.map((r) => r.all)) });
  return { bulk: combine(runs.bulk), official: combine(runs.official) };
}
