import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildDefaultImage, buildTestImages } from '../../../../tools/images/images.mjs';
import { pushImage, startRegistry, type Registry } from '../../../../tools/stack/registry.mjs';
import { closedPort } from './ports.js';

export type TestImage = 'alpha' | 'beta' | 'user';

/** A real registry on a free port, holding the test images; removed with its storage by stop(). */
export interface TestRegistry {
  registry: Registry;
  /** host:port */
  host: string;
  /** `host/test/busybox:tag` for each test image. */
  refs: Record<TestImage, string>;
  /** Pushes the image under another repository and tag: same manifest digest, another reference. */
  pushAs(image: TestImage, repositoryAndTag: string): Promise<string>;
  /** Builds (once per machine) and pushes the default Debian image; resolves with its reference. */
  pushDefaultImage(): Promise<string>;
  /** GETs of layer or config blobs so far, by digest: what pulls cost. */
  blobDownloads(): Map<string, number>;
  stop(): Promise<void>;
}

export async function startTestRegistry(): Promise<TestRegistry> {
  const storage = await mkdtemp(path.join(os.tmpdir(), 'runner-registry-'));
  const [images, port] = await Promise.all([buildTestImages({ output: null }), closedPort()]);
  const registry = await startRegistry({ port, storageDir: storage });
  const host = registry.host;
  const push = async (layoutTag: string, layout: string, destination: string) => {
    await pushImage({ layout, tag: layoutTag, destination });
    return destination;
  };
  const refs = {} as Record<TestImage, string>;
  // One after another: the tags share blobs, and the registry can fail (500) two pushes of one blob at once.
  for (const tag of images.tags) refs[tag] = await push(tag, images.layout, `${host}/test/busybox:${tag}`);
  return {
    registry,
    host,
    refs,
    pushAs: (image, repositoryAndTag) => push(image, images.layout, `${host}/${repositoryAndTag}`),
    async pushDefaultImage() {
      const image = await buildDefaultImage();
      return push(image.tag, image.layout, `${host}/daytona/default:${image.tag}`);
    },
    blobDownloads() {
      const counts = new Map<string, number>();
      for (const request of registry.requests()) {
        const blob = /^\/v2\/.+\/blobs\/(sha256:[a-f0-9]{64})$/.exec(request.path);
        if (request.method === 'GET' && blob) counts.set(blob[1], (counts.get(blob[1]) ?? 0) + 1);
      }
      return counts;
    },
    async stop() {
      await registry.stop();
      await rm(storage, { recursive: true, force: true });
    },
  };
}
