import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { hostProcessesMatching } from './support/host-processes.js';
import { RecordingStateSink } from './support/recording-state-sink.js';
import { sandboxSpec, tempDataDir, testBwrapProvider } from './support/sandbox-fixtures.js';
import { silentLogger } from './support/silent-logger.js';
import { SandboxManager } from '../src/sandbox/sandbox-manager.js';

const COUNT = Number(process.env.RUNNER_THROUGHPUT_COUNT ?? 100);
// Speed is measured by `npm run bench`, not asserted here: this checks that many sandboxes start
// together at the default concurrency and leave no trace.

describe('starting sandboxes in bulk', () => {
  it(`starts ${COUNT} real sandboxes at the default concurrency, and destroys them without a trace`, async () => {
    const dataDir = await tempDataDir();
    const { provider, layout, cgroups } = await testBwrapProvider(dataDir.dir);
    const states = new RecordingStateSink();
    const manager = new SandboxManager(provider, states, { startConcurrency: 16, execDefaultTimeoutSeconds: 30 }, silentLogger);
    const specs = Array.from({ length: COUNT }, (_, index) => sandboxSpec({ name: `bulk-${index}` }));
    try {
      const started = performance.now();
      manager.create(specs);
      await Promise.all(specs.map((spec) => states.waitFor(spec.id, 'started', 120_000)));
      const elapsed = performance.now() - started;
      console.log(`Started ${COUNT} bwrap sandboxes in ${Math.round(elapsed)} ms (${(elapsed / COUNT).toFixed(1)} ms each, cgroups ${cgroups.support})`);

      const results = await Promise.all(specs.slice(0, 10).map((spec) => manager.execute(spec.id, { command: 'hostname' })));
      expect(results.map((result) => result.result)).toEqual(specs.slice(0, 10).map((spec) => `${spec.name}\n`));
    } finally {
      const destroyStarted = performance.now();
      await Promise.all(specs.map((spec) => manager.destroy(spec.id)));
      console.log(`Destroyed ${COUNT} sandboxes in ${Math.round(performance.now() - destroyStarted)} ms`);
      expect(await readdir(layout.sandboxesDir)).toEqual([]);
      expect(await cgroups.list()).toEqual([]);
      expect(await hostProcessesMatching(layout.sandboxesDir)).toEqual([]);
      await provider.close();
      for (const parent of cgroups.parentDirs) expect(existsSync(parent)).toBe(false);
      await dataDir.remove();
    }
  }, 180_000);
});
