"""End-to-end against a live stack (tools/e2e/with-stack.mjs, RUNNER_CAPACITY_CPU=10), sync and async."""

import asyncio
import inspect

import pytest

from daytona import (
    AsyncDaytona,
    BulkCreateItem,
    Daytona,
    DaytonaServerError,
    DaytonaValidationError,
    SandboxState,
)

LIVE = [SandboxState.CREATING, SandboxState.STARTING, SandboxState.STARTED]


async def aw(value):
    return await value if inspect.isawaitable(value) else value


def run(mode, scenario):
    async def main():
        daytona = Daytona() if mode == "sync" else AsyncDaytona()
        created = []
        try:
            return await scenario(daytona, created)
        finally:
            for sandbox in created:
                await aw(sandbox.delete())
            await aw(daytona.close())

    return asyncio.run(main())


def item(prefix, count, allow_under=False):
    return BulkCreateItem(snapshot_id_or_name="default", count=count, sandbox_name_prefix=prefix, allow_under=allow_under)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_without_await_started_then_wait_until_started_on_each(mode, prefix):
    async def scenario(daytona, created):
        sandboxes = await aw(daytona.bulk_create([item(prefix, 2)]))
        created += sandboxes
        assert [s.name for s in sandboxes] == [f"{prefix}-00001", f"{prefix}-00002"]
        for sandbox in sandboxes:
            await aw(sandbox.wait_until_started(timeout=30))
            assert sandbox.state == SandboxState.STARTED

    run(mode, scenario)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_await_started_then_echo_hello_on_each(mode, prefix):
    async def scenario(daytona, created):
        sandboxes = await aw(daytona.bulk_create([item(prefix, 2)], await_started=True, timeout=60))
        created += sandboxes
        for sandbox in sandboxes:
            assert sandbox.state == SandboxState.STARTED
            response = await aw(sandbox.process.execute_command("echo hello"))
            assert (response.exit_code, response.result) == (0, "hello\n")

    run(mode, scenario)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_allow_under_shortfall_is_visible_and_without_it_capacity_is_a_server_error(mode, prefix):
    async def scenario(daytona, created):
        live = (await aw(daytona.list(states=LIVE, limit=1000))).items
        free = 10 - sum(s.cpu for s in live)  # RUNNER_CAPACITY_CPU=10, one cpu per default sandbox
        assert free >= 0
        with pytest.raises(DaytonaServerError) as raised:
            await aw(daytona.bulk_create([item(f"{prefix}-n", free + 3)]))
        assert (raised.value.status_code, raised.value.code) == (503, "insufficient_capacity")

        first, second = free // 2 + 1, free - free // 2 + 2  # together free + 3
        sandboxes = await aw(daytona.bulk_create([item(f"{prefix}-a", first, True), item(f"{prefix}-b", second, True)]))
        created += sandboxes
        assert len(sandboxes) == free < first + second

    run(mode, scenario)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_validation_errors_from_client_and_server_share_one_class(mode, prefix):
    async def scenario(daytona, created):
        with pytest.raises(DaytonaValidationError) as client_side:
            await aw(daytona.bulk_create([item(prefix, 0)]))
        assert client_side.value.code == "validation_failed"
        with pytest.raises(DaytonaValidationError) as server_side:
            # The generated model checks count and the prefix's pattern and length; a prefix used
            # twice in one request only the server sees.
            await aw(daytona.bulk_create([item(prefix, 1), item(prefix, 1)]))
        assert (server_side.value.status_code, server_side.value.code) == (400, "duplicate_name_prefix")

    run(mode, scenario)
