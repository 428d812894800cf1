import { isIPv4 } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, EnvReader, type Env } from '@daytona/env-config';
import { MAX_EXEC_TIMEOUT_SECONDS } from '@daytona/runner-contract';

/**
 * Typed configuration, parsed once from the environment at boot.
 * Every bad variable is reported together so an operator fixes them in one pass.
 */
export interface RunnerConfig {
  name: string;
  host: string;
  /** 0 picks a free port; the port actually bound is what gets registered. */
  port: number;
  /** URL the API reaches this runner at; null means http://{host}:{bound port}. */
  url: string | null;
  apiUrl: string;
  registrationToken: string;
  region: string;
  /** Overcommitted scheduling budget (cores, GiB, GiB), not the machine's physical size. */
  capacity: { cpu: number; memory: number; disk: number };
  /** Absolute. */
  dataDir: string;
  provider: ProviderChoice;
  startConcurrency: number;
  reportIntervalMs: number;
  heartbeatIntervalMs: number;
  /** How often the runner tells the API what it holds and acts on the answer. */
  syncIntervalMs: number;
  execOutputLimitBytes: number;
  execDefaultTimeoutSeconds: number;
  /** Host uid/gid sandboxes run as when the runner is root. */
  sandboxUid: number;
  sandboxGid: number;
  /**
   * Upstream resolver (IPv4) for the DNS of egress sandboxes; null: the host's (/etc/resolv.conf).
   * Whether a sandbox has network at all is its own (networkBlockAll, networkAllowList).
   */
  sandboxDns: string | null;
  /** Most processes and threads one sandbox may have at once (cgroup pids limit). */
  sandboxPidsMax: number;
  /** Images whose layers (compressed) add up to more are refused. */
  /** Absolute. Pulled images, by digest; runners may share one (e.g. test stacks on one machine). */
  imageCacheDir: string;
  imageMaxBytes: number;
  /** Registries (host:port) reached over plain http; every other one over https with verified TLS. */
  insecureRegistries: string[];
  /** Longest an image pull (resolve, download and unpack) may take. */
  imagePullTimeoutSeconds: number;
  /** Host uids and gids that uid/gid 0, 1, … inside image sandboxes are, in one shared range. */
  userNamespace: { base: number; size: number };
  logLevel: LogLevel;
}

export type ProviderChoice = 'auto' | 'bwrap' | 'process' | 'park';
export type LogLevel = 'error' | 'warn' | 'log' | 'debug';

export { MAX_EXEC_TIMEOUT_SECONDS };
/** Same rule the API applies to runner names. */
const RUNNER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

export { ConfigError };

export function loadRunnerConfig(env: Env = process.env, cwd = process.cwd()): RunnerConfig {
  const read = new EnvReader(env);
  const dataDir = path.resolve(cwd, read.string('RUNNER_DATA_DIR', '.data/runner'));
  const name = read.string('RUNNER_NAME', os.hostname());
  if (!RUNNER_NAME.test(name)) {
    read.problems.push(`RUNNER_NAME must be 1-63 letters, digits, ".", "_" or "-" (got "${name}")`);
  }
  const apiUrl = withoutTrailingSlash(read.url('DAYTONA_API_URL', HTTP, { required: true })) ?? '';
  const registrationToken = read.required('RUNNER_REGISTRATION_TOKEN');
  const region = read.string('RUNNER_REGION', 'local');
  if (region.length > 63) read.problems.push('RUNNER_REGION must be at most 63 characters');
  const config: RunnerConfig = {
    name,
    host: read.string('RUNNER_HOST', '127.0.0.1'),
    port: read.integer('RUNNER_PORT', 3003, 0, 65535),
    url: withoutTrailingSlash(read.url('RUNNER_URL', HTTP)),
    apiUrl,
    registrationToken,
    region,
    capacity: {
      cpu: read.integer('RUNNER_CAPACITY_CPU', 4000, 0, 1_000_000),
      memory: read.integer('RUNNER_CAPACITY_MEMORY', 4000, 0, 1_000_000),
      disk: read.integer('RUNNER_CAPACITY_DISK', 4000, 0, 10_000_000),
    },
    dataDir,
    imageCacheDir: path.resolve(cwd, read.string('RUNNER_IMAGE_CACHE_DIR', path.join(dataDir, 'images'))),
    provider: read.oneOf('RUNNER_PROVIDER', ['auto', 'bwrap', 'process', 'park'] as const, 'auto'),
    startConcurrency: read.integer('RUNNER_START_CONCURRENCY', 16, 1, 1024),
    reportIntervalMs: read.integer('RUNNER_REPORT_INTERVAL_MS', 100, 1, 60_000),
    heartbeatIntervalMs: read.integer('RUNNER_HEARTBEAT_INTERVAL_MS', 5000, 100, 600_000),
    syncIntervalMs: read.integer('RUNNER_SYNC_INTERVAL_MS', 5000, 100, 600_000),
    execOutputLimitBytes: read.integer('RUNNER_EXEC_OUTPUT_LIMIT_BYTES', 1_048_576, 1024, 256 * 1_048_576),
    execDefaultTimeoutSeconds: read.integer('RUNNER_EXEC_DEFAULT_TIMEOUT_SECONDS', 300, 1, MAX_EXEC_TIMEOUT_SECONDS),
    sandboxUid: read.integer('RUNNER_SANDBOX_UID', 65534, 1, 4_294_967_294),
    sandboxGid: read.integer('RUNNER_SANDBOX_GID', 65534, 1, 4_294_967_294),
    sandboxDns: read.optional('RUNNER_SANDBOX_DNS') ?? null,
    sandboxPidsMax: read.integer('RUNNER_SANDBOX_PIDS_MAX', 4096, 16, 4_194_304),
    imageMaxBytes: read.integer('RUNNER_IMAGE_MAX_BYTES', 10 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    insecureRegistries: registryList(read, 'RUNNER_INSECURE_REGISTRIES'),
    imagePullTimeoutSeconds: read.integer('RUNNER_IMAGE_PULL_TIMEOUT_SECONDS', 600, 1, 86_400),
    userNamespace: {
      // Never 0: no id inside a sandbox may be root on the host.
      base: read.integer('RUNNER_USERNS_BASE', 100_000, 1, MAX_ID),
      size: read.integer('RUNNER_USERNS_SIZE', 65_536, 1, MAX_ID),
    },
    logLevel: read.oneOf('LOG_LEVEL', ['error', 'warn', 'log', 'debug'] as const, 'log'),
  };
  if (config.sandboxDns !== null && !isIPv4(config.sandboxDns)) read.problems.push(`RUNNER_SANDBOX_DNS must be an IPv4 address (got "${config.sandboxDns}")`);
  // It shared the host's network namespace with every sandbox; networks are per sandbox now.
  if (env.RUNNER_NETWORK !== undefined) {
    read.problems.push('RUNNER_NETWORK is no longer supported: a sandbox has network only if it asks (networkBlockAll: false, networkAllowList)');
  }
  if (config.userNamespace.base + config.userNamespace.size - 1 > MAX_ID) {
    read.problems.push(`RUNNER_USERNS_BASE + RUNNER_USERNS_SIZE must stay below ${MAX_ID + 1} (the largest host uid is ${MAX_ID})`);
  }
  read.finish('runner configuration');
  return config;
}

// (uid_t)-1 means "no id"; the largest usable id is one less.
const MAX_ID = 4_294_967_294;
const REGISTRY_HOST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i;

/** host[:port] entries, comma-separated, each checked. */
function registryList(read: EnvReader, name: string): string[] {
  const entries = (read.optional(name) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (!REGISTRY_HOST.test(entry)) read.problems.push(`${name} must be comma-separated host or host:port entries (got "${entry}")`);
  }
  return entries.map((entry) => entry.toLowerCase());
}

const HTTP = ['http:', 'https:'] as const;

function withoutTrailingSlash(url: string | null): string | null {
  return url?.replace(/\/+$/, '') ?? null;
}
