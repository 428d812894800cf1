/**
 * The wire contract between the API (control plane) and runners. Types only: both sides import
 * them with `import type`, so nothing here exists at run time.
 *
 * Every request in both directions carries `Authorization: Bearer <runner token>`, except
 * registration, which carries the operator's RUNNER_REGISTRATION_TOKEN.
 */

/** States a runner reports. The API owns `creating`; everything after is the runner's word. */
export type RunnerReportedState =
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'destroying'
  | 'destroyed'
  | 'error';

export type RunnerDesiredState = 'started' | 'stopped' | 'destroyed';

/** What a runner needs to create and start one sandbox. */
export interface RunnerSandboxSpec {
  id: string;
  name: string;
  /** The snapshot's ref, e.g. `host`: the host's /usr, /etc, /bin, /lib* mounted read-only. */
  snapshotRef: string;
  cpu: number;
  /** GiB */
  memory: number;
  /** GiB */
  disk: number;
  env: Record<string, string>;
}

// ---- API -> runner --------------------------------------------------------------------------

/** POST /sandboxes: creates and starts every sandbox asynchronously; idempotent by id. */
export interface CreateSandboxesRequest {
  sandboxes: RunnerSandboxSpec[];
}

/** 202 response to POST /sandboxes: the ids the runner now owns (new and already known). */
export interface CreateSandboxesResponse {
  accepted: string[];
}

export interface RunnerSandboxStatus {
  id: string;
  state: RunnerReportedState;
  errorReason: string | null;
}

/** GET /sandboxes */
export interface ListRunnerSandboxesResponse {
  sandboxes: RunnerSandboxStatus[];
}

/** POST /sandboxes/:id/execute */
export interface ExecuteCommandRequest {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Seconds; the runner applies its default when absent. */
  timeout?: number;
}

export interface ExecuteCommandResponse {
  exitCode: number;
  /** stdout and stderr, interleaved as produced, bounded by the runner's output limit. */
  result: string;
  truncated: boolean;
  timedOut: boolean;
}

/** GET /health */
export interface RunnerHealthResponse {
  status: 'ok';
  name: string;
  provider: 'bwrap' | 'process' | 'park';
  isolated: boolean;
  cgroups: 'v1' | 'v2' | 'none';
  sandboxes: number;
}

/** Error body of every non-2xx runner response. */
export interface RunnerErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

// ---- runner -> API --------------------------------------------------------------------------

/** POST /api/runners/register (RUNNER_REGISTRATION_TOKEN); idempotent by name. */
export interface RegisterRunnerRequest {
  name: string;
  url: string;
  region: string;
  token: string;
  capacity: { cpu: number; memory: number; disk: number };
}

export interface RegisterRunnerResponse {
  id: string;
  name: string;
  region: string;
  state: string;
}

/** POST /api/runners/sandbox-states: state changes, in the order they happened. 204. */
export interface ReportSandboxStatesRequest {
  updates: Array<{ id: string; state: RunnerReportedState; errorReason?: string | null }>;
}

/** What the API wants of one sandbox on this runner. */
export interface RunnerSandboxAssignment extends RunnerSandboxSpec {
  desiredState: RunnerDesiredState;
  /** The API's view of the sandbox's state. */
  state: string;
}

/** GET /api/runners/sandboxes: every sandbox assigned to the calling runner that is not destroyed. */
export interface ListAssignedSandboxesResponse {
  sandboxes: RunnerSandboxAssignment[];
}
