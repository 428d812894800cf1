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
export type { DaytonaConfig } from './config.js';
export { BULK_REQUEST_LABEL, Sandbox } from './Sandbox.js';
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
} from './errors.js';
// The generated enum: a const object (SandboxState.STARTED === 'started') and a string union type.
export { SandboxState } from '@daytonaio/api-client';
