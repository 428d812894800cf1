"""Bulk create in both modes with the sync SDK: fire and forget then wait, and await started.

    source .env.local  # or run from the repository after `npm start`
    .venv/bin/python examples/python/bulk-create/bulk_create.py
"""

import sys

from daytona import BulkCreateItem, Daytona, DaytonaError, Sandbox


def say_hello(sandboxes: list[Sandbox]) -> None:
    for sandbox in sandboxes:
        print(f"{sandbox.name}: {sandbox.process.execute_command('echo hello').result.strip()}")


def main() -> int:
    created: list[Sandbox] = []
    with Daytona() as daytona:
        try:
            print("Bulk creating sandboxes (fire and forget)...")
            batch_a = daytona.bulk_create([BulkCreateItem(snapshot_id_or_name="default", count=3, sandbox_name_prefix="py-batch-a")])
            created += batch_a
            for sandbox in batch_a:
                sandbox.wait_until_started(timeout=60)  # bounded; raises at once on error/build_failed
            say_hello(batch_a)

            print("Bulk creating sandboxes (await started)...")
            batch_b = daytona.bulk_create(
                [BulkCreateItem(snapshot_id_or_name="default", count=3, sandbox_name_prefix="py-batch-b")],
                await_started=True, timeout=120,
            )
            created += batch_b
            for sandbox in batch_b:
                sandbox.wait_until_started(timeout=0)  # the server's wait may have ended in error
            say_hello(batch_b)
            return 0
        except DaytonaError as error:
            print(f"failed: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        finally:
            for sandbox in created:
                try:
                    sandbox.delete()
                except DaytonaError as error:
                    print(f"could not delete {sandbox.name}: {error}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
