import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RunnerImageStatus } from '@daytona/runner-contract';
import type { Logger } from '../logging/logger.js';
import { HOST_SNAPSHOT_REF } from '../provider/host-snapshot.js';
import { ImageCache, type ReadyImage } from './image-cache.js';
import { readImageRuntimeConfig } from './image-config.js';
import { resolveManifest } from './image-manifest.js';
import { parseImageReference } from './image-reference.js';
import { runTool, ToolError, type ToolOptions } from './run-tool.js';

export type { ReadyImage } from './image-cache.js';

export interface ImageStoreOptions {
  /** The cache directory (it may be shared with other runners). */
  cacheDir: string;
  /** Host ids the unpacked files are owned by: uid/gid 0 inside is `base`. */
  idMap: { base: number; size: number };
  maxBytes: number;
  /** host[:port] of registries spoken to over plain http. */
  insecureRegistries: string[];
  pullTimeoutSeconds: number;
  logger: Logger;
  /** Told when a pull ends, ready or failed (the runner then tells the API at once, not at its next sync). */
  onPullEnded?: () => void;
}

/** What the sandbox manager needs of images. */
export interface ImageSource {
  /** The image of `ref` if it is ready here, without waiting. */
  ready(ref: string): ReadyImage | undefined;
  /** Pulls `ref` unless it is ready or being pulled (one pull, whoever asks), then resolves with it. */
  ensure(ref: string): Promise<ReadyImage>;
}

/** What the HTTP API and the sync need of images. */
export interface RunnerImages {
  statuses(): RunnerImageStatus[];
  /** POST /images: starts a pull unless the image is ready or being pulled; answers at once. */
  request(ref: string): RunnerImageStatus;
  /** The sync answer's `pull`: pulls what is not held (and, after a pause, what failed). */
  prePull(refs: string[]): void;
}

/** Why an image could not be pulled, in words for errorReason. */
export class ImagePullError extends Error {}

interface Entry {
  status: RunnerImageStatus;
  image: ReadyImage | null;
  pulling: Promise<ReadyImage> | null;
  failedAt: number;
}

// The host's own userland (development and tests): nothing to pull, always there.
const HOST_STATUS: RunnerImageStatus = { ref: HOST_SNAPSHOT_REF, state: 'ready', digest: null, errorReason: null, sizeBytes: null };

// A pre-pull the API keeps asking for is retried this long after it failed; a sandbox or a
// POST /images retries at once.
const PREPULL_RETRY_AFTER_MS = 60_000;

/**
 * Images by reference, pulled with skopeo and unpacked with umoci once per manifest digest into
 * the content-addressed cache (ImageCache), which outlives the runner. Any number of sandboxes and
 * requests for one reference share one pull; references with the same digest share one download
 * and one unpacked rootfs.
 */
export class ImageStore implements ImageSource, RunnerImages {
  /** Downloads (skopeo copy) and unpacks (umoci) done by this process, for the tests. */
  readonly counts = { downloads: 0, unpacks: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly byDigest = new Map<string, Promise<ReadyImage>>();
  private readonly refs: Map<string, string>;
  private readonly closing = new AbortController();

  private constructor(
    private readonly cache: ImageCache,
    refs: Map<string, string>,
    private readonly options: ImageStoreOptions,
  ) {
    this.refs = refs;
  }

  /** Opens the cache; every reference pulled before (this process or an earlier one) is ready at once. */
  static async open(options: ImageStoreOptions): Promise<ImageStore> {
    const cache = new ImageCache(options.cacheDir, options.idMap);
    await cache.init();
    const refs = await cache.readRefs();
    const store = new ImageStore(cache, refs, options);
    for (const [ref, digest] of refs) {
      const image = await cache.read(digest);
      if (!image) {
        refs.delete(ref);
        continue;
      }
      store.entries.set(ref, {
        status: { ref, state: 'ready', digest, errorReason: null, sizeBytes: image.sizeBytes, user: image.config.user ?? null },
        image,
        pulling: null,
        failedAt: 0,
      });
      store.byDigest.set(digest, Promise.resolve(image));
    }
    if (refs.size > 0) options.logger.log(`Image cache: ${refs.size} reference(s) ready in ${cache.root}`);
    return store;
  }

  ready(ref: string): ReadyImage | undefined {
    return this.entries.get(ref)?.image ?? undefined;
  }

  ensure(ref: string): Promise<ReadyImage> {
    const entry = this.entries.get(ref);
    if (entry?.image) return Promise.resolve(entry.image);
    return entry?.pulling ?? this.startPull(ref);
  }

  statuses(): RunnerImageStatus[] {
    return [...this.entries.values()].map((entry) => ({ ...entry.status }));
  }

  request(ref: string): RunnerImageStatus {
    if (ref === HOST_SNAPSHOT_REF) return HOST_STATUS;
    this.ensure(ref).catch(() => undefined); // the status says how it went
    return { ...this.entries.get(ref)!.status };
  }

  prePull(refs: string[]): void {
    for (const ref of refs) {
      if (ref === HOST_SNAPSHOT_REF) continue;
      const entry = this.entries.get(ref);
      if (entry?.image || entry?.pulling) continue;
      if (entry && Date.now() - entry.failedAt < PREPULL_RETRY_AFTER_MS) continue;
      this.startPull(ref).catch(() => undefined);
    }
  }

  /** Kills the pulls in flight (they fail); what is in the cache stays. */
  close(): void {
    this.closing.abort();
  }

  private startPull(ref: string): Promise<ReadyImage> {
    const entry: Entry = this.entries.get(ref) ?? { status: { ref, state: 'pulling', digest: null, errorReason: null, sizeBytes: null }, image: null, pulling: null, failedAt: 0 };
    this.entries.set(ref, entry);
    entry.status = { ...entry.status, state: 'pulling', errorReason: null };
    const started = Date.now();
    const pulling = this.pull(ref, entry).then(
      async (image) => {
        entry.image = image;
        entry.status = { ref, state: 'ready', digest: image.digest, errorReason: null, sizeBytes: image.sizeBytes, user: image.config.user };
        this.refs.set(ref, image.digest);
        await this.cache.writeRefs(this.refs).catch((error: Error) => this.options.logger.warn(`Could not record ${ref} in the image cache: ${error.message}`));
        this.options.logger.log(`Image ${ref} ready (${image.digest}, ${formatBytes(image.sizeBytes)}) after ${Date.now() - started} ms`);
        return image;
      },
      (error: Error) => {
        const reason = error instanceof ToolError || error instanceof ImagePullError ? error.message : `unexpected: ${error.message}`;
        entry.status = { ...entry.status, state: 'error', errorReason: reason.slice(0, 2_000) };
        entry.failedAt = Date.now();
        this.options.logger.warn(`Pulling image ${ref} failed: ${reason}`);
        throw new ImagePullError(reason);
      },
    );
    entry.pulling = pulling;
    void pulling
      .catch(() => undefined)
      .finally(() => {
        entry.pulling = null;
        this.options.onPullEnded?.();
      });
    return pulling;
  }

  private async pull(ref: string, entry: Entry): Promise<ReadyImage> {
    const limit = this.options.pullTimeoutSeconds;
    const tool: ToolOptions = {
      deadline: Date.now() + limit * 1000,
      deadlineReason: `timed out after ${limit} s (RUNNER_IMAGE_PULL_TIMEOUT_SECONDS)`,
      signal: this.closing.signal,
    };
    const { registry } = parseImageReference(ref);
    const tlsVerify = !this.options.insecureRegistries.includes(registry);
    const manifest = await resolveManifest(ref, tlsVerify, tool);
    entry.status = { ...entry.status, digest: manifest.digest, sizeBytes: manifest.sizeBytes };
    if (manifest.sizeBytes > this.options.maxBytes) {
      throw new ImagePullError(
        `too large: its layers are ${formatBytes(manifest.sizeBytes)} compressed, more than the ${formatBytes(this.options.maxBytes)} this runner takes (RUNNER_IMAGE_MAX_BYTES)`,
      );
    }
    let unpacking = this.byDigest.get(manifest.digest);
    if (!unpacking) {
      unpacking = this.downloadAndUnpack(manifest.pinned, manifest.digest, manifest.sizeBytes, tlsVerify, tool);
      this.byDigest.set(manifest.digest, unpacking);
      unpacking.catch(() => this.byDigest.delete(manifest.digest));
    }
    return unpacking;
  }

  private async downloadAndUnpack(pinned: string, digest: string, sizeBytes: number, tlsVerify: boolean, tool: ToolOptions): Promise<ReadyImage> {
    const onDisk = await this.cache.read(digest);
    if (onDisk) return onDisk;
    const work = await this.cache.workDir();
    try {
      const layout = path.join(work, 'layout');
      const entryDir = path.join(work, 'entry');
      const runtimeSpec = path.join(work, 'runtime.json');
      this.counts.downloads++;
      await runTool('skopeo', ['copy', '--quiet', `--src-tls-verify=${tlsVerify}`, `docker://${pinned}`, `oci:${layout}:image`], tool);
      await mkdir(entryDir);
      const { base, size } = this.options.idMap;
      this.counts.unpacks++;
      await runTool(
        'umoci',
        ['--log', 'error', 'raw', 'unpack', `--uid-map=0:${base}:${size}`, `--gid-map=0:${base}:${size}`, `--image=${layout}:image`, path.join(entryDir, 'rootfs')],
        tool,
      );
      // Resolves User against the image's own /etc/passwd and /etc/group, never the host's.
      await runTool('umoci', ['--log', 'error', 'raw', 'runtime-config', `--image=${layout}:image`, `--rootfs=${path.join(entryDir, 'rootfs')}`, runtimeSpec], tool);
      const config = await readImageRuntimeConfig(layout, runtimeSpec);
      return await this.cache.commit(entryDir, { digest, sizeBytes, config });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}
