import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError, UnavailableError } from '../../common/errors/domain-error.js';
import { Runner } from '../../runner/runner.entity.js';
import { SandboxState } from '../../sandbox/entities/sandbox-state.js';
import type { Sandbox } from '../../sandbox/entities/sandbox.entity.js';
import { SandboxService } from '../../sandbox/services/sandbox.service.js';
import { SandboxActivity } from '../../sandbox/services/sandbox-activity.js';

export interface ToolboxTarget {
  sandbox: Sandbox;
  runner: Runner;
}

/**
 * Where a toolbox call goes: the caller's started sandbox (another organization's is not found)
 * and its runner. Every call that gets this far counts as the sandbox's activity (auto-stop): when
 * it begins, and, for those that last (commands, transfers), again when they end.
 */
@Injectable()
export class ToolboxTargets {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sandboxes: SandboxService,
    private readonly activity: SandboxActivity,
  ) {}

  async resolve(organizationId: string, sandboxIdOrName: string): Promise<ToolboxTarget> {
    const sandbox = await this.sandboxes.getSandboxEntity(organizationId, sandboxIdOrName);
    if (sandbox.state === SandboxState.DESTROYED) {
      throw new NotFoundError('sandbox_not_found', `Sandbox "${sandboxIdOrName}" is destroyed`, { sandbox: sandboxIdOrName });
    }
    if (sandbox.state !== SandboxState.STARTED) {
      throw new ConflictError('sandbox_not_started', `Sandbox "${sandbox.name}" is ${sandbox.state}, not started`, { state: sandbox.state });
    }
    const runner = sandbox.runnerId ? await this.dataSource.manager.findOneBy(Runner, { id: sandbox.runnerId }) : null;
    if (!runner) throw new UnavailableError('runner_unavailable', 'The sandbox has no runner');
    this.activity.record(sandbox.id);
    return { sandbox, runner };
  }

  /** A call that took a while (a command, a transfer) is over: the sandbox was in use until now. */
  ended(target: ToolboxTarget): void {
    this.activity.record(target.sandbox.id);
  }
}
