import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';

/** Told the sandboxes that had toolbox calls since the last flush, and when the flush happened. */
export type ActivityWriter = (sandboxIds: string[], at: Date) => Promise<void>;

const FLUSH_INTERVAL_MS = 5_000;

/**
 * Toolbox calls count as sandbox activity (auto-stop of idle sandboxes reads it). Recording costs
 * no write per call: ids are coalesced in memory and handed to the writers once every 5 s, at
 * most a few seconds late and lost if the process is killed (best effort, like lastUsedAt of keys).
 * The seam: whoever owns the sandbox's activity column registers a writer with onFlush().
 */
@Injectable()
export class SandboxActivity implements OnModuleDestroy {
  private readonly logger = new Logger('SandboxActivity');
  private pending = new Set<string>();
  private readonly writers: ActivityWriter[] = [];
  private readonly timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref();

  record(sandboxId: string): void {
    this.pending.add(sandboxId);
  }

  onFlush(writer: ActivityWriter): void {
    this.writers.push(writer);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0 || this.writers.length === 0) return;
    const ids = [...this.pending];
    this.pending = new Set();
    const at = new Date();
    for (const writer of this.writers) {
      await writer(ids, at).catch((error: Error) => this.logger.warn(`Recording sandbox activity failed: ${error.message}`));
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
