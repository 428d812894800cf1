import type { Writable } from 'node:stream';

export function buildDefaultImage(options?: { output?: Writable | null }): Promise<{ layout: string; tag: string }>;
export function buildTestImages(options?: { output?: Writable | null }): Promise<{ layout: string; tags: Array<'alpha' | 'beta' | 'user'> }>;
