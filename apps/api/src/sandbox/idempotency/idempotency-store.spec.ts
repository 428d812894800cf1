import { canonicalJson } from './idempotency-store.js';

describe('canonicalJson (the body an Idempotency-Key is bound to)', () => {
  it('ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { e: 2, f: 1 }] }, b: 1 }));
  });

  it('keeps what changes the request: values, array order, absent against false', () => {
    expect(canonicalJson({ items: [1, 2] })).not.toBe(canonicalJson({ items: [2, 1] }));
    expect(canonicalJson({ count: 1 })).not.toBe(canonicalJson({ count: 2 }));
    expect(canonicalJson({ awaitStarted: false })).not.toBe(canonicalJson({}));
  });
});
