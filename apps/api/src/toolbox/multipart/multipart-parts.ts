import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { UnsupportedMediaTypeException } from '@nestjs/common';
import { InvalidInputError } from '../../common/errors/domain-error.js';

export type MultipartPart = { kind: 'field'; name: string; value: string } | { kind: 'file'; name: string; filename: string; stream: Readable };

// Bulk uploads name a path (a field) and a file per entry; fields are paths, never large.
const LIMITS = { fields: 2_000, files: 1_000, parts: 3_000, fieldSize: 64 * 1024, fieldNameSize: 200 };

/**
 * The parts of a multipart/form-data body, in order, as they arrive: a file part is a stream that
 * must be read (or resumed) before the next part comes. Nothing is buffered beyond busboy's window.
 */
export async function* multipartParts(request: IncomingMessage): AsyncGenerator<MultipartPart> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: request.headers, limits: LIMITS, defParamCharset: 'utf8' });
  } catch (error) {
    throw new UnsupportedMediaTypeException(`Send the files as multipart/form-data (${(error as Error).message})`);
  }
  const queue: MultipartPart[] = [];
  let failure: Error | null = null;
  let finished = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const refuse = (message: string) => {
    failure ??= new InvalidInputError('validation_failed', `multipart body: ${message}`);
    notify();
  };
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated || info.nameTruncated) return refuse(`field ${name.slice(0, 100)} is too long`);
    queue.push({ kind: 'field', name, value });
    notify();
  });
  parser.on('file', (name, stream, info) => {
    queue.push({ kind: 'file', name, filename: info.filename ?? '', stream });
    notify();
  });
  parser.on('partsLimit', () => refuse(`more than ${LIMITS.parts} parts`));
  parser.on('filesLimit', () => refuse(`more than ${LIMITS.files} files`));
  parser.on('fieldsLimit', () => refuse(`more than ${LIMITS.fields} fields`));
  parser.on('error', (error: Error) => refuse(error.message));
  parser.on('close', () => {
    finished = true;
    notify();
  });
  request.on('aborted', () => refuse('the request ended early'));
  request.pipe(parser);
  for (;;) {
    if (failure) throw failure;
    const part = queue.shift();
    if (part) {
      yield part;
      continue;
    }
    if (finished) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
