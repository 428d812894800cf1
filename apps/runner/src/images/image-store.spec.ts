import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { hostProcessesMatching } from '../../test/support/host-processes.js';
import { pollUntil } from '../../test/support/leftovers.js';
import { closedPort } from '../../test/support/ports.js';
import { tempDataDir, USERNS } from '../../test/support/sandbox-fixtures.js';
import { silentLogger } from '../../test/support/silent-logger.js';
import { startTestRegistry, type TestRegistry } from '../../test/support/test-registry.js';
import { ImageStore, type ImageStoreOptions } from './image-store.js';

// A real registry (docker-registry), real skopeo and umoci: nothing is mocked.
describe('ImageStore', () => {
  let registry: TestRegistry;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;

  beforeAll(async () => {
    registry = await startTestRegistry();
  }, 60_000);
  afterAll(() => registry.stop());
  beforeEach(async () => {
    dataDir = await tempDataDir();
  });
  afterEach(() => dataDir.remove());

  const open = (overrides: Partial<ImageStoreOptions> = {}) =>
    ImageStore.open({
      cacheDir: path.join(dataDir.dir, 'images'),
      idMap: USERNS,
      maxBytes: 1024 ** 3,
      insecureRegistries: [registry.host],
      pullTimeoutSeconds: 60,
      logger: silentLogger,
      ...overrides,
    });

  /** The digest the registry serves for `ref`, from its own manifest bytes. */
  const registryDigest = async (ref: string) => {
    const [name, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
    const repository = name.slice(registry.host.length + 1);
    const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    return `sha256:${createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex')}`;
  };

  it('pulls an image once, however many ask, and unpacks it owned by the mapped host ids', async () => {
    const store = await open();
    const ref = registry.refs.user;
    const [first, ...rest] = await Promise.all(Array.from({ length: 50 }, () => store.ensure(ref)));
    for (const image of rest) expect(image).toBe(first);
    expect(store.counts).toEqual({ downloads: 1, unpacks: 1 });
    const digest = await registryDigest(ref);
    // The image's config names its user (`tester` here): the API learns it from this status.
    expect(store.statuses()).toEqual([{ ref, state: 'ready', digest, errorReason: null, sizeBytes: expect.any(Number), user: 'tester' }]);
    expect(first.digest).toBe(digest);
    expect(store.ready(ref)).toBe(first);

    // root inside is USERNS.base on the host, tester (1234) is base + 1234
    expect((await stat(path.join(first.rootfs, 'marker'))).uid).toBe(USERNS.base);
    expect(await readFile(path.join(first.rootfs, 'marker'), 'utf8')).toBe('user\n');
    const home = await stat(path.join(first.rootfs, 'home/tester'));
    expect([home.uid, home.gid]).toEqual([USERNS.base + 1234, USERNS.base + 1234]);
    expect(first.config).toEqual({
      env: { PATH: '/usr/local/bin:/bin', GREETING: 'hello from the image', SHADOWED: 'image', HOME: '/home/tester' },
      workingDir: '/home/tester/work',
      uid: 1234,
      gid: 1234,
      command: ['/bin/sh', '-c', 'echo "$GREETING, $(id -un) in $(pwd)"; sleep 3600'],
    });
    // nothing is left of the download itself
    expect(await readdir(path.join(dataDir.dir, 'images', 'tmp', String(process.pid)))).toEqual([]);
  });

  it('shares one download and one rootfs between references to the same manifest', async () => {
    const store = await open();
    const other = await registry.pushAs('alpha', 'elsewhere/renamed:v1');
    const [a, b] = await Promise.all([store.ensure(registry.refs.alpha), store.ensure(other)]);
    expect(b.rootfs).toBe(a.rootfs);
    expect(store.counts).toEqual({ downloads: 1, unpacks: 1 });
    expect(store.statuses().map((status) => [status.ref, status.state, status.digest])).toEqual([
      [registry.refs.alpha, 'ready', a.digest],
      [other, 'ready', a.digest],
    ]);
  });

  it('keeps its cache across restarts: a reopened store has the image ready without asking the registry', async () => {
    const first = await open();
    const image = await first.ensure(registry.refs.beta);
    const requests = registry.registry.requests().length;

    const reopened = await open();
    expect(reopened.ready(registry.refs.beta)).toEqual(image);
    expect(await reopened.ensure(registry.refs.beta)).toEqual(image);
    expect(reopened.statuses()).toEqual([{ ref: registry.refs.beta, state: 'ready', digest: image.digest, errorReason: null, sizeBytes: image.sizeBytes, user: 'root' }]);
    expect(reopened.counts).toEqual({ downloads: 0, unpacks: 0 });
    expect(registry.registry.requests().length).toBe(requests);
  });

  it('fails with the words of the registry or of skopeo, and keeps the reason in the status', async () => {
    const store = await open();
    const closed = `127.0.0.1:${await closedPort()}`;
    const unknownTag = `${registry.host}/test/busybox:no-such-tag`;
    const failures = {
      [`${registry.host}/Test/Busybox:alpha`]: /^invalid reference format: repository name must be lowercase$/,
      [unknownTag]: /^reading manifest no-such-tag in .*\/test\/busybox: manifest unknown/,
      [`${closed}/test/busybox:alpha`]: new RegExp(`^pinging container registry ${closed}: .*connect: connection refused$`),
    };
    for (const [ref, reason] of Object.entries(failures)) {
      await expect(store.ensure(ref)).rejects.toThrow(reason);
      expect(store.statuses().find((status) => status.ref === ref)).toEqual({ ref, state: 'error', digest: null, errorReason: expect.stringMatching(reason), sizeBytes: null });
    }

    // Plain http only for registries listed as insecure: https is required (and verified) otherwise.
    const strict = await open({ insecureRegistries: [] });
    await expect(strict.ensure(registry.refs.alpha)).rejects.toThrow(/http: server gave HTTP response to HTTPS client/);

    const small = await open({ maxBytes: 1000 });
    await expect(small.ensure(registry.refs.alpha)).rejects.toThrow(/^too large: its layers are .* compressed, more than the 1000 bytes this runner takes \(RUNNER_IMAGE_MAX_BYTES\)$/);
    expect(small.statuses()).toEqual([
      { ref: registry.refs.alpha, state: 'error', digest: await registryDigest(registry.refs.alpha), errorReason: expect.stringMatching(/^too large/), sizeBytes: expect.any(Number) },
    ]);
    expect(small.counts).toEqual({ downloads: 0, unpacks: 0 });

    // a failed reference is pulled again when asked again, and the cache is not poisoned
    await registry.pushAs('alpha', 'test/busybox:no-such-tag');
    expect((await store.ensure(unknownTag)).digest).toBe(await registryDigest(registry.refs.alpha));
  });

  it('treats the host snapshot as always there, without asking any registry', async () => {
    const store = await open();
    const requests = registry.registry.requests().length;
    expect(store.request('host')).toEqual({ ref: 'host', state: 'ready', digest: null, errorReason: null, sizeBytes: null });
    store.prePull(['host']);
    expect(store.statuses()).toEqual([]);
    expect(registry.registry.requests().length).toBe(requests);
  });

  it('gives up at the pull timeout, and at once when closed', async () => {
    // A registry that accepts connections and never answers.
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(silent.address() as import('node:net').AddressInfo).port}`;
    try {
      const store = await open({ insecureRegistries: [host], pullTimeoutSeconds: 1 });
      const started = Date.now();
      await expect(store.ensure(`${host}/test/busybox:alpha`)).rejects.toThrow('timed out after 1 s (RUNNER_IMAGE_PULL_TIMEOUT_SECONDS)');
      expect(Date.now() - started).toBeLessThan(5_000);

      const closing = await open({ insecureRegistries: [host], pullTimeoutSeconds: 600 });
      const pulling = closing.ensure(`${host}/test/busybox:beta`);
      await pollUntil(async () => (await hostProcessesMatching(`docker://${host}/test/busybox:beta`)).length > 0, 'skopeo to run');
      closing.close();
      await expect(pulling).rejects.toThrow('the runner is shutting down');
      expect(await hostProcessesMatching(`docker://${host}/test/busybox:beta`)).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
