import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { RunnerSandboxSpec } from '@daytona/runner-contract';
import { RunnerClient } from '../../runner/runner-client.js';
import { Runner } from '../../runner/runner.entity.js';
import type { Sandbox } from '../entities/sandbox.entity.js';
import { SandboxDesiredState, SandboxState } from '../entities/sandbox-state.js';
import { SandboxEventEmitter, SandboxEvents } from '../events/sandbox-events.js';
import { SandboxStateStore } from '../state/sandbox-state-store.js';
import { RunnerAssignments, toSpec } from './runner-assignments.js';

/**
 * Sends new sandboxes to their runners. CREATED events of one tick are coalesced, so a bulk
 * request costs one HTTP request per runner, never one per sandbox. What a runner does not
 * acknowledge it is sent again by its next sync (runner-sync.ts).
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
    private readonly assignments: RunnerAssignments,
    private readonly store: SandboxStateStore,
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

  /**
   * One request per runner carrying all of its sandboxes, as they are now: one destroyed (or
   * being destroyed) since it was created is not sent. Acknowledged ids are recorded.
   */
  async dispatchToRunners(sandboxes: Pick<Sandbox, 'id'>[]): Promise<void> {
    const current = (await this.assignments.current(sandboxes.map((sandbox) => sandbox.id))).filter(
      (sandbox) => sandbox.state === SandboxState.CREATING && sandbox.desiredState === SandboxDesiredState.STARTED,
    );
    const byRunner = new Map<string, RunnerSandboxSpec[]>();
    for (const sandbox of current) {
      const group = byRunner.get(sandbox.runnerId) ?? [];
      group.push(toSpec(sandbox));
      byRunner.set(sandbox.runnerId, group);
    }
    if (byRunner.size === 0) return;
    const runners = await this.dataSource.manager.findBy(Runner, { id: In([...byRunner.keys()]) });
    await Promise.all(
      runners.map(async (runner) => {
        const specs = byRunner.get(runner.id)!;
        try {
          const { accepted } = await this.runnerClient.createSandboxes(runner, specs);
          await this.store.markAcknowledged(accepted);
        } catch (error) {
          // The runner's next sync asks for them again.
          this.logger.warn(`Runner ${runner.name} did not take ${specs.length} sandbox(es): ${(error as Error).message}`);
        }
      }),
    );
  }
}
