import { Injectable, Logger } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
    let response: { status: number; text: string };
    try {
      response = await sendJson(`${runner.url}${path}`, method, runner.token, body, timeoutMs);
    } catch (error) {
      this.logger.warn(`${method} ${runner.name}${path}: ${(error as Error).message}`);
      throw new UnavailableError('runner_unavailable', `Runner "${runner.name}" did not answer`, { runner: runner.name });
    }
    const { status, text } = response;
    if (status >= 200 && status < 300) return (text ? JSON.parse(text) : undefined) as T;
    const error = parseError(text);
    if (status === 404 && error.code === 'sandbox_not_found') {
      throw new NotFoundError('sandbox_not_found', 'The sandbox is not on its runner');
    }
    if (status === 409) throw new ConflictError(error.code, error.message);
    this.logger.warn(`${method} ${runner.name}${path}: ${status} ${error.code}`);
    throw new UnavailableError('runner_error', `Runner "${runner.name}" failed: ${error.message}`, {
      runner: runner.name,
      runnerCode: error.code,
    });
  }
}

/**
 * node:http rather than fetch: fetch gives up after 300 s without response headers, and a
 * command may legitimately run for up to an hour before the runner answers.
 */
function sendJson(
  url: string,
  method: string,
  token: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function parseError(text: string): Pick<RunnerErrorBody, 'code' | 'message'> {
  try {
    const body = JSON.parse(text) as Partial<RunnerErrorBody>;
    return { code: body.code ?? 'unknown', message: body.message ?? text };
  } catch {
    return { code: 'unknown', message: text.slice(0, 200) };
  }
}
