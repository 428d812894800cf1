import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LatestTimes } from '../../common/latest-times.js';

/** How late `lastActivityAt` may be; far below the smallest auto-stop interval (a minute). */
export const ACTIVITY_FLUSH_MS = 5_000;

/**
 * Records when each sandbox was last used (toolbox calls, starts), for auto-stop, without a
 * write per call (LatestTimes).
 */
@Injectable()
export class SandboxActivity implements OnModuleInit, OnModuleDestroy {
  private readonly times: LatestTimes;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.times = new LatestTimes(
      'when sandboxes were last active',
      (ids, times) =>
        dataSource.query(
          `UPDATE sandbox s SET last_activity_at = u.at
             FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)
            WHERE s.id = u.id AND s.last_activity_at < u.at`,
          [ids, times],
        ),
      new Logger('SandboxActivity'),
    );
  }

  onModuleInit(): void {
    this.times.start(ACTIVITY_FLUSH_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.times.stop();
  }

  /** The sandbox is in use now. */
  record(sandboxId: string): void {
    this.times.record(sandboxId);
  }

  flush(): Promise<void> {
    return this.times.flush();
  }
}
