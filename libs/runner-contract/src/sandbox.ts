import { z } from 'zod';
import { ENV_LIMITS, MAX_SANDBOX_NAME_LENGTH, SANDBOX_ID } from './limits.js';
import { ipv4Cidr, MAX_NETWORK_ALLOW_LIST_ENTRIES } from './network.js';

/** Strings that can reach a process or Postgres: NUL bytes can go to neither. */
export const text = (min = 1, max = 1_000_000) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !value.includes('\0'), 'must not contain NUL bytes');

export const sandboxId = z.string().regex(SANDBOX_ID, 'must be 1-128 letters, digits, "-" or "_", starting with a letter or digit');

export const envVars = z
  .record(
    z.string().regex(ENV_LIMITS.name, 'must be a valid environment variable name'),
    text(0, ENV_LIMITS.maxValueLength),
  )
  .refine((env) => Object.keys(env).length <= ENV_LIMITS.maxEntries, `must have at most ${ENV_LIMITS.maxEntries} variables`)
  .refine(
    (env) => Object.entries(env).reduce((bytes, [name, value]) => bytes + Buffer.byteLength(`${name}=${value}`), 0) <= ENV_LIMITS.maxTotalBytes,
    `must be at most ${ENV_LIMITS.maxTotalBytes / 1024} KiB in total (NAME=value, UTF-8)`,
  );

/**
 * States a runner reports. The API owns `creating`; everything after is the runner's word.
 * `pulling_snapshot`: the runner is pulling the sandbox's image before starting it.
 */
export const runnerReportedState = z.enum(['pulling_snapshot', 'starting', 'started', 'stopping', 'stopped', 'destroying', 'destroyed', 'error']);
export type RunnerReportedState = z.infer<typeof runnerReportedState>;

/** What a runner holds: a reported state, or `creating` for one taken but not begun (queued to start). */
export const runnerHeldState = z.enum(['creating', ...runnerReportedState.options]);
export type RunnerHeldState = z.infer<typeof runnerHeldState>;

export const runnerDesiredState = z.enum(['started', 'stopped', 'destroyed']);
export type RunnerDesiredState = z.infer<typeof runnerDesiredState>;

/**
 * An image reference as registries and skopeo take it, without a transport: `registry/repo:tag`
 * or `registry/repo@sha256:…` (no registry means Docker Hub).
 */
export const imageRef = text(1, 1_024)
  .regex(/^[a-z0-9][a-z0-9._:/@+-]*$/i, 'must be an image reference such as registry.example.com/repo:tag')
  .refine((ref) => !ref.includes('://'), 'must not name a transport (no docker://): registry/repository:tag');

/** What a runner needs to create and start one sandbox. */
export const runnerSandboxSpec = z.strictObject({
  id: sandboxId,
  name: text(1, MAX_SANDBOX_NAME_LENGTH),
  /**
   * The snapshot's image reference, pulled and cached by manifest digest on the runner. `host` (the
   * runner machine's own /usr and /etc, read-only) is for development and tests; the API never seeds it.
   */
  snapshotRef: imageRef,
  /**
   * Started in the background at every start of the sandbox, as the image's user, output appended
   * to /var/log/daytona-entrypoint.log inside; absent starts the image's Entrypoint + Cmd, if any.
   * Its exit does not end the sandbox (the sandbox's main process is the runner's).
   */
  entrypoint: z.array(text(1, 4_096)).min(1).max(256).optional(),
  cpu: z.number().positive().max(1_024),
  /** GiB */
  memory: z.number().positive().max(65_536),
  /** GiB */
  disk: z.number().positive().max(1_048_576),
  env: envVars,
  /**
   * true, or absent: the sandbox has only `lo`. false: egress through its own network namespace
   * (user-mode networking), never to the host, link-local or private addresses unless allow-listed.
   */
  networkBlockAll: z.boolean().optional(),
  /** With networkBlockAll false: the only destinations the sandbox may reach (besides DNS). */
  networkAllowList: z.array(ipv4Cidr).min(1).max(MAX_NETWORK_ALLOW_LIST_ENTRIES).optional(),
});
export type RunnerSandboxSpec = z.infer<typeof runnerSandboxSpec>;

/** A sandbox as a runner holds it. */
export const runnerSandboxStatus = z.strictObject({
  id: sandboxId,
  state: runnerHeldState,
  errorReason: z.string().nullable(),
});
export type RunnerSandboxStatus = z.infer<typeof runnerSandboxStatus>;

/** What the API wants of one sandbox on a runner. */
export const runnerSandboxAssignment = runnerSandboxSpec.extend({
  desiredState: runnerDesiredState,
  /** The API's view of the sandbox's state. */
  state: z.string(),
  /** In error only because the API gave up on it (e.g. its runner went silent): start it again. */
  recoverable: z.boolean(),
});
export type RunnerSandboxAssignment = z.infer<typeof runnerSandboxAssignment>;
