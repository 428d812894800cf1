import { SandboxDesiredState as Desired, SandboxState as State } from '../entities/sandbox-state.js';
import { runnerReportedState } from '@daytona/runner-contract';
import { allowedMoves, canApply, runnerEvent, TRANSITIONS, type SandboxEvent } from './sandbox-transitions.js';

describe('sandbox transitions', () => {
  const events = Object.keys(TRANSITIONS) as SandboxEvent[];

  it('has an event for every state a runner reports', () => {
    for (const state of runnerReportedState.options) expect(TRANSITIONS[runnerEvent(state)]?.to).toBe(state);
  });

  it('never leaves destroyed', () => {
    for (const event of events) expect(TRANSITIONS[event].from).not.toContain(State.DESTROYED);
  });

  it('lets nothing but a destroy move a sandbox that is to be destroyed', () => {
    const moving = events.filter((event) => TRANSITIONS[event].desired.includes(Desired.DESTROYED));
    expect(moving.map((event) => TRANSITIONS[event].to).every((to) => to === State.DESTROYING || to === State.DESTROYED)).toBe(true);
  });

  it('lets a late start report neither revive a destroyed sandbox nor cancel a destroy', () => {
    expect(canApply('runner.started', State.DESTROYED, Desired.DESTROYED)).toBe(false);
    expect(canApply('runner.started', State.DESTROYING, Desired.DESTROYED)).toBe(false);
    expect(canApply('runner.started', State.STARTING, Desired.STARTED)).toBe(true);
  });

  it('brings a sandbox back from error only through admission', () => {
    const fromError = allowedMoves(['runner.started', 'runner.starting']).filter((move) => move.from === State.ERROR);
    expect(fromError.length).toBeGreaterThan(0);
    expect(fromError.every((move) => move.readmit)).toBe(true);
    expect(allowedMoves(['runner.started']).filter((move) => move.from !== State.ERROR).every((move) => !move.readmit)).toBe(true);
  });

  it('marks the errors the API decides as recoverable, and those a runner reports as not', () => {
    expect(TRANSITIONS['api.runner_lost'].recoverable).toBe(true);
    expect(TRANSITIONS['api.start_timed_out'].recoverable).toBe(true);
    expect(TRANSITIONS['runner.error'].recoverable).toBeFalsy();
  });

  it('stops what runs or is on its way, and starts only what is stopped', () => {
    expect(canApply('api.stop_requested', State.STARTED, Desired.STARTED)).toBe(true);
    expect(canApply('api.stop_requested', State.STOPPED, Desired.STOPPED)).toBe(false);
    expect(canApply('api.stop_requested', State.DESTROYING, Desired.DESTROYED)).toBe(false);
    expect(canApply('api.start_requested', State.STOPPED, Desired.STOPPED)).toBe(true);
    expect(canApply('api.start_requested', State.ERROR, Desired.STARTED)).toBe(false);
    // A late started report does not undo a stop; the runner's stopped report completes it.
    expect(canApply('runner.started', State.STOPPING, Desired.STOPPED)).toBe(false);
    expect(canApply('runner.stopped', State.STOPPING, Desired.STOPPED)).toBe(true);
  });

  it('times out only sandboxes that are still on their way to started', () => {
    expect(canApply('api.start_timed_out', State.STARTING, Desired.STARTED)).toBe(true);
    expect(canApply('api.start_timed_out', State.STARTED, Desired.STARTED)).toBe(false);
    expect(canApply('api.start_timed_out', State.STOPPED, Desired.STOPPED)).toBe(false);
  });

  it('expands the table into one row per (event, from, desired)', () => {
    const rows = allowedMoves(['runner.stopping']);
    expect(rows).toHaveLength(TRANSITIONS['runner.stopping'].from.length * TRANSITIONS['runner.stopping'].desired.length);
    expect(new Set(rows.map((row) => `${row.from}/${row.desired}`)).size).toBe(rows.length);
  });
});
