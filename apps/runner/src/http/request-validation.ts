import type { CreateSandboxesRequest, ExecuteCommandRequest, RunnerSandboxSpec } from '../../../../libs/runner-contract/src/index.js';
import { MAX_EXEC_TIMEOUT_SECONDS } from '../config/runner-config.js';
import { ValidationError } from '../errors/runner-error.js';
import { SANDBOX_ID } from '../sandbox/sandbox-layout.js';

/**
 * Strict checks of request bodies: the first problem is reported with the field it concerns, and
 * nothing of a request with a problem is accepted.
 */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_NAME_LENGTH = 255;
const MAX_ENV_ENTRIES = 1000;

type Json = Record<string, unknown>;

export function parseCreateSandboxesRequest(body: unknown): CreateSandboxesRequest {
  const object = requireObject(body, 'body');
  if (!Array.isArray(object.sandboxes)) throw new ValidationError('sandboxes must be an array');
  return { sandboxes: object.sandboxes.map((entry, index) => parseSandboxSpec(entry, `sandboxes[${index}]`)) };
}

function parseSandboxSpec(value: unknown, field: string): RunnerSandboxSpec {
  const spec = requireObject(value, field);
  const id = requireString(spec.id, `${field}.id`);
  if (!SANDBOX_ID.test(id)) throw new ValidationError(`${field}.id must be 1-128 letters, digits, "-" or "_", starting with a letter or digit`);
  const name = requireString(spec.name, `${field}.name`);
  if (name.length > MAX_NAME_LENGTH) throw new ValidationError(`${field}.name must be at most ${MAX_NAME_LENGTH} characters`);
  return {
    id,
    name,
    snapshotRef: requireString(spec.snapshotRef, `${field}.snapshotRef`),
    cpu: requirePositiveNumber(spec.cpu, `${field}.cpu`),
    memory: requirePositiveNumber(spec.memory, `${field}.memory`),
    disk: requirePositiveNumber(spec.disk, `${field}.disk`),
    env: parseEnv(spec.env, `${field}.env`),
  };
}

export function parseExecuteCommandRequest(body: unknown): ExecuteCommandRequest {
  const object = requireObject(body, 'body');
  const request: ExecuteCommandRequest = { command: requireString(object.command, 'command') };
  if (object.cwd !== undefined) {
    request.cwd = requireString(object.cwd, 'cwd');
  }
  if (object.env !== undefined) request.env = parseEnv(object.env, 'env');
  if (object.timeout !== undefined) {
    const timeout = object.timeout;
    if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_EXEC_TIMEOUT_SECONDS) {
      throw new ValidationError(`timeout must be an integer number of seconds between 1 and ${MAX_EXEC_TIMEOUT_SECONDS}`);
    }
    request.timeout = timeout;
  }
  return request;
}

function parseEnv(value: unknown, field: string): Record<string, string> {
  const env = requireObject(value, field);
  const entries = Object.entries(env);
  if (entries.length > MAX_ENV_ENTRIES) throw new ValidationError(`${field} must have at most ${MAX_ENV_ENTRIES} variables`);
  for (const [name, entry] of entries) {
    if (!ENV_NAME.test(name)) throw new ValidationError(`${field} has an invalid variable name ${JSON.stringify(name)}`);
    if (typeof entry !== 'string') throw new ValidationError(`${field}.${name} must be a string`);
    // A NUL byte cannot be passed to a process; refusing it here beats failing at spawn.
    if (entry.includes('\0')) throw new ValidationError(`${field}.${name} must not contain NUL bytes`);
  }
  return env as Record<string, string>;
}

function requireObject(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(`${field} must be a JSON object`);
  return value as Json;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(`${field} must be a non-empty string`);
  if (value.includes('\0')) throw new ValidationError(`${field} must not contain NUL bytes`);
  return value;
}

function requirePositiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ValidationError(`${field} must be a positive number`);
  return value;
}
