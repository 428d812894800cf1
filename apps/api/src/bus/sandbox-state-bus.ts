import type { SandboxState } from '../sandbox/entities/sandbox-state.js';

/** What crosses the bus: never env values, tokens or anything else a sandbox was created with. */
export interface SandboxStateEvent {
  id: string;
  organizationId: string;
  state: SandboxState;
  errorReason: string | null;
}

export type SandboxStateListener = (events: SandboxStateEvent[]) => void;

/**
 * Carries sandbox state changes to every API process. Events are published in batches;
 * delivery is at most once (Redis pub/sub may drop), so consumers re-read the database.
 */
export interface SandboxStateBus {
  /** Best effort: never throws, so a committed change never fails the request that made it. */
  publish(events: SandboxStateEvent[]): Promise<void>;
  /**
   * Resolves once the subscription is live, so nothing published afterwards is missed; or, when
   * the bus is unreachable, after a short wait (consumers re-read the database anyway).
   */
  subscribe(listener: SandboxStateListener): Promise<() => void>;
  close(): Promise<void>;
}

export const SANDBOX_STATE_BUS = Symbol('SANDBOX_STATE_BUS');

/** Forwards one batch to every listener; a failing listener never stops the others. */
export function deliver(listeners: Iterable<SandboxStateListener>, events: SandboxStateEvent[], onError: (error: unknown) => void): void {
  for (const listener of listeners) {
    try {
      listener(events);
    } catch (error) {
      onError(error);
    }
  }
}
