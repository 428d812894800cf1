import { Injectable, Logger } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  createSandboxesRequest,
  createSandboxesResponse,
  destroySandboxesRequest,
  destroySandboxesResponse,
  executeCommandRequest,
  executeCommandResponse,
  parseContract,
  pullImageRequest,
  runnerErrorBody,
  runnerImageStatus,
  sandboxStateResponse,
  type ExecuteCommandRequest,
  type ExecuteCommandResponse,
  type RunnerSandboxSpec,
} from '@daytona/runner-contract';
import type { z } from 'zod';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../common/errors/domain-error.js';
import { RunnerCredentials } from './runner-credentials.js';
import type { Runner } from './runner.entity.js';

const CONTROL_TIMEOUT_MS = 30_000;

/**
 * Calls a runner's HTTP API with its token. Requests are checked against the shared contract
 * before they leave (the runner checks the same schema), so a runner's 4xx can only mean a bug;
 * answers are checked too. Failures become domain errors that never name the runner to clients.
 */
@Injectable()
export class RunnerClient {
  private readonly logger = new Logger('RunnerClient');

  constructor(private readonly credentials: RunnerCredentials) {}

  async createSandboxes(runner: Runner, sandboxes: RunnerSandboxSpec[]) {
    return this.call(runner, 'POST', '/sandboxes', request(createSandboxesRequest, { sandboxes }), createSandboxesResponse, CONTROL_TIMEOUT_MS);
  }

  /** Asks the runner to pull an image ahead of the sandboxes that need it; answers at once. */
  async pullImage(runner: Runner, ref: string) {
    return this.call(runner, 'POST', '/images', request(pullImageRequest, { ref }), runnerImageStatus, CONTROL_TIMEOUT_MS);
  }

  /** Stops (or starts) one sandbox on its runner; answers the state it is in afterwards. */
  async changeSandbox(runner: Runner, sandboxId: string, change: 'stop' | 'start') {
    return this.call(runner, 'POST', `/sandboxes/${encodeURIComponent(sandboxId)}/${change}`, undefined, sandboxStateResponse, CONTROL_TIMEOUT_MS);
  }

  async destroySandbox(runner: Runner, sandboxId: string): Promise<void> {
    await this.call(runner, 'DELETE', `/sandboxes/${encodeURIComponent(sandboxId)}`, undefined, sandboxStateResponse, CONTROL_TIMEOUT_MS);
  }

  /** Queues the destroy of many sandboxes; the runner answers at once and reports each `destroyed`. */
  async destroySandboxes(runner: Runner, ids: string[]): Promise<number> {
    const body = request(destroySandboxesRequest, { ids });
    return (await this.call(runner, 'POST', '/sandboxes/destroy', body, destroySandboxesResponse, CONTROL_TIMEOUT_MS)).queued;
  }

  async executeCommand(runner: Runner, sandboxId: string, command: ExecuteCommandRequest, timeoutMs: number): Promise<ExecuteCommandResponse> {
    const body = request(executeCommandRequest, command);
    return this.call(runner, 'POST', `/sandboxes/${encodeURIComponent(sandboxId)}/execute`, body, executeCommandResponse, timeoutMs);
  }

  private async call<T extends z.ZodType>(runner: Runner, method: string, path: string, body: unknown, answer: T, timeoutMs: number): Promise<z.infer<T>> {
    const where = `${method} ${runner.name}${path}`;
    let response: { status: number; text: string };
    try {
      response = await sendJson(`${runner.url}${path}`, method, await this.credentials.apiTokenFor(runner.id), body, timeoutMs);
    } catch (error) {
      this.logger.warn(`${where}: ${(error as Error).message}`);
      throw new UnavailableError('runner_unavailable', "The sandbox's runner did not answer; try again shortly");
    }
    const { status, text } = response;
    if (status >= 200 && status < 300) {
      const parsed = parseContract(answer, parseJson(text));
      if (parsed.ok) return parsed.value;
      this.logger.error(`${where}: unexpected answer (${parsed.violation.message})`);
      throw new UnavailableError('runner_error', "The sandbox's runner gave an unexpected answer");
    }
    const error = parseContract(runnerErrorBody, parseJson(text));
    const { code, message } = error.ok ? error.value : { code: 'unknown', message: text.slice(0, 200) };
    if (status === 404 && code === 'sandbox_not_found') {
      throw new NotFoundError('sandbox_not_found', 'The sandbox is not on its runner');
    }
    if (status === 409) throw new ConflictError(code, message);
    if (status >= 400 && status < 500) {
      // Every request was validated with the runner's own schema: refusing one is our bug.
      throw new Error(`${where} was refused (${status} ${code}): ${message}`);
    }
    this.logger.warn(`${where}: ${status} ${code}: ${message}`);
    throw new UnavailableError('runner_error', "The sandbox's runner failed; try again shortly", { runnerCode: code });
  }
}

/** The body to send, checked against the contract; a violation is the caller's bad input. */
function request<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = parseContract(schema, value);
  if (!parsed.ok) throw new InvalidInputError('validation_failed', parsed.violation.message, { field: parsed.violation.field || undefined });
  return parsed.value;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
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
