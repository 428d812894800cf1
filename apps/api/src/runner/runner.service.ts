import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { RegisterRunnerRequest } from '@daytona/runner-contract';
import { DataSource } from 'typeorm';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-error.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { Region } from '../organization/region.entity.js';
import { hashRunnerCredential, newRunnerCredential, sameHash } from './runner-credentials.js';
import { RunnerState } from './runner-state.js';
import { Runner } from './runner.entity.js';

export interface Registration {
  runner: Runner;
  /** The new runner's credential, answered once; null when an enrolled runner registered again. */
  credential: string | null;
}

@Injectable()
export class RunnerService {
  private readonly logger = new Logger('RunnerService');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The first registration of a name enrolls a runner and answers its credential; any later one
   * (a restart, a new URL or capacity) must present that credential. Holding the registration
   * secret is not enough to take over a name that is enrolled.
   */
  async registerRunner(request: RegisterRunnerRequest): Promise<Registration> {
    if (!(await this.dataSource.manager.existsBy(Region, { id: request.region }))) {
      throw new InvalidInputError('unknown_region', `Region "${request.region}" does not exist`, {
        field: 'region',
        region: request.region,
      });
    }
    const details = {
      url: request.url.replace(/\/+$/, ''),
      region: request.region,
      capacityCpu: request.capacity.cpu,
      capacityMemory: request.capacity.memory,
      capacityDisk: request.capacity.disk,
      isolated: request.isolated,
      state: RunnerState.READY,
      lastHeartbeatAt: new Date(),
    };
    const existing = await this.dataSource.manager.findOneBy(Runner, { name: request.name });
    if (existing?.credentialHash && !(request.credential && sameHash(hashRunnerCredential(request.credential), existing.credentialHash))) {
      this.logger.warn(`Refused a registration as "${request.name}": it did not present that runner's credential`);
      throw takenName(request.name);
    }
    if (existing?.credentialHash) {
      await this.dataSource.manager.update(Runner, { id: existing.id }, details);
      return { runner: await this.dataSource.manager.findOneByOrFail(Runner, { id: existing.id }), credential: null };
    }
    // New, or enrolled before credentials existed: enroll now.
    const credential = newRunnerCredential();
    try {
      if (existing) {
        await this.dataSource.manager.update(Runner, { id: existing.id }, { ...details, credentialHash: hashRunnerCredential(credential) });
      } else {
        await this.dataSource.manager.insert(Runner, { name: request.name, ...details, credentialHash: hashRunnerCredential(credential) });
      }
    } catch (error) {
      // Another registration of the same new name won the race.
      if (isUniqueViolation(error, 'runner_name_idx')) throw takenName(request.name);
      throw error;
    }
    this.logger.log(`Enrolled runner "${request.name}"${request.isolated ? '' : ' (it does NOT isolate its sandboxes)'}`);
    return { runner: await this.dataSource.manager.findOneByOrFail(Runner, { name: request.name }), credential };
  }

  async recordHeartbeat(runnerId: string): Promise<void> {
    await this.dataSource.manager.update(Runner, { id: runnerId }, { lastHeartbeatAt: new Date(), state: RunnerState.READY });
  }

  findRunnerByCredential(credential: string): Promise<Runner | null> {
    return this.dataSource.manager.findOneBy(Runner, { credentialHash: hashRunnerCredential(credential) });
  }

  /** For the operator: every runner, with how many live sandboxes it holds. */
  async listRunners(): Promise<Array<Runner & { sandboxes: number }>> {
    const runners = await this.dataSource.manager.find(Runner, { order: { name: 'ASC' } });
    const counts: Array<{ runner_id: string; sandboxes: number }> = await this.dataSource.query(
      `SELECT runner_id, count(*)::int AS sandboxes FROM sandbox WHERE state <> 'destroyed' AND runner_id IS NOT NULL GROUP BY runner_id`,
    );
    const byRunner = new Map(counts.map((row) => [row.runner_id, row.sandboxes]));
    return runners.map((runner) => Object.assign(runner, { sandboxes: byRunner.get(runner.id) ?? 0 }));
  }

  /** A disabled runner keeps what it runs but gets no new sandboxes. */
  async setSchedulable(name: string, schedulable: boolean): Promise<Runner> {
    const runner = await this.byName(name);
    await this.dataSource.manager.update(Runner, { id: runner.id }, { schedulable });
    return { ...runner, schedulable };
  }

  /** Forgets a runner that holds no live sandbox, so that its name can be enrolled again. */
  async deleteRunner(name: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const runner = await manager.findOne(Runner, { where: { name }, lock: { mode: 'pessimistic_write' } });
      if (!runner) throw new NotFoundError('runner_not_found', `Runner "${name}" not found`, { runner: name });
      const [{ live }] = await manager.query(`SELECT count(*)::int AS live FROM sandbox WHERE runner_id = $1 AND state <> 'destroyed'`, [runner.id]);
      if (live > 0) {
        throw new ConflictError('runner_in_use', `Runner "${name}" still holds ${live} live sandbox(es); disable it and delete them first`, {
          runner: name,
          sandboxes: live,
        });
      }
      // Destroyed sandboxes keep their rows; they no longer point at a runner.
      await manager.query('UPDATE sandbox SET runner_id = NULL WHERE runner_id = $1', [runner.id]);
      await manager.delete(Runner, { id: runner.id });
    });
  }

  private async byName(name: string): Promise<Runner> {
    const runner = await this.dataSource.manager.findOneBy(Runner, { name });
    if (!runner) throw new NotFoundError('runner_not_found', `Runner "${name}" not found`, { runner: name });
    return runner;
  }
}

function takenName(name: string): ConflictError {
  return new ConflictError(
    'runner_name_taken',
    `A runner named "${name}" is enrolled: register with its credential, or have the operator delete it first (DELETE /api/runners/${name})`,
    { runner: name },
  );
}
