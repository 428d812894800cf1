// The floor for starting sandboxes of an image: bare bubblewrap processes on the same unpacked
// rootfs, as many at once as the runner starts (16), each one ready when its shell says so.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pool, timed } from './measure.mjs';

/** The unpacked rootfs of the one image in a runner's image cache directory. */
export async function cachedRootfs(cacheDir) {
  for (const mapping of await readdir(join(cacheDir, 'rootfs'))) {
    for (const entry of await readdir(join(cacheDir, 'rootfs', mapping))) return join(cacheDir, 'rootfs', mapping, entry, 'rootfs');
  }
  throw new Error(`no unpacked image in ${cacheDir}`);
}

/**
 * Waits until no bwrap process runs on this machine: a delete is answered before the runner has
 * destroyed the sandboxes, and a floor measured meanwhile would share the CPU with that.
 */
export async function waitForNoBwrap(timeoutMs = 300_000) {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const names = await Promise.all((await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map((pid) => readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')));
    if (!names.some((name) => name.trim() === 'bwrap')) return;
    if (Date.now() > giveUp) throw new Error(`bwrap processes still run after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Time until `n` bwrap sandboxes of `rootfs` all run (at most `concurrency` starting at once); all are killed afterwards. */
export async function measureRawBwrapStarts({ rootfs, n, concurrency = 16 }) {
  const children = [];
  // The default image has no /dev (mmdebstrap leaves it out) and this root is read-only: no mount point for one.
  const dev = existsSync(join(rootfs, 'dev')) ? ['--dev', '/dev'] : [];
  try {
    const run = await timed(() =>
      pool(n, concurrency, () => {
        const child = spawn(
          'bwrap',
          ['--unshare-all', '--die-with-parent', '--ro-bind', rootfs, '/', '--proc', '/proc', ...dev, '--tmpfs', '/tmp', '--',
            '/bin/sh', '-c', 'echo ready; exec sleep 3600'],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        children.push(child);
        return new Promise((resolve, reject) => {
          child.stdout.once('data', () => resolve());
          child.once('exit', (code) => reject(new Error(`bwrap exited with ${code} before it was ready`)));
        });
      }),
    );
    return run.ms;
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}
