/**
 * Requests a runner sends to the API under /api/runners (Authorization: Bearer <runner credential>,
 * except registration, which carries the operator's RUNNER_REGISTRATION_TOKEN).
 */
import { z } from 'zod';
import { MAX_ERROR_REASON_LENGTH, MAX_IMAGES_PER_SYNC, MAX_SANDBOXES_PER_SYNC, MAX_UPDATES_PER_REPORT } from './limits.js';
import { runnerImageStatus } from './api-to-runner.js';
import { imageRef, runnerHeldState, runnerReportedState, runnerSandboxAssignment, sandboxId, text } from './sandbox.js';

/** A runner credential: 64 hex characters (32 random bytes). */
export const runnerCredential = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters');

/**
 * POST /runners/register, with the operator's registration secret. The first registration of a
 * name enrolls the runner and answers its credential, once; a later one (a restart, a new URL or
 * capacity) must present that credential, so no holder of the registration secret can take over
 * an enrolled runner's name.
 */
export const registerRunnerRequest = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-"'),
  url: z.url({ protocol: /^https?$/ }).max(2_048),
  region: text(1, 63),
  capacity: z.strictObject({
    cpu: z.number().int().min(0).max(1_000_000),
    memory: z.number().int().min(0).max(1_000_000),
    disk: z.number().int().min(0).max(10_000_000),
  }),
  /** Whether its sandboxes are isolated (bubblewrap); the API places none on a runner that is not, unless told to. */
  isolated: z.boolean(),
  /** The credential an earlier registration answered; absent for the first one. */
  credential: runnerCredential.optional(),
});
export type RegisterRunnerRequest = z.infer<typeof registerRunnerRequest>;

export const registerRunnerResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  state: z.string(),
  /**
   * What the runner presents to the API from now on (Authorization: Bearer); answered on
   * enrollment only (null afterwards: the runner keeps it). The API stores only its hash.
   */
  credential: runnerCredential.nullable(),
  /** What the API presents to this runner: a different secret, derived by the API, never stored. */
  apiToken: runnerCredential,
});
export type RegisterRunnerResponse = z.infer<typeof registerRunnerResponse>;

/** One state change of one sandbox. */
export const sandboxStateUpdate = z.strictObject({
  id: sandboxId,
  state: runnerReportedState,
  errorReason: z.string().max(MAX_ERROR_REASON_LENGTH).nullable().optional(),
});
export type SandboxStateUpdate = z.infer<typeof sandboxStateUpdate>;

/**
 * POST /runners/sandbox-states: state changes, in the order they happened. Each update is
 * checked on its own: one the API cannot use is answered in `rejected`, and the others apply.
 */
export const reportSandboxStatesRequest = z.strictObject({
  updates: z.array(z.unknown()).max(MAX_UPDATES_PER_REPORT),
});
export type ReportSandboxStatesRequest = { updates: SandboxStateUpdate[] };

export const reportSandboxStatesResponse = z.strictObject({
  applied: z.number().int(),
  rejected: z.array(z.strictObject({ index: z.number().int(), reason: z.string() })),
});
export type ReportSandboxStatesResponse = z.infer<typeof reportSandboxStatesResponse>;

/** GET /runners/sandboxes: every sandbox assigned to the calling runner that is not destroyed. */
export const listAssignedSandboxesResponse = z.strictObject({
  sandboxes: z.array(runnerSandboxAssignment),
});
export type ListAssignedSandboxesResponse = z.infer<typeof listAssignedSandboxesResponse>;

/**
 * POST /runners/sync, every few seconds: what the runner holds right now. The API answers with
 * what the runner must change so the two agree, so drift is repaired continuously, not only at
 * a restart.
 */
export const syncRequest = z.strictObject({
  sandboxes: z.array(z.strictObject({ id: sandboxId, state: runnerHeldState })).max(MAX_SANDBOXES_PER_SYNC),
  /** Every image the runner holds or is pulling, so the API knows which snapshots are ready where. */
  images: z.array(runnerImageStatus).max(MAX_IMAGES_PER_SYNC),
});
export type SyncRequest = z.infer<typeof syncRequest>;

export const syncResponse = z.strictObject({
  /** Not wanted (destroyed, never known, or placed elsewhere): kill and delete. */
  destroy: z.array(sandboxId),
  /** Assigned here but not held: create them (started or kept stopped, as `desiredState` says). */
  assign: z.array(runnerSandboxAssignment),
  /** Held with a state the API does not have: report their current state again. */
  report: z.array(sandboxId),
  /** Images of active snapshots of the runner's region: pull those not held yet. */
  pull: z.array(imageRef),
  /** Held running, but to be stopped (a stop its runner did not hear, or an idle sandbox): stop them. */
  stop: z.array(sandboxId),
  /** Held stopped, but to be started again: start them. */
  start: z.array(sandboxId),
});
export type SyncResponse = z.infer<typeof syncResponse>;

