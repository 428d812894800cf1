import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { RunnerSandboxSpec } from '../../../../../libs/runner-contract/src/index.js';
import { RunnerClient } from '../../runner/runner-client.js';
import { Runner } from '../../runner/runner.entity.js';
import { Snapshot } from '../../snapshot/snapshot.entity.js';
import type { Sandbox } from '../entities/sandbox.entity.js';
import { SandboxEventEmitter, SandboxEvents } from '../events/sandbox-events.js';

/**
 * Sends new sandboxes to their runners. CREATED events of one tick are coalesced, so a bulk
 * request costs one HTTP request per runner, never one per sandbox. A runner that does not
 * acknowledge is retried by the reconciler.
 */
@Injectable()
export class SandboxDispatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SandboxDispatcher');
  private pending: Sandbox[] = [];
  private flushScheduled = false;
  private inFlight = new Set<Promise<void>>();
  private stopListening: (() => void) | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: SandboxEventEmitter,
    private readonly runnerClient: RunnerClient,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.events.on(SandboxEvents.CREATED, (sandbox) => this.enqueue(sandbox));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopListening?.();
    await Promise.allSettled([...this.inFlight]);
  }

  private enqueue(sandbox: Sandbox): void {
    this.pending.push(sandbox);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.pending;
      this.pending = [];
      const work = this.dispatchToRunners(batch).catch((error: unknown) =>
        this.logger.error(`Dispatch failed: ${(error as Error).message}`),
      );
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
  }

  /** One request per runner carrying all of its sandboxes; acknowledged ids are recorded. */
  async dispatchToRunners(sandboxes: Sandbox[]): Promise<void> {
    const byRunner = new Map<string, Sandbox[]>();
    for (const sandbox of sandboxes) {
      if (!sandbox.runnerId) continue;
      const group = byRunner.get(sandbox.runnerId) ?? [];
      group.push(sandbox);
      byRunner.set(sandbox.runnerId, group);
    }
    if (byRunner.size === 0) return;
    const manager = this.dataSource.manager;
    const runners = await manager.findBy(Runner, { id: In([...byRunner.keys()]) });
    const snapshotIds = [...new Set(sandboxes.map((s) => s.snapshotId))];
    const snapshots = await manager.find(Snapshot, { select: { id: true, ref: true }, where: { id: In(snapshotIds) } });
    const refs = new Map(snapshots.map((s) => [s.id, s.ref]));

    await Promise.all(
      runners.map(async (runner) => {
        const group = byRunner.get(runner.id)!;
        const specs: RunnerSandboxSpec[] = group.map((sandbox) => ({
          id: sandbox.id,
          name: sandbox.name,
          snapshotRef: refs.get(sandbox.snapshotId) ?? 'host',
          cpu: sandbox.cpu,
          memory: sandbox.memory,
          disk: sandbox.disk,
          env: sandbox.env,
        }));
        try {
          const { accepted } = await this.runnerClient.createSandboxes(runner, specs);
          await manager.query(
            `UPDATE sandbox SET acknowledged_at = now() WHERE id = ANY($1::uuid[]) AND acknowledged_at IS NULL`,
            [accepted],
          );
        } catch (error) {
          this.logger.warn(`Runner ${runner.name} did not take ${group.length} sandbox(es): ${(error as Error).message}`);
        }
      }),
    );
  }
}
