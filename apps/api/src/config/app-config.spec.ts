import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('defaults to the embedded stack on 127.0.0.1:3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      publicUrl: 'http://127.0.0.1:3000/api',
      database: { embedded: { dataDir: '.data/postgres', port: 5433 } },
      redisUrl: null,
      defaultRegion: 'local',
      seed: { enabled: true, apiKey: null, envFile: null },
    });
  });

  it('uses DATABASE_URL and REDIS_URL when given', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/x', REDIS_URL: 'redis://cache:6379' });
    expect(config.database).toEqual({ url: 'postgres://u:p@db:5432/x' });
    expect(config.redisUrl).toBe('redis://cache:6379');
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'nope', SEED_DEFAULTS: 'maybe', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'SEED_DEFAULTS', 'LOG_LEVEL']) {
      expect(problems).toContain(name);
    }
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('refuses short secrets', () => {
    expect(() => loadConfig({ DAYTONA_API_KEY: 'short' })).toThrow(/DAYTONA_API_KEY/);
    expect(() => loadConfig({ RUNNER_REGISTRATION_TOKEN: 'short' })).toThrow(/RUNNER_REGISTRATION_TOKEN/);
  });
});
