import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STORE = path.join(SOURCE_ROOT, 'sandbox/state/sandbox-state-store.ts');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : Promise.resolve([path.join(dir, entry.name)]))),
  );
  return nested.flat().filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));
}

describe('sandbox state writers', () => {
  it('are the state store alone: no other source file updates a sandbox state', async () => {
    const stateUpdate = /UPDATE\s+sandbox\b[^;`]*?\bSET\b[^;`]*?[\s,(]state\s*=/i;
    const offenders: string[] = [];
    for (const file of await sourceFiles(SOURCE_ROOT)) {
      if (file === STORE) continue;
      if (stateUpdate.test(await readFile(file, 'utf8'))) offenders.push(path.relative(SOURCE_ROOT, file));
    }
    expect(offenders).toEqual([]);
    expect(stateUpdate.test(await readFile(STORE, 'utf8'))).toBe(true);
  });
});
