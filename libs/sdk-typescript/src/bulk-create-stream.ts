import type { BulkCreateSandbox, SandboxApi, Sandbox as SandboxDto, SandboxState } from '@daytonaio/api-client';
import { AxiosError, isAxiosError, type AxiosResponse, type RawAxiosRequestConfig } from 'axios';
import { addAbortSignal, type Readable } from 'node:stream';
import { DaytonaError } from './errors.js';

/** One sandbox entering a state, as `bulkCreate({ onProgress })` hears it. */
export interface BulkCreateProgress {
  id: string;
  name: string;
  state: SandboxState;
  /** Why the sandbox is in `error` or `build_failed`. */
  errorReason?: string;
}

const NDJSON = 'application/x-ndjson';

/**
 * POST /sandbox/bulk with `Accept: application/x-ndjson`: each `state` line goes to `onProgress`
 * as it arrives, and the last line, `result`, is the answer. Failures are shaped as the
 * generated client's would be (AxiosError), so `callApi` maps and retries them like any call: an
 * error status carries its parsed JSON body, and a stream that breaks off or ends without its
 * `result` line is an answer cut off midway (a connection error, retried with the same
 * Idempotency-Key; the server then reports every sandbox's state again).
 */
export async function bulkCreateWithProgress(
  sandboxApi: SandboxApi,
  body: BulkCreateSandbox,
  idempotencyKey: string,
  request: RawAxiosRequestConfig,
  onProgress: (progress: BulkCreateProgress) => void,
): Promise<AxiosResponse<SandboxDto[]>> {
  let response: AxiosResponse<Readable>;
  try {
    // The generated client types the answer as JSON; with responseType 'stream' axios hands over the body itself.
    response = (await sandboxApi.bulkCreateSandbox(body, idempotencyKey, {
      ...request,
      responseType: 'stream',
      headers: { ...request.headers, Accept: NDJSON },
    })) as unknown as AxiosResponse<Readable>;
  } catch (error) {
    if (isAxiosError(error) && error.response && isReadable(error.response.data)) {
      error.response.data = parseErrorBody(await readAll(error.response.data).catch(() => ''));
    }
    throw error;
  }
  const stream = request.signal ? addAbortSignal(request.signal as AbortSignal, response.data) : response.data;
  const contentType = String(response.headers['content-type'] ?? '');
  try {
    // A server that answers plain JSON despite the Accept header: no progress, same answer.
    if (!contentType.startsWith(NDJSON)) return { ...response, data: JSON.parse(await readAll(stream)) as SandboxDto[] };
    return { ...response, data: await readProgressLines(stream, onProgress) };
  } catch (error) {
    if (error instanceof ProgressCallbackFailed) throw error;
    // The deadline's signal destroyed the stream: a timeout, as for any other call.
    if (request.signal?.aborted) throw new AxiosError('canceled', AxiosError.ERR_CANCELED, response.config, response.request);
    const reason = error instanceof Error ? error.message : String(error);
    throw new AxiosError(reason, AxiosError.ERR_BAD_RESPONSE, response.config, response.request, response);
  }
}

/**
 * The caller's own onProgress threw. A DaytonaError, so `callApi` neither remaps nor retries it;
 * `bulkCreate` unwraps it and rethrows the caller's error as it was.
 */
export class ProgressCallbackFailed extends DaytonaError {
  constructor(readonly callbackError: unknown) {
    super(`onProgress threw: ${callbackError instanceof Error ? callbackError.message : String(callbackError)}`);
  }
}

async function readProgressLines(stream: Readable, onProgress: (progress: BulkCreateProgress) => void): Promise<SandboxDto[]> {
  stream.setEncoding('utf8');
  let pending = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (!line) continue;
      const message = JSON.parse(line) as ProgressLine;
      if (message.type === 'result') {
        stream.destroy();
        return message.sandboxes ?? [];
      }
      if (message.type === 'state' && message.id && message.name && message.state) {
        const progress = { id: message.id, name: message.name, state: message.state, errorReason: message.errorReason ?? undefined };
        try {
          onProgress(progress);
        } catch (error) {
          throw new ProgressCallbackFailed(error);
        }
      }
    }
  }
  throw new Error('the progress stream ended before its result line');
}

/** A line of the stream, as the spec's BulkCreateProgress describes it; unknown types are skipped. */
interface ProgressLine {
  type?: string;
  id?: string;
  name?: string;
  state?: SandboxState;
  errorReason?: string | null;
  sandboxes?: SandboxDto[];
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function';
}

async function readAll(stream: Readable): Promise<string> {
  stream.setEncoding('utf8');
  let text = '';
  for await (const chunk of stream as AsyncIterable<string>) text += chunk;
  return text;
}

function parseErrorBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
