import type { Logger } from '@nestjs/common';

/**
 * When each of many things was last seen (an API key used, a sandbox active), recorded without a
 * write per event: times are coalesced in memory (one entry per id) and written together by
 * `write` every `intervalMs`. Best effort: a failed write is logged, never the caller's problem.
 */
export class LatestTimes {
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly what: string,
    private readonly write: (ids: string[], times: Date[]) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  record(id: string): void {
    this.pending.set(id, new Date());
  }

  /** Writes what was recorded since the last flush. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.write([...batch.keys()], [...batch.values()]);
    } catch (error) {
      this.logger.warn(`Could not record ${this.what} of ${batch.size}: ${(error as Error).message}`);
    }
  }
}
