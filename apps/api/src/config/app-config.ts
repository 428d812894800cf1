import { ConfigError, EnvReader, type Env } from '@daytona/env-config';
import { imageRef, parseContract } from '@daytona/runner-contract';

/**
 * Typed configuration, parsed once from the environment at boot.
 * Every bad variable is reported together so an operator fixes them in one pass.
 */
export interface AppConfig {
  host: string;
  port: number;
  /** Public URL the API is reached at; defaults to http://{host}:{port}/api. */
  publicUrl: string;
  database: { url: string } | { embedded: EmbeddedPostgresConfig };
  redisUrl: string | null;
  defaultRegion: string;
  /** The image of the general `default` snapshot; null leaves the seeded snapshot as it is. */
  defaultSnapshotImage: string | null;
  runnerRegistrationToken: string | null;
  /** Place sandboxes on runners that do not isolate them (development on hosts without bubblewrap only). */
  allowUnisolatedRunners: boolean;
  /** The network of a sandbox whose create says nothing about it: only `lo`, or egress. */
  sandboxNetworkDefault: 'blocked' | 'egress';
  seed: SeedConfig;
  reconciler: ReconcilerConfig;
  bulk: BulkConfig;
  /** How long a request waits for another with the same Idempotency-Key to finish creating. */
  idempotencyWaitMs: number;
  logLevel: LogLevel;
}

export interface BulkConfig {
  /** Most sandboxes one bulk request may ask for, over all its items. */
  maxTotalCount: number;
  /** How long `awaitStarted` waits before answering with the states reached so far. */
  awaitTimeoutMs: number;
}

export interface ReconcilerConfig {
  /** How often each API instance runs a reconcile pass (only one instance works at a time). */
  intervalMs: number;
  /** A runner silent for this long is unresponsive and its sandboxes go to `error`. */
  runnerHeartbeatTimeoutMs: number;
  /** A sandbox not `started` this long after creation goes to `error`. */
  sandboxStartTimeoutMs: number;
  /** A sandbox no runner acknowledged after this long is dispatched again. */
  redispatchAfterMs: number;
}

export interface EmbeddedPostgresConfig {
  dataDir: string;
  port: number;
  /** Null: random, made on first use and kept beside the data directory. */
  password?: string | null;
}

export interface SeedConfig {
  enabled: boolean;
  apiKey: string | null;
  envFile: string | null;
}

export type LogLevel = 'error' | 'warn' | 'log' | 'debug';

export { ConfigError };

/** The largest BULK_MAX_TOTAL_COUNT an operator may set; no bulk item may ask for more. */
export const MAX_BULK_TOTAL_COUNT_SETTING = 1_000_000;

export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);
  const host = read.string('HOST', '127.0.0.1');
  const port = read.integer('PORT', 3000, 0, 65535);
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const embedded: EmbeddedPostgresConfig = {
    dataDir: read.string('EMBEDDED_PG_DATA_DIR', '.data/postgres'),
    port: read.integer('EMBEDDED_PG_PORT', 5433, 1, 65535),
    password: read.secret('EMBEDDED_PG_PASSWORD', 16),
  };
  const redisUrl = read.url('REDIS_URL', ['redis:', 'rediss:']);
  const defaultRegion = read.string('DEFAULT_REGION', 'local');
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(defaultRegion)) {
    read.problems.push('DEFAULT_REGION must be lower-case letters, digits and dashes');
  }
  const seedApiKey = read.secret('DAYTONA_API_KEY', 16);
  const defaultSnapshotImage = read.optional('DEFAULT_SNAPSHOT_IMAGE');
  if (defaultSnapshotImage !== null && !parseContract(imageRef, defaultSnapshotImage).ok) {
    read.problems.push('DEFAULT_SNAPSHOT_IMAGE must be an image reference such as registry.example.com/daytona/default:1');
  }
  const runnerRegistrationToken = read.secret('RUNNER_REGISTRATION_TOKEN', 16);
  const config: AppConfig = {
    host,
    port,
    publicUrl: read.string('DAYTONA_API_URL', `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/api`),
    database: databaseUrl ? { url: databaseUrl } : { embedded },
    redisUrl,
    defaultRegion,
    defaultSnapshotImage,
    runnerRegistrationToken,
    allowUnisolatedRunners: read.boolean('ALLOW_UNISOLATED_RUNNERS', false),
    sandboxNetworkDefault: read.oneOf('SANDBOX_NETWORK_DEFAULT', ['blocked', 'egress'] as const, 'blocked'),
    seed: {
      enabled: read.boolean('SEED_DEFAULTS', true),
      apiKey: seedApiKey,
      envFile: read.optional('DAYTONA_ENV_FILE'),
    },
    reconciler: {
      intervalMs: read.integer('RECONCILE_INTERVAL_MS', 2_000, 50, 600_000),
      runnerHeartbeatTimeoutMs: read.integer('RUNNER_HEARTBEAT_TIMEOUT_SECONDS', 30, 1, 3_600) * 1000,
      sandboxStartTimeoutMs: read.integer('SANDBOX_START_TIMEOUT_SECONDS', 120, 1, 86_400) * 1000,
      redispatchAfterMs: read.integer('SANDBOX_REDISPATCH_AFTER_SECONDS', 5, 1, 3_600) * 1000,
    },
    bulk: {
      maxTotalCount: read.integer('BULK_MAX_TOTAL_COUNT', 10_000, 1, MAX_BULK_TOTAL_COUNT_SETTING),
      awaitTimeoutMs: read.integer('BULK_AWAIT_TIMEOUT_SECONDS', 300, 1, 3_600) * 1000,
    },
    idempotencyWaitMs: read.integer('IDEMPOTENCY_WAIT_SECONDS', 10, 1, 300) * 1000,
    logLevel: read.oneOf('LOG_LEVEL', ['error', 'warn', 'log', 'debug'] as const, 'log'),
  };
  read.finish();
  return config;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
