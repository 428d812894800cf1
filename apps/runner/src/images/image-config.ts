import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from './run-tool.js';

/** What an image says about how its processes run, resolved against its own /etc/passwd. */
export interface ImageRuntimeConfig {
  /** The image's Env, with HOME (from passwd) and PATH added when it sets neither. */
  env: Record<string, string>;
  /** Absolute; `/` when the image names none. */
  workingDir: string;
  uid: number;
  gid: number;
  /** The image's User as written (a name, or uid[:gid]); `root` when it names none. */
  user: string;
  /** Entrypoint followed by Cmd; empty when the image has neither. */
  command: string[];
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface OciImageConfig {
  config?: { Env?: string[] | null; Entrypoint?: string[] | null; Cmd?: string[] | null; WorkingDir?: string; User?: string };
}

interface RuntimeSpec {
  process?: { user?: { uid?: number; gid?: number }; env?: string[] };
}

/**
 * Combines the image configuration (from the OCI layout) with umoci's runtime spec, which resolved
 * User to numeric ids and found HOME in the image's passwd without leaving its root.
 */
export async function readImageRuntimeConfig(layoutDir: string, runtimeSpecFile: string): Promise<ImageRuntimeConfig> {
  const index = (await readJson(path.join(layoutDir, 'index.json'))) as { manifests?: Array<{ digest?: string }> };
  const manifestDigest = index.manifests?.[0]?.digest;
  if (!manifestDigest) throw new ToolError('the pulled image has no manifest');
  const manifest = (await readJson(blobPath(layoutDir, manifestDigest))) as { config?: { digest?: string } };
  if (!manifest.config?.digest) throw new ToolError('the pulled image has no configuration');
  const { config = {} } = (await readJson(blobPath(layoutDir, manifest.config.digest))) as OciImageConfig;
  const runtime = (await readJson(runtimeSpecFile)) as RuntimeSpec;

  const env: Record<string, string> = {};
  for (const entry of config.Env ?? []) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  const runtimeHome = runtime.process?.env?.find((entry) => entry.startsWith('HOME='))?.slice('HOME='.length);
  env.HOME ??= runtimeHome || '/';
  env.PATH ??= DEFAULT_PATH;
  const workingDir = config.WorkingDir ? path.posix.resolve('/', config.WorkingDir) : '/';
  return {
    env,
    workingDir,
    uid: runtime.process?.user?.uid ?? 0,
    gid: runtime.process?.user?.gid ?? 0,
    user: config.User || 'root',
    command: [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])],
  };
}

function blobPath(layoutDir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !/^[a-f0-9]+$/.test(hex ?? '')) throw new ToolError(`unusable digest ${digest}`);
  return path.join(layoutDir, 'blobs', algorithm, hex);
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}
