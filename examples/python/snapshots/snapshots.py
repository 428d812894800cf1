"""Two snapshots of two images, one bulk create from both, and in each sandbox the image it runs,
with the sync SDK. The images come from DAYTONA_TEST_IMAGE_ALPHA and DAYTONA_TEST_IMAGE_BETA:

    eval "$(node tools/images/push-test-images.mjs)"  # after `npm start`: the test images in its registry
    .venv/bin/python examples/python/snapshots/snapshots.py

Every sandbox and snapshot it created is deleted at the end, even after a failure; it exits 1 then.
"""

import os
import sys

from daytona import (
    BulkCreateItem,
    CreateSnapshotParams,
    Daytona,
    DaytonaError,
    DaytonaSnapshotStateError,
    DaytonaTimeoutError,
    Sandbox,
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


def main() -> int:
    images = images_from_env({"py-snap-alpha": "DAYTONA_TEST_IMAGE_ALPHA", "py-snap-beta": "DAYTONA_TEST_IMAGE_BETA"})
    snapshots: list[str] = []
    sandboxes: list[Sandbox] = []
    failed = False
    with Daytona() as daytona:
        try:
            for name, image in images.items():
                print(f"Creating snapshot {name} from {image}...")
                try:
                    daytona.snapshot.create(
                        CreateSnapshotParams(name=name, image=image), on_logs=lambda line: print(f"  {line}"), timeout=SNAPSHOT_TIMEOUT
                    )
                except (DaytonaSnapshotStateError, DaytonaTimeoutError):
                    snapshots.append(name)  # it exists, in error or still pulling: this run's to delete
                    raise
                snapshots.append(name)

            print("Bulk creating sandboxes from both snapshots in one request (await started)...")
            sandboxes += daytona.bulk_create(
                [BulkCreateItem(snapshot_id_or_name=name, count=2, sandbox_name_prefix=name) for name in images],
                await_started=True, timeout=300,
            )
            for sandbox in sandboxes:
                sandbox.wait_until_started(timeout=0)  # the server's wait may have ended in error
                print(f"{sandbox.name}: {sandbox.process.execute_command(WHICH_IMAGE).result.strip()}")
        except DaytonaError as error:
            print(f"failed: {type(error).__name__}: {error}", file=sys.stderr)
            failed = True
        finally:
            # The sandboxes first: a snapshot in use cannot be deleted.
            print(f"Deleting {len(sandboxes)} sandboxes and {len(snapshots)} snapshots...")
            for what, delete in [*((s.name, s.delete) for s in sandboxes), *((n, lambda n=n: daytona.snapshot.delete(n)) for n in snapshots)]:
                try:
                    delete()
                except DaytonaError as error:
                    print(f"could not delete {what}: {error}", file=sys.stderr)
                    failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
