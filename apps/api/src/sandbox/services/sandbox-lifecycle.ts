import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { runnerReportedState } from '@daytona/runner-contract';
import { DataSource } from 'typeorm';
import { ConflictError, UnavailableError } from '../../common/errors/domain-error.js';
import { RunnerClient } from '../../runner/runner-client.js';
import { RunnerState } from '../../runner/runner-state.js';
import { Runner } from '../../runner/runner.entity.js';
import { SandboxDto } from '../dto/sandbox.dto.js';
import type { Sandbox } from '../entities/sandbox.entity.js';
import { SandboxState } from '../entities/sandbox-state.js';
import { SandboxStateStore } from '../state/sandbox-state-store.js';
import { platformLabelsOf } from './platform-labels.js';
import { SandboxActivity } from './sandbox-activity.js';
import { SandboxService } from './sandbox.service.js';

type Interval = 'autoStopInterval' | 'autoDeleteInterval' | 'autoArchiveInterval';
const COLUMN: Record<Interval, string> = {
  autoStopInterval: 'auto_stop_interval',
  autoDeleteInterval: 'auto_delete_interval',
  autoArchiveInterval: 'auto_archive_interval',
};

/**
 * Stopping and starting sandboxes, their auto-stop / auto-delete intervals and labels. A stop or
 * start is recorded first (so nothing undoes it), then asked of the runner at once; a runner that
 * does not answer hears it from its next sync. A stopped sandbox keeps its files and its claim on
 * the quota; its processes are gone.
 */
@Injectable()
export class SandboxLifecycle {
  private readonly logger = new Logger('SandboxLifecycle');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sandboxes: SandboxService,
    private readonly store: SandboxStateStore,
    private readonly runnerClient: RunnerClient,
    private readonly activity: SandboxActivity,
  ) {}

  async stop(organizationId: string, idOrName: string): Promise<SandboxDto> {
    const sandbox = await this.sandboxes.getSandboxEntity(organizationId, idOrName);
    if (sandbox.state === SandboxState.STOPPED || sandbox.state === SandboxState.STOPPING) return this.dto(sandbox);
    const [stopping] = await this.store.applyTo('api.stop_requested', [sandbox.id]);
    if (!stopping) throw notInState(sandbox, 'stopped', 'started, starting or being created');
    await this.ask(sandbox, 'stop');
    return this.current(organizationId, sandbox.id);
  }

  async start(organizationId: string, idOrName: string): Promise<SandboxDto> {
    const sandbox = await this.sandboxes.getSandboxEntity(organizationId, idOrName);
    if (sandbox.state === SandboxState.STARTED || sandbox.state === SandboxState.STARTING) return this.dto(sandbox);
    const [starting] = await this.store.applyTo('api.start_requested', [sandbox.id]);
    if (!starting) throw notInState(sandbox, 'started', 'stopped');
    this.activity.record(sandbox.id);
    await this.ask(sandbox, 'start');
    return this.current(organizationId, sandbox.id);
  }

  /** Sets one of the intervals (minutes) and answers the sandbox as it is now. */
  async setInterval(organizationId: string, idOrName: string, interval: Interval, minutes: number): Promise<SandboxDto> {
    const sandbox = await this.sandboxes.getSandboxEntity(organizationId, idOrName);
    await this.dataSource.query(`UPDATE sandbox SET ${COLUMN[interval]} = $2, updated_at = now() WHERE id = $1`, [sandbox.id, minutes]);
    return this.current(organizationId, sandbox.id);
  }

  /** Replaces the user's labels; the platform's own (daytona.io/…) stay as they are. */
  async replaceLabels(organizationId: string, idOrName: string, labels: Record<string, string>): Promise<Record<string, string>> {
    const sandbox = await this.sandboxes.getSandboxEntity(organizationId, idOrName);
    const next = { ...labels, ...platformLabelsOf(sandbox.labels) };
    await this.dataSource.query(`UPDATE sandbox SET labels = $2::jsonb, updated_at = now() WHERE id = $1`, [sandbox.id, JSON.stringify(next)]);
    return next;
  }

  /** Throws sandbox_not_found unless the organization has it. */
  async exists(organizationId: string, idOrName: string): Promise<void> {
    await this.sandboxes.getSandboxEntity(organizationId, idOrName);
  }

  toolboxProxyUrl(): { url: string } {
    return { url: this.sandboxes.toolboxProxyUrl() };
  }

  /** Tells the runner now; if it cannot hear, its next sync tells it (the change is recorded). */
  private async ask(sandbox: Sandbox, change: 'stop' | 'start'): Promise<void> {
    const runner = sandbox.runnerId ? await this.dataSource.manager.findOneBy(Runner, { id: sandbox.runnerId }) : null;
    if (!runner || runner.state !== RunnerState.READY) return;
    try {
      const { state } = await this.runnerClient.changeSandbox(runner, sandbox.id, change);
      const reported = runnerReportedState.safeParse(state);
      if (reported.success) await this.store.applyRunnerReports(runner.id, [{ id: sandbox.id, state: reported.data }]);
    } catch (error) {
      if (!(error instanceof UnavailableError) && !(error instanceof ConflictError)) throw error;
      this.logger.warn(`${change} of ${sandbox.id} left to its runner's next sync: ${error.message}`);
    }
  }

  private async current(organizationId: string, id: string): Promise<SandboxDto> {
    return this.dto(await this.sandboxes.getSandboxEntity(organizationId, id));
  }

  private dto(sandbox: Sandbox): SandboxDto {
    return this.sandboxes.toDto(sandbox);
  }
}

function notInState(sandbox: Sandbox, wanted: string, from: string): ConflictError {
  return new ConflictError('sandbox_state_conflict', `Sandbox "${sandbox.name}" is ${sandbox.state}: only a sandbox ${from} can be ${wanted}`, {
    state: sandbox.state,
  });
}
