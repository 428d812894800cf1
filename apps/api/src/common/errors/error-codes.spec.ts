import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERROR_CODES } from './error-codes.js';

/** README's "Errors" section lists every code with its status: `a`, `b` (400); `c` (401); ... */
function codesInReadme(): Record<string, number> {
  const readme = readFileSync(resolve('README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('### Auth'));
  const sentence = section.slice(section.indexOf('Codes in use:'), section.indexOf('Validation errors'));
  const codes: Record<string, number> = {};
  for (const [, group, status] of sentence.matchAll(/((?:`[a-z_]+`[,\s]*)+)\((\d{3})/g)) {
    for (const [, code] of group.matchAll(/`([a-z_]+)`/g)) codes[code] = Number(status);
  }
  return codes;
}

describe('error codes', () => {
  it('are all in README, with their status, and README lists no other', () => {
    const documented = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]));
    expect(codesInReadme()).toEqual(documented);
  });

  it('are snake_case', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
