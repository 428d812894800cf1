import { Configuration, SandboxApi, SnapshotsApi, ToolboxApi } from '@daytonaio/api-client';
import axios, { type AxiosResponse, type RawAxiosRequestConfig } from 'axios';
import type { ResolvedConfig } from './config.js';
import { toDaytonaError } from './errors.js';

/** The generated clients the SDK calls, sharing one configuration. */
export interface ApiClients {
  sandbox: SandboxApi;
  toolbox: ToolboxApi;
  snapshots: SnapshotsApi;
  /** Seconds allowed for an ordinary call. */
  requestTimeout: number;
}

export function createApiClients(config: ResolvedConfig): ApiClients {
  const configuration = new Configuration({ basePath: config.apiUrl, accessToken: config.apiKey });
  // An instance of our own, so the host application's global axios defaults and interceptors
  // do not apply to SDK calls (nor ours to theirs).
  const http = axios.create();
  return {
    sandbox: new SandboxApi(configuration, config.apiUrl, http),
    toolbox: new ToolboxApi(configuration, config.apiUrl, http),
    snapshots: new SnapshotsApi(configuration, config.apiUrl, http),
    requestTimeout: config.requestTimeout,
  };
}

/**
 * Runs one generated-client call with a hard client-side deadline (the whole exchange, not just
 * socket idleness) and turns every failure into a DaytonaError.
 */
export async function callApi<T>(
  call: (options: RawAxiosRequestConfig) => Promise<AxiosResponse<T>>,
  timeoutSeconds: number,
): Promise<T> {
  try {
    const response = await call({ signal: AbortSignal.timeout(Math.ceil(timeoutSeconds * 1000)) });
    return response.data;
  } catch (error) {
    throw toDaytonaError(error, { timeoutSeconds });
  }
}
