import type { RunnerImageStatus } from '@daytona/runner-contract';
import type { RunnerImages } from './image-store.js';

/**
 * Images on a runner that does not pull any: the park provider (benchmarks) says every image is
 * ready, since it runs nothing anyway; a runner that cannot run images says why not.
 */
export class UnavailableImages implements RunnerImages {
  private readonly requested = new Map<string, RunnerImageStatus>();

  /** `reason` null: pretend every image is ready (park); else every image is in error with it. */
  constructor(private readonly reason: string | null) {}

  statuses(): RunnerImageStatus[] {
    return [...this.requested.values()];
  }

  request(ref: string): RunnerImageStatus {
    let status = this.requested.get(ref);
    if (!status) {
      status = { ref, state: this.reason === null ? 'ready' : 'error', digest: null, errorReason: this.reason, sizeBytes: null };
      this.requested.set(ref, status);
    }
    return { ...status };
  }

  prePull(refs: string[]): void {
    for (const ref of refs) this.request(ref);
  }
}
