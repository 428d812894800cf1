import { Injectable, Logger } from '@nestjs/common';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FILE_SIZE_HEADER, uploadFileResponse, parseContract, type UploadFileResponse } from '@daytona/runner-contract';
import type { z } from 'zod';
import { UnavailableError } from '../../common/errors/domain-error.js';
import { RunnerClient } from '../../runner/runner-client.js';
import { RunnerCredentials } from '../../runner/runner-credentials.js';
import type { ToolboxTarget } from './toolbox-target.js';

/** Calls that do not wait on the sandbox's programs (file operations, sessions). */
export const TOOLBOX_CALL_TIMEOUT_MS = 60_000;
/** A stream that moves nothing for this long is given up. */
const STREAM_IDLE_TIMEOUT_MS = 120_000;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface RunnerDownload {
  size: number;
  body: IncomingMessage;
}

/**
 * The toolbox routes of the sandbox's runner: JSON through RunnerClient (same checks, same errors),
 * and the file streams, moved with backpressure and never held whole.
 */
@Injectable()
export class RunnerToolboxClient {
  private readonly logger = new Logger('RunnerToolboxClient');

  constructor(
    private readonly runnerClient: RunnerClient,
    private readonly credentials: RunnerCredentials,
  ) {}

  json<T extends z.ZodType>(target: ToolboxTarget, method: string, route: string, answer: T, options: { body?: unknown; query?: Record<string, string>; timeoutMs?: number } = {}) {
    return this.runnerClient.json(target.runner, method, pathOf(target, route, options.query), options.body, answer, options.timeoutMs ?? TOOLBOX_CALL_TIMEOUT_MS);
  }

  /** Resolves once the runner has opened the file (its size known); rejects with why not. */
  async download(target: ToolboxTarget, path: string): Promise<RunnerDownload> {
    const response = await this.send(target, 'GET', pathOf(target, 'files/download', { path }), {});
    if (response.statusCode !== 200) throw await this.refusal(target, 'GET files/download', response);
    const size = Number(response.headers[FILE_SIZE_HEADER]);
    return { size, body: response };
  }

  /**
   * Streams `source` to the runner, which writes it into the sandbox. An error of `source` (the
   * caller's limit, a client gone) aborts the upload, and the runner keeps nothing of it.
   */
  async upload(target: ToolboxTarget, path: string, maxBytes: number, source: Readable): Promise<UploadFileResponse> {
    const route = pathOf(target, 'files/upload', { path, maxBytes: String(maxBytes) });
    const where = `PUT ${target.runner.name}${route}`;
    const token = await this.credentials.apiTokenFor(target.runner.id);
    const url = new URL(`${target.runner.url}${route}`);
    return new Promise((resolve, reject) => {
      let sourceError: Error | null = null;
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      });
      request.setTimeout(STREAM_IDLE_TIMEOUT_MS, () => request.destroy(new Error('the runner took too long')));
      request.once('response', (response) => {
        void readText(response).then((text) => {
          if (sourceError) return reject(sourceError);
          if (response.statusCode !== 200) return reject(this.runnerClient.refusal(where, response.statusCode ?? 0, text));
          const parsed = parseContract(uploadFileResponse, parseJsonText(text));
          if (parsed.ok) return resolve(parsed.value);
          this.logger.error(`${where}: unexpected answer (${parsed.violation.message})`);
          reject(new UnavailableError('runner_error', "The sandbox's runner gave an unexpected answer"));
        }, reject);
      });
      request.once('error', (error) => {
        if (sourceError) return reject(sourceError);
        this.logger.warn(`${where}: ${error.message}`);
        reject(new UnavailableError('runner_unavailable', "The sandbox's runner did not answer; try again shortly"));
      });
      source.once('error', (error) => (sourceError = error));
      pipeline(source, request).catch(() => {
        // The request's own failures are reported above; the source's end the upload here.
        if (!sourceError) return;
        request.destroy();
        reject(sourceError);
      });
    });
  }

  private async send(target: ToolboxTarget, method: string, route: string, headers: Record<string, string>): Promise<IncomingMessage> {
    const token = await this.credentials.apiTokenFor(target.runner.id);
    const url = new URL(`${target.runner.url}${route}`);
    return new Promise((resolve, reject) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers: { authorization: `Bearer ${token}`, ...headers } });
      request.setTimeout(STREAM_IDLE_TIMEOUT_MS, () => request.destroy(new Error('the runner took too long')));
      request.once('response', (response) => {
        // An answer being read keeps its own pace; only the wait for it is bounded.
        request.setTimeout(0);
        resolve(response);
      });
      request.once('error', (error) => {
        this.logger.warn(`${method} ${target.runner.name}${route}: ${error.message}`);
        reject(new UnavailableError('runner_unavailable', "The sandbox's runner did not answer; try again shortly"));
      });
      request.end();
    });
  }

  private async refusal(target: ToolboxTarget, what: string, response: IncomingMessage): Promise<Error> {
    return this.runnerClient.refusal(`${what} on ${target.runner.name}`, response.statusCode ?? 0, await readText(response));
  }
}

function pathOf(target: ToolboxTarget, route: string, query?: Record<string, string>): string {
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  return `/sandboxes/${encodeURIComponent(target.sandbox.id)}/${route}${search}`;
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_ERROR_BODY_BYTES) chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
