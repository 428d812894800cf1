import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { ForbiddenError, InvalidInputError, NotFoundError, UnavailableError } from '../../common/errors/domain-error.js';
import { RunnerClient } from '../../runner/runner-client.js';
import { RunnerState } from '../../runner/runner-state.js';
import { Runner } from '../../runner/runner.entity.js';
import { isUuid } from '../../common/uuid.js';
import { Organization } from '../../organization/organization.entity.js';
import { Snapshot } from '../../snapshot/snapshot.entity.js';
import { DEFAULT_SNAPSHOT_NAME } from '../../snapshot/default-snapshot.js';
import { RunnerImages } from '../../snapshot/runner-images.js';
import { SnapshotService } from '../../snapshot/snapshot.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { BulkCreateSandboxDto } from '../dto/bulk-create-sandbox.dto.js';
import { CreateSandboxDto } from '../dto/create-sandbox.dto.js';
import { ListSandboxesQueryDto, type SandboxSort } from '../dto/list-sandboxes-query.dto.js';
import { decodeCursor, encodeCursor, SORT_COLUMNS } from './sandbox-list-cursor.js';
import { PaginatedSandboxesDto } from '../dto/paginated-sandboxes.dto.js';
import { SandboxDto } from '../dto/sandbox.dto.js';
import { Sandbox } from '../entities/sandbox.entity.js';
import { SandboxDesiredState, SandboxState, STATES_RELEASING_NAME } from '../entities/sandbox-state.js';
import { SandboxEventEmitter, SandboxEvents } from '../events/sandbox-events.js';
import { toSandboxDto } from '../sandbox.mapper.js';
import { SandboxStateStore } from '../state/sandbox-state-store.js';
import { SandboxStateWaiters, type SandboxStateChange, type WaitOutcome } from './sandbox-state-waiters.js';
import { IdempotencyStore, type IdempotentRequest } from '../idempotency/idempotency-store.js';
import { assertBulkRequestAcceptable } from './bulk-request-rules.js';
import { BULK_REQUEST_LABEL } from './platform-labels.js';
import { admitSandboxes } from './sandbox-admission.js';
import { bulkSandboxNames } from './sandbox-naming.js';
import { assertNamesFree, findTakenNames, insertSandboxRows } from './sandbox-insert.js';
import { RESOURCES, type Resources } from './quota.js';
import { sandboxNetwork, type SandboxNetwork } from './sandbox-network.js';
import { Region } from '../../organization/region.entity.js';
import { DEFAULT_AUTO_STOP_MINUTES, SandboxLifecycleFieldsDto } from '../dto/sandbox-lifecycle-fields.dto.js';

@Injectable()
export class SandboxService {
  private readonly logger = new Logger('SandboxService');
  /** The record as the API answers it, with the toolbox's public base URL. */
  readonly toDto = (sandbox: Sandbox): SandboxDto => toSandboxDto(sandbox, this.toolboxProxyUrl());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly snapshots: SnapshotService,
    private readonly runnerImages: RunnerImages,
    private readonly events: SandboxEventEmitter,
    private readonly runnerClient: RunnerClient,
    private readonly store: SandboxStateStore,
    private readonly waiters: SandboxStateWaiters,
    private readonly idempotency: IdempotencyStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `{toolboxProxyUrl}/{sandboxId}/…` is where a sandbox's toolbox answers. */
  toolboxProxyUrl(): string {
    return `${this.config.publicUrl}/toolbox`;
  }

  /** POST /sandbox; with an Idempotency-Key, a repeat answers the sandbox the first one created. */
  async createFromSnapshot(dto: CreateSandboxDto, organization: Organization, options: { idempotencyKey?: string } = {}): Promise<SandboxDto> {
    const once = this.idempotency.request(organization.id, options.idempotencyKey, 'createSandbox', dto);
    const earlier = await once?.previous();
    if (earlier) return (await this.getSandboxesInOrder(earlier))[0];
    const region = dto.target ?? organization.defaultRegion;
    if (dto.target !== undefined && !(await this.dataSource.manager.existsBy(Region, { id: dto.target }))) {
      throw new InvalidInputError('unknown_region', `Region "${dto.target}" does not exist`, { field: 'target', region: dto.target });
    }
    const snapshot = await this.snapshots.getUsableSnapshot(organization.id, dto.snapshot ?? DEFAULT_SNAPSHOT_NAME, region);
    const shape = { cpu: dto.cpu ?? snapshot.cpu, memory: dto.memory ?? snapshot.memory, disk: dto.disk ?? snapshot.disk };
    assertWithinPerSandboxLimits(organization, shape, `Snapshot "${snapshot.name}"`);
    const osUser = snapshot.imageUser ?? 'root';
    if (dto.user !== undefined && dto.user !== osUser) {
      throw new InvalidInputError(
        'unsupported_field',
        `user: commands run as the image's own user here (${osUser}); choose a snapshot whose image runs as "${dto.user}", or leave user out`,
        { field: 'user', imageUser: osUser },
      );
    }
    const network = sandboxNetwork(dto, this.config.sandboxNetworkDefault);
    const id = randomUUID();
    const creation = await this.admitAndInsert(
      organization,
      region,
      [
        {
          snapshot,
          shape,
          count: 1,
          allowUnder: false,
          names: () => [dto.name ?? id],
          fields: { id: () => id, env: dto.env ?? {}, labels: dto.labels ?? {}, ...lifecycleOf(dto), osUser, ...network },
        },
      ],
      once,
    );
    if (!creation.replayed) this.dispatch(creation.rows);
    return this.toDto(creation.rows[0]);
  }

  /**
   * Creates every sandbox of every item in one transaction (all or nothing), admitted in item
   * order against the organization's quota and the region's runner capacity, then hands them to
   * the dispatcher: one request per runner. With an Idempotency-Key, a repeat creates nothing and
   * answers the sandboxes of the first request. Answers at once; see bulkCreate for awaitStarted.
   */
  async bulkCreateFromSnapshot(dto: BulkCreateSandboxDto, organization: Organization, options: { idempotencyKey?: string } = {}): Promise<SandboxDto[]> {
    const creation = await this.createBulkRows(dto, organization, options.idempotencyKey);
    if (!creation.replayed) this.dispatch(creation.rows);
    return creation.rows.map(this.toDto);
  }

  /**
   * POST /sandbox/bulk: with `awaitStarted`, answers once every sandbox is started, error or build_failed, or at the
   * configured timeout (with the states reached: not an error). The wait is registered before any
   * runner hears of the sandboxes, so no change is missed; `onProgress` hears each sandbox's state
   * and every change; `signal` (the client went away) drops the wait, and creation goes on.
   */
  async bulkCreate(dto: BulkCreateSandboxDto, organization: Organization, options: BulkCreateOptions = {}): Promise<SandboxDto[]> {
    if (!dto.awaitStarted) return this.bulkCreateFromSnapshot(dto, organization, options);
    const creation = await this.createBulkRows(dto, organization, options.idempotencyKey);
    const ids = creation.rows.map((row) => row.id);
    const names = new Map(creation.rows.map((row) => [row.id, row.name]));
    const onProgress = options.onProgress;
    const settled = this.waiters.waitUntilSettled(ids, {
      timeoutMs: this.config.bulk.awaitTimeoutMs,
      signal: options.signal,
      onChange: onProgress && ((change) => onProgress({ ...change, name: names.get(change.id)! })),
    });
    if (!creation.replayed) this.dispatch(creation.rows);
    await settled;
    return this.getSandboxesInOrder(ids);
  }

  /**
   * Resolves when every sandbox is started, error or build_failed, after `timeoutSeconds` (not an
   * error: the caller reads the states reached), or when `signal` aborts. Waiters are registered
   * synchronously, before this returns, so call it before dispatching.
   */
  waitForAllSandboxesStarted(sandboxIds: string[], timeoutSeconds: number, signal?: AbortSignal): Promise<WaitOutcome> {
    return this.waiters.waitUntilSettled(sandboxIds, { timeoutMs: timeoutSeconds * 1000, signal });
  }

  private async createBulkRows(dto: BulkCreateSandboxDto, organization: Organization, idempotencyKey?: string): Promise<Creation> {
    const once = this.idempotency.request(organization.id, idempotencyKey, 'bulkCreateSandbox', dto);
    const earlier = await once?.previous();
    if (earlier) return { rows: await this.rowsInOrder(this.dataSource.manager, earlier), replayed: true };
    assertBulkRequestAcceptable(dto, this.config.bulk.maxTotalCount);
    const region = organization.defaultRegion;
    const snapshots = new Map<string, Snapshot>();
    for (const name of new Set(dto.items.map((item) => item.snapshotIdOrName))) {
      const snapshot = await this.snapshots.getUsableSnapshot(organization.id, name, region);
      assertWithinPerSandboxLimits(organization, snapshot, `Snapshot "${snapshot.name}"`);
      snapshots.set(name, snapshot);
    }
    const networks = dto.items.map((item, index) => sandboxNetwork(item, this.config.sandboxNetworkDefault, `items.${index}.`));
    const requestLabel = { [BULK_REQUEST_LABEL]: randomUUID() };
    return this.admitAndInsert(
      organization,
      region,
      dto.items.map((item, index) => {
        const snapshot = snapshots.get(item.snapshotIdOrName)!;
        return {
          snapshot,
          shape: snapshot,
          count: item.count,
          allowUnder: item.allowUnder ?? false,
          names: (admitted: number) => bulkSandboxNames(item.sandboxNamePrefix, admitted),
          fields: {
            id: randomUUID,
            env: item.env ?? {},
            labels: { ...item.labels, ...requestLabel },
            ...lifecycleOf(item),
            osUser: snapshot.imageUser ?? 'root',
            ...networks[index],
          },
        };
      }),
      once,
    );
  }

  /** After commit: the dispatcher coalesces one tick's sandboxes into one request per runner. */
  private dispatch(rows: Sandbox[]): void {
    for (const row of rows) this.events.emit(SandboxEvents.CREATED, row);
  }

  /**
   * The one transaction every create goes through: admission (locks, quota, placement), names,
   * conflict check, insert. Nothing is created unless everything is. With an idempotency key,
   * the key is claimed first and recorded with the rows (idempotency/idempotency-store.ts).
   */
  private async admitAndInsert(
    organization: Organization,
    region: string,
    requests: CreateRequest[],
    once?: IdempotentRequest,
  ): Promise<Creation> {
    const snapshots = [...new Map(requests.map(({ snapshot }) => [snapshot.id, snapshot])).values()];
    const lacking = new Map(await Promise.all(snapshots.map(async (s) => [s.id, await this.runnerImages.runnersLacking(s.ref)] as const)));
    const creation = await this.dataSource.transaction(async (manager): Promise<Creation> => {
      const earlier = await once?.claim(manager);
      if (earlier) return { rows: await this.rowsInOrder(manager, earlier), replayed: true };
      const admitted = await admitSandboxes(
        manager,
        organization.id,
        region,
        requests.map(({ snapshot, shape, count, allowUnder }) => ({ shape, count, allowUnder, unusableRunnerIds: lacking.get(snapshot.id) })),
        { allowUnisolatedRunners: this.config.allowUnisolatedRunners },
      );
      await this.snapshots.holdForCreate(manager, snapshots);
      const rows = requests.flatMap((request, index) => {
        const { runnerIds } = admitted[index];
        return request.names(runnerIds.length).map((name, n) =>
          newSandboxRow(organization, request.snapshot, region, {
            ...request.fields,
            ...request.shape,
            id: request.fields.id(),
            name,
            runnerId: runnerIds[n],
          }),
        );
      });
      assertNamesFree(await findTakenNames(manager, organization.id, rows.map((row) => row.name)));
      await insertSandboxRows(manager, rows);
      await once?.record(manager, rows.map((row) => row.id));
      return { rows, replayed: false };
    });
    if (!creation.replayed) {
      // Committed already: a failure here only leaves lastUsedAt behind.
      await this.snapshots.noteUsed(snapshots).catch((error: Error) => this.logger.warn(`Snapshot lastUsedAt not recorded: ${error.message}`));
    }
    return creation;
  }

  /** Current rows of `ids`, in the order given (ids not found are left out). */
  async getSandboxesInOrder(ids: string[]): Promise<SandboxDto[]> {
    return (await this.rowsInOrder(this.dataSource.manager, ids)).map(this.toDto);
  }

  private async rowsInOrder(manager: EntityManager, ids: string[]): Promise<Sandbox[]> {
    if (ids.length === 0) return [];
    const rows = await manager.createQueryBuilder(Sandbox, 's').where('s.id = ANY(:ids)', { ids }).getMany();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * A page of the organization's sandboxes, filtered, sorted (ties by id) and paged by offset
   * (`page`) or by keyset (`cursor`, the previous page's `nextCursor`: stable under inserts).
   */
  async listSandboxes(organizationId: string, query: ListSandboxesQueryDto): Promise<PaginatedSandboxesDto> {
    if (query.cursor !== undefined && query.page !== undefined) {
      throw new InvalidInputError('validation_failed', 'page and cursor cannot be used together', { field: 'cursor' });
    }
    const page = query.page ?? 1;
    const limit = query.limit ?? 100;
    const sort = query.sort ?? 'createdAt';
    const order = query.order ?? 'desc';
    const column = SORT_COLUMNS[sort];
    const direction = order === 'asc' ? 'ASC' : 'DESC';
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
    if (query.id !== undefined) builder.andWhere(`s.id::text LIKE :idPrefix`, { idPrefix: `${likePrefix(query.id.toLowerCase())}%` });
    if (query.name !== undefined) builder.andWhere(`s.name LIKE :namePrefix`, { namePrefix: `${likePrefix(query.name)}%` });
    if (query.snapshots?.length) builder.andWhere('s.snapshot_name IN (:...snapshots)', { snapshots: query.snapshots });
    const total = await builder.clone().getCount();
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor, sort, order);
      builder.andWhere(`(${column}, s.id) ${order === 'asc' ? '>' : '<'} (:afterValue, :afterId)`, { afterValue: after.value, afterId: after.id });
    } else {
      builder.skip((page - 1) * limit);
    }
    const rows = await builder.orderBy(column, direction).addOrderBy('s.id', direction).take(limit + 1).getMany();
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const nextCursor = more && last ? encodeCursor({ sort, order, value: cursorValue(last, sort), id: last.id }) : null;
    return { items: items.map(this.toDto), total, page, limit, totalPages: Math.ceil(total / limit), nextCursor };
  }

  async getSandbox(organizationId: string, idOrName: string): Promise<SandboxDto> {
    return this.toDto(await this.findSandbox(organizationId, idOrName));
  }

  /**
   * Destroys the sandbox on its runner. The intent is recorded first, so a late report from the
   * runner cannot bring it back; if the runner does not answer, its next sync destroys it.
   */
  async deleteSandbox(organizationId: string, idOrName: string): Promise<SandboxDto> {
    const sandbox = await this.findSandbox(organizationId, idOrName);
    if (sandbox.state === SandboxState.DESTROYED) return this.toDto(sandbox);
    await this.store.applyTo('api.destroy_requested', [sandbox.id]);
    const runner = sandbox.runnerId ? await this.dataSource.manager.findOneBy(Runner, { id: sandbox.runnerId }) : null;
    if (runner && runner.state === RunnerState.READY) {
      try {
        await this.runnerClient.destroySandbox(runner, sandbox.id);
      } catch (error) {
        if (!(error instanceof UnavailableError)) throw error;
        this.logger.warn(`Destroy of ${sandbox.id} deferred to its runner's next sync: ${error.message}`);
        return this.toDto(await this.findSandbox(organizationId, sandbox.id));
      }
    }
    // Done on the runner, or nothing to ask of it: a runner that is gone and comes back is told
    // by its first sync to destroy what is no longer wanted.
    await this.store.applyTo('api.destroy_completed', [sandbox.id]);
    return this.toDto(await this.findSandbox(organizationId, sandbox.id));
  }

  /** A sandbox of the organization, by id or name (see findSandbox). */
  async getSandboxEntity(organizationId: string, idOrName: string): Promise<Sandbox> {
    return this.findSandbox(organizationId, idOrName);
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

/** `text` as a LIKE pattern that matches it literally. */
function likePrefix(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function cursorValue(sandbox: Sandbox, sort: SandboxSort): string {
  const value = { createdAt: sandbox.createdAt, updatedAt: sandbox.updatedAt, lastActivityAt: sandbox.lastActivityAt, name: sandbox.name, state: sandbox.state }[sort];
  return value instanceof Date ? value.toISOString() : value;
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

/** `shape` (what `what` needs per sandbox) within the organization's per-sandbox maxima. */
export function assertWithinPerSandboxLimits(organization: Organization, shape: Resources, what: string): void {
  const limits = {
    cpu: organization.maxCpuPerSandbox,
    memory: organization.maxMemoryPerSandbox,
    disk: organization.maxDiskPerSandbox,
  };
  for (const resource of RESOURCES) {
    if (shape[resource] > limits[resource]) {
      throw new ForbiddenError(
        'sandbox_limit_exceeded',
        `${what} needs ${shape[resource]} ${resource} per sandbox; the organization allows ${limits[resource]}`,
        { resource, requested: shape[resource], limit: limits[resource] },
      );
    }
  }
}

/** The intervals a create asked for, with Daytona's defaults. */
function lifecycleOf(fields: SandboxLifecycleFieldsDto): SandboxLifecycle {
  return {
    autoStopInterval: fields.autoStopInterval ?? DEFAULT_AUTO_STOP_MINUTES,
    autoArchiveInterval: fields.autoArchiveInterval ?? 0,
    autoDeleteInterval: fields.autoDeleteInterval ?? -1,
  };
}

interface SandboxLifecycle {
  autoStopInterval: number;
  autoArchiveInterval: number;
  autoDeleteInterval: number;
}

export interface BulkCreateOptions {
  signal?: AbortSignal;
  idempotencyKey?: string;
  /** With awaitStarted: each sandbox's state when the wait begins, then every change, as it happens. */
  onProgress?: (change: SandboxProgress) => void;
}

export type SandboxProgress = SandboxStateChange & { name: string };

/** Sandboxes of one create: made now (to dispatch), or by an earlier request with the same Idempotency-Key. */
interface Creation {
  rows: Sandbox[];
  replayed: boolean;
}

interface CreateRequest {
  snapshot: Snapshot;
  /** Resources of each sandbox: the snapshot's, or what a create asked for. */
  shape: Resources;
  count: number;
  allowUnder: boolean;
  /** Names for the sandboxes admitted, which may be fewer than `count` with allowUnder. */
  names: (admitted: number) => string[];
  fields: { id: () => string; env: Record<string, string>; labels: Record<string, string>; osUser: string } & SandboxLifecycle & SandboxNetwork;
}

export interface NewSandboxFields extends SandboxLifecycle, SandboxNetwork, Resources {
  id: string;
  name: string;
  runnerId: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  osUser: string;
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
    imageRef: snapshot.ref,
    region,
    state: SandboxState.CREATING,
    desiredState: SandboxDesiredState.STARTED,
    errorReason: null,
    recoverable: false,
    acknowledgedAt: null,
    stateEnteredAt: now,
    lastActivityAt: now,
    createdAt: now,
    updatedAt: now,
  });
}
