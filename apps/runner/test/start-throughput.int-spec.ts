import path from 'node:path';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { ImageStore } from '../src/images/image-store.js';
import { hostProcessesMatching } from './support/host-processes.js';
import { RecordingStateSink } from './support/recording-state-sink.js';
import { sandboxSpec, tempDataDir, testBwrapProvider, USERNS } from './support/sandbox-fixtures.js';
import { silentLogger } from './support/silent-logger.js';
import { startTestRegistry, type TestRegistry } from './support/test-registry.js';
import { SandboxManager } from '../src/sandbox/sandbox-manager.js';

const COUNT = Number(process.env.RUNNER_THROUGHPUT_COUNT ?? 100);
// Speed is measured by `npm run bench`, not asserted here: this checks that many sandboxes start
// together at the default concurrency and leave no trace, and prints how long they took.

describe('starting sandboxes in bulk', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry();
  }, 60_000);
  afterAll(() => registry.stop());

  for (const snapshot of ['host', 'a cached image'] as const) {
    it(`starts ${COUNT} real sandboxes of ${snapshot} at the default concurrency, and destroys them without a trace`, async () => {
      const dataDir = await tempDataDir();
      const { provider, layout, cgroups } = await testBwrapProvider(dataDir.dir);
      const images = await ImageStore.open({ cacheDir: path.join(dataDir.dir, 'images'), idMap: USERNS, maxBytes: 1024 ** 3, insecureRegistries: [registry.host], pullTimeoutSeconds: 60, logger: silentLogger });
      const ref = snapshot === 'host' ? 'host' : registry.refs.alpha;
      if (ref !== 'host') await images.ensure(ref);
      const states = new RecordingStateSink();
      const manager = new SandboxManager(provider, states, { startConcurrency: 16, execDefaultTimeoutSeconds: 30, images }, silentLogger);
      const specs = Array.from({ length: COUNT }, (_, index) => sandboxSpec({ name: `bulk-${index}`, snapshotRef: ref }));
      try {
        const started = performance.now();
        manager.create(specs);
        await Promise.all(specs.map((spec) => states.waitFor(spec.id, 'started', 120_000)));
        const elapsed = performance.now() - started;
        console.log(`Started ${COUNT} bwrap sandboxes of ${snapshot} in ${Math.round(elapsed)} ms (${(elapsed / COUNT).toFixed(1)} ms each, cgroups ${cgroups.support})`);

        const results = await Promise.all(specs.slice(0, 10).map((spec) => manager.execute(spec.id, { command: 'hostname' })));
        expect(results.map((result) => result.result)).toEqual(specs.slice(0, 10).map((spec) => `${spec.name}\n`));
      } finally {
        const destroyStarted = performance.now();
        await Promise.all(specs.map((spec) => manager.destroy(spec.id)));
        console.log(`Destroyed ${COUNT} sandboxes of ${snapshot} in ${Math.round(performance.now() - destroyStarted)} ms`);
        expect(await readdir(layout.sandboxesDir)).toEqual([]);
        expect(await cgroups.list()).toEqual([]);
        expect(await hostProcessesMatching(layout.sandboxesDir)).toEqual([]);
        expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(layout.sandboxesDir)).toBe(false);
        await provider.close();
        for (const parent of cgroups.parentDirs) expect(existsSync(parent)).toBe(false);
        await dataDir.remove();
      }
    }, 180_000);
  }
});
