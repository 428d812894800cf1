// Benchmarks of running fleets: bulk delete against single deletes, and what an Idempotency-Key
// costs a bulk create. Against a runner with RUNNER_PROVIDER=park (nothing runs).
import { randomBytes } from 'node:crypto';
import { createOrganizationWithKey, retireSandboxes } from './admin-db.mjs';
import { pool, postJson, timed } from './measure.mjs';

async function countInState(db, organizationId, states) {
  const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM sandbox WHERE organization_id = $1 AND state = ANY($2)', [organizationId, states])).rows;
  return n;
}

async function waitForCount(db, organizationId, states, expected, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await countInState(db, organizationId, states)) < expected) {
    if (Date.now() > deadline) throw new Error(`fewer than ${expected} sandboxes reached ${states.join('/')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An organization holding `n` started sandboxes (bulk-created in chunks of 10,000), labelled. */
async function startedFleet(apiUrl, db, n, label) {
  const org = await createOrganizationWithKey(db, n);
  for (let made = 0; made < n; made += 10_000) {
    const count = Math.min(10_000, n - made);
    await postJson(`${apiUrl}/sandbox/bulk`, org.key, {
      items: [{ snapshotIdOrName: 'default', count, sandboxNamePrefix: `${label}-${made}`, labels: { fleet: label } }],
    });
  }
  await waitForCount(db, org.organizationId, ['started'], n);
  return org;
}

/** Bulk delete of n sandboxes (until answered, until all destroyed) against n single DELETEs. */
export async function measureBulkDelete({ apiUrl, db, n, clients }) {
  const bulkOrg = await startedFleet(apiUrl, db, n, 'bd');
  const marked = await timed(async () => {
    const answer = await postJson(`${apiUrl}/sandbox/bulk-delete`, bulkOrg.key, { labels: { fleet: 'bd' } });
    const done = timed(() => waitForCount(db, bulkOrg.organizationId, ['destroyed'], n));
    return { answer, done };
  });
  if (marked.value.answer.count !== n) throw new Error(`bulk delete marked ${marked.value.answer.count} of ${n}`);
  const allDestroyedMs = marked.ms + (await marked.value.done).ms;

  const singleOrg = await startedFleet(apiUrl, db, n, 'sd');
  const { rows } = await db.query('SELECT id FROM sandbox WHERE organization_id = $1 ORDER BY name', [singleOrg.organizationId]);
  const single = await timed(() =>
    pool(rows.length, clients, async (i) => {
      const response = await fetch(`${apiUrl}/sandbox/${rows[i].id}`, { method: 'DELETE', headers: { authorization: `Bearer ${singleOrg.key}` } });
      if (!response.ok) throw new Error(`DELETE answered ${response.status}`);
      await response.arrayBuffer();
    }),
  );
  await waitForCount(db, singleOrg.organizationId, ['destroyed'], n);
  return { bulkAnswerMs: marked.ms, bulkDestroyedMs: allDestroyedMs, singleMs: single.ms };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median time of a bulk of n without a key, with a new key, and repeated with a used key. */
export async function measureIdempotency({ apiUrl, db, n, rounds }) {
  const org = await createOrganizationWithKey(db, n * 2);
  const times = { none: [], fresh: [], replay: [] };
  const send = (prefix, key) =>
    timed(() =>
      fetch(`${apiUrl}/sandbox/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${org.key}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify({ items: [{ snapshotIdOrName: 'default', count: n, sandboxNamePrefix: prefix }] }),
      }).then(async (response) => {
        if (!response.ok) throw new Error(`bulk answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
        return response.json();
      }),
    );
  for (let round = 0; round < rounds; round++) {
    // Alternate the order, so neither variant always runs on a warmer server.
    const variants = round % 2 === 0 ? ['none', 'fresh'] : ['fresh', 'none'];
    for (const variant of variants) {
      const key = variant === 'fresh' ? `bench-${randomBytes(8).toString('hex')}` : null;
      const prefix = `idem-${round}-${variant}`;
      const made = await send(prefix, key);
      times[variant].push(made.ms);
      if (key) {
        const again = await send(prefix, key);
        if (again.value.length !== n || again.value[0].id !== made.value[0].id) throw new Error('replay answered other sandboxes');
        times.replay.push(again.ms);
      }
      await retireSandboxes(db, org.organizationId);
    }
  }
  return { noneMs: median(times.none), freshMs: median(times.fresh), replayMs: median(times.replay) };
}
