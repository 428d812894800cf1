import { Readable } from 'node:stream';
import { encodeMultipart, parseMultipart, type IncomingPart } from './multipart.js';

/** What parseMultipart hands its sinks: each part's headers and body. */
async function parseAll(chunks: Buffer[], contentType: string) {
  const parts: Array<IncomingPart & { body: string }> = [];
  await parseMultipart(Readable.from(chunks), contentType, (part) => {
    const received: Buffer[] = [];
    return {
      write: (chunk) => void received.push(chunk),
      end: () => void parts.push({ ...part, body: Buffer.concat(received).toString('utf8') }),
    };
  });
  return parts;
}

const BOUNDARY = 'daytona-0123456789';
const ANSWER = Buffer.from(
  'preamble to ignore\r\n' +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="notes/a \\"q\\".txt"\r\nContent-Type: application/octet-stream\r\n\r\n` +
    `line one\r\n--not-the-boundary\r\nline two\r\n` +
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="error"; filename="caf_.txt"; filename*=UTF-8''caf%C3%A9.txt\r\n\r\n` +
    `{"code":"file_not_found"}\r\n` +
    `--${BOUNDARY}--\r\n`,
);
const EXPECTED = [
  { name: 'file', filename: 'notes/a "q".txt', body: 'line one\r\n--not-the-boundary\r\nline two' },
  { name: 'error', filename: 'café.txt', body: '{"code":"file_not_found"}' },
];

describe('parseMultipart', () => {
  it('reads parts, names and filenames (quoted and RFC 5987) from one chunk', async () => {
    const parts = await parseAll([ANSWER], `multipart/form-data; boundary=${BOUNDARY}`);
    expect(parts.map(({ name, filename, body }) => ({ name, filename, body }))).toEqual(EXPECTED);
  });

  it('reads the same when the answer arrives a byte at a time (a boundary split across chunks)', async () => {
    const bytes = [...ANSWER].map((byte) => Buffer.from([byte]));
    const parts = await parseAll(bytes, `multipart/form-data; boundary="${BOUNDARY}"`);
    expect(parts.map(({ name, filename, body }) => ({ name, filename, body }))).toEqual(EXPECTED);
  });

  it('refuses an answer cut off before its closing boundary, and one that is not multipart', async () => {
    const cut = ANSWER.subarray(0, ANSWER.length - 10);
    await expect(parseAll([cut], `multipart/form-data; boundary=${BOUNDARY}`)).rejects.toThrow(/ended before its closing boundary/);
    await expect(parseAll([ANSWER], 'application/json')).rejects.toThrow(/not a multipart answer/);
  });
});

describe('encodeMultipart', () => {
  it('encodes what parseMultipart reads back, with the length when every part has one', async () => {
    const body = await encodeMultipart([
      { name: 'files[0].path', source: { buffer: Buffer.from('a/b.txt') } },
      { name: 'files[0].file', filename: 'b.txt', source: { buffer: Buffer.from('content\r\n--x') } },
    ]);
    const chunks: Buffer[] = [];
    for await (const chunk of body.stream) chunks.push(chunk as Buffer);
    expect(body.contentLength).toBe(Buffer.concat(chunks).length);
    const parts = await parseAll(chunks, body.contentType);
    expect(parts.map(({ name, filename, body: text }) => ({ name, filename, text }))).toEqual([
      { name: 'files[0].path', filename: undefined, text: 'a/b.txt' },
      { name: 'files[0].file', filename: 'b.txt', text: 'content\r\n--x' },
    ]);
  });

  it('has no length with a stream of unknown size', async () => {
    const body = await encodeMultipart([{ name: 'files[0].file', filename: 'x', source: { stream: Readable.from([Buffer.from('x')]) } }]);
    expect(body.contentLength).toBeUndefined();
  });
});
