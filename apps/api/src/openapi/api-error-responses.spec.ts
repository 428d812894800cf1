import type { OpenAPIObject } from '@nestjs/swagger';
import { closeRequestSchemas, completeErrorResponses, RESPONSE_CODES } from './api-error-responses.js';

function documentOf(paths: Record<string, unknown>, schemas: Record<string, unknown> = {}): OpenAPIObject {
  return { openapi: '3.0.0', info: { title: 't', version: '1' }, paths, components: { schemas } } as OpenAPIObject;
}

const ok = { 200: { description: 'ok' } };

describe('completeErrorResponses', () => {
  it('gives every operation the answers of the global rules', () => {
    const document = documentOf({ '/health': { get: { operationId: 'getHealth', responses: { ...ok } } } });
    completeErrorResponses(document);
    const responses = document.paths['/health'].get!.responses as unknown as Record<string, Record<string, unknown>>;
    expect(Object.keys(responses)).toEqual(['200', '400', '500', '503']);
    expect(responses[400][RESPONSE_CODES]).toEqual(['validation_failed']);
    expect(responses[503][RESPONSE_CODES]).toEqual(['database_unavailable']);
    expect(responses[400].content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } });
    expect(responses[400].description).toMatch(/^Bad Request\. `code` is one of:\n- `validation_failed`: /);
  });

  it('adds auth answers to operations with a key, body answers to operations with a body, and the route\'s own codes', () => {
    const document = documentOf({
      '/sandbox': {
        post: {
          operationId: 'createSandbox',
          security: [{ bearer: [] }],
          requestBody: { content: {} },
          'x-route-error-codes': ['name_conflict', 'quota_exceeded', 'snapshot_not_found'],
          responses: { ...ok },
        },
      },
    });
    completeErrorResponses(document);
    const operation = document.paths['/sandbox'].post as unknown as Record<string, Record<string, Record<string, unknown>>>;
    const codes = Object.fromEntries(Object.entries(operation.responses).map(([status, r]) => [status, r[RESPONSE_CODES]]));
    expect(codes).toEqual({
      200: undefined,
      400: ['validation_failed', 'invalid_json'],
      401: ['unauthenticated'],
      403: ['missing_permission', 'quota_exceeded'],
      404: ['snapshot_not_found'],
      409: ['name_conflict'],
      413: ['payload_too_large'],
      415: ['unsupported_media_type'],
      500: ['internal_error'],
      503: ['database_unavailable'],
    });
    expect(operation).not.toHaveProperty('x-route-error-codes');
  });

  it('refuses an error status declared some other way', () => {
    const document = documentOf({ '/x': { get: { responses: { ...ok, 404: { description: 'gone' } }, 'x-route-error-codes': ['sandbox_not_found'] } } });
    expect(() => completeErrorResponses(document)).toThrow(/GET \/x declares 404 itself/);
  });
});

describe('closeRequestSchemas', () => {
  const schemas = () => ({
    Create: { type: 'object', properties: { item: { $ref: '#/components/schemas/Item' }, env: { type: 'object', additionalProperties: { type: 'string' } } } },
    Item: { type: 'object', properties: { n: { type: 'integer' } } },
    Result: { type: 'object', properties: { state: { $ref: '#/components/schemas/State' } } },
    State: { type: 'string', enum: ['a'] },
  });
  const body = (name: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });

  it('closes request body schemas and those they refer to, leaving responses open', () => {
    const document = documentOf(
      { '/x': { post: { requestBody: body('Create'), responses: { 200: body('Result') } } } },
      schemas(),
    );
    closeRequestSchemas(document);
    const closed = document.components!.schemas as Record<string, Record<string, unknown>>;
    expect(closed.Create.additionalProperties).toBe(false);
    expect(closed.Item.additionalProperties).toBe(false);
    expect((closed.Create.properties as Record<string, Record<string, unknown>>).env.additionalProperties).toEqual({ type: 'string' });
    expect(closed.Result).not.toHaveProperty('additionalProperties');
    expect(closed.State).not.toHaveProperty('additionalProperties');
  });

  it('refuses a schema shared by a request and a response', () => {
    const document = documentOf({ '/x': { post: { requestBody: body('Create'), responses: { 200: body('Item') } } } }, schemas());
    expect(() => closeRequestSchemas(document)).toThrow(/Schema Item is used by a request body and a response/);
  });

  it('lets an enum be shared by a request and a response (there is nothing to close)', () => {
    const document = documentOf({ '/x': { post: { requestBody: body('Result'), responses: { 200: body('State') } } } }, schemas());
    expect(() => closeRequestSchemas(document)).not.toThrow();
    expect((document.components!.schemas as Record<string, Record<string, unknown>>).Result.additionalProperties).toBe(false);
  });
});
