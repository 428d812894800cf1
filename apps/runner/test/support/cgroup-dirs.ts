import { readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Cgroup directories named `name` anywhere under /sys/fs/cgroup. Other tests create and remove
 * cgroups meanwhile, so a directory vanishing mid-walk is skipped rather than failing the walk.
 */
export async function cgroupDirsNamed(name: string, root = '/sys/fs/cgroup', maxDepth = 6): Promise<string[]> {
  const found: string[] = [];
  let level = [root];
  for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const child = path.join(dir, entry.name);
        if (entry.name === name) found.push(child);
        next.push(child);
      }
    }
    level = next;
  }
  return found;
}
