import { Logger } from '@nestjs/common';
import { deliver, type SandboxStateBus, type SandboxStateEvent, type SandboxStateListener } from './sandbox-state-bus.js';

/** The default for a single API process: delivery within the process, nothing to run. */
export class InProcessSandboxStateBus implements SandboxStateBus {
  private readonly listeners = new Set<SandboxStateListener>();
  private readonly logger = new Logger('SandboxStateBus');

  async publish(events: SandboxStateEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Asynchronous like a network bus, so publishers never run listeners on their own stack.
    queueMicrotask(() => deliver(this.listeners, events, (error) => this.logger.error(String(error))));
  }

  async subscribe(listener: SandboxStateListener): Promise<() => void> {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
