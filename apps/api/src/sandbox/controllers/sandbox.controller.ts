import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { AuthContext, type OrganizationAuthContext } from '../../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../../auth/permissions.js';
import type { Request, Response } from 'express';
import { abortedOnClose } from '../../common/http/aborted-on-close.js';
import { NDJSON, NdjsonResponse, prefersNdjson } from '../../common/http/ndjson-response.js';
import { ApiErrorResponses } from '../../openapi/api-error-responses.js';
import { BulkCreateProgressDto, BulkCreateProgressType } from '../dto/bulk-create-progress.dto.js';
import { BulkCreateSandboxDto } from '../dto/bulk-create-sandbox.dto.js';
import { BulkDeleteSandboxesDto, BulkDeleteSandboxesResultDto } from '../dto/bulk-delete-sandboxes.dto.js';
import { CreateSandboxDto } from '../dto/create-sandbox.dto.js';
import { ListSandboxesQueryDto } from '../dto/list-sandboxes-query.dto.js';
import { PaginatedSandboxesDto } from '../dto/paginated-sandboxes.dto.js';
import { SandboxDto } from '../dto/sandbox.dto.js';
import { SandboxBulkDelete } from '../services/sandbox-bulk-delete.js';
import { SandboxService, type SandboxProgress } from '../services/sandbox.service.js';
import { ApiIdempotencyKeyHeader, IdempotencyKey } from '../idempotency/idempotency-key-header.js';

/** Resolving the snapshot to create from. */
const SNAPSHOT_USE = ['snapshot_not_found', 'snapshot_not_active', 'snapshot_not_in_region'] as const;
/** Admission: limits, quota, names, runner capacity. */
const ADMISSION = ['sandbox_limit_exceeded', 'quota_exceeded', 'name_conflict', 'insufficient_capacity'] as const;
/** With an Idempotency-Key. */
const IDEMPOTENCY = ['idempotency_key_reused', 'idempotency_key_in_progress'] as const;

@ApiTags('sandbox')
@Controller('sandbox')
export class SandboxController {
  constructor(
    private readonly sandboxService: SandboxService,
    private readonly bulkDelete: SandboxBulkDelete,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a sandbox from a snapshot', operationId: 'createSandbox' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiIdempotencyKeyHeader()
  @ApiErrorResponses('reserved_label', 'unsupported_field', 'unknown_region', ...SNAPSHOT_USE, ...ADMISSION, ...IDEMPOTENCY)
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SANDBOXES])
  async createSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Body() dto: CreateSandboxDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
  ): Promise<SandboxDto> {
    return this.sandboxService.createFromSnapshot(dto, auth.organization, { idempotencyKey });
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bulk create sandboxes',
    description:
      'Creates up to 10,000 sandboxes from snapshots in one call: all or nothing, admitted item by item ' +
      'against the quota and runner capacity, named {prefix}-{n}, each labelled daytona.io/bulk-request with the ' +
      "request's id. Answers in item order, then name order.\n\n" +
      'With Accept: application/x-ndjson the answer is a stream of BulkCreateProgress lines: with awaitStarted, ' +
      "one line per sandbox with its state when the wait begins, then one per state change as it happens, then a " +
      'last line (type "result") with every sandbox; without awaitStarted, only the last line. Errors found before ' +
      'the first line (any 4xx or 5xx below) are the usual JSON error bodies. A client that disconnects drops the ' +
      'wait; creation goes on.',
    operationId: 'bulkCreateSandbox',
  })
  @ApiExtraModels(BulkCreateProgressDto)
  @ApiResponse({
    status: 200,
    description: 'The sandboxes (application/json), or their progress as NDJSON (application/x-ndjson)',
    content: {
      'application/json': { schema: { type: 'array', items: { $ref: getSchemaPath(SandboxDto) } } },
      [NDJSON]: { schema: { $ref: getSchemaPath(BulkCreateProgressDto) } },
    },
  })
  @ApiIdempotencyKeyHeader()
  @ApiErrorResponses('bulk_total_exceeded', 'duplicate_name_prefix', 'bulk_data_too_large', 'reserved_label', ...SNAPSHOT_USE, ...ADMISSION, ...IDEMPOTENCY)
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SANDBOXES])
  async bulkCreateSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Body() dto: BulkCreateSandboxDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const signal = abortedOnClose(response);
    if (!prefersNdjson(request)) {
      response.status(200).json(await this.sandboxService.bulkCreate(dto, auth.organization, { signal, idempotencyKey }));
      return;
    }
    const stream = new NdjsonResponse(response);
    const onProgress = (change: SandboxProgress) => stream.write({ type: BulkCreateProgressType.STATE, ...change });
    const sandboxes = await this.sandboxService.bulkCreate(dto, auth.organization, { signal, idempotencyKey, onProgress });
    stream.end({ type: BulkCreateProgressType.RESULT, sandboxes });
  }

  @Post('bulk-delete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delete every sandbox matching labels, a name prefix or ids',
    description:
      'Marks for destruction every live sandbox of the organization that matches all the selectors given (at least ' +
      'one), at most BULK_MAX_TOTAL_COUNT (10,000 by default) per call: when more match, hasMore is true and the ' +
      'next call takes the next ones. Answers once they are marked (state destroying) and their runners are told; ' +
      'each becomes destroyed when its runner has removed it. Sandboxes already being destroyed are not counted.',
    operationId: 'bulkDeleteSandboxes',
  })
  @ApiOkResponse({ type: BulkDeleteSandboxesResultDto })
  @ApiErrorResponses('empty_selector')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.DELETE_SANDBOXES])
  async bulkDeleteSandboxes(
    @AuthContext() auth: OrganizationAuthContext,
    @Body() dto: BulkDeleteSandboxesDto,
  ): Promise<BulkDeleteSandboxesResultDto> {
    return this.bulkDelete.destroyMatching(auth.organization.id, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List sandboxes', operationId: 'listSandboxes' })
  @ApiOkResponse({ type: PaginatedSandboxesDto })
  @ApiErrorResponses('invalid_labels', 'invalid_cursor')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.READ_SANDBOXES])
  async listSandboxes(
    @AuthContext() auth: OrganizationAuthContext,
    @Query() query: ListSandboxesQueryDto,
  ): Promise<PaginatedSandboxesDto> {
    return this.sandboxService.listSandboxes(auth.organization.id, query);
  }

  @Get(':sandboxIdOrName')
  @ApiOperation({ summary: 'Get a sandbox by id or name', operationId: 'getSandbox' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.READ_SANDBOXES])
  async getSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxIdOrName') sandboxIdOrName: string,
  ): Promise<SandboxDto> {
    return this.sandboxService.getSandbox(auth.organization.id, sandboxIdOrName);
  }

  @Delete(':sandboxIdOrName')
  @ApiOperation({ summary: 'Delete a sandbox', operationId: 'deleteSandbox' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.DELETE_SANDBOXES])
  async deleteSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxIdOrName') sandboxIdOrName: string,
  ): Promise<SandboxDto> {
    return this.sandboxService.deleteSandbox(auth.organization.id, sandboxIdOrName);
  }
}
