import { findInputViolation, INPUT_LIMITS, stringProblem } from './input-rules.js';

function nested(levels: number, leaf: unknown = 1, key = 'a'): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = key === '[' ? [value] : { [key]: value };
  return value;
}

describe('input rules', () => {
  it('accepts ordinary JSON, unicode included', () => {
    expect(
      findInputViolation({ name: 'x', env: { A: 'é 中 😀' }, items: [{ count: 1, allowUnder: false }, null], n: 1.5 }),
    ).toBeNull();
  });

  it.each([
    ['a NUL in a string value', { env: { A: 'a\u0000b' } }, 'env.A', 'noNulBytes'],
    ['a NUL in an array item', { items: ['ok', 'x\u0000'] }, 'items.1', 'noNulBytes'],
    ['a NUL in a key', { env: { 'A\u0000': 'x' } }, 'env.A\u0000', 'noNulBytes'],
    ['a lone high surrogate', { labels: { a: '\ud800' } }, 'labels.a', 'wellFormedUnicode'],
    ['a lone low surrogate in a key', { labels: { '\udfff': 'a' } }, 'labels.\udfff', 'wellFormedUnicode'],
    ['__proto__', JSON.parse('{"__proto__": {"polluted": true}}'), '__proto__', 'whitelistValidation'],
    ['a nested constructor', { items: [{ constructor: { prototype: {} } }] }, 'items.0.constructor', 'whitelistValidation'],
    ['prototype', { labels: { prototype: 'x' } }, 'labels.prototype', 'whitelistValidation'],
  ])('refuses %s, naming the field', (_label, body, field, constraint) => {
    expect(findInputViolation(body)).toEqual(expect.objectContaining({ field, constraint }));
  });

  it('names the field and the problem in the message', () => {
    expect(findInputViolation({ command: 'a\u0000' })?.message).toBe('command must not contain NUL bytes');
    expect(findInputViolation(JSON.parse('{"a":{"__proto__":1}}'))?.message).toBe('property __proto__ should not exist');
    expect(findInputViolation({ env: { 'X\u0000': '' } })?.message).toBe('key "X\\u0000" of env must not contain NUL bytes');
  });

  it('reports the first problem in document order', () => {
    expect(findInputViolation({ a: 'ok', b: ['x', 'y\u0000'], c: '\u0000' })?.field).toBe('b.1');
  });

  it(`accepts ${INPUT_LIMITS.maxDepth} levels of nesting and refuses ${INPUT_LIMITS.maxDepth + 1}`, () => {
    expect(findInputViolation(nested(INPUT_LIMITS.maxDepth))).toBeNull();
    expect(findInputViolation(nested(INPUT_LIMITS.maxDepth, 1, '['))).toBeNull();
    expect(findInputViolation(nested(INPUT_LIMITS.maxDepth + 1))).toEqual(
      expect.objectContaining({ constraint: 'maxDepth', field: Array(INPUT_LIMITS.maxDepth).fill('a').join('.') }),
    );
    expect(findInputViolation(nested(INPUT_LIMITS.maxDepth + 1, 1, '['))?.constraint).toBe('maxDepth');
  });

  it('checks a million levels without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    expect(findInputViolation({ items: deep })).toEqual(expect.objectContaining({ constraint: 'maxDepth' }));
  });

  it('bounds keys per object and items per array', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${i}`, 'v']));
    expect(findInputViolation({ env: keys(INPUT_LIMITS.maxObjectKeys) })).toBeNull();
    expect(findInputViolation({ env: keys(INPUT_LIMITS.maxObjectKeys + 1) })).toEqual(
      expect.objectContaining({ field: 'env', constraint: 'maxObjectKeys' }),
    );
    expect(findInputViolation({ updates: new Array(INPUT_LIMITS.maxArrayItems).fill({ id: 'x' }) })).toBeNull();
    expect(findInputViolation({ updates: new Array(INPUT_LIMITS.maxArrayItems + 1).fill(0) })).toEqual(
      expect.objectContaining({ field: 'updates', constraint: 'maxArrayItems' }),
    );
  });

  it('reports a problem of the body itself without a field', () => {
    const violation = findInputViolation(new Array(INPUT_LIMITS.maxArrayItems + 1).fill(0));
    expect(violation).toEqual(expect.objectContaining({ field: '', constraint: 'maxArrayItems' }));
    expect(violation?.message).toMatch(/^the body has/);
  });

  it('tells NUL bytes from lone surrogates, and lets surrogate pairs through', () => {
    expect(stringProblem('😀')).toBeNull();
    expect(stringProblem('\ud83d\ude00')).toBeNull();
    expect(stringProblem('\ude00\ud83d')?.constraint).toBe('wellFormedUnicode');
    expect(stringProblem('\u0000')?.constraint).toBe('noNulBytes');
  });
});
