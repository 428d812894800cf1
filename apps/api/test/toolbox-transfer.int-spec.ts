import { request } from 'node:http';
import { Readable } from 'node:stream';
import { patternStream, postMultipart, sha256Of, startToolboxStack, type ToolboxStack } from './support/toolbox-stack.js';

const BIG = 300 * 1024 * 1024;
// What the API (this process) may grow by while moving BIG bytes each way: far less than the file.
const RSS_GROWTH_LIMIT = 120 * 1024 * 1024;

/** Files far larger than the API would want in memory move through it as streams, both ways. */
describe('toolbox file transfer', () => {
  let stack: ToolboxStack;
  let sandbox: { id: string };

  beforeAll(async () => {
    stack = await startToolboxStack();
    sandbox = await stack.createStarted();
  }, 180_000);
  afterAll(() => stack?.close());

  const base = () => `${stack.api.url}/toolbox/${sandbox.id}`;

  /** Peak resident memory of this process (the API runs in it) while `work` runs. */
  async function peakRss<T>(work: () => Promise<T>): Promise<{ value: T; growth: number }> {
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    try {
      const value = await work();
      return { value, growth: peak - before };
    } finally {
      clearInterval(sampler);
    }
  }

  it('uploads and downloads 300 MiB streamed, byte for byte, with the API resident memory bounded', async () => {
    const expected = await sha256Of(patternStream(BIG, 'big'));
    const upload = await peakRss(() =>
      postMultipart(`${base()}/files/upload?path=big.bin`, stack.apiKey, [{ name: 'file', filename: 'big.bin', content: patternStream(BIG, 'big') }]),
    );
    expect(`${upload.value.status} ${upload.value.body.toString().slice(0, 300)}`).toMatch(/^200 /);
    expect(JSON.parse(upload.value.body.toString())).toEqual({ path: 'big.bin', size: BIG });
    expect(upload.growth).toBeLessThan(RSS_GROWTH_LIMIT);

    const download = await peakRss(async () => {
      const response = await fetch(`${base()}/files/download?path=big.bin`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
      expect(response.headers.get('content-length')).toBe(String(BIG));
      return sha256Of(Readable.fromWeb(response.body as never));
    });
    expect(download.value).toEqual(expected);
    expect(download.growth).toBeLessThan(RSS_GROWTH_LIMIT);
    // The sandbox has the same bytes.
    const check = await stack.client.post(`/toolbox/${sandbox.id}/process/execute`, { command: 'sha256sum big.bin | cut -d" " -f1' });
    expect(check.body.result.trim()).toBe(expected.hash);
  }, 180_000);

  it('keeps nothing of an upload whose client goes away midway, and the file it would have replaced stays', async () => {
    await postMultipart(`${base()}/files/upload?path=kept.bin`, stack.apiKey, [{ name: 'file', filename: 'kept.bin', content: Buffer.from('before') }]);
    await new Promise<void>((resolve) => {
      const boundary = 'abort-test';
      const outgoing = request(`${base()}/files/upload?path=kept.bin`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      outgoing.on('error', () => resolve());
      outgoing.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="kept.bin"\r\n\r\n`);
      outgoing.write(Buffer.alloc(8 * 1024 * 1024, 1), () => setTimeout(() => (outgoing.destroy(), resolve()), 300));
    });
    // The runner hears of the abort through its own connection; give it a moment.
    const deadline = Date.now() + 5_000;
    let listing = '';
    while (Date.now() < deadline) {
      listing = (await stack.client.post(`/toolbox/${sandbox.id}/process/execute`, { command: 'ls -A; cat kept.bin' })).body.result;
      if (!/upload/.test(listing)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(listing).not.toMatch(/upload/);
    expect(listing).toMatch(/before$/);
  });
});
