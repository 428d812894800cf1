import { ConfigError, EnvReader } from './env-reader.js';

describe('EnvReader', () => {
  it('applies defaults for unset and empty variables', () => {
    const read = new EnvReader({ EMPTY: '' });
    expect(read.string('EMPTY', 'fallback')).toBe('fallback');
    expect(read.integer('MISSING', 7, 0, 10)).toBe(7);
    expect(read.boolean('MISSING', true)).toBe(true);
    expect(read.url('MISSING', ['http:'])).toBeNull();
    expect(() => read.finish()).not.toThrow();
  });

  it('parses valid values', () => {
    const read = new EnvReader({ N: '42', B: 'No', U: 'https://x.test/api', L: 'warn', S: 'a'.repeat(16) });
    expect(read.integer('N', 0, 0, 100)).toBe(42);
    expect(read.boolean('B', true)).toBe(false);
    expect(read.url('U', ['http:', 'https:'])).toBe('https://x.test/api');
    expect(read.oneOf('L', ['log', 'warn'] as const, 'log')).toBe('warn');
    expect(read.secret('S', 16)).toBe('a'.repeat(16));
  });

  it('collects every problem and reports them together', () => {
    const read = new EnvReader({ N: '1.5', B: 'maybe', U: 'ftp://x', L: 'loud', S: 'short' });
    read.integer('N', 0, 0, 100);
    read.boolean('B', true);
    read.url('U', ['http:']);
    read.oneOf('L', ['log'] as const, 'log');
    read.secret('S', 16);
    read.required('R');
    let error: unknown;
    try {
      read.finish('test configuration');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(6);
    expect((error as ConfigError).message).toMatch(/^Invalid test configuration:\n  - N must be an integer/);
  });
});
