import { pipeline } from 'node:stream/promises';
import {
  codeRunRequest,
  createFolderQuery,
  createSessionRequest,
  deleteFileQuery,
  FILE_SIZE_HEADER,
  filePathQuery,
  moveFileQuery,
  parseContract,
  sessionExecuteRequest,
  uploadFileQuery,
  type ExecuteCommandResponse,
  type FileInfo,
  type ListFilesResponse,
  type ListSessionsResponse,
  type ToolboxInfoResponse,
} from '@daytona/runner-contract';
import type { z } from 'zod';
import { ValidationError } from '../errors/runner-error.js';
import { parseRequest } from '../http/request-validation.js';
import type { Route, RouteResult } from '../http/runner-routes.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import { runCode, type CodeRunOptions } from './code-run.js';
import { createFolder, deleteFile, fileInfo, listFiles, moveFile, openDownload, writeUpload } from './sandbox-files.js';
import type { ToolboxSessions } from './sessions/toolbox-sessions.js';

export interface ToolboxRouteDependencies {
  manager: SandboxManager;
  sessions: ToolboxSessions;
  codeRun: CodeRunOptions;
}

const SANDBOX = '/sandboxes/([^/]+)';
const SESSION = `${SANDBOX}/sessions/([^/]+)`;
const ok = (body: unknown): RouteResult => ({ status: 200, body });

/** The toolbox routes of the runner API: thin handlers over the started sandbox's processes. */
export function toolboxRoutes({ manager, sessions, codeRun }: ToolboxRouteDependencies): Route[] {
  const running = (id: string) => manager.runningSandbox(id);
  const route = (method: string, path: string, readsBody: boolean, handle: Route['handle']): Route => ({ method, path: new RegExp(`^${path}$`), readsBody, handle });
  return [
    route('POST', `${SANDBOX}/code-run`, true, async ([id], body) => ok((await runCode(running(id), parseRequest(codeRunRequest, body), codeRun)) satisfies ExecuteCommandResponse)),
    route('GET', `${SANDBOX}/toolbox-info`, false, async ([id]) => ok(running(id).directories satisfies ToolboxInfoResponse)),

    route('GET', `${SANDBOX}/files`, false, async ([id], _, { query }) => {
      const { path } = parseQuery(filePathQuery, query);
      return ok({ files: await listFiles(running(id), path) } satisfies ListFilesResponse);
    }),
    route('GET', `${SANDBOX}/files/info`, false, async ([id], _, { query }) => ok((await fileInfo(running(id), parseQuery(filePathQuery, query).path)) satisfies FileInfo)),
    route('DELETE', `${SANDBOX}/files`, false, async ([id], _, { query }) => {
      const { path, recursive } = parseQuery(deleteFileQuery, query);
      return ok(await deleteFile(running(id), path, recursive === 'true'));
    }),
    route('POST', `${SANDBOX}/files/folder`, false, async ([id], _, { query }) => {
      const { path, mode } = parseQuery(createFolderQuery, query);
      return ok(await createFolder(running(id), path, mode));
    }),
    route('POST', `${SANDBOX}/files/move`, false, async ([id], _, { query }) => {
      const { source, destination } = parseQuery(moveFileQuery, query);
      return ok(await moveFile(running(id), source, destination));
    }),
    route('GET', `${SANDBOX}/files/download`, false, async ([id], _, { query, response }) => {
      const download = await openDownload(running(id), parseQuery(filePathQuery, query).path);
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': download.size, [FILE_SIZE_HEADER]: download.size });
      response.once('close', () => {
        if (!response.writableFinished) download.abort();
      });
      await pipeline(download.stream, response).catch(() => undefined);
      // A helper that failed midway leaves the answer short of its content-length: the API sees it broken.
      await download.finished.catch(() => response.destroy());
      return null;
    }),
    route('PUT', `${SANDBOX}/files/upload`, false, async ([id], _, { query, request }) => {
      const { path, maxBytes } = parseQuery(uploadFileQuery, query);
      if (Number(request.headers['content-length'] ?? 0) > Number(maxBytes)) {
        return { status: 413, body: { statusCode: 413, code: 'file_too_large', message: `The file is larger than ${maxBytes} bytes` } };
      }
      return ok(await writeUpload(running(id), path, Number(maxBytes), request));
    }),

    route('POST', `${SANDBOX}/sessions`, true, async ([id], body) => {
      sessions.create(running(id), parseRequest(createSessionRequest, body).sessionId);
      return ok({});
    }),
    route('GET', `${SANDBOX}/sessions`, false, async ([id]) => ok({ sessions: sessions.list(running(id)) } satisfies ListSessionsResponse)),
    route('GET', SESSION, false, async ([id, sessionId]) => ok(sessions.get(running(id), sessionId))),
    route('DELETE', SESSION, false, async ([id, sessionId]) => {
      sessions.delete(running(id), sessionId);
      return ok({});
    }),
    route('POST', `${SESSION}/exec`, true, async ([id, sessionId], body) => ok(await sessions.execute(running(id), sessionId, parseRequest(sessionExecuteRequest, body)))),
    route('GET', `${SESSION}/commands/([^/]+)`, false, async ([id, sessionId, commandId]) => ok(sessions.command(running(id), sessionId, commandId))),
    route('GET', `${SESSION}/commands/([^/]+)/logs`, false, async ([id, sessionId, commandId]) => ok(sessions.logs(running(id), sessionId, commandId))),
  ];
}

/** Query parameters against a contract schema; a repeated one is refused, not picked. */
function parseQuery<T extends z.ZodType>(schema: T, query: URLSearchParams): z.infer<T> {
  const values: Record<string, string> = {};
  for (const [key, value] of query) {
    if (Object.hasOwn(values, key)) throw new ValidationError(`${key}: given more than once`);
    values[key] = value;
  }
  const parsed = parseContract(schema, values);
  if (!parsed.ok) throw new ValidationError(parsed.violation.message);
  return parsed.value;
}
