"""Two snapshots of two images, one bulk create from both, and in each sandbox the image it runs,
with the asyncio SDK. The images come from DAYTONA_TEST_IMAGE_ALPHA and DAYTONA_TEST_IMAGE_BETA:

    eval "$(node tools/images/push-test-images.mjs)"  # after `npm start`: the test images in its registry
    .venv/bin/python examples/python/snapshots/_async/snapshots.py

Every sandbox and snapshot it created is deleted at the end, even after a failure; it exits 1 then.
"""

import asyncio
import os
import sys

from daytona import (
    AsyncDaytona,
    AsyncSandbox,
    BulkCreateItem,
    CreateSnapshotParams,
    DaytonaError,
    DaytonaSnapshotStateError,
    DaytonaTimeoutError,
)

# Seconds for a runner to pull an image: about one for the test images; raise it for large ones.
SNAPSHOT_TIMEOUT = 120
# On the test images /marker names the image; other images say what OS they are.
WHICH_IMAGE = 'cat /marker 2>/dev/null || sed -n "s/^PRETTY_NAME=//p" /etc/os-release'


def images_from_env(names: dict[str, str]) -> dict[str, str]:
    missing = [variable for variable in names.values() if not os.environ.get(variable)]
    if missing:
        sys.exit(
            f"{' and '.join(missing)}: not set. They name images your runner can pull; against npm start, push the "
            'test images to its registry and set both with: eval "$(node tools/images/push-test-images.mjs)"'
        )
    return {snapshot: os.environ[variable] for snapshot, variable in names.items()}


async def create_snapshot(daytona: AsyncDaytona, name: str, image: str, snapshots: list[str]) -> None:
    print(f"Creating snapshot {name} from {image}...")
    try:
        await daytona.snapshot.create(
            CreateSnapshotParams(name=name, image=image), on_logs=lambda line: print(f"  {line}"), timeout=SNAPSHOT_TIMEOUT
        )
    except (DaytonaSnapshotStateError, DaytonaTimeoutError):
        snapshots.append(name)  # it exists, in error or still pulling: this run's to delete
        raise
    snapshots.append(name)


async def main() -> int:
    images = images_from_env({"py-async-snap-alpha": "DAYTONA_TEST_IMAGE_ALPHA", "py-async-snap-beta": "DAYTONA_TEST_IMAGE_BETA"})
    snapshots: list[str] = []
    sandboxes: list[AsyncSandbox] = []
    failed = False
    async with AsyncDaytona() as daytona:
        try:
            for name, image in images.items():
                await create_snapshot(daytona, name, image, snapshots)

            print("Bulk creating sandboxes from both snapshots in one request (await started)...")
            sandboxes += await daytona.bulk_create(
                [BulkCreateItem(snapshot_id_or_name=name, count=2, sandbox_name_prefix=name) for name in images],
                await_started=True, timeout=300,
            )
            await asyncio.gather(*(s.wait_until_started(timeout=0) for s in sandboxes))  # the server's wait may have ended in error
            results = await asyncio.gather(*(s.process.execute_command(WHICH_IMAGE) for s in sandboxes))
            for sandbox, response in zip(sandboxes, results):
                print(f"{sandbox.name}: {response.result.strip()}")
        except DaytonaError as error:
            print(f"failed: {type(error).__name__}: {error}", file=sys.stderr)
            failed = True
        finally:
            # The sandboxes first: a snapshot in use cannot be deleted.
            print(f"Deleting {len(sandboxes)} sandboxes and {len(snapshots)} snapshots...")
            outcomes = await asyncio.gather(*(s.delete() for s in sandboxes), return_exceptions=True)
            outcomes += await asyncio.gather(*(daytona.snapshot.delete(name) for name in snapshots), return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, Exception):
                    print(f"cleanup failed: {outcome}", file=sys.stderr)
                    failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
