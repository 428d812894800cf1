import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DaytonaError } from './errors.js';
import { DEFAULT_MAX_RETRIES } from './retry-policy.js';

/** Options of `new Daytona(config)`. Each one left out is read from the environment. */
export interface DaytonaConfig {
  /** API key; else `DAYTONA_API_KEY`, else `.env.local` in the current directory or a parent. */
  apiKey?: string;
  /** API URL; else `DAYTONA_API_URL`, else `.env.local`, else http://127.0.0.1:3000/api. */
  apiUrl?: string;
  /** Seconds to wait for an answer to an ordinary call (get, list, delete, create); default 60. */
  requestTimeout?: number;
  /**
   * How many times an idempotent call is tried again after a dropped connection, a 429 or a 503
   * (see the README, "Retries and idempotency"); default 3, 0 disables retries.
   */
  maxRetries?: number;
}

export interface ResolvedConfig {
  apiKey: string;
  apiUrl: string;
  requestTimeout: number;
  maxRetries: number;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:3000/api';
const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;
const ENV_FILE = '.env.local';

/**
 * Resolves each setting on its own: constructor argument, then environment, then the first
 * `.env.local` found from `cwd` upwards (the one `npm start` writes). The file is read only
 * when something is still missing, and never changes `process.env`.
 */
export function resolveConfig(
  config: DaytonaConfig = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ResolvedConfig {
  let apiKey = nonEmpty(config.apiKey) ?? nonEmpty(env.DAYTONA_API_KEY);
  let apiUrl = nonEmpty(config.apiUrl) ?? nonEmpty(env.DAYTONA_API_URL);
  if (apiKey === undefined || apiUrl === undefined) {
    const file = findUpwards(cwd, ENV_FILE);
    const fromFile = file ? parseEnvFile(readFileSync(file, 'utf8')) : {};
    apiKey ??= nonEmpty(fromFile.DAYTONA_API_KEY);
    apiUrl ??= nonEmpty(fromFile.DAYTONA_API_URL);
  }
  if (apiKey === undefined) {
    throw new DaytonaError(
      'No Daytona API key. Run `npm start` in the Daytona repository (it prints a key and writes it to ' +
        '.env.local), then run from that directory; or set DAYTONA_API_KEY; or pass new Daytona({ apiKey }).',
    );
  }
  apiUrl = (apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(apiUrl) || !URL.canParse(apiUrl)) {
    throw new DaytonaError(`The Daytona API URL must be an http(s) URL, got "${apiUrl}"`);
  }
  const requestTimeout = config.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_SECONDS;
  if (!(requestTimeout > 0)) throw new DaytonaError(`requestTimeout must be a positive number of seconds, got ${requestTimeout}`);
  const maxRetries = config.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new DaytonaError(`maxRetries must be a whole number, 0 or more, got ${maxRetries}`);
  }
  return { apiKey, apiUrl, requestTimeout, maxRetries };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function findUpwards(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** `KEY=value` lines; `#` comments, `export ` prefixes and surrounding quotes are allowed. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, key, raw] = match;
    const quoted = /^(['"])(.*)\1$/.exec(raw);
    values[key] = quoted ? quoted[2] : raw.replace(/\s+#.*$/, '');
  }
  return values;
}
