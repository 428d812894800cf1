import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { Sandbox } from '../entities/sandbox.entity.js';

export enum SandboxEvents {
  /** Emitted once per sandbox after the transaction that created it commits. */
  CREATED = 'sandbox.created',
}

export interface SandboxEventPayloads {
  [SandboxEvents.CREATED]: Sandbox;
}

/** In-process lifecycle events (the cross-process state bus is separate: see src/bus). */
@Injectable()
export class SandboxEventEmitter {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  emit<E extends SandboxEvents>(event: E, payload: SandboxEventPayloads[E]): void {
    this.emitter.emit(event, payload);
  }

  on<E extends SandboxEvents>(event: E, listener: (payload: SandboxEventPayloads[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
