export enum SandboxState {
  CREATING = 'creating',
  /** Its runner is pulling the snapshot's image, then starts it. */
  PULLING_SNAPSHOT = 'pulling_snapshot',
  STARTING = 'starting',
  STARTED = 'started',
  STOPPING = 'stopping',
  STOPPED = 'stopped',
  DESTROYING = 'destroying',
  DESTROYED = 'destroyed',
  ERROR = 'error',
  BUILD_FAILED = 'build_failed',
  UNKNOWN = 'unknown',
}

export enum SandboxDesiredState {
  STARTED = 'started',
  STOPPED = 'stopped',
  DESTROYED = 'destroyed',
}

/**
 * The one quota rule, used by admission, runner capacity and documentation alike:
 * a sandbox holds its cpu, memory and disk (against its organization's quota and its
 * runner's capacity) in every state except these. A stopped sandbox keeps its claim so
 * that starting it again can never fail for lack of quota.
 */
export const STATES_RELEASING_RESOURCES: readonly SandboxState[] = [
  SandboxState.DESTROYED,
  SandboxState.ERROR,
  SandboxState.BUILD_FAILED,
];

/** A sandbox's name stays reserved until it is destroyed. */
export const STATES_RELEASING_NAME: readonly SandboxState[] = [SandboxState.DESTROYED];
