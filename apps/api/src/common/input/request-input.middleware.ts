import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { InvalidInputError } from '../errors/domain-error.js';
import { findInputViolation, keyViolation, stringProblem, type InputViolation } from './input-rules.js';

/** A route as Express knows it: `get`, `/api/sandbox/:sandboxIdOrName`. */
export interface RouteTemplate {
  method: string;
  path: string;
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The body parser's `type`: JSON bodies are read for methods that carry one. A GET or DELETE
 * body is never read, so it can neither fail nor be refused.
 */
export function readsJsonBody(request: IncomingMessage): boolean {
  return METHODS_WITH_BODY.has(request.method ?? '') && isJsonContentType(request.headers['content-type']);
}

/** 415 for a body the API would otherwise ignore: every route reads JSON only. */
export function refuseNonJsonBodies(request: Request, _response: Response, next: NextFunction): void {
  if (METHODS_WITH_BODY.has(request.method) && hasBody(request) && !isJsonContentType(request.headers['content-type'])) {
    next(new UnsupportedMediaTypeException('Request bodies must be JSON: send "content-type: application/json"'));
    return;
  }
  next();
}

/** The streamed uploads' rule: a body, if any, is multipart/form-data (checked before the route runs). */
export function refuseNonMultipartBodies(request: Request, _response: Response, next: NextFunction): void {
  const type = request.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (hasBody(request) && type !== 'multipart/form-data') {
    next(new UnsupportedMediaTypeException('Uploads are multipart/form-data: send the file in a part named "file" (files[N].file in bulk)'));
    return;
  }
  next();
}

/**
 * Refuses, with 400 `validation_failed` naming the field, what no route accepts (input-rules.ts):
 * NUL bytes and lone surrogates in path segments, query keys and values, and body keys and
 * strings; forbidden keys; bodies nested too deep or too wide. Mounted after body parsing and
 * before routing; `routes` names path parameters in the answer.
 */
export function refuseUnsafeInput(routes: () => RouteTemplate[]): RequestHandler {
  return (request, _response, next) => {
    const violation =
      pathViolation(request.method, request.path, routes) ??
      queryViolation(request.query as Record<string, unknown>) ??
      (request.body === undefined ? null : findInputViolation(request.body));
    next(violation ? toValidationError(violation) : undefined);
  };
}

export function toValidationError(violation: InputViolation): InvalidInputError {
  return new InvalidInputError('validation_failed', violation.message, {
    ...(violation.field ? { field: violation.field } : {}),
    violations: [{ field: violation.field, constraints: { [violation.constraint]: violation.message } }],
  });
}

function pathViolation(method: string, path: string, routes: () => RouteTemplate[]): InputViolation | null {
  const segments = path.split('/');
  for (let index = 0; index < segments.length; index++) {
    let decoded: string;
    let problem: { constraint: string; problem: string } | null;
    try {
      decoded = decodeURIComponent(segments[index]);
      problem = stringProblem(decoded);
    } catch {
      problem = { constraint: 'percentEncoding', problem: 'must be valid percent-encoded UTF-8' };
    }
    if (problem) {
      const param = paramNameAt(routes(), method, segments, index);
      const field = param ?? 'path';
      const subject = param ?? `path segment ${JSON.stringify(segments[index])}`;
      return { field, constraint: problem.constraint, message: `${subject} ${problem.problem}` };
    }
  }
  return null;
}

function queryViolation(query: Record<string, unknown>): InputViolation | null {
  for (const [key, value] of Object.entries(query)) {
    const keyProblem = keyViolation(key, '', 'the query');
    if (keyProblem) return keyProblem;
    for (const item of Array.isArray(value) ? value : [value]) {
      const problem = typeof item === 'string' ? stringProblem(item) : null;
      if (problem) return { field: key, constraint: problem.constraint, message: `${key} ${problem.problem}` };
    }
  }
  return null;
}

/**
 * The name of the route parameter at `segments[index]`, matching routes the way Express does
 * (case-insensitive literals, an optional trailing slash, HEAD answered by GET routes).
 */
export function paramNameAt(routes: RouteTemplate[], method: string, segments: string[], index: number): string | undefined {
  const wanted = method.toLowerCase() === 'head' ? ['head', 'get'] : [method.toLowerCase()];
  const parts = segments.length > 1 && segments[segments.length - 1] === '' ? segments.slice(0, -1) : segments;
  for (const route of routes) {
    if (!wanted.includes(route.method) && route.method !== '_all') continue;
    const template = route.path.split('/');
    if (template.length !== parts.length || !template[index]?.startsWith(':')) continue;
    if (template.every((part, i) => part.startsWith(':') || part.toLowerCase() === parts[i].toLowerCase())) {
      return template[index].slice(1);
    }
  }
  return undefined;
}

function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) !== 0);
}

function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && header.split(';')[0].trim().toLowerCase() === 'application/json';
}
