import { ConfigError, loadRunnerConfig } from './runner-config.js';

const required = {
  DAYTONA_API_URL: 'http://127.0.0.1:3000/api/',
  RUNNER_REGISTRATION_TOKEN: 'registration-secret',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadRunnerConfig(env, '/srv');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadRunnerConfig', () => {
  it('fills defaults around the two required variables', () => {
    const config = loadRunnerConfig({ ...required, RUNNER_NAME: 'runner-1' }, '/srv');
    expect(config).toMatchObject({
      name: 'runner-1',
      host: '127.0.0.1',
      port: 3003,
      url: null,
      apiUrl: 'http://127.0.0.1:3000/api',
      region: 'local',
      capacity: { cpu: 4000, memory: 4000, disk: 4000 },
      dataDir: '/srv/.data/runner',
      imageCacheDir: '/srv/.data/runner/images',
      provider: 'auto',
      startConcurrency: 16,
      reportIntervalMs: 100,
      heartbeatIntervalMs: 5000,
      syncIntervalMs: 5000,
      execOutputLimitBytes: 1_048_576,
      execDefaultTimeoutSeconds: 300,
      sandboxUid: 65534,
      sandboxGid: 65534,
      sandboxDns: null,
      imageMaxBytes: 10 * 1024 ** 3,
      insecureRegistries: [],
      imagePullTimeoutSeconds: 600,
      userNamespace: { base: 100_000, size: 65_536 },
      logLevel: 'log',
    });
  });

  it('reads the image settings', () => {
    const config = loadRunnerConfig(
      {
        ...required,
        RUNNER_INSECURE_REGISTRIES: '127.0.0.1:5000, Registry.Local ,localhost',
        RUNNER_IMAGE_MAX_BYTES: '1000',
        RUNNER_IMAGE_PULL_TIMEOUT_SECONDS: '30',
        RUNNER_USERNS_BASE: '200000',
        RUNNER_USERNS_SIZE: '1000',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      insecureRegistries: ['127.0.0.1:5000', 'registry.local', 'localhost'],
      imageMaxBytes: 1000,
      imagePullTimeoutSeconds: 30,
      userNamespace: { base: 200_000, size: 1000 },
    });
    const problems = problemsOf({ ...required, RUNNER_INSECURE_REGISTRIES: 'http://x:5000', RUNNER_USERNS_BASE: '0', RUNNER_USERNS_SIZE: '4294967294' });
    expect(problems.join('\n')).toMatch(/RUNNER_INSECURE_REGISTRIES[\s\S]*RUNNER_USERNS_BASE/);
    expect(problemsOf({ ...required, RUNNER_USERNS_BASE: '4294960000', RUNNER_USERNS_SIZE: '65536' })).toEqual([
      expect.stringContaining('RUNNER_USERNS_BASE + RUNNER_USERNS_SIZE'),
    ]);
  });

  it('accepts port 0 and explicit values', () => {
    const config = loadRunnerConfig(
      { ...required, RUNNER_NAME: 'r', RUNNER_PORT: '0', RUNNER_PROVIDER: 'process', RUNNER_SANDBOX_DNS: '198.18.0.53', RUNNER_DATA_DIR: '/var/lib/runner' },
      '/srv',
    );
    expect(config).toMatchObject({ port: 0, provider: 'process', sandboxDns: '198.18.0.53', dataDir: '/var/lib/runner' });
  });

  it('lists every missing required variable', () => {
    const problems = problemsOf({ RUNNER_NAME: 'r' });
    expect(problems).toHaveLength(2);
    for (const name of ['DAYTONA_API_URL', 'RUNNER_REGISTRATION_TOKEN']) {
      expect(problems.join('\n')).toContain(name);
    }
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({
      ...required,
      RUNNER_NAME: 'bad name!',
      DAYTONA_API_URL: 'ftp://x',
      RUNNER_PORT: '70000',
      RUNNER_PROVIDER: 'docker',
      RUNNER_EXEC_DEFAULT_TIMEOUT_SECONDS: '3601',
      RUNNER_NETWORK: 'false',
      RUNNER_SANDBOX_DNS: 'dns.example',
      LOG_LEVEL: 'loud',
    });
    const text = problems.join('\n');
    for (const name of ['RUNNER_NAME', 'DAYTONA_API_URL', 'RUNNER_PORT', 'RUNNER_PROVIDER', 'RUNNER_EXEC_DEFAULT_TIMEOUT_SECONDS', 'RUNNER_NETWORK', 'RUNNER_SANDBOX_DNS', 'LOG_LEVEL']) {
      expect(text).toContain(name);
    }
    // Even set to false: the host network is no sandbox's to share any more.
    expect(text).toContain('RUNNER_NETWORK is no longer supported');
    expect(problems).toHaveLength(8);
  });
});
