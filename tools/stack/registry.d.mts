import type { Writable } from 'node:stream';

export interface RegistryRequest {
  method: string;
  path: string;
  status: number;
}

export interface Registry {
  name: string;
  /** host:port, the registry part of an image reference. */
  host: string;
  port: number;
  log(): string;
  requests(): RegistryRequest[];
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  exited: Promise<NodeJS.Signals | number | null>;
}

export function startRegistry(options: { port: number; storageDir: string; output?: Writable }): Promise<Registry>;
export function pushImage(options: { layout: string; tag: string; destination: string }): Promise<void>;
