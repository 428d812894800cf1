import {
  listAssignedSandboxesResponse,
  parseContract,
  registerRunnerResponse,
  reportSandboxStatesResponse,
  syncResponse,
  type RegisterRunnerRequest,
  type RegisterRunnerResponse,
  type ReportSandboxStatesRequest,
  type ReportSandboxStatesResponse,
  type RunnerSandboxAssignment,
  type SyncRequest,
  type SyncResponse,
} from '@daytona/runner-contract';
import type { z } from 'zod';

/** A call to the API that failed; `status` is null when the API did not answer at all. */
export class ControlPlaneError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }

  /** The API answered and refused: sending the same request again cannot help. */
  get refused(): boolean {
    return this.status !== null && this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

const REQUEST_TIMEOUT_MS = 15_000;

/** The API's runner endpoints (under DAYTONA_API_URL), as this runner calls them. */
export class ControlPlaneClient {
  /** The runner's credential, once enrolled: what every call but registration presents. */
  private credential = '';

  constructor(
    private readonly apiUrl: string,
    private readonly registrationToken: string,
  ) {}

  useCredential(credential: string): void {
    this.credential = credential;
  }

  register(request: RegisterRunnerRequest): Promise<RegisterRunnerResponse> {
    return this.call('POST', '/runners/register', this.registrationToken, request, registerRunnerResponse);
  }

  async heartbeat(): Promise<void> {
    await this.call('POST', '/runners/heartbeat', this.credential);
  }

  reportSandboxStates(request: ReportSandboxStatesRequest): Promise<ReportSandboxStatesResponse> {
    return this.call('POST', '/runners/sandbox-states', this.credential, request, reportSandboxStatesResponse);
  }

  async listAssignedSandboxes(): Promise<RunnerSandboxAssignment[]> {
    return (await this.call('GET', '/runners/sandboxes', this.credential, undefined, listAssignedSandboxesResponse)).sandboxes;
  }

  sync(request: SyncRequest): Promise<SyncResponse> {
    return this.call('POST', '/runners/sync', this.credential, request, syncResponse);
  }

  private async call(method: string, path: string, token: string, body?: unknown): Promise<void>;
  private async call<T extends z.ZodType>(method: string, path: string, token: string, body: unknown, answer: T): Promise<z.infer<T>>;
  private async call(method: string, path: string, token: string, body?: unknown, answer?: z.ZodType): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new ControlPlaneError(null, `${method} ${this.apiUrl}${path} failed: ${cause}`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      throw new ControlPlaneError(response.status, `${method} ${this.apiUrl}${path} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    if (!answer) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      throw new ControlPlaneError(null, `${method} ${this.apiUrl}${path} answered invalid JSON`);
    }
    const checked = parseContract(answer, parsed);
    if (!checked.ok) throw new ControlPlaneError(null, `${method} ${this.apiUrl}${path} answered unexpectedly: ${checked.violation.message}`);
    return checked.value;
  }
}
