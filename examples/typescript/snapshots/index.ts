// Makes two snapshots of two images, bulk-creates sandboxes from both in one request, and shows
// in each sandbox which image it runs. The image references come from DAYTONA_TEST_IMAGE_ALPHA and
// DAYTONA_TEST_IMAGE_BETA (README: where to get them under `npm start`). Every sandbox and snapshot
// it created is deleted at the end, even after a failure; the exit code is 1 then.
import { Daytona, DaytonaSnapshotStateError, DaytonaTimeoutError, SandboxState, type Sandbox } from '@daytonaio/sdk';

/** Seconds for a runner to pull an image: about one for the test images; raise it for large ones. */
const SNAPSHOT_TIMEOUT = 120;
/** On the test images /marker names the image; other images say what OS they are. */
const WHICH_IMAGE = 'cat /marker 2>/dev/null || sed -n "s/^PRETTY_NAME=//p" /etc/os-release';

function imageFromEnv(variable: string): string {
  const image = process.env[variable];
  if (!image) {
    throw new Error(
      `${variable} is not set: it names an image your runner can pull. Against npm start, push the test images to its ` +
        'registry and set both with: eval "$(node tools/images/push-test-images.mjs)"',
    );
  }
  return image;
}

async function main() {
  const daytona = new Daytona();
  const images = { 'ts-snap-alpha': imageFromEnv('DAYTONA_TEST_IMAGE_ALPHA'), 'ts-snap-beta': imageFromEnv('DAYTONA_TEST_IMAGE_BETA') };
  const snapshots: string[] = [];
  const sandboxes: Sandbox[] = [];

  try {
    for (const [name, image] of Object.entries(images)) {
      console.log(`Creating snapshot ${name} from ${image}...`);
      try {
        await daytona.snapshot.create({ name, image }, { onLogs: (line) => console.log(`  ${line}`), timeout: SNAPSHOT_TIMEOUT });
      } catch (error) {
        // It exists, in error or still pulling: this run's to delete.
        if (error instanceof DaytonaSnapshotStateError || error instanceof DaytonaTimeoutError) snapshots.push(name);
        throw error;
      }
      snapshots.push(name);
    }

    console.log('Bulk creating sandboxes from both snapshots in one request (await started)...');
    sandboxes.push(
      ...(await daytona.bulkCreate(
        Object.keys(images).map((name) => ({ snapshotIdOrName: name, count: 2, sandboxNamePrefix: name })),
        { awaitStarted: true, timeout: 300 },
      )),
    );
    for (const sandbox of sandboxes) {
      if (sandbox.state !== SandboxState.STARTED) {
        throw new Error(`${sandbox.name} is ${sandbox.state}${sandbox.errorReason ? `: ${sandbox.errorReason}` : ''}`);
      }
      const { result } = await sandbox.process.executeCommand(WHICH_IMAGE);
      console.log(`${sandbox.name}: ${result.trim()}`);
    }
  } finally {
    // Cleanup: the sandboxes first, since a snapshot in use cannot be deleted.
    console.log(`Deleting ${sandboxes.length} sandboxes and ${snapshots.length} snapshots...`);
    const outcomes = await Promise.allSettled(sandboxes.map((sandbox) => daytona.delete(sandbox)));
    outcomes.push(...(await Promise.allSettled(snapshots.map((name) => daytona.snapshot.delete(name)))));
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        console.error('Cleanup failed:', outcome.reason);
        process.exitCode = 1;
      }
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
