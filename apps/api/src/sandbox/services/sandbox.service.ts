import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../common/errors/domain-error.js';
import { isUuid } from '../../common/uuid.js';
import { Organization } from '../../organization/organization.entity.js';
import { Snapshot } from '../../snapshot/snapshot.entity.js';
import { SnapshotService } from '../../snapshot/snapshot.service.js';
import { CreateSandboxDto } from '../dto/create-sandbox.dto.js';
import { ListSandboxesQueryDto } from '../dto/list-sandboxes-query.dto.js';
import { PaginatedSandboxesDto } from '../dto/paginated-sandboxes.dto.js';
import { SandboxDto } from '../dto/sandbox.dto.js';
import { Sandbox } from '../entities/sandbox.entity.js';
import { SandboxDesiredState, SandboxState, STATES_RELEASING_NAME } from '../entities/sandbox-state.js';
import { toSandboxDto } from '../sandbox.mapper.js';
import { admitSandboxes } from './sandbox-admission.js';
import { assertNamesFree, findTakenNames, insertSandboxRows } from './sandbox-insert.js';
import { RESOURCES } from './quota.js';

export const DEFAULT_SNAPSHOT = 'default';

@Injectable()
export class SandboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly snapshots: SnapshotService,
  ) {}

  async createFromSnapshot(dto: CreateSandboxDto, organization: Organization): Promise<SandboxDto> {
    const region = organization.defaultRegion;
    const snapshot = await this.snapshots.getUsableSnapshot(organization.id, dto.snapshot ?? DEFAULT_SNAPSHOT, region);
    assertWithinPerSandboxLimits(organization, snapshot);
    const id = randomUUID();
    const name = dto.name ?? id;

    const sandbox = await this.dataSource.transaction(async (manager) => {
      const [admitted] = await admitSandboxes(manager, organization.id, region, [
        { shape: snapshot, count: 1, allowUnder: false },
      ]);
      assertNamesFree(await findTakenNames(manager, organization.id, [name]));
      const row = newSandboxRow(organization, snapshot, region, {
        id,
        name,
        runnerId: admitted.runnerIds[0],
        env: dto.env ?? {},
        labels: dto.labels ?? {},
      });
      await insertSandboxRows(manager, [row]);
      return row;
    });
    return toSandboxDto(sandbox);
  }

  async listSandboxes(organizationId: string, query: ListSandboxesQueryDto): Promise<PaginatedSandboxesDto> {
    const page = query.page ?? 1;
    const limit = query.limit ?? 100;
    const builder = this.dataSource.manager
      .createQueryBuilder(Sandbox, 's')
      .where('s.organization_id = :organizationId', { organizationId });
    if (query.states && query.states.length > 0) {
      builder.andWhere('s.state IN (:...states)', { states: query.states });
    } else {
      builder.andWhere('s.state NOT IN (:...hidden)', { hidden: STATES_RELEASING_NAME });
    }
    if (query.labels !== undefined) {
      builder.andWhere('s.labels @> CAST(:labels AS jsonb)', { labels: JSON.stringify(parseLabelFilter(query.labels)) });
    }
    const [rows, total] = await builder
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.name', 'ASC')
      .skip((page - 1) * limit)
      .take(limit)
      .getManyAndCount();
    return { items: rows.map(toSandboxDto), total, page, limit, totalPages: Math.ceil(total / limit) };
  }

  async getSandbox(organizationId: string, idOrName: string): Promise<SandboxDto> {
    return toSandboxDto(await this.findSandbox(organizationId, idOrName));
  }

  async deleteSandbox(organizationId: string, idOrName: string): Promise<SandboxDto> {
    const sandbox = await this.findSandbox(organizationId, idOrName);
    if (sandbox.state !== SandboxState.DESTROYED) {
      sandbox.state = SandboxState.DESTROYED;
      sandbox.desiredState = SandboxDesiredState.DESTROYED;
      await this.dataSource.manager.save(sandbox);
    }
    return toSandboxDto(sandbox);
  }

  /** By id, or by name among live sandboxes. Another organization's sandbox is simply not found. */
  private async findSandbox(organizationId: string, idOrName: string): Promise<Sandbox> {
    const builder = this.dataSource.manager
      .createQueryBuilder(Sandbox, 's')
      .where('s.organization_id = :organizationId', { organizationId });
    if (isUuid(idOrName)) {
      // An id match wins over a live sandbox that happens to be named like another's id.
      builder
        .andWhere('(s.id = :id OR (s.name = :name AND s.state NOT IN (:...released)))')
        .addSelect('(s.id = :id)', 'id_match')
        .orderBy('id_match', 'DESC');
    } else {
      builder.andWhere('s.name = :name AND s.state NOT IN (:...released)');
    }
    const sandbox = await builder.setParameters({ id: idOrName, name: idOrName, released: STATES_RELEASING_NAME }).getOne();
    if (!sandbox) {
      throw new NotFoundError('sandbox_not_found', `Sandbox "${idOrName}" not found`, { sandbox: idOrName });
    }
    return sandbox;
  }
}

function parseLabelFilter(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((value) => typeof value === 'string');
  if (!valid) {
    throw new InvalidInputError('invalid_labels', 'labels must be a JSON object of string values, e.g. {"team":"eval"}', {
      field: 'labels',
    });
  }
  return parsed as Record<string, string>;
}

export function assertWithinPerSandboxLimits(organization: Organization, snapshot: Snapshot): void {
  const limits = {
    cpu: organization.maxCpuPerSandbox,
    memory: organization.maxMemoryPerSandbox,
    disk: organization.maxDiskPerSandbox,
  };
  for (const resource of RESOURCES) {
    if (snapshot[resource] > limits[resource]) {
      throw new ForbiddenError(
        'sandbox_limit_exceeded',
        `Snapshot "${snapshot.name}" needs ${snapshot[resource]} ${resource} per sandbox; the organization allows ${limits[resource]}`,
        { resource, requested: snapshot[resource], limit: limits[resource] },
      );
    }
  }
}

export interface NewSandboxFields {
  id: string;
  name: string;
  runnerId: string;
  env: Record<string, string>;
  labels: Record<string, string>;
}

export function newSandboxRow(
  organization: Organization,
  snapshot: Snapshot,
  region: string,
  fields: NewSandboxFields,
): Sandbox {
  const now = new Date();
  return Object.assign(new Sandbox(), {
    ...fields,
    organizationId: organization.id,
    snapshotId: snapshot.id,
    snapshotName: snapshot.name,
    region,
    state: SandboxState.CREATING,
    desiredState: SandboxDesiredState.STARTED,
    cpu: snapshot.cpu,
    memory: snapshot.memory,
    disk: snapshot.disk,
    errorReason: null,
    createdAt: now,
    updatedAt: now,
  });
}
