import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { deliver, type SandboxStateBus, type SandboxStateEvent, type SandboxStateListener } from './sandbox-state-bus.js';

export const SANDBOX_STATE_CHANNEL = 'daytona:sandbox-state';

/** Keeps each Redis message well below the size where pub/sub latency suffers. */
const EVENTS_PER_MESSAGE = 1_000;
/** How long start-up waits for the subscription before going on without it (waits re-read the database). */
const SUBSCRIBE_WAIT_MS = 5_000;

/**
 * Redis pub/sub between API instances. One subscriber connection per process, whatever the
 * number of local listeners; each message carries a batch of events as a JSON array.
 *
 * Best effort throughout: while Redis is unreachable, publishing drops the events at once (no
 * queue, no waiting) and the subscription comes back by itself when Redis does; waiters re-read
 * the database meanwhile, so an outage slows waits down but never fails a request.
 */
export class RedisSandboxStateBus implements SandboxStateBus {
  private readonly logger = new Logger('SandboxStateBus');
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<SandboxStateListener>();
  private subscribed: Promise<void> | null = null;
  private reachable = true;

  constructor(url: string) {
    this.publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => this.noteOutage(error));
      client.on('ready', () => this.noteRecovery());
    }
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
  }

  async publish(events: SandboxStateEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const pipeline = this.publisher.pipeline();
      for (let start = 0; start < events.length; start += EVENTS_PER_MESSAGE) {
        pipeline.publish(SANDBOX_STATE_CHANNEL, JSON.stringify(events.slice(start, start + EVENTS_PER_MESSAGE)));
      }
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
    } catch (error) {
      this.noteOutage(error as Error, `${events.length} state change(s) not published`);
    }
  }

  async subscribe(listener: SandboxStateListener): Promise<() => void> {
    this.listeners.add(listener);
    // Queued until connected; ioredis subscribes again after every reconnect.
    this.subscribed ??= this.subscriber.subscribe(SANDBOX_STATE_CHANNEL).then(() => undefined);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, SUBSCRIBE_WAIT_MS, 'timeout').unref());
    const outcome = await Promise.race([this.subscribed.then(() => 'live' as const), timeout]).catch(() => 'failed' as const);
    if (outcome !== 'live') this.logger.warn('Redis is unreachable: state changes from other API instances arrive by database re-checks until it is back');
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    // Not quit(): with Redis unreachable it would wait in the offline queue forever.
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private noteOutage(error: Error, what = 'connection lost'): void {
    // One line per outage, not one per retry or per publish.
    if (!this.reachable) return;
    this.reachable = false;
    this.logger.warn(`Redis: ${what}: ${error.message}`);
  }

  private noteRecovery(): void {
    if (this.reachable) return;
    this.reachable = true;
    this.logger.log('Redis: reachable again');
  }

  private receive(message: string): void {
    let events: SandboxStateEvent[];
    try {
      events = JSON.parse(message) as SandboxStateEvent[];
    } catch {
      this.logger.warn('Ignoring a malformed sandbox state message');
      return;
    }
    deliver(this.listeners, events, (error) => this.logger.error(String(error)));
  }
}
