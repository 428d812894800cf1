// Direct database access for the benchmark: fresh organizations and keys without an admin API.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';

export async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  // The stack stops Postgres at the end; a dropped connection then is expected, not a crash.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** An organization with room for `sandboxes` default sandboxes, and a key with every permission. */
export async function createOrganizationWithKey(db, sandboxes) {
  const id = randomUUID();
  const quota = Math.max(sandboxes, 1) * 10;
  await db.query(
    `INSERT INTO organization (id, name, default_region, total_cpu_quota, total_memory_quota, total_disk_quota,
                               max_cpu_per_sandbox, max_memory_per_sandbox, max_disk_per_sandbox)
     SELECT $1, $2, id, $3, $3, $3, 4, 8, 10 FROM region ORDER BY created_at LIMIT 1`,
    [id, `bench-${id.slice(0, 8)}`, quota],
  );
  const key = `dtn_bench_${randomBytes(24).toString('hex')}`;
  await db.query(
    `INSERT INTO api_key (organization_id, name, key_hash, key_prefix, permissions)
     VALUES ($1, 'bench', $2, 'dtn_', ARRAY['read:sandboxes','write:sandboxes','delete:sandboxes','read:snapshots'])`,
    [id, createHash('sha256').update(key).digest('hex')],
  );
  return { organizationId: id, key };
}

/** Frees runner capacity between measurements without going through N deletes. */
export async function retireSandboxes(db, organizationId) {
  // The API may be updating the same rows (dispatch acknowledgements): a deadlock is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      await db.query(`UPDATE sandbox SET state = 'destroyed', desired_state = 'destroyed' WHERE organization_id = $1`, [organizationId]);
      return;
    } catch (error) {
      if (error.code !== '40P01' || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Waits until a runner holds the default snapshot's image (the stack serves it from its registry). */
export async function waitForActiveDefaultSnapshot(db, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query(`SELECT state, error_reason FROM snapshot WHERE name = 'default' AND organization_id IS NULL AND deleted_at IS NULL`);
    if (rows[0]?.state === 'active') return;
    if (rows[0]?.state === 'error') throw new Error(`the default snapshot failed: ${rows[0].error_reason}`);
    if (Date.now() > deadline) throw new Error(`the default snapshot is ${rows[0]?.state ?? 'missing'} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
