#!/usr/bin/env node
// Fails when the integration tests received an answer the committed spec does not document.
// The harness (apps/api/test/support/test-api.ts) records (method, Express route or path, status,
// code) of every response into .test-results/api-responses.<pid>.jsonl; each must be a status of
// its operation in apps/api/openapi.json and, for errors, one of the codes that response lists
// (`x-error-codes`). Routes the spec leaves out on purpose (the runner-facing /runners/*, the
// docs) are exempt, as are requests that match no operation (unknown routes).
//
//   node tools/check-api-responses.mjs [spec] [results-dir]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
/** Served by the API, left out of the spec on purpose (paths below the servers' prefix). */
export const EXEMPT_PREFIXES = ['/runners/', '/docs', '/openapi.json'];

/** `/api/sandbox/:sandboxIdOrName` -> `/sandbox/{sandboxIdOrName}` */
export function specPathOfRoute(route, prefix) {
  const path = route.startsWith(prefix) ? route.slice(prefix.length) || '/' : route;
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The spec path a request path falls on, as Express would route it: literal segments first. */
export function matchSpecPath(spec, method, path) {
  const segments = path.replace(/\/$/, '').split('/');
  let best = null;
  for (const [template, item] of Object.entries(spec.paths)) {
    if (!item[method]) continue;
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    const fits = parts.every((part, i) => /^\{.+\}$/.test(part) || part.toLowerCase() === segments[i].toLowerCase());
    if (!fits) continue;
    const literals = parts.filter((part) => !/^\{.+\}$/.test(part)).length;
    if (!best || literals > best.literals) best = { template, literals };
  }
  return best?.template ?? null;
}

/**
 * Problems with the recorded answers (each: a sentence), and the documented (operation, status)
 * pairs no test received, for information.
 */
export function checkRecordedResponses(spec, records) {
  const prefix = new URL(spec.servers?.[0]?.url ?? 'http://localhost/').pathname.replace(/\/$/, '');
  const problems = new Map();
  const seen = new Set();
  for (const record of records) {
    const method = record.method.toLowerCase() === 'head' ? 'get' : record.method.toLowerCase();
    const where = record.route ?? record.path;
    const relative = where.startsWith(prefix) ? where.slice(prefix.length) : where;
    if (EXEMPT_PREFIXES.some((exempt) => relative === exempt.replace(/\/$/, '') || relative.startsWith(exempt))) continue;
    let specPath;
    if (record.route) {
      specPath = specPathOfRoute(record.route, prefix);
      if (!spec.paths[specPath]?.[method]) {
        problems.set(`${record.method} ${record.route}`, `${record.method} ${record.route} answered ${record.status} but is not in the spec`);
        continue;
      }
    } else {
      specPath = matchSpecPath(spec, method, relative);
      if (!specPath) continue; // no operation: an unknown route, refused or not found before routing
    }
    const operation = spec.paths[specPath][method];
    const name = operation.operationId ?? `${method.toUpperCase()} ${specPath}`;
    seen.add(`${name} ${record.status}`);
    const response = operation.responses?.[String(record.status)];
    if (!response) {
      problems.set(`${name} ${record.status}`, `${name} (${method.toUpperCase()} ${specPath}) answered ${record.status}${record.code ? ` ${record.code}` : ''}, which the spec does not list`);
      continue;
    }
    const codes = response['x-error-codes'];
    if (record.code && Array.isArray(codes) && !codes.includes(record.code)) {
      problems.set(
        `${name} ${record.status} ${record.code}`,
        `${name} answered ${record.status} ${record.code}; the spec lists only ${codes.join(', ')} for ${record.status}`,
      );
    }
  }
  const unseen = [];
  for (const item of Object.values(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      for (const status of Object.keys(operation.responses ?? {})) {
        if (!seen.has(`${operation.operationId} ${status}`)) unseen.push(`${operation.operationId} ${status}`);
      }
    }
  }
  return { problems: [...problems.values()], observed: seen.size, unseen };
}

export function readRecords(resultsDir) {
  const files = readdirSync(resultsDir).filter((name) => /^api-responses\.\d+\.jsonl$/.test(name));
  return files.flatMap((file) =>
    readFileSync(join(resultsDir, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  );
}

function main() {
  const [specFile = 'apps/api/openapi.json', resultsDir = '.test-results'] = process.argv.slice(2);
  const spec = JSON.parse(readFileSync(specFile, 'utf8'));
  const records = readRecords(resultsDir);
  if (records.length === 0) {
    console.error(`No recorded API responses in ${resultsDir}: run the API integration tests first.`);
    process.exit(1);
  }
  const { problems, observed, unseen } = checkRecordedResponses(spec, records);
  console.log(`${records.length} recorded answers; ${observed} distinct (operation, status) pairs, all checked against ${specFile}.`);
  if (unseen.length > 0) console.log(`Documented but not exercised by the integration tests: ${unseen.join(', ')}`);
  if (problems.length > 0) {
    console.error(`\n${problems.length} answer(s) missing from the spec:\n` + problems.map((p) => `  - ${p}`).join('\n'));
    console.error(`\nDocument them (@ApiErrorResponses, or the global rules in apps/api/src/openapi/api-error-responses.ts), then run 'npx nx run api:openapi'.`);
    process.exit(1);
  }
  console.log('Every answer the integration tests received is in the spec.');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
