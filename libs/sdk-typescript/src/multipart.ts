// multipart/form-data both ways, streamed: the toolbox's bulk upload takes one, its bulk
// download answers one. Neither side holds a whole file in memory.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** What a part carries: bytes in memory, a local file (read as it is sent), or a stream. */
export type PartSource = { buffer: Buffer } | { localPath: string } | { stream: Readable };

export interface OutgoingPart {
  name: string;
  /** Only for file parts. */
  filename?: string;
  source: PartSource;
}

export interface MultipartBody {
  stream: Readable;
  contentType: string;
  /** Known when no part is a stream of unknown length; the request is chunked otherwise. */
  contentLength?: number;
}

/** Encodes `parts` in order. Local files are opened one at a time, when their part is reached. */
export async function encodeMultipart(parts: OutgoingPart[]): Promise<MultipartBody> {
  const boundary = `daytona-sdk-${randomBytes(16).toString('hex')}`;
  const heads = parts.map((part) => Buffer.from(`--${boundary}\r\n${partHeaders(part)}\r\n`));
  const tail = Buffer.from(`--${boundary}--\r\n`);
  let contentLength: number | undefined = tail.length;
  for (const [index, part] of parts.entries()) {
    const size = await sourceSize(part.source);
    contentLength = size === undefined || contentLength === undefined ? undefined : contentLength + heads[index].length + size + 2;
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const [index, part] of parts.entries()) {
      yield heads[index];
      const { source } = part;
      if ('buffer' in source) yield source.buffer;
      else yield* (('localPath' in source ? createReadStream(source.localPath) : source.stream) as AsyncIterable<Buffer>);
      yield Buffer.from('\r\n');
    }
    yield tail;
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), contentType: `multipart/form-data; boundary=${boundary}`, contentLength };
}

function partHeaders(part: OutgoingPart): string {
  const disposition = `Content-Disposition: form-data; name="${quoted(part.name)}"`;
  if (part.filename === undefined) return `${disposition}\r\n`;
  return `${disposition}; filename="${quoted(part.filename)}"\r\nContent-Type: application/octet-stream\r\n`;
}

/** Quotes as browsers do (WHATWG): the server's multipart parser reads the same. */
function quoted(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

async function sourceSize(source: PartSource): Promise<number | undefined> {
  if ('buffer' in source) return source.buffer.length;
  if ('localPath' in source) return (await stat(source.localPath)).size;
  return undefined;
}

/** One part of an answer: its name (`file` or `error`), its filename, its headers (lower-case). */
export interface IncomingPart {
  name?: string;
  filename?: string;
  headers: Record<string, string>;
}

/** Where a part's body goes, chunk by chunk; `write` may wait (backpressure). */
export interface PartSink {
  write(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
}

const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Reads a multipart body as it arrives, handing each part's body to the sink `openPart` returns
 * for it. Only a window the size of the boundary is kept between chunks. Throws if the body ends
 * before its closing boundary (a cut-off answer is never taken for a complete one).
 */
export async function parseMultipart(
  body: AsyncIterable<Buffer>,
  contentType: string,
  openPart: (part: IncomingPart) => Promise<PartSink> | PartSink,
): Promise<void> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new Error(`not a multipart answer (content-type ${contentType || 'missing'})`);
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`);
  // A leading CRLF lets the first boundary match the same delimiter as the others.
  let buffer: Buffer = Buffer.from('\r\n');
  type State = 'preamble' | 'boundary' | 'headers' | 'body' | 'done';
  let state = 'preamble' as State;
  let sink: PartSink | undefined;

  const advance = async (): Promise<void> => {
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = buffer.indexOf(delimiter);
        const end = at >= 0 ? at : Math.max(buffer.length - delimiter.length + 1, 0);
        if (state === 'body' && end > 0) await sink!.write(buffer.subarray(0, end));
        if (at < 0) {
          buffer = buffer.subarray(end);
          return;
        }
        if (state === 'body') await sink!.end();
        buffer = buffer.subarray(at + delimiter.length);
        state = 'boundary';
      }
      if (state === 'boundary') {
        if (buffer.length < 2) return;
        if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
          state = 'done';
          return;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        buffer = buffer.subarray(eol + 2);
        state = 'headers';
      }
      if (state === 'headers') {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffer.length > MAX_HEADER_BYTES) throw new Error('a part of the multipart answer has headers past 16 KiB');
          return;
        }
        sink = await openPart(readPartHeaders(buffer.subarray(0, end).toString('utf8')));
        buffer = buffer.subarray(end + 4);
        state = 'body';
      }
      if (state === 'done') return;
    }
  };

  for await (const chunk of body) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    await advance();
    if (state === 'done') return;
  }
  throw new Error('the multipart answer ended before its closing boundary');
}

function readPartHeaders(text: string): IncomingPart {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const disposition = headers['content-disposition'] ?? '';
  return { name: dispositionParameter(disposition, 'name'), filename: dispositionFilename(disposition), headers };
}

function dispositionFilename(disposition: string): string | undefined {
  const extended = /;\s*filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended) return decodeURIComponent(extended[1].trim());
  return dispositionParameter(disposition, 'filename');
}

function dispositionParameter(disposition: string, key: string): string | undefined {
  const match = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(disposition);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2].trim();
}
