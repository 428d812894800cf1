/**
 * The toolbox part of the runner API (API -> runner, same token): code runs, file operations
 * inside the sandbox, and process sessions. File bodies are raw streams (zod cannot validate
 * them), so what travels with them is in the query and is validated here.
 */
import { z } from 'zod';
import { MAX_COMMAND_BYTES, MAX_EXEC_TIMEOUT_SECONDS, MAX_PATH_LENGTH } from './limits.js';
import { envVars, text } from './sandbox.js';

/** Code of one code run, in UTF-8 bytes: it is one argument of the interpreter, like a command of /bin/sh. */
export const MAX_CODE_BYTES = MAX_COMMAND_BYTES;
export const MAX_CODE_ARGS = 256;
/** Sessions one sandbox holds at once; commands remembered per session (the oldest finished go first). */
export const MAX_SESSIONS_PER_SANDBOX = 32;
export const MAX_COMMANDS_PER_SESSION = 1_000;
export const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Octal permission bits of a new folder. */
export const FILE_MODE = /^0?[0-7]{3,4}$/;

const utf8AtMost = (max: number) => (value: string) => Buffer.byteLength(value) <= max;

export const codeLanguage = z.enum(['python', 'javascript', 'typescript']);
export type CodeLanguage = z.infer<typeof codeLanguage>;

/** POST /sandboxes/:id/code-run */
export const codeRunRequest = z.strictObject({
  code: text(1, MAX_CODE_BYTES).refine(utf8AtMost(MAX_CODE_BYTES), `must be at most ${MAX_CODE_BYTES} bytes in UTF-8`),
  language: codeLanguage,
  argv: z.array(text(0, MAX_PATH_LENGTH)).max(MAX_CODE_ARGS).optional(),
  env: envVars.optional(),
  timeout: z.number().int().min(1).max(MAX_EXEC_TIMEOUT_SECONDS).optional(),
});
export type CodeRunRequest = z.infer<typeof codeRunRequest>;

/** Query of every file route that names one path. */
export const filePathQuery = z.strictObject({ path: text(1, MAX_PATH_LENGTH) });
export const deleteFileQuery = filePathQuery.extend({ recursive: z.enum(['true', 'false']).optional() });
export const createFolderQuery = filePathQuery.extend({ mode: z.string().regex(FILE_MODE, 'must be octal permission bits such as 0755') });
export const moveFileQuery = z.strictObject({ source: text(1, MAX_PATH_LENGTH), destination: text(1, MAX_PATH_LENGTH) });
/**
 * PUT /sandboxes/:id/files/upload?path=&maxBytes=: the body is the file. More than maxBytes is
 * refused (413 file_too_large) and nothing is left behind, nor for a body that ends early.
 */
export const uploadFileQuery = filePathQuery.extend({ maxBytes: z.string().regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer') });

/** The official toolbox's FileInfo; every field is always there. */
export const fileInfo = z.strictObject({
  name: z.string(),
  /** Absolute, inside the sandbox. */
  path: z.string(),
  isDir: z.boolean(),
  size: z.number().int().nonnegative(),
  /** As `ls -l` shows it: `-rw-r--r--`. */
  mode: z.string(),
  /** Octal: `0644`. */
  permissions: z.string(),
  /** Names from the sandbox's own /etc/passwd and /etc/group, else the number. */
  owner: z.string(),
  group: z.string(),
  /** RFC 3339. */
  modTime: z.string(),
  modifiedAt: z.string(),
});
export type FileInfo = z.infer<typeof fileInfo>;

/** GET /sandboxes/:id/files?path= */
export const listFilesResponse = z.strictObject({ files: z.array(fileInfo) });
export type ListFilesResponse = z.infer<typeof listFilesResponse>;

/** 200 of PUT /files/upload: what was written. */
export const uploadFileResponse = z.strictObject({ path: z.string(), size: z.number().int().nonnegative() });
export type UploadFileResponse = z.infer<typeof uploadFileResponse>;

/** 200 of DELETE /files, POST /files/folder and /files/move. */
export const fileOperationResponse = z.strictObject({});

/** GET /sandboxes/:id/files/download?path=: the file, with its size here (and in content-length). */
export const FILE_SIZE_HEADER = 'x-daytona-file-size';

/** GET /sandboxes/:id/toolbox-info: where relative paths start, and where commands run. */
export const toolboxInfoResponse = z.strictObject({ homeDir: z.string(), workDir: z.string() });
export type ToolboxInfoResponse = z.infer<typeof toolboxInfoResponse>;

export const sessionId = z.string().regex(SESSION_ID, 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** POST /sandboxes/:id/sessions */
export const createSessionRequest = z.strictObject({ sessionId });
export type CreateSessionRequest = z.infer<typeof createSessionRequest>;

/** POST /sandboxes/:id/sessions/:sessionId/exec */
export const sessionExecuteRequest = z.strictObject({
  command: text(1, MAX_COMMAND_BYTES).refine(utf8AtMost(MAX_COMMAND_BYTES), `must be at most ${MAX_COMMAND_BYTES} bytes in UTF-8`),
  runAsync: z.boolean().optional(),
});
export type SessionExecuteRequest = z.infer<typeof sessionExecuteRequest>;

export const sessionCommand = z.strictObject({
  id: z.string(),
  command: z.string(),
  /** Absent while it runs (or waits for the commands before it). */
  exitCode: z.number().int().optional(),
});
export type SessionCommand = z.infer<typeof sessionCommand>;

export const session = z.strictObject({ sessionId: z.string(), commands: z.array(sessionCommand) });
export type Session = z.infer<typeof session>;

export const listSessionsResponse = z.strictObject({ sessions: z.array(session) });
export type ListSessionsResponse = z.infer<typeof listSessionsResponse>;

/** A command's output: stdout and stderr interleaved as produced, and each apart; bounded. */
export const sessionCommandLogs = z.strictObject({ output: z.string(), stdout: z.string(), stderr: z.string(), truncated: z.boolean() });
export type SessionCommandLogs = z.infer<typeof sessionCommandLogs>;

/** Answer to exec: at once with runAsync, else once the command has ended (or still running after an hour). */
export const sessionExecuteResponse = z.strictObject({
  cmdId: z.string(),
  exitCode: z.number().int().optional(),
  output: z.string().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
});
export type SessionExecuteResponse = z.infer<typeof sessionExecuteResponse>;

/**
 * Codes of toolbox failures, with the status both ends answer them with: the runner's answer
 * reaches the caller as it is.
 */
export const TOOLBOX_ERROR_STATUS = {
  file_not_found: 404,
  file_permission_denied: 403,
  not_a_directory: 400,
  is_a_directory: 400,
  file_name_too_long: 400,
  directory_not_empty: 409,
  file_exists: 409,
  filesystem_error: 409,
  file_too_large: 413,
  upload_incomplete: 400,
  interpreter_not_found: 422,
  session_not_found: 404,
  command_not_found: 404,
  session_exists: 409,
  session_ended: 409,
  session_limit_exceeded: 409,
} as const;
export type ToolboxErrorCode = keyof typeof TOOLBOX_ERROR_STATUS;

export function isToolboxErrorCode(code: string): code is ToolboxErrorCode {
  return Object.hasOwn(TOOLBOX_ERROR_STATUS, code);
}
