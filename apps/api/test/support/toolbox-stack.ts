import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createApiKey, createOrganization, seedGeneralDefaults } from './factories.js';
import { apiClient, type ApiClient } from './http.js';
import { startRunnerProcess, type RunnerProcess } from './runner-process.js';
import { startTestApi, type TestApi } from './test-api.js';

export interface ToolboxStack {
  api: TestApi;
  runner: RunnerProcess;
  client: ApiClient;
  apiKey: string;
  /** Another organization's client. */
  other: ApiClient;
  createStarted(body?: object): Promise<{ id: string; name: string }>;
  close(): Promise<void>;
}

/** The real API and a real bubblewrap runner, and an organization whose sandboxes run the default image. */
export async function startToolboxStack(env: Record<string, string> = {}): Promise<ToolboxStack> {
  const api = await startTestApi(env);
  await seedGeneralDefaults(api.dataSource);
  const apiKey = await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id);
  const client = apiClient(api.url, apiKey);
  const other = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
  const runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'bwrap' } });
  const createStarted = async (body: object = {}) => {
    const created = await client.post('/sandbox', body);
    if (created.status !== 200) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const sandbox = (await client.get(`/sandbox/${created.body.id}`)).body;
      if (sandbox.state === 'started') return sandbox;
      if (sandbox.state === 'error' || Date.now() > deadline) throw new Error(`${sandbox.id} is ${sandbox.state}: ${sandbox.errorReason}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    api,
    runner,
    client,
    apiKey,
    other,
    createStarted,
    async close() {
      await runner.stop();
      await api.close();
      await runner.removeData();
    },
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One multipart/form-data part: a field, or a file whose content is a stream (never held whole). */
export type FormPart = { name: string; value: string } | { name: string; filename: string; content: Readable | Buffer };

/** POSTs a multipart body made of `parts`, streamed (chunked), and reads the whole (small) answer. */
export function postMultipart(url: string, apiKey: string, parts: FormPart[], headers: Record<string, string> = {}): Promise<RawAnswer> {
  const boundary = `test-${Math.random().toString(16).slice(2)}`;
  async function* body() {
    for (const part of parts) {
      if ('value' in part) {
        yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`);
        continue;
      }
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
      if (Buffer.isBuffer(part.content)) yield part.content;
      else for await (const chunk of part.content) yield chunk as Buffer;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers },
    });
    outgoing.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is sent: the answer is what counts.
    outgoing.on('error', (error) => setTimeout(() => reject(error), 1_000));
    pipeline(Readable.from(body()), outgoing).catch(() => undefined);
  });
}

/** GET or POST with the answer's body as bytes (downloads). */
export async function fetchRaw(url: string, apiKey: string, init: { method?: string; json?: unknown } = {}): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${apiKey}`, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}

/**
 * `size` bytes that are the same for the same seed, made as they are read (cheaply: the API under
 * test shares this process's event loop): a pseudo-random MiB, each copy stamped with its index.
 */
export function patternStream(size: number, seed: string): Readable {
  const block = Buffer.alloc(1024 * 1024);
  let digest = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < block.length; offset += digest.length) {
    digest = createHash('sha256').update(digest).digest();
    digest.copy(block, offset);
  }
  let produced = 0;
  let index = 0;
  return new Readable({
    read() {
      if (produced >= size) return this.push(null);
      const chunk = Buffer.from(block.subarray(0, Math.min(block.length, size - produced)));
      if (chunk.length >= 8) chunk.writeDoubleBE(index++, 0);
      produced += chunk.length;
      this.push(chunk);
    },
  });
}

export async function sha256Of(stream: AsyncIterable<Buffer | Uint8Array>): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { hash: hash.digest('hex'), size };
}

/** A multipart/form-data answer split into its parts (small answers only). */
export function multipartAnswerParts(answer: RawAnswer): Array<{ name: string; filename: string; contentType: string; body: Buffer }> {
  const boundary = /boundary=([^;]+)/.exec(String(answer.headers['content-type']))?.[1];
  if (!boundary) throw new Error(`not multipart: ${answer.headers['content-type']}`);
  const parts = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = answer.body.indexOf(delimiter);
  for (;;) {
    const next = answer.body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const raw = answer.body.subarray(at + delimiter.length + 2, next - 2);
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, split).toString('utf8');
    parts.push({
      name: /name="([^"]*)"/.exec(head)?.[1] ?? '',
      filename: /filename="([^"]*)"/.exec(head)?.[1] ?? '',
      contentType: /Content-Type: (.*)/i.exec(head)?.[1]?.trim() ?? '',
      body: raw.subarray(split + 4),
    });
    at = next;
  }
  return parts;
}
