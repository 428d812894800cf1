// Moving a file into and out of a real sandbox through the API's toolbox (multipart upload, streamed
// download), against `cp` of the same file on the same disk: what the streams cost on top of the copy.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { postJson, sampleRss, timed } from './measure.mjs';

const ROUNDS = 3;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** POSTs the file as the multipart part `file`, streamed from disk. */
function uploadFile(url, key, file) {
  const boundary = `bench-${randomBytes(8).toString('hex')}`;
  async function* body() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    yield* createReadStream(file, { highWaterMark: 1024 * 1024 });
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
    outgoing.once('response', (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`upload: ${response.statusCode} ${text}`))));
    });
    outgoing.once('error', reject);
    pipeline(Readable.from(body()), outgoing).catch(reject);
  });
}

async function downloadFile(url, key, file) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`download: ${response.status} ${await response.text()}`);
  await pipeline(Readable.fromWeb(response.body), createWriteStream(file));
}

/** A sandbox of the default image, started; `sizeBytes` up and down ROUNDS times each, and cp as many. */
export async function measureFileTransfer({ apiUrl, key, workDir, apiPid, sizeBytes }) {
  const sandbox = await postJson(`${apiUrl}/sandbox`, key, {});
  for (;;) {
    const { state, errorReason } = await (await fetch(`${apiUrl}/sandbox/${sandbox.id}`, { headers: { authorization: `Bearer ${key}` } })).json();
    if (state === 'started') break;
    if (state === 'error') throw new Error(`bench sandbox failed: ${errorReason}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const source = join(workDir, 'toolbox-bench.bin');
  const copy = join(workDir, 'toolbox-bench-copy.bin');
  const back = join(workDir, 'toolbox-bench-back.bin');
  writeFileSync(source, randomBytes(sizeBytes));
  const files = `${apiUrl}/toolbox/${sandbox.id}/files`;
  const memory = sampleRss(apiPid);
  const cp = [];
  const up = [];
  const down = [];
  for (let round = 0; round < ROUNDS; round++) {
    cp.push((await timed(async () => execFileSync('cp', [source, copy]))).ms);
    await rm(copy, { force: true });
    up.push((await timed(() => uploadFile(`${files}/upload?path=bench.bin`, key, source))).ms);
    down.push((await timed(() => downloadFile(`${files}/download?path=bench.bin`, key, back))).ms);
    await rm(back, { force: true });
  }
  const peakMiB = memory.stop();
  await rm(source, { force: true });
  await fetch(`${apiUrl}/sandbox/${sandbox.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
  return { cpMs: median(cp), uploadMs: median(up), downloadMs: median(down), peakMiB };
}
