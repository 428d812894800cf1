"""Snapshots end to end (tools/e2e/with-stack.mjs), sync and async: images from the stack's own
registry, pulled by a real runner, and sandboxes that run them."""

import asyncio
import inspect

import pytest

from daytona import (
    AsyncDaytona,
    BulkCreateItem,
    CreateSnapshotParams,
    Daytona,
    DaytonaConflictError,
    DaytonaError,
    DaytonaNotFoundError,
    DaytonaSnapshotStateError,
    Resources,
    SandboxState,
    SnapshotState,
)


async def aw(value):
    return await value if inspect.isawaitable(value) else value


def run(mode, scenario):
    async def main():
        daytona = Daytona() if mode == "sync" else AsyncDaytona()
        try:
            return await scenario(daytona)
        finally:
            await aw(daytona.close())

    return asyncio.run(main())


async def delete_leftovers(daytona, prefix):
    """Whatever a failed test left behind, its sandboxes and then its snapshots; best effort, so
    the test's own failure is the one reported."""
    try:
        for sandbox in (await aw(daytona.list(limit=1000))).items:
            if sandbox.name.startswith(prefix):
                await aw(sandbox.delete())
        for snapshot in (await aw(daytona.snapshot.list(limit=1000))).items:
            if snapshot.name.startswith(prefix):
                await aw(daytona.snapshot.delete(snapshot))
    except DaytonaError as error:
        print(f"cleanup of {prefix}: {error}")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_two_snapshots_one_bulk_each_sandbox_its_image_and_delete_only_once_unused(mode, prefix, test_images):
    alpha, beta = f"{prefix}-alpha", f"{prefix}-beta"

    async def scenario(daytona):
        try:
            logs = []
            snapshot = await aw(daytona.snapshot.create(
                CreateSnapshotParams(name=alpha, image=test_images["alpha"], resources=Resources(disk=1)), on_logs=logs.append, timeout=120,
            ))
            assert (snapshot.name, snapshot.image_name, snapshot.state, snapshot.error_reason, snapshot.disk) == (
                alpha, test_images["alpha"], SnapshotState.ACTIVE, None, 1,
            )
            assert logs[0] == f"Creating snapshot {alpha} (pending)" and logs[-1] == f"Created snapshot {alpha} (active)"
            assert (await aw(daytona.snapshot.get(alpha))).id == snapshot.id
            await aw(daytona.snapshot.create(CreateSnapshotParams(name=beta, image=test_images["beta"], resources=Resources(disk=1)), timeout=120))
            listed = [s.name for s in (await aw(daytona.snapshot.list(limit=1000))).items]
            assert {"default", alpha, beta} <= set(listed)

            sandboxes = await aw(daytona.bulk_create(
                [
                    BulkCreateItem(snapshot_id_or_name=alpha, count=2, sandbox_name_prefix=f"{prefix}-a"),
                    BulkCreateItem(snapshot_id_or_name=beta, count=2, sandbox_name_prefix=f"{prefix}-b"),
                ],
                await_started=True, timeout=60,
            ))
            assert [(s.snapshot, s.state) for s in sandboxes] == [(alpha, SandboxState.STARTED)] * 2 + [(beta, SandboxState.STARTED)] * 2
            markers = [(await aw(s.process.execute_command("cat /marker"))).result for s in sandboxes]
            assert markers == ["alpha\n", "alpha\n", "beta\n", "beta\n"]

            with pytest.raises(DaytonaConflictError) as in_use:
                await aw(daytona.snapshot.delete(alpha))
            assert (in_use.value.code, in_use.value.details["sandboxes"]) == ("snapshot_in_use", 2)

            for sandbox in sandboxes:
                await aw(sandbox.delete())
            assert {s.state for s in sandboxes} == {SandboxState.DESTROYED}
            await aw(daytona.snapshot.delete(snapshot))
            await aw(daytona.snapshot.delete(beta))
            for name in (alpha, beta):
                with pytest.raises(DaytonaNotFoundError) as gone:
                    await aw(daytona.snapshot.get(name))
                assert gone.value.code == "snapshot_not_found"
        finally:
            await delete_leftovers(daytona, prefix)

    run(mode, scenario)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_image_the_registry_lacks_ends_in_the_snapshot_state_error_with_its_reason(mode, prefix, test_images):
    name = f"{prefix}-missing"
    image = test_images["alpha"].rsplit(":", 1)[0] + ":no-such-tag"

    async def scenario(daytona):
        try:
            with pytest.raises(DaytonaSnapshotStateError) as raised:
                await aw(daytona.snapshot.create(CreateSnapshotParams(name=name, image=image), timeout=120))
            assert (raised.value.snapshot_name, raised.value.state) == (name, "error")
            assert "manifest unknown" in raised.value.error_reason
            # It stays, in error, until deleted.
            assert (await aw(daytona.snapshot.get(name))).state == SnapshotState.ERROR
            await aw(daytona.snapshot.delete(name))
        finally:
            await delete_leftovers(daytona, prefix)

    run(mode, scenario)
