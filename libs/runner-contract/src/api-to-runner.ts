/**
 * Requests the API sends to a runner's HTTP API (Authorization: Bearer <the apiToken answered by
 * the runner's registration>).
 */
import { z } from 'zod';
import { MAX_COMMAND_BYTES, MAX_EXEC_TIMEOUT_SECONDS, MAX_PATH_LENGTH, MAX_SANDBOXES_PER_REQUEST } from './limits.js';
import { envVars, imageRef, runnerSandboxSpec, runnerSandboxStatus, sandboxId, text } from './sandbox.js';

/** POST /sandboxes: creates and starts every sandbox asynchronously; idempotent by id. */
export const createSandboxesRequest = z.strictObject({
  sandboxes: z.array(runnerSandboxSpec).max(MAX_SANDBOXES_PER_REQUEST),
});
export type CreateSandboxesRequest = z.infer<typeof createSandboxesRequest>;

/**
 * 202 response to POST /sandboxes: the ids the runner now owns (new and already known). Ids it
 * destroyed recently (tombstones) are not accepted: a late dispatch cannot bring them back.
 */
export const createSandboxesResponse = z.strictObject({
  accepted: z.array(sandboxId),
});
export type CreateSandboxesResponse = z.infer<typeof createSandboxesResponse>;

/**
 * POST /sandboxes/destroy: destroys every listed sandbox asynchronously (bounded concurrency),
 * reporting each `destroyed` as it goes; ids it does not hold are cleaned from disk. Idempotent.
 */
export const destroySandboxesRequest = z.strictObject({
  ids: z.array(sandboxId).min(1).max(MAX_SANDBOXES_PER_REQUEST),
});
export type DestroySandboxesRequest = z.infer<typeof destroySandboxesRequest>;

/** 202 response to POST /sandboxes/destroy: how many destroys were queued (each id once). */
export const destroySandboxesResponse = z.strictObject({
  queued: z.number().int().nonnegative(),
});
export type DestroySandboxesResponse = z.infer<typeof destroySandboxesResponse>;

/** GET /sandboxes */
export const listRunnerSandboxesResponse = z.strictObject({
  sandboxes: z.array(runnerSandboxStatus),
});
export type ListRunnerSandboxesResponse = z.infer<typeof listRunnerSandboxesResponse>;

/** POST /sandboxes/:id/execute */
export const executeCommandRequest = z.strictObject({
  command: text(1, MAX_COMMAND_BYTES).refine((command) => Buffer.byteLength(command) <= MAX_COMMAND_BYTES, `must be at most ${MAX_COMMAND_BYTES} bytes in UTF-8`),
  cwd: text(1, MAX_PATH_LENGTH).optional(),
  env: envVars.optional(),
  /** Seconds; the runner applies its default when absent. */
  timeout: z.number().int().min(1).max(MAX_EXEC_TIMEOUT_SECONDS).optional(),
});
export type ExecuteCommandRequest = z.infer<typeof executeCommandRequest>;

export const executeCommandResponse = z.strictObject({
  exitCode: z.number().int(),
  /** stdout and stderr, interleaved as produced, bounded by the runner's output limit. */
  result: z.string(),
  truncated: z.boolean(),
  timedOut: z.boolean(),
});
export type ExecuteCommandResponse = z.infer<typeof executeCommandResponse>;

/** Answer to DELETE /sandboxes/:id, /start and /stop. */
export const sandboxStateResponse = z.strictObject({
  id: sandboxId,
  state: z.string(),
});
export type SandboxStateResponse = z.infer<typeof sandboxStateResponse>;

/** An image as one runner holds it: pulled (and unpacked) once per manifest digest, whatever the number of sandboxes. */
export const runnerImageStatus = z.strictObject({
  ref: imageRef,
  state: z.enum(['pulling', 'ready', 'error']),
  /** Manifest digest, once known. */
  digest: z.string().nullable(),
  /** The registry's own words when a pull failed (unknown image, unauthorized, unreachable, not an image, too large). */
  errorReason: z.string().nullable(),
  /** Compressed size of the layers, once known. */
  sizeBytes: z.number().int().nonnegative().nullable(),
  /** The image's User (a name, or uid[:gid]; `root` when it names none), once ready: what commands run as. */
  user: z.string().max(256).nullable().optional(),
});
export type RunnerImageStatus = z.infer<typeof runnerImageStatus>;

/** POST /images: pull an image ahead of any sandbox that needs it; idempotent, answers at once (202). */
export const pullImageRequest = z.strictObject({ ref: imageRef });
export type PullImageRequest = z.infer<typeof pullImageRequest>;

/** GET /health */
export const runnerHealthResponse = z.strictObject({
  status: z.literal('ok'),
  name: z.string(),
  provider: z.enum(['bwrap', 'process', 'park']),
  isolated: z.boolean(),
  cgroups: z.enum(['v1', 'v2', 'none']),
  sandboxes: z.number().int(),
});
export type RunnerHealthResponse = z.infer<typeof runnerHealthResponse>;

/** Error body of every non-2xx runner response. */
export const runnerErrorBody = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
});
export type RunnerErrorBody = z.infer<typeof runnerErrorBody>;
