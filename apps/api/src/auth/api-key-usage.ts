import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** How late `lastUsedAt` may be; one statement per interval, whatever the request rate. */
export const LAST_USED_FLUSH_MS = 5_000;

/**
 * Records when each API key was last used without a write per request: uses are coalesced in
 * memory (one entry per key) and written in one statement every few seconds. Best effort: a
 * failed write is logged and the request that used the key is never affected.
 */
@Injectable()
export class ApiKeyUsage implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ApiKeyUsage');
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), LAST_USED_FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  record(apiKeyId: string): void {
    this.pending.set(apiKeyId, new Date());
  }

  /** Writes the uses recorded since the last flush. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.dataSource.query(
        `UPDATE api_key k SET last_used_at = u.at
           FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)
          WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
        [[...batch.keys()], [...batch.values()]],
      );
    } catch (error) {
      this.logger.warn(`Could not record when ${batch.size} API key(s) were last used: ${(error as Error).message}`);
    }
  }
}
