import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { InProcessSandboxStateBus } from '../src/bus/in-process-sandbox-state-bus.js';
import { RedisSandboxStateBus } from '../src/bus/redis-sandbox-state-bus.js';
import type { SandboxStateBus, SandboxStateEvent } from '../src/bus/sandbox-state-bus.js';
import { SandboxState } from '../src/sandbox/entities/sandbox-state.js';
import { startRedisServer, type RunningRedis } from './support/redis-server.js';

function event(state = SandboxState.STARTED): SandboxStateEvent {
  return { id: randomUUID(), organizationId: randomUUID(), state, errorReason: null };
}

function collect(bus: SandboxStateBus) {
  const received: SandboxStateEvent[] = [];
  const ready = bus.subscribe((events) => received.push(...events));
  return { received, ready };
}

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());

it('the Redis a stack starts requires its password', async () => {
  const { port } = new URL(redis.url);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once('error', reject);
  });
  expect(answer).toMatch(/^-NOAUTH/);
});

/** Both implementations honour one contract; the Redis one also crosses processes' boundaries. */
describe.each([
  ['in-process', () => { const bus = new InProcessSandboxStateBus(); return { publisher: bus, subscriber: bus }; }],
  ['redis', () => ({ publisher: new RedisSandboxStateBus(redis.url), subscriber: new RedisSandboxStateBus(redis.url) })],
])('%s sandbox state bus', (_name, makeBuses) => {
  let publisher: SandboxStateBus;
  let subscriber: SandboxStateBus;

  beforeEach(() => {
    ({ publisher, subscriber } = makeBuses());
  });
  afterEach(async () => {
    await publisher.close();
    if (subscriber !== publisher) await subscriber.close();
  });

  it('delivers a batch, in order, to every subscriber', async () => {
    const first = collect(subscriber);
    const second = collect(subscriber);
    await Promise.all([first.ready, second.ready]);
    const batch = [event(SandboxState.STARTING), event(SandboxState.STARTED), event(SandboxState.ERROR)];
    await publisher.publish(batch);
    await eventually(() => first.received.length === 3 && second.received.length === 3);
    expect(first.received).toEqual(batch);
    expect(second.received).toEqual(batch);
  });

  it('carries large batches (split into several messages where needed)', async () => {
    const sink = collect(subscriber);
    await sink.ready;
    const batch = Array.from({ length: 2_500 }, () => event());
    await publisher.publish(batch);
    await eventually(() => sink.received.length === 2_500);
    expect(sink.received.map((e) => e.id)).toEqual(batch.map((e) => e.id));
  });

  it('stops delivering after unsubscribe, and ignores empty batches', async () => {
    const received: SandboxStateEvent[] = [];
    const unsubscribe = await subscriber.subscribe((events) => received.push(...events));
    const witness = collect(subscriber);
    await witness.ready;
    unsubscribe();
    await publisher.publish([]);
    await publisher.publish([event()]);
    await eventually(() => witness.received.length === 1);
    expect(received).toEqual([]);
  });

  it('keeps delivering to others when one listener throws', async () => {
    await subscriber.subscribe(() => {
      throw new Error('listener bug');
    });
    const sink = collect(subscriber);
    await sink.ready;
    await publisher.publish([event()]);
    await eventually(() => sink.received.length === 1);
  });
});
