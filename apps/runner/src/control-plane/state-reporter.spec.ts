import type { ReportSandboxStatesRequest } from '@daytona/runner-contract';
import { silentLogger } from '../../test/support/silent-logger.js';
import { ControlPlaneError } from './control-plane-client.js';
import { StateReporter } from './state-reporter.js';

const update = (index: number) => ({ id: `sb-${index}`, state: 'started' as const, errorReason: null });

/** A stand-in for the API call: records batches, fails while told to. */
function fakeApi() {
  const batches: ReportSandboxStatesRequest['updates'][] = [];
  const api = {
    batches,
    failWith: null as ControlPlaneError | null,
    /** Refuses (400) any batch holding an update this matches. */
    refuses: (_update: ReportSandboxStatesRequest['updates'][number]) => false,
    attempts: 0,
    send: async (request: ReportSandboxStatesRequest) => {
      api.attempts++;
      if (api.failWith) throw api.failWith;
      if (request.updates.some((update) => api.refuses(update))) throw new ControlPlaneError(400, 'validation_failed');
      batches.push(request.updates);
    },
  };
  return api;
}

const until = async (condition: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('StateReporter', () => {
  it('sends nothing before start(), then everything queued in one request', async () => {
    const api = fakeApi();
    const reporter = new StateReporter(api.send, 10, silentLogger);
    for (let index = 0; index < 5; index++) reporter.report(update(index));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(api.attempts).toBe(0);
    reporter.start();
    await until(() => api.batches.length === 1);
    expect(api.batches[0]).toEqual([0, 1, 2, 3, 4].map(update));
    await reporter.stop(100);
  });

  it('batches changes that happen together into one request per interval', async () => {
    const api = fakeApi();
    const reporter = new StateReporter(api.send, 40, silentLogger);
    reporter.start();
    for (let index = 0; index < 300; index++) reporter.report(update(index));
    await until(() => api.batches.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(api.batches).toHaveLength(1);
    expect(api.batches[0]).toHaveLength(300);
    await reporter.stop(100);
  });

  it('flushes full batches of 1000 at once, without waiting for the interval', async () => {
    const api = fakeApi();
    const reporter = new StateReporter(api.send, 60_000, silentLogger);
    reporter.start();
    for (let index = 0; index < 2500; index++) reporter.report(update(index));
    await until(() => api.batches.length === 2);
    expect(api.batches.map((batch) => batch.length)).toEqual([1000, 1000]);
    expect(reporter.queued).toBe(500);
    await reporter.stop(1000);
    expect(api.batches.flat()).toEqual(Array.from({ length: 2500 }, (_, index) => update(index)));
  });

  it('retries in order while the API is unreachable, losing and duplicating nothing', async () => {
    const api = fakeApi();
    api.failWith = new ControlPlaneError(null, 'connect ECONNREFUSED');
    const reporter = new StateReporter(api.send, 5, silentLogger);
    reporter.start();
    reporter.report(update(1));
    reporter.report(update(2));
    await until(() => api.attempts >= 3);
    reporter.report(update(3));
    api.failWith = null;
    await until(() => reporter.queued === 0);
    expect(api.batches.flat()).toEqual([update(1), update(2), update(3)]);
    await reporter.stop(100);
  });

  it('drops a batch the API refuses (4xx) instead of blocking every later update', async () => {
    const api = fakeApi();
    api.failWith = new ControlPlaneError(400, 'validation_failed');
    const reporter = new StateReporter(api.send, 5, silentLogger);
    reporter.start();
    reporter.report(update(1));
    await until(() => api.attempts === 1 && reporter.queued === 0);
    api.failWith = null;
    reporter.report(update(2));
    await until(() => api.batches.length === 1);
    expect(api.batches).toEqual([[update(2)]]);
    await reporter.stop(100);
  });

  it('drops only the update the API refuses when it refuses a whole batch, delivering the rest in order', async () => {
    const api = fakeApi();
    api.refuses = (update) => update.id === 'sb-3';
    const reporter = new StateReporter(api.send, 10, silentLogger);
    for (let index = 0; index < 8; index++) reporter.report(update(index));
    reporter.start();
    await until(() => reporter.queued === 0);
    expect(api.batches.flat()).toEqual([0, 1, 2, 4, 5, 6, 7].map(update));
    await reporter.stop(100);
  });

  it('delivers what is queued when stopped', async () => {
    const api = fakeApi();
    const reporter = new StateReporter(api.send, 60_000, silentLogger);
    reporter.start();
    reporter.report(update(1));
    await reporter.stop(1000);
    expect(api.batches).toEqual([[update(1)]]);
  });
});
