import { HttpException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors/domain-error.js';
import {
  paramNameAt,
  readsJsonBody,
  refuseNonJsonBodies,
  refuseUnsafeInput,
  type RouteTemplate,
} from './request-input.middleware.js';

const ROUTES: RouteTemplate[] = [
  { method: 'post', path: '/api/sandbox/bulk' },
  { method: 'get', path: '/api/sandbox/:sandboxIdOrName' },
  { method: 'delete', path: '/api/sandbox/:sandboxIdOrName' },
  { method: 'post', path: '/api/toolbox/:sandboxId/toolbox/process/execute' },
];

interface FakeRequest {
  method?: string;
  path?: string;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
}

function run(request: FakeRequest): unknown {
  let passed: unknown = 'next was not called';
  const next: NextFunction = (error?: unknown) => {
    passed = error;
  };
  refuseUnsafeInput(() => ROUTES)(
    { method: 'GET', path: '/api/sandbox', query: {}, headers: {}, ...request } as unknown as Request,
    {} as Response,
    next,
  );
  return passed;
}

/** The error body the filter would send: code and details. */
function refusal(request: FakeRequest) {
  const error = run(request);
  expect(error).toBeInstanceOf(DomainError);
  const { code, details, message } = error as DomainError;
  return { code, field: details?.field, message, details };
}

describe('refuseUnsafeInput', () => {
  it('lets ordinary requests through untouched', () => {
    expect(run({ path: '/api/sandbox/my-box', query: { states: ['started', 'stopped'], labels: '{"a":"b"}' } })).toBeUndefined();
    expect(run({ method: 'POST', path: '/api/sandbox/bulk', body: { items: [{ count: 1 }] } })).toBeUndefined();
    expect(run({ path: '/api/sandbox/%C3%A9t%C3%A9' })).toBeUndefined();
  });

  it('refuses a NUL byte in a path parameter, naming the parameter', () => {
    expect(refusal({ path: '/api/sandbox/a%00b' })).toMatchObject({ code: 'validation_failed', field: 'sandboxIdOrName' });
    expect(refusal({ method: 'DELETE', path: '/api/sandbox/a%00b' }).field).toBe('sandboxIdOrName');
    expect(refusal({ method: 'HEAD', path: '/API/Sandbox/%00/' }).field).toBe('sandboxIdOrName');
    expect(refusal({ method: 'POST', path: '/api/toolbox/%00/toolbox/process/execute' }).field).toBe('sandboxId');
  });

  it('says "path" when no route has a parameter there', () => {
    expect(refusal({ path: '/api/no-such-route/%00' })).toMatchObject({ code: 'validation_failed', field: 'path' });
    expect(refusal({ method: 'PUT', path: '/api/sandbox/%00' }).field).toBe('path');
  });

  it('refuses malformed percent-encoding and encoded lone surrogates in the path', () => {
    expect(refusal({ path: '/api/sandbox/%ZZ' })).toMatchObject({ field: 'sandboxIdOrName', message: 'sandboxIdOrName must be valid percent-encoded UTF-8' });
    expect(refusal({ path: '/api/sandbox/%ED%A0%80' }).field).toBe('sandboxIdOrName');
  });

  it('refuses NUL bytes in query values and keys, and forbidden query keys', () => {
    expect(refusal({ query: { labels: '{"a":"\u0000"}' } })).toMatchObject({ field: 'labels', message: 'labels must not contain NUL bytes' });
    expect(refusal({ query: { states: ['started', 'st\u0000'] } }).field).toBe('states');
    expect(refusal({ query: { 'x\u0000': '1' } })).toMatchObject({ field: 'x\u0000', message: 'key "x\\u0000" of the query must not contain NUL bytes' });
    const withProto = Object.assign(Object.create(null), { ['__proto__']: '1' });
    expect(refusal({ query: withProto })).toMatchObject({ field: '__proto__', message: 'property __proto__ should not exist' });
  });

  it('refuses bodies breaking the input rules, naming the field', () => {
    expect(refusal({ method: 'POST', body: { env: { A: 'x\u0000' } } })).toMatchObject({ code: 'validation_failed', field: 'env.A' });
    expect(refusal({ method: 'POST', body: JSON.parse('{"items":[{"__proto__":{}}]}') }).field).toBe('items.0.__proto__');
  });

  it('answers with the ValidationPipe details shape', () => {
    expect(refusal({ path: '/api/sandbox/%00' }).details).toEqual({
      field: 'sandboxIdOrName',
      violations: [{ field: 'sandboxIdOrName', constraints: { noNulBytes: 'sandboxIdOrName must not contain NUL bytes' } }],
    });
  });

  it('leaves out details.field for a problem of the body itself', () => {
    const details = refusal({ method: 'POST', body: new Array(20_001).fill(0) }).details;
    expect(details).not.toHaveProperty('field');
    expect(details?.violations).toEqual([expect.objectContaining({ field: '', constraints: { maxArrayItems: expect.any(String) } })]);
  });
});

describe('paramNameAt', () => {
  it('matches literal segments before naming a parameter', () => {
    const segments = (path: string) => path.split('/');
    expect(paramNameAt(ROUTES, 'get', segments('/api/sandbox/x'), 3)).toBe('sandboxIdOrName');
    expect(paramNameAt(ROUTES, 'post', segments('/api/sandbox/x'), 3)).toBeUndefined();
    expect(paramNameAt(ROUTES, 'get', segments('/api/other/x'), 3)).toBeUndefined();
    expect(paramNameAt(ROUTES, 'get', segments('/api/sandbox/x/y'), 3)).toBeUndefined();
  });
});

describe('JSON bodies', () => {
  const request = (method: string, headers: Record<string, string>) => ({ method, headers }) as unknown as Request;

  it('are read for POST, PUT and PATCH only', () => {
    const json = { 'content-type': 'application/json; charset=utf-8' };
    expect(readsJsonBody(request('POST', json))).toBe(true);
    expect(readsJsonBody(request('PATCH', { 'content-type': 'Application/JSON' }))).toBe(true);
    expect(readsJsonBody(request('GET', json))).toBe(false);
    expect(readsJsonBody(request('DELETE', json))).toBe(false);
    expect(readsJsonBody(request('POST', { 'content-type': 'text/plain' }))).toBe(false);
  });

  it('must be JSON: anything else with a body is 415', () => {
    const outcome = (method: string, headers: Record<string, string>) => {
      let passed: unknown = 'not called';
      refuseNonJsonBodies(request(method, headers), {} as Response, (error?: unknown) => (passed = error));
      return passed instanceof HttpException ? passed.getStatus() : passed;
    };
    expect(outcome('POST', { 'content-type': 'text/plain', 'content-length': '5' })).toBe(415);
    expect(outcome('PUT', { 'transfer-encoding': 'chunked' })).toBe(415);
    expect(outcome('POST', { 'content-type': 'application/json', 'content-length': '2' })).toBeUndefined();
    expect(outcome('POST', { 'content-length': '0' })).toBeUndefined();
    expect(outcome('POST', {})).toBeUndefined();
    expect(outcome('GET', { 'content-type': 'text/plain', 'content-length': '5' })).toBeUndefined();
  });
});
