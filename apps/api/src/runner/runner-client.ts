import { Injectable, Logger } from '@nestjs/common';
import type {
  CreateSandboxesRequest,
  CreateSandboxesResponse,
  ExecuteCommandRequest,
  ExecuteCommandResponse,
  RunnerErrorBody,
  RunnerSandboxSpec,
} from '../../../../libs/runner-contract/src/index.js';
import { ConflictError, NotFoundError, UnavailableError } from '../common/errors/domain-error.js';
import type { Runner } from './runner.entity.js';

const CONTROL_TIMEOUT_MS = 30_000;

/** Calls a runner's HTTP API with its token; failures become domain errors. */
@Injectable()
export class RunnerClient {
  private readonly logger = new Logger('RunnerClient');

  async createSandboxes(runner: Runner, sandboxes: RunnerSandboxSpec[]): Promise<CreateSandboxesResponse> {
    const body: CreateSandboxesRequest = { sandboxes };
    return this.call<CreateSandboxesResponse>(runner, 'POST', '/sandboxes', body, CONTROL_TIMEOUT_MS);
  }

  async destroySandbox(runner: Runner, sandboxId: string): Promise<void> {
    await this.call(runner, 'DELETE', `/sandboxes/${sandboxId}`, undefined, CONTROL_TIMEOUT_MS);
  }

  async executeCommand(runner: Runner, sandboxId: string, request: ExecuteCommandRequest, timeoutMs: number): Promise<ExecuteCommandResponse> {
    return this.call<ExecuteCommandResponse>(runner, 'POST', `/sandboxes/${sandboxId}/execute`, request, timeoutMs);
  }

  private async call<T>(runner: Runner, method: string, path: string, body: unknown, timeoutMs: number): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${runner.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${runner.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      this.logger.warn(`${method} ${runner.name}${path}: ${(error as Error).message}`);
      throw new UnavailableError('runner_unavailable', `Runner "${runner.name}" did not answer`, { runner: runner.name });
    }
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    const error = parseError(text);
    if (response.status === 404 && error.code === 'sandbox_not_found') {
      throw new NotFoundError('sandbox_not_found', 'The sandbox is not on its runner');
    }
    if (response.status === 409) throw new ConflictError(error.code, error.message);
    this.logger.warn(`${method} ${runner.name}${path}: ${response.status} ${error.code}`);
    throw new UnavailableError('runner_error', `Runner "${runner.name}" failed: ${error.message}`, {
      runner: runner.name,
      runnerCode: error.code,
    });
  }
}

function parseError(text: string): Pick<RunnerErrorBody, 'code' | 'message'> {
  try {
    const body = JSON.parse(text) as Partial<RunnerErrorBody>;
    return { code: body.code ?? 'unknown', message: body.message ?? text };
  } catch {
    return { code: 'unknown', message: text.slice(0, 200) };
  }
}
