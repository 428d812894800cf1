import { SANDBOX_STATE_BUS, type SandboxStateBus, type SandboxStateEvent } from '../src/bus/sandbox-state-bus.js';
import { createApiKey, createOrganization, seedGeneralDefaults } from './support/factories.js';
import { apiClient, type ApiClient } from './support/http.js';
import { startRunnerProcess, type RunnerProcess } from './support/runner-process.js';
import { startTestApi, type TestApi } from './support/test-api.js';

interface Sandbox {
  id: string;
  name: string;
  state: string;
}

/**
 * POST /sandbox/bulk with Accept: application/x-ndjson, against a real runner process with the
 * `park` provider: it takes and reports sandboxes through the real protocol (starting, started)
 * without running them, so 200 sandboxes cost no CPU the other test files need.
 */
describe('bulk progress as NDJSON', () => {
  let api: TestApi;
  let runner: RunnerProcess;
  let client: ApiClient;
  let apiKey: string;

  beforeAll(async () => {
    // A park runner isolates nothing (it runs nothing): allowed for this test only.
    api = await startTestApi({ ALLOW_UNISOLATED_RUNNERS: 'true' });
    await seedGeneralDefaults(api.dataSource);
    const quotas = { totalCpuQuota: 1000, totalMemoryQuota: 1000, totalDiskQuota: 1000 };
    apiKey = await createApiKey(api.dataSource, (await createOrganization(api.dataSource, quotas)).id);
    client = apiClient(api.url, apiKey);
    runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'park' } });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await runner?.removeData();
  });

  it('streams every state change of a 200-sandbox bulk as NDJSON as it happens, then every sandbox', async () => {
    const published: SandboxStateEvent[] = [];
    const unsubscribe = await api.app.get<SandboxStateBus>(SANDBOX_STATE_BUS).subscribe((events) => published.push(...events));
    const response = await fetch(`${api.url}/sandbox/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
      body: JSON.stringify({ items: [{ snapshotIdOrName: 'default', count: 200, sandboxNamePrefix: 'stream' }], awaitStarted: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines: Array<{ line: Record<string, any>; at: number }> = [];
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const text of complete) lines.push({ line: JSON.parse(text), at: Date.now() });
    }
    unsubscribe();
    expect(buffered).toBe('');

    const result = lines.at(-1)!.line;
    expect(result.type).toBe('result');
    expect(result.sandboxes.map((s: Sandbox) => s.name)).toEqual(Array.from({ length: 200 }, (_, i) => `stream-${String(i + 1).padStart(5, '0')}`));
    expect(result.sandboxes.every((s: Sandbox) => s.state === 'started')).toBe(true);
    const states = lines.slice(0, -1).map(({ line }) => line);
    expect(states.every((line) => line.type === 'state')).toBe(true);

    const names = new Map(result.sandboxes.map((s: Sandbox) => [s.id, s.name]));
    for (const sandbox of result.sandboxes as Sandbox[]) {
      const streamed = states.filter((line) => line.id === sandbox.id);
      expect(streamed.every((line) => line.name === names.get(sandbox.id) && line.errorReason === null)).toBe(true);
      // Each sandbox: its state when the wait began, then every change the API published, in order.
      const changes = published.filter((event) => event.id === sandbox.id).map((event) => event.state);
      expect(streamed.map((line) => line.state)).toEqual(withoutRepeats(['creating', ...changes]));
      expect(streamed.at(-1)!.state).toBe('started');
    }
    // Lines went out as they happened: the first (written before any runner report, which comes
    // at least one report interval later) well before the last.
    expect(lines[0].at).toBeLessThan(lines.at(-1)!.at);
  });

  it('answers plain JSON to other clients, and JSON errors before the stream starts', async () => {
    const plain = await client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'plain' }], awaitStarted: true }, { accept: '*/*' });
    expect(plain.status).toBe(200);
    expect(plain.body.map((s: Sandbox) => s.state)).toEqual(['started']);
    const refused = await fetch(`${api.url}/sandbox/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
      body: JSON.stringify({ items: [{ snapshotIdOrName: 'nope', count: 1, sandboxNamePrefix: 'never' }], awaitStarted: true }),
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toMatchObject({ statusCode: 404, code: 'snapshot_not_found' });
    const noWait = await fetch(`${api.url}/sandbox/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/x-ndjson' },
      body: JSON.stringify({ items: [{ snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'nowait' }] }),
    });
    const lines = (await noWait.text()).trim().split('\n').map((text) => JSON.parse(text));
    expect(lines).toHaveLength(1);
    expect(lines[0].type).toBe('result');
    expect(lines[0].sandboxes.map((s: Sandbox) => s.name)).toEqual(['nowait-00001', 'nowait-00002']);
  });
});

function withoutRepeats(states: string[]): string[] {
  return states.filter((state, index) => index === 0 || state !== states[index - 1]);
}
