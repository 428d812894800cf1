import {
  createSandboxesRequest,
  ENV_LIMITS,
  executeCommandRequest,
  parseContract,
  parseNetworkAllowList,
  registerRunnerRequest,
  sandboxStateUpdate,
  syncRequest,
} from './index.js';

const spec = (overrides: Record<string, unknown> = {}) => ({
  id: '0b6f0d52-4a4e-4a43-9a43-2d3f1c6a7e10',
  name: 'batch-a-00001',
  snapshotRef: 'host',
  cpu: 1,
  memory: 1,
  disk: 1,
  env: { FOO: 'bar' },
  ...overrides,
});

describe('runner contract', () => {
  it('accepts a well-formed create request', () => {
    expect(parseContract(createSandboxesRequest, { sandboxes: [spec()] })).toEqual({ ok: true, value: { sandboxes: [spec()] } });
  });

  it('names the field of the first violation', () => {
    const result = parseContract(createSandboxesRequest, { sandboxes: [spec(), spec({ env: { 'BAD-NAME': 'x' } })] });
    expect(result).toMatchObject({ ok: false, violation: { field: 'sandboxes.1.env.BAD-NAME' } });
  });

  it('refuses unknown fields, __proto__ included', () => {
    expect(parseContract(executeCommandRequest, { command: 'true', extra: 1 })).toMatchObject({
      ok: false,
      violation: { message: expect.stringContaining('extra') },
    });
    expect(parseContract(executeCommandRequest, JSON.parse('{"command":"true","__proto__":{"x":1}}'))).toMatchObject({ ok: false });
  });

  it('refuses NUL bytes wherever a string reaches a process', () => {
    expect(parseContract(executeCommandRequest, { command: 'echo \0' })).toMatchObject({ ok: false, violation: { field: 'command' } });
    expect(parseContract(executeCommandRequest, { command: 'true', cwd: '/tmp\0' })).toMatchObject({ ok: false, violation: { field: 'cwd' } });
    expect(parseContract(executeCommandRequest, { command: 'true', env: { A: 'x\0y' } })).toMatchObject({
      ok: false,
      violation: { field: 'env.A' },
    });
  });

  it('bounds env size, timeouts and error reasons', () => {
    const env = Object.fromEntries(Array.from({ length: ENV_LIMITS.maxEntries + 1 }, (_, index) => [`V${index}`, '']));
    expect(parseContract(executeCommandRequest, { command: 'true', env })).toMatchObject({ ok: false, violation: { field: 'env' } });
    expect(parseContract(executeCommandRequest, { command: 'true', timeout: 3601 })).toMatchObject({ ok: false });
    expect(parseContract(executeCommandRequest, { command: 'true', timeout: 1.5 })).toMatchObject({ ok: false });
    expect(parseContract(sandboxStateUpdate, { id: 'a', state: 'error', errorReason: 'x'.repeat(2001) })).toMatchObject({ ok: false });
  });

  it('takes image references with a registry, a tag or a digest, and nothing with a transport or spaces', () => {
    for (const ref of ['debian:12', '127.0.0.1:5000/daytona/default:1', 'ghcr.io/org/img@sha256:' + 'a'.repeat(64)]) {
      expect(parseContract(createSandboxesRequest, { sandboxes: [spec({ snapshotRef: ref })] }).ok).toBe(true);
    }
    for (const ref of ['docker://debian:12', 'debian 12', '-rm', '']) {
      expect(parseContract(createSandboxesRequest, { sandboxes: [spec({ snapshotRef: ref })] })).toMatchObject({
        ok: false,
        violation: { field: 'sandboxes.0.snapshotRef' },
      });
    }
  });

  it('checks registration and inventories', () => {
    const registration = { name: 'r1', url: 'http://127.0.0.1:3003', region: 'local', isolated: true, capacity: { cpu: 1, memory: 1, disk: 1 } };
    expect(parseContract(registerRunnerRequest, { ...registration, credential: 'a'.repeat(64) }).ok).toBe(true);
    expect(parseContract(registerRunnerRequest, { ...registration, credential: 'short' })).toMatchObject({ ok: false, violation: { field: 'credential' } });
    expect(parseContract(registerRunnerRequest, registration).ok).toBe(true);
    expect(parseContract(registerRunnerRequest, { ...registration, url: 'file:///etc/passwd' })).toMatchObject({ ok: false, violation: { field: 'url' } });
    expect(parseContract(syncRequest, { sandboxes: [{ id: '../etc', state: 'started' }], images: [] })).toMatchObject({
      ok: false,
      violation: { field: 'sandboxes.0.id' },
    });
  });
});

describe('network allow lists', () => {
  it('takes comma-separated IPv4 CIDRs, canonical, at most 10', () => {
    expect(parseNetworkAllowList('198.18.0.1/15, 10.0.0.0/8')).toEqual({ ok: true, cidrs: ['198.18.0.0/15', '10.0.0.0/8'] });
    expect(parseNetworkAllowList('0.0.0.0/0')).toEqual({ ok: true, cidrs: ['0.0.0.0/0'] });
    for (const bad of ['198.18.0.1', '198.18.0.0/33', '::1/128', '300.1.1.1/8', '', '1.2.3.4/8,']) {
      expect(parseNetworkAllowList(bad)).toMatchObject({ ok: false });
    }
    expect(parseNetworkAllowList(Array.from({ length: 11 }, (_, i) => `10.${i}.0.0/16`).join(','))).toMatchObject({ ok: false });
  });

  it('carries them in the spec only in canonical form', () => {
    expect(parseContract(createSandboxesRequest, { sandboxes: [spec({ networkBlockAll: false, networkAllowList: ['198.18.0.0/15'] })] }).ok).toBe(true);
    expect(parseContract(createSandboxesRequest, { sandboxes: [spec({ networkAllowList: ['198.18.0.1/15'] })] })).toMatchObject({
      ok: false,
      violation: { field: 'sandboxes.0.networkAllowList.0' },
    });
  });
});
