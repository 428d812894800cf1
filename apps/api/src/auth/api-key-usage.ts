import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LatestTimes } from '../common/latest-times.js';

/** How late `lastUsedAt` may be; one statement per interval, whatever the request rate. */
export const LAST_USED_FLUSH_MS = 5_000;

/** Records when each API key was last used, without a write per request (LatestTimes). */
@Injectable()
export class ApiKeyUsage implements OnModuleInit, OnModuleDestroy {
  private readonly times: LatestTimes;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.times = new LatestTimes(
      'when API keys were last used',
      (ids, times) =>
        dataSource.query(
          `UPDATE api_key k SET last_used_at = u.at
             FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)
            WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
          [ids, times],
        ),
      new Logger('ApiKeyUsage'),
    );
  }

  onModuleInit(): void {
    this.times.start(LAST_USED_FLUSH_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.times.stop();
  }

  record(apiKeyId: string): void {
    this.times.record(apiKeyId);
  }

  /** Writes the uses recorded since the last flush. */
  flush(): Promise<void> {
    return this.times.flush();
  }
}
