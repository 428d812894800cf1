import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  RegisterRunnerRequest,
  ReportSandboxStatesRequest,
  RunnerReportedState,
  RunnerSandboxAssignment,
  SyncRequest,
  SyncResponse,
} from '@daytona/runner-contract';

type Update = ReportSandboxStatesRequest['updates'][number];

/**
 * Plays the API's runner endpoints for tests of the runner process on its own, recording what it
 * receives. (The real API is tested against the real runner on the API side.)
 */
export class FakeControlPlane {
  readonly registrations: RegisterRunnerRequest[] = [];
  readonly stateReports: Update[][] = [];
  heartbeats = 0;
  assignmentLists = 0;
  assignments: RunnerSandboxAssignment[] = [];
  /** Inventories received by POST /runners/sync, in order. */
  readonly syncs: SyncRequest[] = [];
  /** What the next syncs are answered (then nothing to change). */
  syncAnswers: SyncResponse[] = [];
  private server: http.Server | undefined;
  private waiters: Array<() => void> = [];

  /** Credentials this fake enrolled runners with, by name. */
  private readonly credentials = new Map<string, string>();

  /** `apiToken` is what the fake answers registrations with: tests call the runner with it. */
  constructor(
    private readonly registrationToken: string,
    readonly apiToken: string = randomBytes(32).toString('hex'),
  ) {}

  /** The credential the runner called `name` was enrolled with. */
  credentialOf(name: string): string | undefined {
    return this.credentials.get(name);
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/api`;
  }

  /** Every reported update, in the order received. */
  get updates(): Update[] {
    return this.stateReports.flat();
  }

  statesOf(id: string, since = 0): RunnerReportedState[] {
    return this.updates.slice(since).filter((update) => update.id === id).map((update) => update.state);
  }

  async listen(): Promise<void> {
    this.server = http.createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Resolves when `condition` holds, re-checked after every request received. */
  until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = () => {
        if (!condition()) return this.waiters.push(check);
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += chunk;
    const body = text ? JSON.parse(text) : undefined;
    const bearer = request.headers.authorization?.replace(/^Bearer /, '');
    const runnerToken = this.credentials.get(this.registrations.at(-1)?.name ?? '');
    const reply = (status: number, payload?: unknown) => {
      response.writeHead(status, payload === undefined ? {} : { 'content-type': 'application/json' }).end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const route = `${request.method} ${request.url}`;
    if (route === 'POST /api/runners/register') {
      if (bearer !== this.registrationToken) return reply(401, { statusCode: 401, code: 'unauthenticated', message: 'bad registration token' });
      const registration = body as RegisterRunnerRequest;
      const known = this.credentials.get(registration.name);
      if (known && registration.credential !== known) {
        return reply(409, { statusCode: 409, code: 'runner_name_taken', message: `${registration.name} is enrolled` });
      }
      this.registrations.push(registration);
      const credential = known ? null : randomBytes(32).toString('hex');
      if (credential) this.credentials.set(registration.name, credential);
      reply(200, { id: 'runner-id', name: registration.name, region: registration.region, state: 'ready', credential, apiToken: this.apiToken });
    } else if (!runnerToken || bearer !== runnerToken) {
      reply(401, { statusCode: 401, code: 'unauthenticated', message: 'bad runner token' });
    } else if (route === 'POST /api/runners/heartbeat') {
      this.heartbeats++;
      reply(204);
    } else if (route === 'POST /api/runners/sandbox-states') {
      this.stateReports.push((body as ReportSandboxStatesRequest).updates);
      reply(200, { applied: (body as ReportSandboxStatesRequest).updates.length, rejected: [] });
    } else if (route === 'POST /api/runners/sync') {
      this.syncs.push(body as SyncRequest);
      reply(200, this.syncAnswers.shift() ?? { destroy: [], assign: [], report: [], pull: [], stop: [], start: [] });
    } else if (route === 'GET /api/runners/sandboxes') {
      this.assignmentLists++;
      reply(200, { sandboxes: this.assignments });
    } else {
      reply(404, { statusCode: 404, code: 'route_not_found', message: route });
    }
    const waiting = this.waiters;
    this.waiters = [];
    for (const check of waiting) check();
  }
}
