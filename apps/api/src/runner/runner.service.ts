import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConflictError, InvalidInputError } from '../common/errors/domain-error.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { Region } from '../organization/region.entity.js';
import type { RegisterRunnerRequest } from '@daytona/runner-contract';
import { RunnerState } from './runner-state.js';
import { Runner } from './runner.entity.js';

@Injectable()
export class RunnerService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Registration is idempotent by name: a restarted runner re-registers with fresh details. */
  async registerRunner(dto: RegisterRunnerRequest): Promise<Runner> {
    if (!(await this.dataSource.manager.existsBy(Region, { id: dto.region }))) {
      throw new InvalidInputError('unknown_region', `Region "${dto.region}" does not exist`, {
        field: 'region',
        region: dto.region,
      });
    }
    const values = {
      name: dto.name,
      url: dto.url.replace(/\/+$/, ''),
      token: dto.token,
      region: dto.region,
      capacityCpu: dto.capacity.cpu,
      capacityMemory: dto.capacity.memory,
      capacityDisk: dto.capacity.disk,
      state: RunnerState.READY,
      lastHeartbeatAt: new Date(),
    };
    try {
      await this.dataSource.manager.upsert(Runner, values, { conflictPaths: ['name'] });
    } catch (error) {
      if (isUniqueViolation(error, 'runner_token_idx')) {
        throw new ConflictError('runner_token_in_use', 'Another runner already uses this token', { field: 'token' });
      }
      throw error;
    }
    return this.dataSource.manager.findOneByOrFail(Runner, { name: dto.name });
  }

  async recordHeartbeat(runnerId: string): Promise<void> {
    await this.dataSource.manager.update(Runner, { id: runnerId }, { lastHeartbeatAt: new Date(), state: RunnerState.READY });
  }

  findRunnerByToken(token: string): Promise<Runner | null> {
    return this.dataSource.manager.findOneBy(Runner, { token });
  }
}
