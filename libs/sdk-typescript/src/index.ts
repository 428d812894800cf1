export { Daytona } from './Daytona.js';
export type {
  BulkCreateItem,
  BulkCreateOptions,
  BulkDeleteSelector,
  CreateSandboxOptions,
  CreateSandboxParams,
  ListSandboxesParams,
  PaginatedSandboxes,
} from './Daytona.js';
export type { BulkCreateProgress } from './bulk-create-stream.js';
export { resolveConfig } from './config.js';
export type { DaytonaConfig, ResolvedConfig } from './config.js';
export { BULK_REQUEST_LABEL, Sandbox } from './Sandbox.js';
export { SnapshotService } from './SnapshotService.js';
export type { CreateSnapshotOptions, CreateSnapshotParams, PaginatedSnapshots, Resources, Snapshot } from './SnapshotService.js';
export { Process } from './Process.js';
export type { CodeRunParams, ExecuteResponse } from './Process.js';
export { FileSystem } from './FileSystem.js';
export type { FileDownloadErrorDetails, FileDownloadRequest, FileDownloadResponse, FileUpload } from './FileSystem.js';
// Shapes of the toolbox's answers, as the generated client declares them.
export type {
  Command,
  FileInfo,
  Session,
  SessionCommandLogsResponse,
  SessionExecuteRequest,
  SessionExecuteResponse,
} from '@daytonaio/api-client';
export {
  DaytonaError,
  DaytonaValidationError,
  DaytonaAuthenticationError,
  DaytonaAuthorizationError,
  DaytonaNotFoundError,
  DaytonaConflictError,
  DaytonaRateLimitError,
  DaytonaServerError,
  DaytonaTimeoutError,
  DaytonaConnectionError,
  DaytonaSandboxStateError,
  DaytonaSnapshotStateError,
} from './errors.js';
// The generated enum: a const object (SandboxState.STARTED === 'started') and a string union type.
export { SandboxState, SnapshotState } from '@daytonaio/api-client';
