import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ToolOptions } from '../images/run-tool.js';

const BUILD_TIMEOUT_MS = 60_000;

/**
 * Runs `build` once per version of `inputs` (sources, policies): it fills a fresh directory, which
 * then becomes `cacheDir/{name}-{hash}`, so a runner start after the first costs nothing. Returns
 * that directory once `marker` (a file `build` makes last) is in it. Throws with the tools' words.
 */
export async function buildOnce(
  cacheDir: string,
  name: string,
  inputs: Array<string | Buffer>,
  marker: string,
  build: (dir: string, tool: ToolOptions) => Promise<void>,
): Promise<string> {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input);
  const dir = path.join(cacheDir, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (await exists(path.join(dir, marker))) return dir;

  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { mode: 0o755 });
  try {
    await build(tmp, { deadline: Date.now() + BUILD_TIMEOUT_MS, deadlineReason: `building ${name} took over ${BUILD_TIMEOUT_MS} ms` });
    await rename(tmp, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another runner sharing the cache built it first.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await rm(tmp, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
