// Serving the project's images from a local registry: the default sandbox image (and, for tests,
// the small test images), built once per recipe, pushed once per registry storage.
import { join } from 'node:path';
import { buildDefaultImage, buildTestImages } from '../images/images.mjs';
import { pushImage, startRegistry } from './registry.mjs';
import { freePort, ROOT } from './services.mjs';

/** Registry storage shared by test stacks on this machine: each image is pushed into it once. */
export const SHARED_REGISTRY_STORAGE = join(ROOT, '.cache/registry');
/** Image cache shared by test stacks' runners on this machine: each image is unpacked once. */
export const SHARED_RUNNER_IMAGE_CACHE = join(ROOT, '.cache/runner-images');

/**
 * Starts a registry on 127.0.0.1 (`port`, or a free one) holding the default image (and the test
 * images with `testImages`). Answers the registry service, `insecureRegistry` (host:port, for
 * RUNNER_INSECURE_REGISTRIES) and the image references.
 */
export async function serveImages({ port, storageDir = SHARED_REGISTRY_STORAGE, output, testImages = false, onBuild } = {}) {
  const registry = await startRegistry({ port: port ?? (await freePort()), storageDir, output });
  try {
    onBuild?.();
    const image = await buildDefaultImage({ output: null });
    const defaultImage = `${registry.host}/daytona/default:${image.tag}`;
    await pushOnce(registry, image.layout, image.tag, defaultImage);
    const refs = { defaultImage };
    if (testImages) {
      const built = await buildTestImages({ output: null });
      for (const tag of built.tags) {
        refs[tag] = `${registry.host}/daytona/test:${tag}`;
        await pushOnce(registry, built.layout, tag, refs[tag]);
      }
    }
    return { registry, insecureRegistry: registry.host, ...refs };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}

/** Pushes unless the registry already has the manifest (its storage outlives the process). */
async function pushOnce(registry, layout, tag, destination) {
  const repository = destination.slice(registry.host.length + 1, destination.lastIndexOf(':'));
  const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
  });
  if (response.ok) return;
  await pushImage({ layout, tag, destination });
}

/** Waits until the API's `default` snapshot is active (a runner has pulled its image). */
export async function waitForDefaultSnapshot({ apiUrl, apiKey, timeoutMs = 300_000 }) {
  const deadline = Date.now() + timeoutMs;
  let last = 'unknown';
  for (;;) {
    const response = await fetch(`${apiUrl}/snapshots/default`, { headers: { authorization: `Bearer ${apiKey}` } }).catch(() => null);
    if (response?.ok) {
      const snapshot = await response.json();
      if (snapshot.state === 'active') return snapshot;
      if (snapshot.state === 'error') throw new Error(`the default snapshot could not be pulled: ${snapshot.errorReason}`);
      last = snapshot.state;
    }
    if (Date.now() > deadline) throw new Error(`the default snapshot is still ${last} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
