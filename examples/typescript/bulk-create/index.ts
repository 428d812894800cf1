// Bulk-creates sandboxes in both modes and runs a command in each:
//   1. fire and forget (awaitStarted: false), then wait for each sandbox;
//   2. await started (awaitStarted: true), then run commands at once.
// Every sandbox it created is deleted at the end, even after a failure; the exit code is 1 then.
import { Daytona, SandboxState, type Sandbox } from '@daytonaio/sdk';

/** Bound on the whole fire-and-forget wait, in seconds. */
const START_TIMEOUT = 120;

async function main() {
  const daytona = new Daytona();
  const created: Sandbox[] = [];

  try {
    // Mode 1: Fire and forget (awaitStarted = false), then poll
    console.log('Bulk creating sandboxes (fire and forget)...');
    const sandboxes = await daytona.bulkCreate(
      [{ snapshotIdOrName: 'default', count: 3, sandboxNamePrefix: 'batch-a' }],
      { awaitStarted: false },
    );
    created.push(...sandboxes);
    // Wait until each is started: polls with backoff, throws at once for a sandbox that ends in
    // error (with the reason), and all the waits together share one deadline.
    const deadline = Date.now() + START_TIMEOUT * 1000;
    for (const sandbox of sandboxes) {
      await sandbox.waitUntilStarted(Math.max((deadline - Date.now()) / 1000, 0));
      const result = await sandbox.process.executeCommand('echo hello');
      console.log(`${sandbox.name}: ${result.result.trim()}`);
    }

    // Mode 2: Await started
    console.log('Bulk creating sandboxes (await started)...');
    const readySandboxes = await daytona.bulkCreate(
      [{ snapshotIdOrName: 'default', count: 3, sandboxNamePrefix: 'batch-b' }],
      { awaitStarted: true, timeout: 300 },
    );
    created.push(...readySandboxes);
    for (const sandbox of readySandboxes) {
      // The server answers at its own timeout even if some sandboxes are not started yet.
      if (sandbox.state !== SandboxState.STARTED) {
        throw new Error(`${sandbox.name} is ${sandbox.state}${sandbox.errorReason ? `: ${sandbox.errorReason}` : ''}`);
      }
      const result = await sandbox.process.executeCommand('echo hello');
      console.log(`${sandbox.name}: ${result.result.trim()}`);
    }
  } finally {
    // Cleanup
    console.log(`Deleting ${created.length} sandboxes...`);
    const outcomes = await Promise.allSettled(created.map((sandbox) => daytona.delete(sandbox)));
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
    if (failures.length > 0) {
      for (const failure of failures) console.error('Cleanup failed:', failure.reason);
      process.exitCode = 1;
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
