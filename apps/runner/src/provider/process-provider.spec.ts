import { stat } from 'node:fs/promises';
import { hostProcessesMatching } from '../../test/support/host-processes.js';
import { SANDBOX_UID, sandboxSpec, tempDataDir } from '../../test/support/sandbox-fixtures.js';
import { SandboxLayout } from '../sandbox/sandbox-layout.js';
import { ProcessProvider } from './process-provider.js';
import type { SandboxCommand } from './sandbox-provider.js';

describe('ProcessProvider (fallback without isolation)', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let provider: ProcessProvider;
  let layout: SandboxLayout;
  const asRoot = process.getuid?.() === 0;

  beforeEach(async () => {
    dataDir = await tempDataDir();
    const sandboxUser = asRoot ? { uid: SANDBOX_UID, gid: SANDBOX_UID } : null;
    layout = new SandboxLayout(dataDir.dir, sandboxUser);
    await layout.init();
    provider = new ProcessProvider({ layout, sandboxUser, outputLimitBytes: 1_048_576 });
  });
  afterEach(() => dataDir.remove());

  const command = (text: string, extra: Partial<SandboxCommand> = {}): SandboxCommand => ({ command: text, env: {}, timeoutSeconds: 10, ...extra });

  it('says it is not isolated', () => {
    expect([provider.kind, provider.isolated, provider.cgroups]).toEqual(['process', false, 'none']);
  });

  it('runs commands in the sandbox home as the sandbox user, with its env', async () => {
    const spec = sandboxSpec({ env: { GREETING: 'hi' } });
    const sandbox = await provider.start(spec);
    const home = layout.paths(spec.id).home;
    const result = await sandbox.execute(command('pwd; echo "$GREETING $HOME"; id -u; echo x > f'));
    expect(result).toMatchObject({ exitCode: 0, result: `${home}\nhi ${home}\n${asRoot ? SANDBOX_UID : process.getuid?.()}\n` });
    expect((await stat(`${home}/f`)).isFile()).toBe(true);
    await sandbox.stop();
    await provider.removeTraces(spec.id);
  });

  it('kills background processes on stop', async () => {
    const spec = sandboxSpec();
    const sandbox = await provider.start(spec);
    await sandbox.execute(command('sleep 4343 & echo started'));
    expect(await hostProcessesMatching('sleep 4343')).toHaveLength(1);
    await sandbox.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await hostProcessesMatching('sleep 4343')).toEqual([]);
    await provider.removeTraces(spec.id);
  });

  it('times out like the isolated provider', async () => {
    const sandbox = await provider.start(sandboxSpec());
    expect(await sandbox.execute(command('sleep 30', { timeoutSeconds: 1 }))).toMatchObject({ exitCode: 124, timedOut: true });
  });
});
