import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { RunnerErrorBody } from '@daytona/runner-contract';
import { RunnerError } from '../errors/runner-error.js';
import type { Logger } from '../logging/logger.js';
import { hasApiToken } from './bearer-auth.js';
import { ERROR_STATUS } from './error-status.js';
import { readJsonBody } from './json-body.js';
import type { Route } from './runner-routes.js';

/**
 * Plain node:http server for the runner API: every request needs the API's token (answered by the
 * runner's registration; `token()` is null until then), every error is
 * a RunnerErrorBody, and nothing a client sends can take the process down.
 */
export function createRunnerHttpServer(routes: Route[], token: () => string | null, logger: Logger): http.Server {
  const server = http.createServer((request, response) => {
    handleRequest(routes, token, request, response).catch((error: Error) => {
      logger.error(`${request.method} ${request.url}: ${error.stack ?? error.message}`);
      if (!response.headersSent) sendError(response, new RunnerError('internal_error', 'Internal error'));
      else response.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

async function handleRequest(routes: Route[], token: () => string | null, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    if (!hasApiToken(request.headers.authorization, token())) {
      throw new RunnerError('unauthenticated', 'Missing or invalid token (Authorization: Bearer <the API token this runner enrolled with>)');
    }
    const url = new URL(request.url ?? '/', 'http://runner');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    for (const route of routes) {
      const match = route.method === method ? route.path.exec(path) : null;
      if (!match) continue;
      const params = match.slice(1).map(decodePathParam);
      const body = route.readsBody ? await readJsonBody(request) : undefined;
      const result = await route.handle(params, body, { query: url.searchParams, request, response });
      // null: the route streamed its answer itself.
      if (result) sendJson(response, result.status, result.body);
      return;
    }
    throw new RunnerError('route_not_found', `No route ${method} ${path}`);
  } catch (error) {
    if (!(error instanceof RunnerError)) throw error;
    if (response.headersSent) response.destroy();
    else sendError(response, error);
  }
}

function decodePathParam(param: string): string {
  try {
    return decodeURIComponent(param);
  } catch {
    throw new RunnerError('validation_failed', `Malformed path segment ${JSON.stringify(param)}`);
  }
}

function sendError(response: ServerResponse, error: RunnerError): void {
  const body: RunnerErrorBody = { statusCode: ERROR_STATUS[error.code], code: error.code, message: error.message };
  sendJson(response, body.statusCode, body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  // A request answered before its body was read (401, 413, errors) cannot keep the connection.
  if (!response.req.complete) headers.connection = 'close';
  response.writeHead(status, headers).end(text);
}
