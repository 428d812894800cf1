import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../images/run-tool.js';
import { buildOnce } from '../native-build.js';

const SOURCE = 'disk-mount.c';

/**
 * `disk-mount IMAGE DIR RECORD` (disk-mount.c), compiled with cc once per version of its source
 * (native-build.ts). Throws, with the compiler's words, when it cannot be built.
 */
export async function prepareDiskMounter(cacheDir: string): Promise<string> {
  const source = path.join(path.dirname(fileURLToPath(import.meta.url)), SOURCE);
  try {
    const dir = await buildOnce(cacheDir, 'disk-mount', [await readFile(source)], 'disk-mount', (tmp, tool) =>
      runTool('cc', ['-O2', '-Wall', '-o', path.join(tmp, 'disk-mount'), source], tool).then(() => undefined),
    );
    return path.join(dir, 'disk-mount');
  } catch (error) {
    throw new Error(`the sandbox disk mounter could not be built (a C compiler is needed): ${(error as Error).message}`);
  }
}
