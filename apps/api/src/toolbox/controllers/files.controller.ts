import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthContext, type OrganizationAuthContext } from '../../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../../auth/permissions.js';
import { ApiErrorResponses } from '../../openapi/api-error-responses.js';
import { DirectoryDto, FileInfoDto, FilesDownloadDto, UploadedFileDto, UploadedFilesDto } from '../dto/file-info.dto.js';
import { CreateFolderQueryDto, DeleteFileQueryDto, FilePathQueryDto, MoveFileQueryDto } from '../dto/file-query.dto.js';
import { FileTransferService } from '../services/file-transfer.service.js';
import { ToolboxFilesService } from '../services/toolbox-files.service.js';

const SANDBOX_ERRORS = ['sandbox_not_found', 'sandbox_not_started', 'sandbox_parked', 'runner_unavailable', 'runner_error'] as const;
/** What the sandbox's own filesystem can answer about a path. */
const PATH_ERRORS = ['file_not_found', 'file_permission_denied', 'not_a_directory', 'file_name_too_long', 'filesystem_error'] as const;
const READ = [OrganizationResourcePermission.READ_SANDBOXES];
const WRITE = [OrganizationResourcePermission.WRITE_SANDBOXES];

@ApiTags('toolbox')
@Controller('toolbox')
export class FilesController {
  constructor(
    private readonly files: ToolboxFilesService,
    private readonly transfers: FileTransferService,
  ) {}

  @Get(':sandboxId/files')
  @ApiOperation({ summary: 'List a directory of the sandbox', operationId: 'listFiles' })
  @ApiOkResponse({ type: [FileInfoDto], description: 'Its entries, unsorted; a symlink is listed as itself' })
  @ApiErrorResponses(...SANDBOX_ERRORS, ...PATH_ERRORS)
  @RequiredOrganizationResourcePermissions(READ)
  listFiles(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Query() query: FilePathQueryDto): Promise<FileInfoDto[]> {
    return this.files.listFiles(auth.organization.id, sandboxId, query.path);
  }

  @Get(':sandboxId/files/info')
  @ApiOperation({ summary: 'Details of a file or directory (symlinks followed)', operationId: 'getFileInfo' })
  @ApiOkResponse({ type: FileInfoDto })
  @ApiErrorResponses(...SANDBOX_ERRORS, ...PATH_ERRORS)
  @RequiredOrganizationResourcePermissions(READ)
  getFileInfo(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Query() query: FilePathQueryDto): Promise<FileInfoDto> {
    return this.files.getFileInfo(auth.organization.id, sandboxId, query.path);
  }

  @Delete(':sandboxId/files')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a file, or a directory (with recursive=true unless empty)', operationId: 'deleteFile' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponses(...SANDBOX_ERRORS, ...PATH_ERRORS, 'directory_not_empty')
  @RequiredOrganizationResourcePermissions(WRITE)
  deleteFile(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Query() query: DeleteFileQueryDto): Promise<void> {
    return this.files.deleteFile(auth.organization.id, sandboxId, query.path, query.recursive ?? false);
  }

  @Post(':sandboxId/files/folder')
  @HttpCode(204)
  @ApiOperation({ summary: 'Create a directory and its missing parents (no error if it exists)', operationId: 'createFolder' })
  @ApiNoContentResponse({ description: 'It exists' })
  @ApiErrorResponses(...SANDBOX_ERRORS, ...PATH_ERRORS, 'file_exists')
  @RequiredOrganizationResourcePermissions(WRITE)
  createFolder(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Query() query: CreateFolderQueryDto): Promise<void> {
    return this.files.createFolder(auth.organization.id, sandboxId, query.path, query.mode);
  }

  @Post(':sandboxId/files/move')
  @HttpCode(204)
  @ApiOperation({ summary: 'Move or rename a file or directory (a file at the destination is replaced)', operationId: 'moveFile' })
  @ApiNoContentResponse({ description: 'Moved' })
  @ApiErrorResponses(...SANDBOX_ERRORS, ...PATH_ERRORS, 'is_a_directory', 'directory_not_empty', 'file_exists')
  @RequiredOrganizationResourcePermissions(WRITE)
  moveFile(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Query() query: MoveFileQueryDto): Promise<void> {
    return this.files.moveFile(auth.organization.id, sandboxId, query.source, query.destination);
  }

  @Get(':sandboxId/files/download')
  @ApiOperation({ summary: 'Download a file, streamed', operationId: 'downloadFile' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file, with its Content-Length', schema: { type: 'string', format: 'binary' } })
  @ApiErrorResponses(...SANDBOX_ERRORS, ...PATH_ERRORS, 'is_a_directory')
  @RequiredOrganizationResourcePermissions(READ)
  downloadFile(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Query() query: FilePathQueryDto, @Res() response: Response): Promise<void> {
    return this.transfers.downloadFile(auth.organization.id, sandboxId, query.path, response);
  }

  @Post(':sandboxId/files/bulk-download')
  @ApiOperation({
    summary: 'Download several files in one multipart/form-data answer, streamed',
    description:
      'One part per path, in order: `file` (filename: the path as given, Content-Length: its size) or, for a path that failed, ' +
      '`error` (filename: the path) with a JSON body `{message, statusCode, code}`.',
    operationId: 'downloadFiles',
  })
  @ApiProduces('multipart/form-data')
  @ApiOkResponse({ description: 'The parts, as they are read', schema: { type: 'string', format: 'binary' } })
  @ApiErrorResponses(...SANDBOX_ERRORS)
  @RequiredOrganizationResourcePermissions(READ)
  downloadFiles(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Body() dto: FilesDownloadDto, @Res() response: Response): Promise<void> {
    return this.transfers.downloadFiles(auth.organization.id, sandboxId, dto.paths, response);
  }

  @Post(':sandboxId/files/upload')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Upload a file, streamed (multipart part `file`)',
    description: 'Missing parents are created; a file there is replaced (keeping its permissions) only once the upload is complete. At most TOOLBOX_MAX_UPLOAD_BYTES (1 GiB by default): past it 413 file_too_large, and nothing is written.',
    operationId: 'uploadFile',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOkResponse({ type: UploadedFileDto })
  @ApiErrorResponses(...SANDBOX_ERRORS, ...PATH_ERRORS, 'is_a_directory', 'file_too_large')
  @RequiredOrganizationResourcePermissions(WRITE)
  uploadFile(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxId') sandboxId: string,
    @Query() query: FilePathQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UploadedFileDto> {
    return this.transfers.uploadFile(auth.organization.id, sandboxId, query.path, request, response);
  }

  @Post(':sandboxId/files/bulk-upload')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Upload several files, streamed, as the official SDKs send them',
    description:
      'multipart/form-data with, per file N, a field `files[N].path` and then a part `files[N].file`. Files are written as they arrive, ' +
      'each as by uploadFile; on a failure the files before it stay written.',
    operationId: 'uploadFiles',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', description: '`files[0].path`, `files[0].file`, `files[1].path`, …', additionalProperties: true } })
  @ApiOkResponse({ type: UploadedFilesDto })
  @ApiErrorResponses(...SANDBOX_ERRORS, ...PATH_ERRORS, 'is_a_directory', 'file_too_large')
  @RequiredOrganizationResourcePermissions(WRITE)
  uploadFiles(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxId') sandboxId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UploadedFilesDto> {
    return this.transfers.uploadFiles(auth.organization.id, sandboxId, request, response);
  }

  @Get(':sandboxId/user-home-dir')
  @ApiOperation({ summary: "The home directory of the sandbox's user (where relative paths start)", operationId: 'getUserHomeDir' })
  @ApiOkResponse({ type: DirectoryDto })
  @ApiErrorResponses(...SANDBOX_ERRORS)
  @RequiredOrganizationResourcePermissions(READ)
  getUserHomeDir(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string): Promise<DirectoryDto> {
    return this.files.userHomeDir(auth.organization.id, sandboxId);
  }

  @Get(':sandboxId/work-dir')
  @ApiOperation({ summary: "The sandbox's working directory (where commands run)", operationId: 'getWorkDir' })
  @ApiOkResponse({ type: DirectoryDto })
  @ApiErrorResponses(...SANDBOX_ERRORS)
  @RequiredOrganizationResourcePermissions(READ)
  getWorkDir(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string): Promise<DirectoryDto> {
    return this.files.workDir(auth.organization.id, sandboxId);
  }
}
