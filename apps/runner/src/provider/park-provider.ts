import type { ExecuteCommandResponse } from '@daytona/runner-contract';
import { RunnerError } from '../errors/runner-error.js';
import type { RunningSandbox, SandboxProvider } from './sandbox-provider.js';

/**
 * Accepts sandboxes and reports them started without running anything, so that the control
 * plane (admission, insert, dispatch, state reports) can be measured at sizes this machine could
 * not run for real. Only ever chosen explicitly (RUNNER_PROVIDER=park); never a fallback.
 */
export class ParkProvider implements SandboxProvider {
  readonly kind = 'park';
  readonly isolated = false;
  readonly cgroups = 'none';
  /** Parked sandboxes need no image: nothing is pulled, every image counts as ready. */
  readonly imagesUnavailable = null;

  async start(): Promise<RunningSandbox> {
    return PARKED;
  }

  async removeTraces(): Promise<void> {}

  async listLocalSandboxIds(): Promise<string[]> {
    return [];
  }

  async removeLeftoversAtBoot(): Promise<void> {}

  async close(): Promise<void> {}
}

const parked = () => new RunnerError('sandbox_parked', 'This runner parks sandboxes (RUNNER_PROVIDER=park) and runs no commands');

const PARKED: RunningSandbox = {
  async execute(): Promise<ExecuteCommandResponse> {
    throw parked();
  },
  spawn() {
    throw parked();
  },
  get directories(): never {
    throw parked();
  },
  async stop(): Promise<void> {},
};
