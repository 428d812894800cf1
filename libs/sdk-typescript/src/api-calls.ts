import { Configuration, SandboxApi, SnapshotsApi, ToolboxApi } from '@daytonaio/api-client';
import axios, { isAxiosError, type AxiosResponse, type RawAxiosRequestConfig } from 'axios';
import { Readable } from 'node:stream';
import type { ResolvedConfig } from './config.js';
import { toDaytonaError } from './errors.js';
import { RetryPolicy, systemClock, type RetryClock } from './retry-policy.js';

/** The generated clients the SDK calls, sharing one configuration. */
export interface ApiClients {
  sandbox: SandboxApi;
  snapshots: SnapshotsApi;
  toolbox: ToolboxApi;
  /** Seconds allowed for an ordinary call. */
  requestTimeout: number;
  /** When idempotent calls are tried again. */
  retry: RetryPolicy;
}

export function createApiClients(config: ResolvedConfig, clock: RetryClock = systemClock): ApiClients {
  const configuration = new Configuration({ basePath: config.apiUrl, accessToken: config.apiKey });
  // An instance of our own, so the host application's global axios defaults and interceptors
  // do not apply to SDK calls (nor ours to theirs).
  const http = axios.create();
  return {
    sandbox: new SandboxApi(configuration, config.apiUrl, http),
    snapshots: new SnapshotsApi(configuration, config.apiUrl, http),
    toolbox: new ToolboxApi(configuration, config.apiUrl, http),
    requestTimeout: config.requestTimeout,
    retry: new RetryPolicy(config.maxRetries, clock),
  };
}

/**
 * Runs one generated-client call with a hard client-side deadline (the whole exchange, not just
 * socket idleness) and turns every failure into a DaytonaError. With a retry policy, only for
 * idempotent calls, transient failures are tried again within that same deadline.
 */
export async function callApi<T>(
  call: (options: RawAxiosRequestConfig) => Promise<AxiosResponse<T>>,
  timeoutSeconds: number,
  retry?: RetryPolicy,
): Promise<T> {
  const clock = retry?.clock ?? systemClock;
  const deadline = clock.now() + timeoutSeconds * 1000;
  for (let failures = 1; ; failures++) {
    try {
      const remainingMs = Math.max(Math.ceil(deadline - clock.now()), 1);
      const response = await call({ signal: AbortSignal.timeout(remainingMs) });
      return response.data;
    } catch (caught) {
      const error = toDaytonaError(caught, { timeoutSeconds });
      const delay = retry?.delayBeforeRetry(failures, error, deadline);
      if (delay === undefined) throw error;
      await clock.sleep(delay);
    }
  }
}

const STREAMED_ERROR_BODY_MAX_BYTES = 64 * 1024;

/**
 * For calls answered as a stream (`responseType: 'stream'`): an error answer's body is a stream
 * too, so it is read (at most 64 KiB) and parsed here, for the error mapping to find its code.
 */
export async function readStreamedErrorBody<T>(request: Promise<AxiosResponse<T>>): Promise<AxiosResponse<T>> {
  try {
    return await request;
  } catch (error) {
    const response = isAxiosError(error) ? error.response : undefined;
    if (response && response.data instanceof Readable) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.data as AsyncIterable<Buffer>) {
        if (size < STREAMED_ERROR_BODY_MAX_BYTES) chunks.push(chunk);
        size += chunk.length;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        response.data = JSON.parse(text);
      } catch {
        response.data = text;
      }
    }
    throw error;
  }
}
