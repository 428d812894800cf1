import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_PATH_LENGTH } from '@daytona/runner-contract';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DomainError, InvalidInputError, TooLargeError } from '../../common/errors/domain-error.js';
import { STATUS_BY_KIND } from '../../common/errors/error-status.js';
import { stringProblem } from '../../common/input/input-rules.js';
import type { UploadedFileDto, UploadedFilesDto } from '../dto/file-info.dto.js';
import { multipartParts } from '../multipart/multipart-parts.js';
import { RunnerToolboxClient } from './runner-toolbox-client.js';
import { ToolboxTargets, type ToolboxTarget } from './toolbox-target.js';

// A request refused while its body still comes is read on (and dropped) for this long at most, so
// the client gets to read the answer, then its connection is closed.
const DISCARD_MS = 10_000;
const DISCARD_BYTES = 64 * 1024 * 1024;
const BULK_PATH_FIELD = /^files\[(\d{1,4})\]\.path$/;
const BULK_FILE_FIELD = /^files\[(\d{1,4})\]\.file$/;

/**
 * Files in and out of a sandbox as streams: API <-> runner <-> the helper inside the sandbox, with
 * backpressure end to end, so no file is ever whole in this process's memory.
 */
@Injectable()
export class FileTransferService {
  constructor(
    private readonly targets: ToolboxTargets,
    private readonly toolbox: RunnerToolboxClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** multipart/form-data with one part `file`, written to `path`. */
  async uploadFile(organizationId: string, sandboxId: string, path: string, request: Request, response: Response): Promise<UploadedFileDto> {
    return this.readingBody(request, response, async () => {
      const target = await this.targets.resolve(organizationId, sandboxId);
      let uploaded: UploadedFileDto | null = null;
      for await (const part of multipartParts(request)) {
        if (part.kind !== 'file' || part.name !== 'file' || uploaded) {
          throw new InvalidInputError('validation_failed', `multipart body: unexpected part "${part.name}"; send one file, in the part "file"`, { field: part.name });
        }
        uploaded = await this.write(target, path, part.stream);
      }
      if (!uploaded) throw new InvalidInputError('validation_failed', 'multipart body: no part "file"', { field: 'file' });
      return uploaded;
    });
  }

  /**
   * Parts `files[N].path` then `files[N].file`, as the official SDKs send them, each file written
   * as it arrives. A failure stops there: the files before it are written, the failed one is not.
   */
  async uploadFiles(organizationId: string, sandboxId: string, request: Request, response: Response): Promise<UploadedFilesDto> {
    return this.readingBody(request, response, async () => {
      const target = await this.targets.resolve(organizationId, sandboxId);
      const paths = new Map<string, string>();
      const files: UploadedFileDto[] = [];
      for await (const part of multipartParts(request)) {
        if (part.kind === 'field') {
          const index = BULK_PATH_FIELD.exec(part.name)?.[1];
          if (index === undefined) throw new InvalidInputError('validation_failed', `multipart body: unexpected field "${part.name}"`, { field: part.name });
          paths.set(index, checkedPath(part.value, part.name));
          continue;
        }
        const index = BULK_FILE_FIELD.exec(part.name)?.[1];
        if (index === undefined) throw new InvalidInputError('validation_failed', `multipart body: unexpected file part "${part.name}"`, { field: part.name });
        const path = paths.get(index);
        if (path === undefined) {
          throw new InvalidInputError('validation_failed', `multipart body: files[${index}].path must come before files[${index}].file`, { field: `files[${index}].path` });
        }
        paths.delete(index);
        files.push(await this.write(target, path, part.stream));
      }
      if (files.length === 0) throw new InvalidInputError('validation_failed', 'multipart body: no files[N].file part', { field: 'files' });
      return { files };
    });
  }

  /** The file as application/octet-stream, with its length. */
  async downloadFile(organizationId: string, sandboxId: string, path: string, response: Response): Promise<void> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    const download = await this.toolbox.download(target, path);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': download.size,
      'content-disposition': contentDisposition('attachment', null, posix.basename(path)),
    });
    // A runner that breaks off midway, or a client gone, ends both sides.
    await pipeline(download.body, response).catch(() => response.destroy());
    this.targets.ended(target);
  }

  /**
   * multipart/form-data: per path, in order, a part `file` (filename: the path as asked) or, for
   * a path that failed, a part `error` with a JSON ErrorResponse body; the answer is 200 either way.
   */
  async downloadFiles(organizationId: string, sandboxId: string, paths: string[], response: Response): Promise<void> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    const boundary = `daytona-${randomBytes(16).toString('hex')}`;
    response.writeHead(200, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    for (const path of paths) {
      let download;
      try {
        download = await this.toolbox.download(target, path);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const body = JSON.stringify({ message: error.message, statusCode: STATUS_BY_KIND[error.kind], code: error.code });
        response.write(partHeader(boundary, 'error', path, 'application/json', Buffer.byteLength(body)) + body + '\r\n');
        continue;
      }
      response.write(partHeader(boundary, 'file', path, 'application/octet-stream', download.size));
      try {
        await pipeline(download.body, response, { end: false });
      } catch {
        // Short of its Content-Length: the client must see the answer broken, not complete.
        response.destroy();
        return;
      }
      response.write('\r\n');
    }
    response.end(`--${boundary}--\r\n`);
    this.targets.ended(target);
  }

  private async write(target: ToolboxTarget, path: string, stream: Readable): Promise<UploadedFileDto> {
    const maxBytes = this.config.toolbox.maxUploadBytes;
    const limited = limitTo(maxBytes);
    pipeline(stream, limited).catch(() => undefined); // errors reach the upload through `limited`
    try {
      return await this.toolbox.upload(target, path, maxBytes, limited);
    } finally {
      this.targets.ended(target);
    }
  }

  /** Runs `work` over the request's body; if it fails before the body is read, the rest is dropped (bounded). */
  private async readingBody<T>(request: Request, response: Response, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      discardRestOfBody(request, response);
      throw error;
    }
  }
}

function limitTo(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) {
        callback(new TooLargeError('file_too_large', `The file is larger than ${maxBytes} bytes (TOOLBOX_MAX_UPLOAD_BYTES)`, { maxBytes }));
      } else callback(null, chunk);
    },
  });
}

function checkedPath(value: string, field: string): string {
  const problem = stringProblem(value);
  if (value.length === 0 || value.length > MAX_PATH_LENGTH || problem) {
    throw new InvalidInputError('validation_failed', `${field} must be a path of 1 to ${MAX_PATH_LENGTH} characters${problem ? ` (${problem.problem})` : ''}`, { field });
  }
  return value;
}

function discardRestOfBody(request: Request, response: Response): void {
  if (request.complete || request.destroyed) return;
  if (!response.headersSent) response.setHeader('connection', 'close');
  request.unpipe();
  let dropped = 0;
  const timer = setTimeout(() => request.destroy(), DISCARD_MS).unref();
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_BYTES) request.destroy();
  });
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.resume();
}

function partHeader(boundary: string, name: string, filename: string, contentType: string, length: number): string {
  return (
    `--${boundary}\r\n` +
    `Content-Disposition: ${contentDisposition('form-data', name, filename)}\r\n` +
    `Content-Type: ${contentType}\r\n` +
    `Content-Length: ${length}\r\n\r\n`
  );
}

/** A filename parameter any parser reads: quoted ASCII, and RFC 5987 UTF-8 when it needs more. */
function contentDisposition(type: string, name: string | null, filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '\\$&');
  const extended = /^[\x20-\x7e]*$/.test(filename) ? '' : `; filename*=UTF-8''${encodeURIComponent(filename)}`;
  return `${type}${name ? `; name="${name}"` : ''}; filename="${ascii}"${extended}`;
}
