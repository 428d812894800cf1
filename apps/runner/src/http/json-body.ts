import type { IncomingMessage } from 'node:http';
import { RunnerError } from '../errors/runner-error.js';

/** POST /sandboxes may carry 10,000 sandboxes with their env; anything beyond this is refused. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Reads and parses a JSON body; an empty body is `undefined`. */
export async function readJsonBody(request: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () => new RunnerError('payload_too_large', `Request body exceeds ${limitBytes} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > limitBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RunnerError('invalid_json', `Request body is not valid JSON: ${(error as Error).message}`);
  }
}
