import { createHash } from 'node:crypto';
import { pinnedReference } from './image-reference.js';
import { runTool, ToolError, type ToolOptions } from './run-tool.js';

/** The one manifest this runner runs for a reference. */
export interface ResolvedManifest {
  /** sha256 of the manifest as the registry serves it: the cache key. */
  digest: string;
  /** Compressed size of the layers. */
  sizeBytes: number;
  /** name@digest, for the download. */
  pinned: string;
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
const CONFIG_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);
const PLATFORM_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

interface Manifest {
  schemaVersion?: number;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

/**
 * Reads the manifest of `ref` from its registry (`skopeo inspect --raw`); for a multi-platform
 * index, the entry of this machine's platform. Refuses what is not a container image.
 */
export async function resolveManifest(ref: string, tlsVerify: boolean, options: ToolOptions): Promise<ResolvedManifest> {
  let raw = await inspectRaw(ref, tlsVerify, options);
  let manifest = parseManifest(raw);
  if (INDEX_TYPES.has(manifest.mediaType ?? '') || Array.isArray(manifest.manifests)) {
    const arch = PLATFORM_ARCH[process.arch] ?? process.arch;
    const entry = manifest.manifests?.find((each) => each.platform?.os === 'linux' && each.platform?.architecture === arch);
    if (!entry?.digest) throw new ToolError(`not an image for linux/${arch}: the index lists no manifest for this platform`);
    raw = await inspectRaw(pinnedReference(ref, entry.digest), tlsVerify, options);
    manifest = parseManifest(raw);
  }
  const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  if (manifest.schemaVersion !== 2 || (manifest.mediaType !== undefined && !MANIFEST_TYPES.has(manifest.mediaType))) {
    throw new ToolError(`not an image: manifest media type ${manifest.mediaType ?? `(schema ${manifest.schemaVersion})`} is not an image manifest`);
  }
  if (!CONFIG_TYPES.has(manifest.config?.mediaType ?? '')) {
    throw new ToolError(`not an image: its config is ${manifest.config?.mediaType ?? 'missing'}, not an image configuration`);
  }
  const layers = manifest.layers ?? [];
  if (layers.some((layer) => typeof layer.size !== 'number' || layer.size < 0)) throw new ToolError('not an image: a layer has no size');
  return { digest, sizeBytes: layers.reduce((sum, layer) => sum + (layer.size as number), 0), pinned: pinnedReference(ref, digest) };
}

function inspectRaw(ref: string, tlsVerify: boolean, options: ToolOptions): Promise<Buffer> {
  return runTool('skopeo', ['inspect', '--raw', '--no-tags', `--tls-verify=${tlsVerify}`, `docker://${ref}`], options);
}

function parseManifest(raw: Buffer): Manifest {
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Manifest;
  } catch {
    // reported below
  }
  throw new ToolError('not an image: the registry answered a manifest that is not JSON');
}
