import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-error.js';
import { isUuid } from '../common/uuid.js';
import { SnapshotState } from './snapshot-state.js';
import { Snapshot } from './snapshot.entity.js';

@Injectable()
export class SnapshotService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The organization's own snapshots and the general ones, by name. */
  async listSnapshots(organizationId: string): Promise<Snapshot[]> {
    return this.visibleTo(this.dataSource.manager, organizationId).orderBy('s.name').addOrderBy('s.id').getMany();
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

  /** A snapshot sandboxes can be created from right now, in `region`. */
  async getUsableSnapshot(
    organizationId: string,
    idOrName: string,
    region: string,
    manager?: EntityManager,
  ): Promise<Snapshot> {
    const snapshot = await this.getSnapshot(organizationId, idOrName, manager);
    if (snapshot.state !== SnapshotState.ACTIVE) {
      throw new InvalidInputError(
        'snapshot_not_active',
        `Snapshot "${snapshot.name}" is ${snapshot.state}, not active`,
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

  private visibleTo(manager: EntityManager, organizationId: string) {
    return manager
      .createQueryBuilder(Snapshot, 's')
      .where(new Brackets((q) => q.where('s.organization_id = :organizationId').orWhere('s.organization_id IS NULL')))
      .setParameters({ organizationId });
  }
}
