import { Injectable } from '@nestjs/common';
import { fileInfo, fileOperationResponse, listFilesResponse, toolboxInfoResponse } from '@daytona/runner-contract';
import type { DirectoryDto, FileInfoDto } from '../dto/file-info.dto.js';
import { RunnerToolboxClient } from './runner-toolbox-client.js';
import { ToolboxTargets } from './toolbox-target.js';

const DEFAULT_FOLDER_MODE = '0755';

/** File operations that answer JSON, done inside the sandbox as its user by its runner. */
@Injectable()
export class ToolboxFilesService {
  constructor(
    private readonly targets: ToolboxTargets,
    private readonly toolbox: RunnerToolboxClient,
  ) {}

  async listFiles(organizationId: string, sandboxId: string, path: string): Promise<FileInfoDto[]> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    return (await this.toolbox.json(target, 'GET', 'files', listFilesResponse, { query: { path } })).files;
  }

  async getFileInfo(organizationId: string, sandboxId: string, path: string): Promise<FileInfoDto> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    return this.toolbox.json(target, 'GET', 'files/info', fileInfo, { query: { path } });
  }

  async deleteFile(organizationId: string, sandboxId: string, path: string, recursive: boolean): Promise<void> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    await this.toolbox.json(target, 'DELETE', 'files', fileOperationResponse, { query: { path, recursive: String(recursive) } });
  }

  async createFolder(organizationId: string, sandboxId: string, path: string, mode = DEFAULT_FOLDER_MODE): Promise<void> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    await this.toolbox.json(target, 'POST', 'files/folder', fileOperationResponse, { query: { path, mode } });
  }

  async moveFile(organizationId: string, sandboxId: string, source: string, destination: string): Promise<void> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    await this.toolbox.json(target, 'POST', 'files/move', fileOperationResponse, { query: { source, destination } });
  }

  /** HOME of the sandbox's user, where relative paths start. */
  async userHomeDir(organizationId: string, sandboxId: string): Promise<DirectoryDto> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    return { dir: (await this.toolbox.json(target, 'GET', 'toolbox-info', toolboxInfoResponse)).homeDir };
  }

  /** The image's WorkingDir, where commands run. */
  async workDir(organizationId: string, sandboxId: string): Promise<DirectoryDto> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    return { dir: (await this.toolbox.json(target, 'GET', 'toolbox-info', toolboxInfoResponse)).workDir };
  }
}
