import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunnerSandboxSpec } from '@daytona/runner-contract';
import { detectSandboxCgroups } from '../../src/cgroups/sandbox-cgroups.js';
import { runTool } from '../../src/images/run-tool.js';
import { BwrapProvider } from '../../src/provider/bwrap-provider.js';
import { mountPointsUnder } from '../../src/provider/host-mounts.js';
import { SandboxLayout } from '../../src/sandbox/sandbox-layout.js';

export function sandboxSpec(overrides: Partial<RunnerSandboxSpec> = {}): RunnerSandboxSpec {
  return { id: randomUUID(), name: 'sandbox', snapshotRef: 'host', cpu: 1, memory: 1, disk: 1, env: {}, ...overrides };
}

/** A fresh data directory the sandbox user can traverse, like the runner's own. */
export async function tempDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runner-test-'));
  await chmod(dir, 0o711);
  return { dir, remove: () => removeDataDir(dir) };
}

/** Unmounts what a test left mounted under `dir` (sandbox disks, roots), then deletes it. */
export async function removeDataDir(dir: string): Promise<void> {
  for (const mountPoint of await mountPointsUnder(dir)) await runTool('umount', ['--lazy', mountPoint], { deadline: Date.now() + 10_000, deadlineReason: 'umount hung' });
  await rm(dir, { recursive: true, force: true });
}

export const SANDBOX_UID = 65534;
/** Shared by the tests' providers: the seccomp filter and disk mounter are built once per version, not once per test. */
export const BUILD_CACHE_DIR = path.join(os.tmpdir(), 'daytona-runner-test-native-tools');
/** Host ids image sandboxes map to in the tests: the runner's defaults. */
export const USERNS = { base: 100_000, size: 65_536 };

/** A bwrap provider on real bubblewrap with its own cgroup parent, as the runner builds it. */
export async function testBwrapProvider(
  dataDir: string,
  options: { sandboxDns?: string; outputLimitBytes?: number; pidsMax?: number } = {},
) {
  const sandboxUser = process.getuid?.() === 0 ? { uid: SANDBOX_UID, gid: SANDBOX_UID } : null;
  const layout = new SandboxLayout(dataDir, sandboxUser);
  await layout.init();
  const cgroups = await detectSandboxCgroups(`test-${randomUUID().slice(0, 8)}`);
  const provider = await BwrapProvider.create({
    layout,
    cgroups,
    sandboxUser,
    sandboxDns: options.sandboxDns ?? null,
    buildCacheDir: BUILD_CACHE_DIR,
    pidsMax: options.pidsMax ?? 4096,
    outputLimitBytes: options.outputLimitBytes ?? 1_048_576,
    userNamespace: process.getuid?.() === 0 ? USERNS : null,
  });
  return { provider, layout, cgroups };
}
