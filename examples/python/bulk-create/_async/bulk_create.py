"""Bulk create in both modes with the asyncio SDK: fire and forget then wait, and await started.

    .venv/bin/python examples/python/bulk-create/_async/bulk_create.py
"""

import asyncio
import sys

from daytona import AsyncDaytona, AsyncSandbox, BulkCreateItem, DaytonaError


async def say_hello(sandboxes: list[AsyncSandbox]) -> None:
    results = await asyncio.gather(*(s.process.execute_command("echo hello") for s in sandboxes))
    for sandbox, response in zip(sandboxes, results):
        print(f"{sandbox.name}: {response.result.strip()}")


async def main() -> int:
    created: list[AsyncSandbox] = []
    async with AsyncDaytona() as daytona:
        try:
            print("Bulk creating sandboxes (fire and forget)...")
            batch_a = await daytona.bulk_create([BulkCreateItem(snapshot_id_or_name="default", count=3, sandbox_name_prefix="py-async-a")])
            created += batch_a
            # bounded; a sandbox in error raises at once instead of hanging the wait
            await asyncio.gather(*(s.wait_until_started(timeout=60) for s in batch_a))
            await say_hello(batch_a)

            print("Bulk creating sandboxes (await started)...")
            batch_b = await daytona.bulk_create(
                [BulkCreateItem(snapshot_id_or_name="default", count=3, sandbox_name_prefix="py-async-b")],
                await_started=True, timeout=120,
            )
            created += batch_b
            await asyncio.gather(*(s.wait_until_started(timeout=0) for s in batch_b))
            await say_hello(batch_b)
            return 0
        except DaytonaError as error:
            print(f"failed: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        finally:
            for outcome in await asyncio.gather(*(s.delete() for s in created), return_exceptions=True):
                if isinstance(outcome, Exception):
                    print(f"could not delete a sandbox: {outcome}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
