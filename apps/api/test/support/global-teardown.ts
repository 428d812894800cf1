/** persistent: false makes stop() remove the data directory too. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__TEST_POSTGRES__?.stop();
  await globalThis.__TEST_IMAGES__?.registry.stop();
}
