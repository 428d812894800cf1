import type { FileInfo } from '@daytonaio/api-client';
import type { AxiosResponse, RawAxiosRequestConfig } from 'axios';
import { createWriteStream, type WriteStream } from 'node:fs';
import { posix } from 'node:path';
import { addAbortSignal, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { callApi, readStreamedErrorBody, type ApiClients } from './api-calls.js';
import { DaytonaConnectionError, DaytonaError, DaytonaTimeoutError } from './errors.js';
import { encodeMultipart, parseMultipart, type OutgoingPart, type PartSink, type PartSource } from './multipart.js';

/**
 * A file to upload: `source` is its content (a Buffer, held in memory), a readable stream, or
 * the path of a local file (streamed from disk); `destination` is its path in the sandbox,
 * absolute or relative to the sandbox user's home.
 */
export interface FileUpload {
  source: Buffer | Readable | string;
  destination: string;
}

/**
 * A file to download: `source` is its path in the sandbox; with `destination`, a local path, the
 * file is streamed to disk, otherwise it is read into a Buffer.
 */
export interface FileDownloadRequest {
  source: string;
  destination?: string;
}

/** Why one file of a `downloadFiles` could not be downloaded, as the server said. */
export interface FileDownloadErrorDetails {
  message: string;
  statusCode?: number;
  /** The server's code, e.g. `file_not_found`, `file_permission_denied`, `is_a_directory`. */
  code?: string;
}

/**
 * One file of a `downloadFiles`: `result` is its content (a Buffer) or the local path it was
 * written to; `error` and `errorDetails` say why it failed.
 */
export interface FileDownloadResponse {
  source: string;
  result?: Buffer | string;
  error?: string;
  errorDetails?: FileDownloadErrorDetails;
}

/** Uploads and downloads move many bytes: 30 minutes by default, as in the official SDK. */
const DEFAULT_TRANSFER_TIMEOUT_SECONDS = 30 * 60;
const ERROR_PART_MAX_BYTES = 64 * 1024;

/**
 * The sandbox's files. Reach it as `sandbox.fs`. Paths are absolute or relative to the sandbox
 * user's home; every operation runs as that user, with its permissions.
 */
export class FileSystem {
  /** @internal Sandboxes create their own FileSystem. */
  constructor(
    private readonly sandboxId: string,
    private readonly api: ApiClients,
  ) {}

  /**
   * Uploads one file: `file` is its content (Buffer or readable stream) or the path of a local
   * file, streamed from disk. Missing directories of `remotePath` are created; a file there is
   * replaced. A file past the server's limit (1 GiB by default) is DaytonaValidationError
   * `file_too_large` (413), and nothing is written.
   *
   * @example
   * await sandbox.fs.uploadFile(Buffer.from('print("hi")\n'), 'app/main.py')
   * await sandbox.fs.uploadFile('./dataset.tar', 'data/dataset.tar') // streamed from disk
   */
  async uploadFile(file: Buffer | Readable | string, remotePath: string, timeout?: number): Promise<void> {
    await this.uploadFiles([{ source: file, destination: remotePath }], timeout);
  }

  /**
   * Uploads several files in one request, in order, each streamed as `uploadFile` streams it. On
   * a failure the files before it stay written.
   *
   * @example
   * await sandbox.fs.uploadFiles([
   *   { source: Buffer.from('a'), destination: 'in/a.txt' },
   *   { source: '/tmp/big.bin', destination: 'in/big.bin' },
   * ])
   */
  async uploadFiles(files: FileUpload[], timeout: number = DEFAULT_TRANSFER_TIMEOUT_SECONDS): Promise<void> {
    const parts: OutgoingPart[] = files.flatMap((file, index) => [
      { name: `files[${index}].path`, source: { buffer: Buffer.from(file.destination) } },
      { name: `files[${index}].file`, filename: posix.basename(file.destination) || 'file', source: uploadSource(file.source) },
    ]);
    // Never retried: a stream cannot be sent twice, and a retry could overwrite a newer file.
    await callApi(async (options) => {
      const body = await encodeMultipart(parts);
      const headers: Record<string, string> = { 'Content-Type': body.contentType };
      if (body.contentLength !== undefined) headers['Content-Length'] = String(body.contentLength);
      // maxRedirects 0: the redirect-following transport keeps every byte sent, to replay it.
      return this.api.toolbox.uploadFiles(this.sandboxId, { ...options, data: body.stream, headers, maxRedirects: 0 });
    }, timeout);
  }

  /**
   * Downloads a file. Without `localPath` it answers the content as a Buffer; with it the file is
   * streamed to that local path (never whole in memory) and it answers nothing. A missing file
   * is DaytonaNotFoundError `file_not_found`; a directory, DaytonaValidationError `is_a_directory`.
   *
   * @example
   * const content = await sandbox.fs.downloadFile('app/main.py')
   * await sandbox.fs.downloadFile('out/model.bin', './model.bin')
   */
  async downloadFile(remotePath: string, timeout?: number): Promise<Buffer>;
  async downloadFile(remotePath: string, localPath: string, timeout?: number): Promise<void>;
  async downloadFile(remotePath: string, localPathOrTimeout?: string | number, maybeTimeout?: number): Promise<Buffer | void> {
    const localPath = typeof localPathOrTimeout === 'string' ? localPathOrTimeout : undefined;
    const timeout = (typeof localPathOrTimeout === 'number' ? localPathOrTimeout : maybeTimeout) ?? DEFAULT_TRANSFER_TIMEOUT_SECONDS;
    const sink = localPath === undefined ? new BufferSink() : new FileSink(localPath);
    await this.streamed(timeout, [sink], async (signal, options) => {
      const response = await readStreamedErrorBody(
        this.api.toolbox.downloadFile(this.sandboxId, remotePath, { ...options, responseType: 'stream' }),
      );
      await pipeline(addAbortSignal(signal, response.data as unknown as Readable), sinkWritable(sink));
    });
    return localPath === undefined ? (sink as BufferSink).content() : undefined;
  }

  /**
   * Downloads several files in one request, each to a Buffer or streamed to its `destination`.
   * A file that cannot be downloaded does not fail the call: its answer has `error` and
   * `errorDetails` (with the server's code) instead of `result`. Answers are in request order.
   *
   * @example
   * const [a, b] = await sandbox.fs.downloadFiles([{ source: 'out/a.json' }, { source: 'out/b.bin', destination: './b.bin' }])
   * if (a.error) console.log(a.errorDetails?.code) // e.g. 'file_not_found'
   */
  async downloadFiles(files: FileDownloadRequest[], timeout: number = DEFAULT_TRANSFER_TIMEOUT_SECONDS): Promise<FileDownloadResponse[]> {
    const answers: FileDownloadResponse[] = files.map((file) => ({ source: file.source }));
    let next = 0;
    const sinks: Array<BufferSink | FileSink> = [];
    await this.streamed(timeout, sinks, async (signal, options) => {
      const response = await readStreamedErrorBody(
        this.api.toolbox.downloadFiles(this.sandboxId, { paths: files.map((file) => file.source) }, { ...options, responseType: 'stream' }),
      );
      const contentType = String(response.headers['content-type'] ?? '');
      const body = addAbortSignal(signal, response.data as unknown as Readable);
      await parseMultipart(body, contentType, (part): PartSink => {
        const index = next++;
        if (index >= files.length) throw new DaytonaError(`The bulk download answered more parts than the ${files.length} paths asked for`);
        const answer = answers[index];
        if (part.name === 'error') return errorSink(answer);
        const destination = files[index].destination;
        const sink = destination === undefined ? new BufferSink() : new FileSink(destination);
        sinks.push(sink);
        return {
          write: (chunk) => sink.write(chunk),
          end: async () => {
            await sink.end();
            answer.result = sink instanceof BufferSink ? sink.content() : destination;
          },
        };
      });
    });
    if (next !== files.length) throw new DaytonaError(`The bulk download answered ${next} parts for ${files.length} paths`);
    return answers;
  }

  /**
   * Lists a directory: its entries with `name`, `path`, `isDir`, `size`, `mode`, `permissions`,
   * `owner`, `group` and `modTime`; a symlink is listed as itself.
   *
   * @example
   * const entries = await sandbox.fs.listFiles('.')
   * console.log(entries.filter((entry) => !entry.isDir).map((entry) => entry.name))
   */
  async listFiles(path: string): Promise<FileInfo[]> {
    return callApi((options) => this.api.toolbox.listFiles(this.sandboxId, path, options), this.api.requestTimeout, this.api.retry);
  }

  /**
   * Details of a file or directory, symlinks followed. A missing one is DaytonaNotFoundError
   * `file_not_found`.
   *
   * @example
   * const { size, isDir, modTime } = await sandbox.fs.getFileDetails('app/main.py')
   */
  async getFileDetails(path: string): Promise<FileInfo> {
    return callApi((options) => this.api.toolbox.getFileInfo(this.sandboxId, path, options), this.api.requestTimeout, this.api.retry);
  }

  /**
   * Deletes a file, or a directory: an empty one, or with `recursive` one with everything in it
   * (a non-empty one without it is DaytonaConflictError `directory_not_empty`).
   *
   * @example
   * await sandbox.fs.deleteFile('build', true)
   */
  async deleteFile(path: string, recursive?: boolean): Promise<void> {
    await callApi((options) => this.api.toolbox.deleteFile(this.sandboxId, path, recursive, options), this.api.requestTimeout);
  }

  /**
   * Creates a directory and its missing parents, with `mode` in octal (e.g. `"755"`); an existing
   * directory is no error.
   *
   * @example
   * await sandbox.fs.createFolder('work/output', '755')
   */
  async createFolder(path: string, mode: string): Promise<void> {
    await callApi((options) => this.api.toolbox.createFolder(this.sandboxId, path, mode, options), this.api.requestTimeout, this.api.retry);
  }

  /**
   * Moves or renames a file or directory; a file at `destination` is replaced.
   *
   * @example
   * await sandbox.fs.moveFiles('out/result.tmp', 'out/result.json')
   */
  async moveFiles(source: string, destination: string): Promise<void> {
    // Not retried: the first attempt may have moved it, and a second would fail or move anew.
    await callApi((options) => this.api.toolbox.moveFile(this.sandboxId, source, destination, options), this.api.requestTimeout);
  }

  /**
   * Runs a download within `timeout` seconds, its body included: past it the body is aborted
   * (DaytonaTimeoutError); an answer cut off midway is DaytonaConnectionError. Whatever happens,
   * the local files it began (`sinks`, filled as parts arrive) are closed.
   */
  private async streamed(
    timeout: number,
    sinks: Array<BufferSink | FileSink>,
    transfer: (signal: AbortSignal, options: RawAxiosRequestConfig) => Promise<void>,
  ): Promise<void> {
    try {
      await callApi(async (options) => {
        const signal = options.signal as AbortSignal;
        try {
          await transfer(signal, options);
        } catch (error) {
          if (error instanceof DaytonaError || isAxiosRequestError(error)) throw error;
          if (signal.aborted) throw new DaytonaTimeoutError(`The download did not finish within ${timeout} s`);
          throw new DaytonaConnectionError(`The download was cut off before it completed: ${(error as Error).message}`);
        }
        return { data: undefined } as AxiosResponse<void>;
      }, timeout);
    } finally {
      for (const sink of sinks) sink.destroy();
    }
  }
}

/** A failure of the request itself, which callApi maps from its status (or its absence). */
function isAxiosRequestError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { isAxiosError?: boolean }).isAxiosError === true;
}

function uploadSource(source: Buffer | Readable | string): PartSource {
  if (typeof source === 'string') return { localPath: source };
  if (Buffer.isBuffer(source)) return { buffer: source };
  return { stream: source };
}

function sinkWritable(sink: BufferSink | FileSink): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      Promise.resolve(sink.write(chunk)).then(() => done(), done);
    },
    final(done) {
      Promise.resolve(sink.end()).then(() => done(), done);
    },
  });
}

/** Collects an error part's JSON body (small) into the answer. */
function errorSink(answer: FileDownloadResponse): PartSink {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    write(chunk) {
      if (size < ERROR_PART_MAX_BYTES) chunks.push(chunk);
      size += chunk.length;
    },
    end() {
      const text = Buffer.concat(chunks).toString('utf8');
      let details: FileDownloadErrorDetails = { message: text.trim() || 'download failed' };
      try {
        const body = JSON.parse(text) as Record<string, unknown>;
        details = {
          message: typeof body.message === 'string' ? body.message : details.message,
          statusCode: typeof body.statusCode === 'number' ? body.statusCode : undefined,
          code: typeof body.code === 'string' ? body.code : undefined,
        };
      } catch {
        // Not JSON: the text itself is the message.
      }
      answer.error = details.message;
      answer.errorDetails = details;
    },
  };
}

class BufferSink {
  private readonly chunks: Buffer[] = [];
  write(chunk: Buffer): void {
    this.chunks.push(chunk);
  }
  end(): void {}
  content(): Buffer {
    return Buffer.concat(this.chunks);
  }
  destroy(): void {}
}

/** Writes to a local file with backpressure. */
class FileSink {
  readonly stream: WriteStream;
  constructor(path: string) {
    this.stream = createWriteStream(path);
  }
  async write(chunk: Buffer): Promise<void> {
    if (!this.stream.write(chunk)) await waitForDrain(this.stream);
  }
  async end(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
  destroy(): void {
    if (!this.stream.writableFinished) this.stream.destroy();
  }
}

function waitForDrain(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      stream.off('drain', onDrain);
      reject(error);
    };
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}
