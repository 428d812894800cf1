import {
  createSandboxesRequest,
  destroySandboxesRequest,
  executeCommandRequest,
  pullImageRequest,
  type CreateSandboxesResponse,
  type DestroySandboxesResponse,
  type ExecuteCommandResponse,
  type ListRunnerSandboxesResponse,
  type RunnerHealthResponse,
  type RunnerHeldState,
  type RunnerImageStatus,
} from '@daytona/runner-contract';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunnerImages } from '../images/image-store.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import { parseRequest } from './request-validation.js';

export interface RouteResult {
  status: number;
  body: unknown;
}

/** What a route may need beyond its path parameters and JSON body: the query, and the raw streams. */
export interface RouteContext {
  query: URLSearchParams;
  request: IncomingMessage;
  response: ServerResponse;
}

export interface Route {
  method: string;
  path: RegExp;
  /** Whether the handler takes the JSON body (else the body is left unread, for the route to stream). */
  readsBody: boolean;
  /** The answer as JSON, or null when the route wrote its answer itself (streams). */
  handle(params: string[], body: unknown, context: RouteContext): Promise<RouteResult | null>;
}

export interface RouteDependencies {
  manager: SandboxManager;
  images: RunnerImages;
  health(): RunnerHealthResponse;
}

const SANDBOX = '/sandboxes/([^/]+)';

/** The runner's HTTP API: thin handlers, one call into the manager each. */
export function runnerRoutes({ manager, images, health }: RouteDependencies): Route[] {
  const stateOf = (id: string, state: RunnerHeldState): RouteResult => ({ status: 200, body: { id, state } });
  return [
    {
      method: 'GET',
      path: /^\/health$/,
      readsBody: false,
      handle: async () => ({ status: 200, body: health() satisfies RunnerHealthResponse }),
    },
    {
      method: 'POST',
      path: /^\/sandboxes$/,
      readsBody: true,
      handle: async (_, body) => {
        const request = parseRequest(createSandboxesRequest, body);
        return { status: 202, body: { accepted: manager.create(request.sandboxes) } satisfies CreateSandboxesResponse };
      },
    },
    {
      method: 'POST',
      path: /^\/sandboxes\/destroy$/,
      readsBody: true,
      handle: async (_, body) => {
        const request = parseRequest(destroySandboxesRequest, body);
        return { status: 202, body: { queued: manager.destroyMany(request.ids) } satisfies DestroySandboxesResponse };
      },
    },
    {
      method: 'GET',
      path: /^\/sandboxes$/,
      readsBody: false,
      handle: async () => ({ status: 200, body: { sandboxes: manager.list() } satisfies ListRunnerSandboxesResponse }),
    },
    {
      method: 'POST',
      path: new RegExp(`^${SANDBOX}/stop$`),
      readsBody: false,
      handle: async ([id]) => stateOf(id, await manager.stop(id)),
    },
    {
      method: 'POST',
      path: new RegExp(`^${SANDBOX}/start$`),
      readsBody: false,
      handle: async ([id]) => stateOf(id, await manager.start(id)),
    },
    {
      method: 'DELETE',
      path: new RegExp(`^${SANDBOX}$`),
      readsBody: false,
      handle: async ([id]) => {
        await manager.destroy(id);
        return stateOf(id, 'destroyed');
      },
    },
    {
      method: 'POST',
      path: /^\/images$/,
      readsBody: true,
      handle: async (_, body) => {
        const request = parseRequest(pullImageRequest, body);
        return { status: 202, body: images.request(request.ref) satisfies RunnerImageStatus };
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^${SANDBOX}/execute$`),
      readsBody: true,
      handle: async ([id], body) => {
        const request = parseRequest(executeCommandRequest, body);
        return { status: 200, body: (await manager.execute(id, request)) satisfies ExecuteCommandResponse };
      },
    },
  ];
}
