import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../common/errors/domain-error.js';
import { isUuid } from '../common/uuid.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { Organization } from '../organization/organization.entity.js';
import { Region } from '../organization/region.entity.js';
import { CreateSnapshotDto } from './dto/create-snapshot.dto.js';
import { ListSnapshotsQueryDto } from './dto/list-snapshots-query.dto.js';
import { SnapshotDistribution } from './snapshot-distribution.js';
import { SnapshotState } from './snapshot-state.js';
import { Snapshot } from './snapshot.entity.js';

/** Resources of a snapshot that says nothing, as Daytona's defaults. */
const DEFAULT_RESOURCES = { cpu: 1, memory: 1, disk: 3 };
/** Sandbox states in which a sandbox still needs its snapshot's image. */
const LIVE = `state <> 'destroyed'`;

@Injectable()
export class SnapshotService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly distribution: SnapshotDistribution,
  ) {}

  /**
   * Registers an image as a snapshot of the organization, `pending` until a runner of its region
   * has pulled it (then `active`), or `error` with the registry's reason. Every ready runner of
   * the region is asked to pull it at once; runners that join later pull it on their first sync.
   */
  async createSnapshot(organization: Organization, dto: CreateSnapshotDto): Promise<Snapshot> {
    const region = dto.regionId ?? organization.defaultRegion;
    if (!(await this.dataSource.manager.existsBy(Region, { id: region }))) {
      throw new InvalidInputError('unknown_region', `Region "${region}" does not exist`, { field: 'regionId', region });
    }
    const resources = {
      cpu: dto.cpu ?? DEFAULT_RESOURCES.cpu,
      memory: dto.memory ?? DEFAULT_RESOURCES.memory,
      disk: dto.disk ?? DEFAULT_RESOURCES.disk,
    };
    const limits = { cpu: organization.maxCpuPerSandbox, memory: organization.maxMemoryPerSandbox, disk: organization.maxDiskPerSandbox };
    for (const resource of ['cpu', 'memory', 'disk'] as const) {
      if (resources[resource] > limits[resource]) {
        throw new ForbiddenError(
          'sandbox_limit_exceeded',
          `A sandbox of this snapshot would need ${resources[resource]} ${resource}; the organization allows ${limits[resource]} per sandbox`,
          { resource, requested: resources[resource], limit: limits[resource] },
        );
      }
    }
    let snapshot: Snapshot;
    try {
      snapshot = await this.dataSource.manager.save(
        this.dataSource.manager.create(Snapshot, {
          organizationId: organization.id,
          name: dto.name,
          imageName: dto.imageName,
          ref: dto.imageName,
          entrypoint: dto.entrypoint ?? null,
          state: SnapshotState.PENDING,
          errorReason: null,
          sizeBytes: null,
          lastUsedAt: null,
          deletedAt: null,
          regions: [region],
          ...resources,
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'snapshot_org_name_idx')) {
        throw new ConflictError('snapshot_name_conflict', `A snapshot named "${dto.name}" already exists`, { name: dto.name });
      }
      throw error;
    }
    this.distribution.pullEverywhere(snapshot);
    return snapshot;
  }

  /** The organization's own snapshots and the general ones, by name, a page at a time. */
  async listSnapshots(organizationId: string, query: ListSnapshotsQueryDto) {
    const page = query.page ?? 1;
    const limit = query.limit ?? 100;
    const [items, total] = await this.visibleTo(this.dataSource.manager, organizationId)
      .orderBy('s.name')
      .addOrderBy('s.id')
      .skip((page - 1) * limit)
      .take(limit)
      .getManyAndCount();
    return { items, total, page, totalPages: Math.ceil(total / limit) };
  }

  /**
   * Finds a snapshot by id or by name among the organization's and the general ones.
   * An organization's own snapshot shadows a general one of the same name.
   */
  async getSnapshot(
    organizationId: string,
    idOrName: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Snapshot> {
    const query = this.visibleTo(manager, organizationId);
    if (isUuid(idOrName)) {
      query.andWhere(new Brackets((q) => q.where('s.id = :id').orWhere('s.name = :name')));
    } else {
      query.andWhere('s.name = :name');
    }
    const found = await query
      .setParameters({ id: idOrName, name: idOrName })
      .orderBy('s.organization_id IS NULL', 'ASC')
      .getOne();
    if (!found) {
      throw new NotFoundError('snapshot_not_found', `Snapshot "${idOrName}" not found`, { snapshot: idOrName });
    }
    return found;
  }

  /**
   * Deletes one of the organization's snapshots; refused while a live sandbox uses it (those
   * keep their image on their runner). The row stays, found by nothing, for the sandboxes that
   * pointed at it; its name is free again.
   */
  async deleteSnapshot(organizationId: string, idOrName: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const snapshot = await this.getSnapshot(organizationId, idOrName, manager);
      if (snapshot.organizationId === null) {
        throw new ForbiddenError('general_snapshot_read_only', `Snapshot "${snapshot.name}" is a general snapshot and cannot be deleted`, {
          snapshot: snapshot.name,
        });
      }
      // Locked so that no create can take the snapshot between the check and the delete.
      await manager.query('SELECT id FROM snapshot WHERE id = $1 FOR UPDATE', [snapshot.id]);
      const [{ sandboxes }] = await manager.query(`SELECT count(*)::int AS sandboxes FROM sandbox WHERE snapshot_id = $1 AND ${LIVE}`, [snapshot.id]);
      if (sandboxes > 0) {
        throw new ConflictError('snapshot_in_use', `Snapshot "${snapshot.name}" is used by ${sandboxes} live sandbox(es)`, {
          snapshot: snapshot.name,
          sandboxes,
        });
      }
      await manager.query('UPDATE snapshot SET deleted_at = now(), updated_at = now() WHERE id = $1', [snapshot.id]);
    });
  }

  /** A snapshot sandboxes can be created from right now, in `region`. */
  async getUsableSnapshot(organizationId: string, idOrName: string, region: string, manager?: EntityManager): Promise<Snapshot> {
    const snapshot = await this.getSnapshot(organizationId, idOrName, manager);
    if (snapshot.state !== SnapshotState.ACTIVE) {
      throw new InvalidInputError(
        'snapshot_not_active',
        `Snapshot "${snapshot.name}" is ${snapshot.state}, not active` + (snapshot.errorReason ? `: ${snapshot.errorReason}` : ''),
        { snapshot: idOrName, state: snapshot.state },
      );
    }
    if (!snapshot.regions.includes(region)) {
      throw new InvalidInputError(
        'snapshot_not_in_region',
        `Snapshot "${snapshot.name}" is not available in region "${region}"`,
        { snapshot: idOrName, region, regions: snapshot.regions },
      );
    }
    return snapshot;
  }

  /**
   * Inside a create's transaction, just before its rows go in: share-locks the snapshots (a
   * delete waits for the create, then sees its sandboxes) and fails if one was deleted
   * meanwhile.
   */
  async holdForCreate(manager: EntityManager, snapshots: Snapshot[]): Promise<void> {
    const ids = snapshots.map((snapshot) => snapshot.id);
    const rows: Array<{ id: string }> = await manager.query(
      'SELECT id FROM snapshot WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL FOR SHARE',
      [ids],
    );
    const gone = snapshots.find((snapshot) => !rows.some((row) => row.id === snapshot.id));
    if (gone) throw new NotFoundError('snapshot_not_found', `Snapshot "${gone.name}" not found`, { snapshot: gone.name });
  }

  /**
   * After a create has committed: records that its snapshots were used, to the minute. Not in
   * the create's transaction, where every create of every organization would queue on the one
   * row of a general snapshot (and two share locks upgraded at once deadlock); at most one write
   * per snapshot a minute.
   */
  async noteUsed(snapshots: Snapshot[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE snapshot SET last_used_at = now()
        WHERE id = ANY($1::uuid[]) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [snapshots.map((snapshot) => snapshot.id)],
    );
  }

  private visibleTo(manager: EntityManager, organizationId: string) {
    return manager
      .createQueryBuilder(Snapshot, 's')
      .where(new Brackets((q) => q.where('s.organization_id = :organizationId').orWhere('s.organization_id IS NULL')))
      .andWhere('s.deleted_at IS NULL')
      .setParameters({ organizationId });
  }
}
