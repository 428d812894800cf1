import { randomUUID } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { tempDataDir } from '../../test/support/sandbox-fixtures.js';
import type { Logger } from '../logging/logger.js';
import { selectSandboxProvider } from './provider-selection.js';

describe('selectSandboxProvider', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let warnings: string[];
  const logger: Logger = { error() {}, warn: (message) => warnings.push(message), log() {}, debug() {} };
  const settings = (dir: string, provider: 'auto' | 'bwrap' | 'process') => ({
    name: `select-${randomUUID().slice(0, 8)}`,
    dataDir: dir,
    provider,
    sandboxUid: 65534,
    sandboxGid: 65534,
    sandboxDns: null,
    execOutputLimitBytes: 1024,
    sandboxPidsMax: 4096,
    userNamespace: { base: 100_000, size: 65_536 },
  });

  beforeEach(async () => {
    dataDir = await tempDataDir();
    warnings = [];
  });
  afterEach(() => dataDir.remove());

  it('uses bwrap when its probe sandbox works', async () => {
    const provider = await selectSandboxProvider(settings(path.join(dataDir.dir, 'data'), 'auto'), logger);
    expect([provider.kind, provider.isolated]).toEqual(['bwrap', true]);
    await provider.close();
  });

  it('uses the process provider, loudly, when asked to', async () => {
    const provider = await selectSandboxProvider(settings(path.join(dataDir.dir, 'data'), 'process'), logger);
    expect([provider.kind, provider.isolated]).toEqual(['process', false]);
    expect(warnings.join('\n')).toMatch(/NOT isolated/);
  });

  // A data directory the sandbox user cannot reach is a real way for bwrap to fail on a host.
  const onlyAsRoot = process.getuid?.() === 0 ? it : it.skip;
  onlyAsRoot('falls back, loudly and with the reason, when bwrap cannot run a sandbox; refuses to under RUNNER_PROVIDER=bwrap', async () => {
    const locked = path.join(dataDir.dir, 'locked');
    await mkdir(locked, { mode: 0o700 });
    await chmod(locked, 0o700);
    const fallback = await selectSandboxProvider(settings(path.join(locked, 'data'), 'auto'), logger);
    expect(fallback.kind).toBe('process');
    expect(warnings.join('\n')).toMatch(/bubblewrap does not work on this host[\s\S]*Probe sandbox failed: .*bwrap/);
    await expect(selectSandboxProvider(settings(path.join(locked, 'data'), 'bwrap'), logger)).rejects.toThrow(/RUNNER_PROVIDER=bwrap but a probe sandbox failed/);
  });
});
