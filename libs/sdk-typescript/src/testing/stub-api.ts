// A real HTTP server standing in for the Daytona API in unit tests: the SDK, the generated
// client and axios all run for real; only the answers are canned.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox as SandboxDto, Snapshot as SnapshotDto } from '@daytonaio/api-client';
import { Daytona } from '../Daytona.js';
import type { RetryClock } from '../retry-policy.js';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent, e.g. `/api/sandbox?states=started`. */
  url: string;
  headers: IncomingMessage['headers'];
  /** Parsed when it is JSON; `raw` holds the bytes as sent. */
  body: unknown;
  raw: Buffer;
}

export interface CannedAnswer {
  status?: number;
  /** JSON, text, or bytes (a Buffer, sent as is: give its content-type in `headers`). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer: the request hangs until the client gives up. */
  hang?: boolean;
  /** Send the status line, headers and half the body, then drop the connection. */
  cut?: boolean;
  /** Reset the connection (TCP RST) without answering. */
  reset?: boolean;
  /**
   * Answer NDJSON (chunked): each piece of text is written as it comes, so a generator can hold
   * the rest back. With `cut`, the connection drops after the last piece instead of ending.
   */
  stream?: Iterable<string> | AsyncIterable<string>;
}

type Route = (request: RecordedRequest) => CannedAnswer;

export class StubApi {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Route>();
  private server?: Server;

  /** Base URL to give the SDK as `apiUrl`. */
  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api`;
  }

  /** Answers `METHOD /api/path` (path without query) with `answer`, or with what a function returns. */
  on(method: string, path: string, answer: CannedAnswer | Route): this {
    this.routes.set(`${method} /api${path}`, typeof answer === 'function' ? answer : () => answer);
    return this;
  }

  /** Answers successive calls with successive answers; the last one repeats. */
  onSequence(method: string, path: string, answers: CannedAnswer[]): this {
    let next = 0;
    return this.on(method, path, () => answers[Math.min(next++, answers.length - 1)]);
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.url.split('?')[0] === `/api${path}`);
  }

  async start(): Promise<this> {
    this.server = createServer(async (incoming, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const isJson = (incoming.headers['content-type'] ?? 'application/json').startsWith('application/json');
      const request: RecordedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: raw.length && isJson ? JSON.parse(raw.toString('utf8')) : undefined,
        raw,
      };
      this.requests.push(request);
      const route = this.routes.get(`${request.method} ${request.url.split('?')[0]}`);
      const answer = route ? route(request) : { status: 404, body: { statusCode: 404, code: 'route_not_found', message: 'no stub' } };
      if (answer.hang) return;
      if (answer.reset) return incoming.socket.resetAndDestroy();
      if (answer.stream) {
        response.writeHead(answer.status ?? 200, { 'content-type': 'application/x-ndjson; charset=utf-8', ...answer.headers });
        for await (const piece of answer.stream) {
          if (response.destroyed) return;
          await new Promise((resolve) => response.write(piece, resolve));
        }
        return answer.cut ? incoming.socket.destroy() : response.end();
      }
      const body = Buffer.isBuffer(answer.body)
        ? answer.body
        : Buffer.from(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      response.writeHead(answer.status ?? 200, {
        'content-type': Buffer.isBuffer(answer.body) ? 'application/octet-stream' : typeof answer.body === 'string' ? 'text/plain' : 'application/json',
        'content-length': String(body.length),
        ...answer.headers,
      });
      if (!answer.cut) return response.end(body);
      response.write(body.slice(0, Math.floor(body.length / 2)), () => incoming.socket.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A sandbox as the API returns it. */
export function sandboxDto(overrides: Partial<SandboxDto> = {}): SandboxDto {
  const now = new Date('2026-01-01T00:00:00.000Z').toISOString();
  return {
    id: randomUUID(),
    organizationId: randomUUID(),
    name: 'sandbox-00001',
    snapshot: 'default',
    runnerId: randomUUID(),
    region: 'local',
    state: 'creating',
    desiredState: 'started',
    cpu: 1,
    memory: 1,
    disk: 1,
    env: {},
    labels: {},
    networkBlockAll: true,
    networkAllowList: null,
    errorReason: null,
    recoverable: false,
    toolboxProxyUrl: 'http://127.0.0.1:3000/api/toolbox',
    target: 'local',
    user: 'daytona',
    public: false,
    gpu: 0,
    kvm: false,
    autoStopInterval: 15,
    autoArchiveInterval: 0,
    autoDeleteInterval: -1,
    volumes: [],
    lastActivityAt: now,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A snapshot as the API returns it; `pending` until a runner has pulled its image. */
export function snapshotDto(overrides: Partial<SnapshotDto> = {}): SnapshotDto {
  const now = new Date('2026-01-01T00:00:00.000Z').toISOString();
  return {
    id: randomUUID(),
    organizationId: randomUUID(),
    name: 'python-3.12',
    imageName: 'registry.example.com/team/python:3.12',
    general: false,
    state: 'pending',
    errorReason: null,
    size: null,
    entrypoint: null,
    cpu: 1,
    gpu: 0,
    memory: 1,
    mem: 1,
    disk: 3,
    regions: ['local'],
    regionIds: ['local'],
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    ...overrides,
  };
}

/** The NDJSON lines of a bulk create's progress: `state` lines, then the `result`. */
export function progressLines(states: Array<Pick<SandboxDto, 'id' | 'name' | 'state' | 'errorReason'>>, result?: SandboxDto[]): string[] {
  const lines = states.map((s) => JSON.stringify({ type: 'state', id: s.id, name: s.name, state: s.state, errorReason: s.errorReason ?? null }) + '\n');
  return result ? [...lines, JSON.stringify({ type: 'result', sandboxes: result }) + '\n'] : lines;
}

/** The API's error body. */
export function errorBody(statusCode: number, code: string, message: string, details?: Record<string, unknown>) {
  return { statusCode, code, message, ...(details ? { details } : {}) };
}

/**
 * Time that passes only when the SDK waits: each wait is recorded and moves the clock on, so
 * retry tests check delays without sleeping. `random` is the jitter's draw.
 */
export class FakeClock implements RetryClock {
  time = 0;
  readonly sleeps: number[] = [];
  constructor(private readonly draw = 0.5) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
  random(): number {
    return this.draw;
  }
}

/** A fresh stub API and a Daytona client pointed at it, for each test of the enclosing block. */
export function useStubApi(): { stub: StubApi; daytona: Daytona } {
  const context = {} as { stub: StubApi; daytona: Daytona };
  beforeEach(async () => {
    context.stub = await new StubApi().start();
    context.daytona = new Daytona({ apiKey: 'test-key', apiUrl: context.stub.url });
  });
  afterEach(() => context.stub.stop());
  return context;
}
