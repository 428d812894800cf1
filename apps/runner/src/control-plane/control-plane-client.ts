import type {
  ListAssignedSandboxesResponse,
  RegisterRunnerRequest,
  RegisterRunnerResponse,
  ReportSandboxStatesRequest,
  RunnerSandboxAssignment,
} from '../../../../libs/runner-contract/src/index.js';

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
  constructor(
    private readonly apiUrl: string,
    private readonly runnerToken: string,
    private readonly registrationToken: string,
  ) {}

  register(request: RegisterRunnerRequest): Promise<RegisterRunnerResponse> {
    return this.call('POST', '/runners/register', this.registrationToken, request) as Promise<RegisterRunnerResponse>;
  }

  async heartbeat(): Promise<void> {
    await this.call('POST', '/runners/heartbeat', this.runnerToken);
  }

  async reportSandboxStates(request: ReportSandboxStatesRequest): Promise<void> {
    await this.call('POST', '/runners/sandbox-states', this.runnerToken, request);
  }

  async listAssignedSandboxes(): Promise<RunnerSandboxAssignment[]> {
    const response = (await this.call('GET', '/runners/sandboxes', this.runnerToken)) as ListAssignedSandboxesResponse;
    if (!Array.isArray(response?.sandboxes)) throw new ControlPlaneError(null, 'GET /runners/sandboxes answered without a sandboxes list');
    return response.sandboxes;
  }

  private async call(method: string, path: string, token: string, body?: unknown): Promise<unknown> {
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
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ControlPlaneError(response.status, `${method} ${this.apiUrl}${path} answered invalid JSON`);
    }
  }
}
