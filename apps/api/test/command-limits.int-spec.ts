import { createApiKey, createOrganization, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startRunnerProcess, type RunnerProcess } from './support/runner-process.js';
import { startTestApi, type TestApi } from './support/test-api.js';

/**
 * The API's rules for sandboxes and commands are at least as strict as what a real runner (and
 * the kernel below it) accepts: whatever the API accepts, at the very edge of its limits, the
 * runner runs. A runner that refuses a command the API let through would be a bug.
 */
describe('what the API accepts, a real runner runs', () => {
  let api: TestApi;
  let runner: RunnerProcess;
  let client: ApiClient;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'bwrap' } });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await runner?.removeData();
  });

  async function createStarted(body: object) {
    const created = await client.post('/sandbox', body);
    expect(created.status).toBe(200);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const sandbox = (await client.get(`/sandbox/${created.body.id}`)).body;
      if (sandbox.state === 'started') return sandbox;
      if (Date.now() > deadline) throw new Error(`${sandbox.id} is ${sandbox.state}: ${sandbox.errorReason}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const exec = (id: string, body: object) => client.post(`/toolbox/${id}/toolbox/process/execute`, body);

  /** Variables of `count` names of 8 characters whose NAME=value take `totalBytes` in all. */
  function envOfBytes(prefix: string, count: number, totalBytes: number): Record<string, string> {
    const valueLength = Math.floor(totalBytes / count) - 9;
    return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${String(i).padStart(7, '0')}`, 'v'.repeat(valueLength)]));
  }

  it('runs the largest command with the largest sandbox and command environments', async () => {
    const sandboxEnv = envOfBytes('S', 8, 256 * 1024);
    const commandEnv = envOfBytes('C', 8, 256 * 1024);
    const sandbox = await createStarted({ env: sandboxEnv });
    // 100,000 bytes of command, mostly three-byte characters.
    const command = `printf %s '${'中'.repeat(33_300)}' | wc -c; echo \${#S0000007} \${#C0000000}`.padEnd(100_000 - 2 * 33_300, ' ');
    expect(Buffer.byteLength(command)).toBe(100_000);
    const result = await exec(sandbox.id, { command, env: commandEnv, timeout: 3_600 });
    expect(result.status).toBe(200);
    expect(result.body.exitCode).toBe(0);
    expect(result.body.result.split(/\s+/).filter(Boolean)).toEqual(['99900', String(sandboxEnv.S0000007.length), String(commandEnv.C0000000.length)]);
  });

  it('takes 256 variables with names of 256 characters and values of any Unicode', async () => {
    const sandbox = await createStarted({});
    const env = Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`V${String(i).padStart(255, '_')}`, `é 中 😀\n\t'"$\\ ${i}`]));
    const result = await exec(sandbox.id, { command: `env | grep -c '^V'; printf %s "$${'V'.padEnd(255, '_')}0"`, env });
    expect(result.status).toBe(200);
    expect(result.body.result).toBe(`256\né 中 😀\n\t'"$\\ 0`);
  });

  it('runs in any working directory the API accepts, existing or not', async () => {
    const sandbox = await createStarted({});
    expect((await exec(sandbox.id, { command: 'pwd', cwd: '/tmp' })).body).toEqual({ exitCode: 0, result: '/tmp\n' });
    expect((await exec(sandbox.id, { command: 'pwd', cwd: 'a b/ü' })).status).toBe(200);
    const long = await exec(sandbox.id, { command: 'pwd', cwd: 'd'.repeat(4_096) });
    expect(long.status).toBe(200);
    expect(long.body.exitCode).not.toBe(0);
  });

  it('refuses one byte more, before any runner hears of it', async () => {
    const sandbox = await createStarted({});
    const over = { ...envOfBytes('C', 8, 256 * 1024), X: 'y'.repeat(100) };
    expectErrorBody(await exec(sandbox.id, { command: 'true', env: over }), 400, 'validation_failed');
    expectErrorBody(await exec(sandbox.id, { command: 'x'.repeat(100_001) }), 400, 'validation_failed');
    expectErrorBody(await client.post('/sandbox', { env: over }), 400, 'validation_failed');
  });
});
