import type { Writable } from 'node:stream';
import type { Registry } from './registry.mjs';

export const SHARED_REGISTRY_STORAGE: string;
export const SHARED_RUNNER_IMAGE_CACHE: string;

export interface ServedImages {
  registry: Registry;
  /** host:port, for RUNNER_INSECURE_REGISTRIES. */
  insecureRegistry: string;
  defaultImage: string;
  alpha?: string;
  beta?: string;
  user?: string;
}

export function serveImages(options?: {
  port?: number;
  storageDir?: string;
  output?: Writable;
  testImages?: boolean;
  onBuild?: () => void;
}): Promise<ServedImages>;

export function waitForDefaultSnapshot(options: { apiUrl: string; apiKey: string; timeoutMs?: number }): Promise<unknown>;
