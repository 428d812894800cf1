import { ApiExtension, type OpenAPIObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ERROR_CODES, type ErrorCode } from '../common/errors/error-codes.js';

const ROUTE_CODES = 'x-route-error-codes';
/** On each error response of the spec: the codes it can carry (the integration tests check them). */
export const RESPONSE_CODES = 'x-error-codes';

/**
 * The error codes a route answers because of what it does (unknown sandbox, quota, runner...).
 * The codes that follow from rules every route obeys are added to every operation when the spec
 * is built (completeErrorResponses), so a route never lists them: NUL bytes and other input
 * rules (400), the database (503), auth (401, 403) for routes with an API key, and body reading
 * (400, 413, 415) for routes with a body.
 */
export const ApiErrorResponses = (...codes: ErrorCode[]) => ApiExtension(ROUTE_CODES, codes);

/** Every operation: the global input rules, the database, and the unexpected. */
const EVERY_OPERATION: ErrorCode[] = ['validation_failed', 'database_unavailable', 'internal_error'];
/** Operations with an API key (the global auth guard). */
const AUTHENTICATED: ErrorCode[] = ['unauthenticated', 'missing_permission'];
/** Operations with a body (the JSON body parser). */
const WITH_BODY: ErrorCode[] = ['invalid_json', 'payload_too_large', 'unsupported_media_type'];

type Operation = {
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  [ROUTE_CODES]?: ErrorCode[];
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * Gives every operation one response per error status it can answer, each with the
 * ErrorResponse body, a description of its codes and the codes themselves (`x-error-codes`).
 */
export function completeErrorResponses(document: OpenAPIObject): void {
  const codeOrder = Object.keys(ERROR_CODES) as ErrorCode[];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      const codes = new Set<ErrorCode>([
        ...EVERY_OPERATION,
        ...(operation.security?.length ? AUTHENTICATED : []),
        ...(operation.requestBody ? WITH_BODY : []),
        ...(operation[ROUTE_CODES] ?? []),
      ]);
      delete operation[ROUTE_CODES];
      const byStatus = new Map<number, ErrorCode[]>();
      for (const code of codeOrder.filter((c) => codes.has(c))) {
        const status = ERROR_CODES[code].status;
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      }
      for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
        if (operation.responses[status] !== undefined) {
          throw new Error(`${method.toUpperCase()} ${path} declares ${status} itself: list its codes with @ApiErrorResponses`);
        }
        operation.responses[status] = {
          description:
            `${STATUS_CODES[status]}. \`code\` is one of:\n` +
            statusCodes.map((code) => `- \`${code}\`: ${ERROR_CODES[code].description}`).join('\n'),
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
          [RESPONSE_CODES]: statusCodes,
        };
      }
    }
  }
}

type Schema = { $ref?: string; additionalProperties?: unknown; [key: string]: unknown };

/**
 * Request bodies refuse unknown fields (the ValidationPipe forbids them), so their schemas say
 * `additionalProperties: false`, as do the schemas they refer to. A schema that is also part of a
 * response is refused here: closing it would break clients when a field is added.
 */
export function closeRequestSchemas(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const requestSchemas = new Set<string>();
  const responseSchemas = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Record<string, unknown> | undefined>)[method];
      if (!operation) continue;
      collectRefs(operation.requestBody, schemas, requestSchemas);
      collectRefs(operation.responses, schemas, responseSchemas);
    }
  }
  for (const name of requestSchemas) {
    // An enum is the same in both directions; only objects are closed.
    if (responseSchemas.has(name) && schemas[name].enum === undefined) {
      throw new Error(`Schema ${name} is used by a request body and a response; give each its own`);
    }
    const schema = schemas[name];
    if (schema.type === 'object' && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
}

/** Names of the component schemas `node` refers to, directly or through other schemas. */
function collectRefs(node: unknown, schemas: Record<string, Schema>, into: Set<string>): void {
  const pending: unknown[] = [node];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== 'object' || current === null) continue;
    const ref = (current as Schema).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length);
      if (!into.has(name)) {
        into.add(name);
        pending.push(schemas[name]);
      }
    }
    pending.push(...Object.values(current));
  }
}
