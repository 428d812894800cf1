import { SandboxDesiredState as Desired, SandboxState as State } from '../entities/sandbox-state.js';

/**
 * Every way a sandbox's state may change, in one table. Each event names the states it may leave
 * (and the desired states it applies under) and the state it leads to; anything else is ignored.
 * SandboxStateStore is the only writer of `state`, and it asks this table.
 */
export type SandboxEvent =
  // What its runner says (POST /runners/sandbox-states, and re-reports asked for by a sync).
  | 'runner.pulling_snapshot'
  | 'runner.starting'
  | 'runner.started'
  | 'runner.stopping'
  | 'runner.stopped'
  | 'runner.error'
  | 'runner.destroying'
  | 'runner.destroyed'
  // What the API decides.
  | 'api.stop_requested'
  | 'api.start_requested'
  | 'api.destroy_requested'
  | 'api.destroy_completed'
  | 'api.runner_lost'
  | 'api.start_timed_out';

export interface Transition {
  to: State;
  from: readonly State[];
  /** Applies only while the sandbox's desired state is one of these. */
  desired: readonly Desired[];
  /** The desired state recorded with the change, when the event sets it. */
  setsDesired?: Desired;
  /** For moves into error: whether the sandbox's runner may still bring it back (the API gave up, the runner did not fail). */
  recoverable?: boolean;
  /**
   * From-states that hold no quota (`error`): coming back from them claims quota and runner room
   * again, so those moves go through admission first (SandboxStateStore.applyRunnerReports).
   */
  readmitFrom?: readonly State[];
}

const LIVE: readonly State[] = Object.values(State).filter((state) => state !== State.DESTROYED);
const ANY_DESIRED: readonly Desired[] = Object.values(Desired);
const RUNNING: readonly State[] = [
  State.CREATING,
  State.PULLING_SNAPSHOT,
  State.STARTING,
  State.STARTED,
  State.STOPPING,
  State.STOPPED,
  State.UNKNOWN,
];
/** Where a runner (re)starting a sandbox may find it. */
const BEFORE_START: readonly State[] = [State.CREATING, State.PULLING_SNAPSHOT, State.STARTING, State.STARTED, State.STOPPED, State.UNKNOWN, State.ERROR];

export const TRANSITIONS: Readonly<Record<SandboxEvent, Transition>> = {
  // A restarted runner starts again what it held (started -> starting -> started); a sandbox the
  // API gave up on (runner silent, start too slow) may come back if the quota still has room.
  'runner.pulling_snapshot': { to: State.PULLING_SNAPSHOT, from: BEFORE_START, desired: [Desired.STARTED], readmitFrom: [State.ERROR] },
  'runner.starting': { to: State.STARTING, from: BEFORE_START, desired: [Desired.STARTED], readmitFrom: [State.ERROR] },
  'runner.started': { to: State.STARTED, from: BEFORE_START, desired: [Desired.STARTED], readmitFrom: [State.ERROR] },
  'runner.stopping': { to: State.STOPPING, from: [State.PULLING_SNAPSHOT, State.STARTING, State.STARTED, State.STOPPING], desired: [Desired.STOPPED] },
  'runner.stopped': { to: State.STOPPED, from: RUNNING, desired: [Desired.STOPPED] },
  'runner.error': { to: State.ERROR, from: [...RUNNING, State.ERROR], desired: [Desired.STARTED, Desired.STOPPED] },
  'runner.destroying': { to: State.DESTROYING, from: LIVE, desired: [Desired.DESTROYED] },
  'runner.destroyed': { to: State.DESTROYED, from: LIVE, desired: [Desired.DESTROYED] },

  // A stop (asked for, or of an idle sandbox) and a start of a stopped one: its runner hears at
  // once, or from its next sync, and reports what it did.
  'api.stop_requested': {
    to: State.STOPPING,
    from: [State.CREATING, State.PULLING_SNAPSHOT, State.STARTING, State.STARTED],
    desired: [Desired.STARTED, Desired.STOPPED],
    setsDesired: Desired.STOPPED,
  },
  'api.start_requested': { to: State.STARTING, from: [State.STOPPED], desired: [Desired.STOPPED, Desired.STARTED], setsDesired: Desired.STARTED },
  'api.destroy_requested': { to: State.DESTROYING, from: LIVE, desired: ANY_DESIRED, setsDesired: Desired.DESTROYED },
  'api.destroy_completed': { to: State.DESTROYED, from: LIVE, desired: [Desired.DESTROYED] },
  'api.runner_lost': { to: State.ERROR, from: RUNNING, desired: [Desired.STARTED, Desired.STOPPED], recoverable: true },
  // A pull is bounded by the runner (it reports error), not by the start timeout: images can be large.
  'api.start_timed_out': { to: State.ERROR, from: [State.CREATING, State.STARTING], desired: [Desired.STARTED], recoverable: true },
};

export function runnerEvent(state: string): SandboxEvent {
  return `runner.${state}` as SandboxEvent;
}

export interface AllowedMove {
  event: SandboxEvent;
  from: State;
  desired: Desired;
  to: State;
  readmit: boolean;
}

/** The table as rows (event, from, desired) -> to, e.g. to join against in one SQL statement. */
export function allowedMoves(events: readonly SandboxEvent[]): AllowedMove[] {
  return events.flatMap((event) => {
    const { to, from, desired, readmitFrom = [] } = TRANSITIONS[event];
    return from.flatMap((state) => desired.map((wanted) => ({ event, from: state, desired: wanted, to, readmit: readmitFrom.includes(state) })));
  });
}

/** Whether `event` may move a sandbox in `state` (wanting `desired`); for callers deciding before they write. */
export function canApply(event: SandboxEvent, state: State, desired: Desired): boolean {
  const transition = TRANSITIONS[event];
  return transition.from.includes(state) && transition.desired.includes(desired);
}
