// The project's images as OCI layouts, built once per recipe and cached under .cache/images.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The default sandbox image (Debian bookworm, user daytona): { layout, tag }. About a minute the first time. */
export async function buildDefaultImage({ output = process.stderr } = {}) {
  const [layout, tag] = parseLayoutRef(await runRecipe('build-default-image.sh', output));
  return { layout, tag };
}

/** The runner's test images (busybox): { layout, tags: ['alpha', 'beta', 'user'] }. About a second the first time. */
export async function buildTestImages({ output = process.stderr } = {}) {
  const [layout] = parseLayoutRef(await runRecipe('build-test-image.sh', output));
  return { layout, tags: ['alpha', 'beta', 'user'] };
}

function parseLayoutRef(line) {
  // oci:/path/to/layout[:tag]; paths under the checkout hold no colon.
  const [transport, layout, tag] = line.split(':');
  if (transport !== 'oci' || !layout) throw new Error(`unexpected image recipe output: ${line}`);
  return [layout, tag];
}

function runRecipe(script, output) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(HERE, script)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      output?.write(chunk);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} failed (${code}):\n${stderr.slice(-4_000)}`));
      resolve(stdout.trim().split('\n').at(-1));
    });
  });
}
