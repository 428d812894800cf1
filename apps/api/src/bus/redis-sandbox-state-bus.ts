import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { deliver, type SandboxStateBus, type SandboxStateEvent, type SandboxStateListener } from './sandbox-state-bus.js';

export const SANDBOX_STATE_CHANNEL = 'daytona:sandbox-state';

/** Keeps each Redis message well below the size where pub/sub latency suffers. */
const EVENTS_PER_MESSAGE = 1_000;

/**
 * Redis pub/sub between API instances. One subscriber connection per process, whatever the
 * number of local listeners; each message carries a batch of events as a JSON array.
 */
export class RedisSandboxStateBus implements SandboxStateBus {
  private readonly logger = new Logger('SandboxStateBus');
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<SandboxStateListener>();
  private subscribed: Promise<void> | null = null;

  constructor(url: string) {
    const options = { lazyConnect: true, maxRetriesPerRequest: 3 };
    this.publisher = new Redis(url, options);
    this.subscriber = new Redis(url, options);
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    }
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
  }

  async publish(events: SandboxStateEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.publisher.status === 'wait') await this.publisher.connect();
    const pipeline = this.publisher.pipeline();
    for (let start = 0; start < events.length; start += EVENTS_PER_MESSAGE) {
      pipeline.publish(SANDBOX_STATE_CHANNEL, JSON.stringify(events.slice(start, start + EVENTS_PER_MESSAGE)));
    }
    await pipeline.exec();
  }

  async subscribe(listener: SandboxStateListener): Promise<() => void> {
    this.listeners.add(listener);
    this.subscribed ??= this.subscriber.connect().then(async () => {
      await this.subscriber.subscribe(SANDBOX_STATE_CHANNEL);
    });
    await this.subscribed;
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all([this.publisher.quit().catch(() => undefined), this.subscriber.quit().catch(() => undefined)]);
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
