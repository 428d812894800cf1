import { InvalidArgumentError } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectItem, collectKeyValue, collectValues, parsePositiveInteger, parsePositiveNumber, readItemsFile } from './options.js';

describe('collectKeyValue', () => {
  it('collects repeated key=value options into one object; a value may contain =', () => {
    const once = collectKeyValue('run=eval-7', undefined);
    expect(collectKeyValue('QUERY=a=b', once)).toEqual({ run: 'eval-7', QUERY: 'a=b' });
  });

  it('keeps an empty value, and the last of a repeated key', () => {
    expect(collectKeyValue('team=b', collectKeyValue('team=', undefined))).toEqual({ team: 'b' });
  });

  it.each(['run', '=eval', ''])('refuses %p, which has no key', (value) => {
    expect(() => collectKeyValue(value, undefined)).toThrow(InvalidArgumentError);
  });
});

it('collectValues keeps repeated values in order', () => {
  expect(collectValues('b', collectValues('a', undefined))).toEqual(['a', 'b']);
});

describe('numbers', () => {
  it.each([['1', 1], ['250', 250]])('parsePositiveInteger(%p) is %p', (text, number) => {
    expect(parsePositiveInteger(text)).toBe(number);
  });

  it.each(['0', '-3', '2.5', 'ten', '', '1e3', '99999999999999999999'])('parsePositiveInteger refuses %p', (text) => {
    expect(() => parsePositiveInteger(text)).toThrow(InvalidArgumentError);
  });

  it('parsePositiveNumber takes fractions of a second and refuses 0 and words', () => {
    expect(parsePositiveNumber('0.5')).toBe(0.5);
    for (const text of ['0', '-1', 'soon', '']) expect(() => parsePositiveNumber(text)).toThrow(InvalidArgumentError);
  });
});

describe('collectItem', () => {
  it('reads count and prefix, and the optional snapshot and allowUnder, item after item', () => {
    const first = collectItem('count=10,prefix=small', undefined);
    expect(collectItem('snapshot=big, count=2, prefix=large, allowUnder=true', first)).toEqual([
      { count: 10, prefix: 'small' },
      { snapshot: 'big', count: 2, prefix: 'large', allowUnder: true },
    ]);
  });

  it.each([
    ['prefix=p', /needs count and prefix/],
    ['count=3', /needs count and prefix/],
    ['count=0,prefix=p', /whole number/],
    ['count=3,prefix=p,colour=red', /unknown item field colour/],
    ['count=3,prefix=p,allowUnder=yes', /true or false/],
    ['count=3,prefix', /key=value/],
  ])('refuses %p', (value, message) => {
    expect(() => collectItem(value, undefined)).toThrow(message);
  });
});

describe('readItemsFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cli-items-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (text: string) => {
    const path = join(dir, 'items.json');
    writeFileSync(path, text);
    return path;
  };
  const item = { snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'f', labels: { run: 'x' } };

  it('reads an array of items, or an object with items', () => {
    expect(readItemsFile(file(JSON.stringify([item])))).toEqual([item]);
    expect(readItemsFile(file(JSON.stringify({ items: [item] })))).toEqual([item]);
  });

  it('says what is wrong with a file it cannot use', () => {
    expect(() => readItemsFile(join(dir, 'missing.json'))).toThrow(/cannot read items from .*missing.json/);
    expect(() => readItemsFile(file('{ nope'))).toThrow(/cannot read items/);
    expect(() => readItemsFile(file('{"count": 3}'))).toThrow(/must hold a JSON array of items/);
    expect(() => readItemsFile(file('[1, 2]'))).toThrow(/must hold a JSON array of items/);
  });
});
