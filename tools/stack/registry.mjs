// A local OCI registry (Debian's docker-registry, distribution v2) and pushing OCI layouts to it.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { httpOk, startService } from './services.mjs';

/**
 * Starts docker-registry on 127.0.0.1:`port`, storing blobs under `storageDir` (created if missing;
 * its config file is written there too). No auth, deletes enabled, plain http. Resolves once
 * `GET /v2/` answers.
 */
export async function startRegistry({ port, storageDir, output }) {
  await mkdir(storageDir, { recursive: true });
  const configFile = join(storageDir, 'registry-config.yml');
  await writeFile(configFile, registryConfig({ port, storageDir }));
  const service = await startService({
    name: 'registry',
    command: 'docker-registry',
    args: ['serve', configFile],
    output,
    ready: () => httpOk(`http://127.0.0.1:${port}/v2/`),
    timeoutMs: 30_000,
  });
  // Parsed as it comes: the service's own log is trimmed when long, and counts must not be.
  const requests = [];
  let pending = '';
  const collect = (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      const request = parseAccessLine(line);
      if (request) requests.push(request);
    }
  };
  service.child.stdout.on('data', collect);
  service.child.stderr.on('data', collect);
  return {
    ...service,
    /** host:port, the registry part of an image reference. */
    host: `127.0.0.1:${port}`,
    port,
    /** The requests answered since it was ready, in order: { method, path, status }. */
    requests: () => [...requests],
  };
}

/**
 * Copies an OCI layout image (`layout` directory and `tag`) to `destination`
 * (`host:port/repo:tag`, no transport) over plain http.
 */
export function pushImage({ layout, tag, destination }) {
  return run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${destination}`]);
}

function registryConfig({ port, storageDir }) {
  // JSON is YAML: no quoting rules to get wrong for paths.
  return `${JSON.stringify(
    {
      version: '0.1',
      // warn keeps the per-request info lines out; the access log (one line a request) stays.
      log: { level: 'warn', accesslog: { disabled: false } },
      storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${port}` },
    },
    null,
    2,
  )}\n`;
}

// 127.0.0.1 - - [01/Dec/2026:09:36:56 +0000] "GET /v2/x/blobs/sha256:ab… HTTP/1.1" 200 456 "" "skopeo/1.9.3"
const ACCESS_LINE = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /;

function parseAccessLine(line) {
  const match = ACCESS_LINE.exec(line);
  return match ? { method: match[1], path: match[2], status: Number(match[3]) } : null;
}

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.trim()}`))));
  });
}
