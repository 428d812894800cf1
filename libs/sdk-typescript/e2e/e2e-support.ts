import { randomBytes } from 'node:crypto';
import { Daytona, Sandbox, SandboxState } from '../src/index.js';

if (!process.env.DAYTONA_API_URL || !process.env.DAYTONA_API_KEY) {
  throw new Error(
    'The e2e tests need a live stack: node tools/e2e/with-stack.mjs -- npx nx run sdk-typescript:e2e ' +
      '(or DAYTONA_API_URL and DAYTONA_API_KEY of one)',
  );
}

/** A name prefix no other run uses, so the suite can share a stack and find its own sandboxes. */
export function uniquePrefix(name: string): string {
  return `sdk-ts-${randomBytes(3).toString('hex')}-${name}`;
}

/** The organization's live (not destroyed) sandboxes whose names start with `prefix`. */
export async function liveSandboxesNamed(daytona: Daytona, prefix: string): Promise<Sandbox[]> {
  const page = await daytona.list({ limit: 1000 });
  if (page.totalPages > 1) throw new Error('more than 1000 live sandboxes: use a fresh stack');
  return page.items.filter((sandbox) => sandbox.name.startsWith(prefix));
}

/** Safety net for afterAll: deletes whatever a failed test left behind. */
export async function deleteLeftovers(daytona: Daytona, prefix: string): Promise<void> {
  const leftovers = await liveSandboxesNamed(daytona, prefix).catch(() => []);
  await Promise.allSettled(leftovers.map((sandbox) => sandbox.delete()));
}

/** States in which a sandbox holds runner capacity (the API's one rule). */
export function holdsCapacity(sandbox: Sandbox): boolean {
  const released: SandboxState[] = [SandboxState.DESTROYED, SandboxState.ERROR, SandboxState.BUILD_FAILED];
  return !released.includes(sandbox.state);
}

export function expectedNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${String(index + 1).padStart(5, '0')}`);
}

/** Reference of a busybox test image in the stack's registry (its /marker holds the tag). */
export function testImage(tag: 'alpha' | 'beta'): string {
  const image = process.env[`DAYTONA_TEST_IMAGE_${tag.toUpperCase()}`];
  if (!image) throw new Error(`DAYTONA_TEST_IMAGE_${tag.toUpperCase()} is not set: run the suite through tools/e2e/with-stack.mjs`);
  return image;
}
