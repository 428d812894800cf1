"""Fleets against a live stack, sync and async: labels and env per bulk item, bulk delete by label,
and retries that never create twice (a proxy drops the first answer after the API processed it)."""

import asyncio
import inspect
import os
import time

import pytest
from cutting_proxy import CuttingProxy

from daytona import (
    BULK_REQUEST_LABEL,
    AsyncDaytona,
    BulkCreateItem,
    CreateSandboxParams,
    Daytona,
    DaytonaValidationError,
    SandboxState,
)

MODES = ["sync", "async"]


async def aw(value):
    return await value if inspect.isawaitable(value) else value


def client(mode, **options):
    return Daytona(**options) if mode == "sync" else AsyncDaytona(**options)


def run(mode, scenario, **options):
    """Runs scenario(daytona, created); deletes what it put in `created` and waits until each is
    destroyed, so the next test has the runner's room."""

    async def main():
        daytona = client(mode, **options)
        created = []
        try:
            return await scenario(daytona, created)
        finally:
            for sandbox in created:
                if sandbox.state != SandboxState.DESTROYED:
                    await aw(sandbox.delete())
            await until_destroyed(created)
            await aw(daytona.close())

    return asyncio.run(main())


async def until_destroyed(sandboxes, timeout=30):
    deadline = time.monotonic() + timeout
    for sandbox in sandboxes:
        while sandbox.state != SandboxState.DESTROYED:
            assert time.monotonic() < deadline, f"{sandbox.name} is still {sandbox.state}"
            await asyncio.sleep(0.1)
            await aw(sandbox.refresh())


async def live_named(daytona, prefix):
    return [s for s in (await aw(daytona.list(limit=1000))).items if s.name.startswith(prefix)]


def names(prefix, count):
    return [f"{prefix}-{n:05d}" for n in range(1, count + 1)]


@pytest.mark.parametrize("mode", MODES)
def test_labels_and_env_of_each_item_reach_every_sandbox_of_it(mode, prefix):
    async def scenario(daytona, created):
        sandboxes = await aw(daytona.bulk_create([
            BulkCreateItem(snapshot_id_or_name="default", count=2, sandbox_name_prefix=f"{prefix}-a",
                           labels={"fleet": prefix, "item": "a"}, env={"FLEET_ITEM": "alpha"}),
            BulkCreateItem(snapshot_id_or_name="default", count=2, sandbox_name_prefix=f"{prefix}-b",
                           labels={"fleet": prefix, "item": "b"}, env={"FLEET_ITEM": "beta"}),
        ], await_started=True, timeout=60))
        created += sandboxes
        assert [(s.name, s.state) for s in sandboxes] == [
            (name, SandboxState.STARTED) for name in names(f"{prefix}-a", 2) + names(f"{prefix}-b", 2)
        ]
        request_id = sandboxes[0].bulk_request_id
        assert request_id and len(request_id) == 36
        assert [s.labels for s in sandboxes] == [
            {"fleet": prefix, "item": item, BULK_REQUEST_LABEL: request_id} for item in "aabb"
        ]
        seen = [(await aw(s.process.execute_command('echo "$FLEET_ITEM"'))).result for s in sandboxes]
        assert seen == ["alpha\n", "alpha\n", "beta\n", "beta\n"]
        same_request = await aw(daytona.list(labels={BULK_REQUEST_LABEL: request_id}))
        assert sorted(s.id for s in same_request.items) == sorted(s.id for s in sandboxes)

    run(mode, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_bulk_delete_by_label_destroys_exactly_the_sandboxes_carrying_it(mode, prefix):
    async def scenario(daytona, created):
        doomed = await aw(daytona.bulk_create([BulkCreateItem(
            snapshot_id_or_name="default", count=3, sandbox_name_prefix=f"{prefix}-del", labels={"fleet": prefix, "wave": "doomed"},
        )], await_started=True, timeout=60))
        kept = await aw(daytona.bulk_create([BulkCreateItem(
            snapshot_id_or_name="default", count=2, sandbox_name_prefix=f"{prefix}-keep", labels={"fleet": prefix, "wave": "kept"},
        )], await_started=True, timeout=60))
        created += doomed + kept

        assert await aw(daytona.bulk_delete(labels={"fleet": prefix, "wave": "doomed"})) == 3

        await until_destroyed(doomed)
        for sandbox in kept:
            await aw(sandbox.refresh())
        assert [s.state for s in kept] == [SandboxState.STARTED, SandboxState.STARTED]
        assert sorted(s.name for s in await live_named(daytona, prefix)) == names(f"{prefix}-keep", 2)
        assert (await aw(kept[0].process.execute_command("echo still here"))).result == "still here\n"
        assert await aw(daytona.bulk_delete(labels={"fleet": prefix, "wave": "doomed"})) == 0

    run(mode, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_bulk_delete_with_an_empty_selector_is_empty_selector_and_deletes_nothing(mode, prefix):
    async def scenario(daytona, created):
        created += await aw(daytona.bulk_create([BulkCreateItem(snapshot_id_or_name="default", count=1, sandbox_name_prefix=prefix)]))
        for selector in ({}, {"labels": {}}, {"ids": []}):
            with pytest.raises(DaytonaValidationError) as raised:
                await aw(daytona.bulk_delete(**selector))
            assert (raised.value.status_code, raised.value.code) == (400, "empty_selector")
        assert [s.id for s in await live_named(daytona, prefix)] == [created[0].id]

    run(mode, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_a_bulk_create_retried_after_a_dropped_answer_creates_once(mode, prefix):
    proxy = CuttingProxy(os.environ["DAYTONA_API_URL"], "POST /api/sandbox/bulk")

    async def scenario(daytona, created):
        sandboxes = await aw(daytona.bulk_create(
            [BulkCreateItem(snapshot_id_or_name="default", count=2, sandbox_name_prefix=prefix)], await_started=True, timeout=60,
        ))
        created += sandboxes
        assert proxy.cuts == 1
        attempts = [r for r in proxy.requests if r.target == "POST /api/sandbox/bulk"]
        assert len(attempts) == 2
        assert attempts[0].idempotency_key is not None and attempts[1].idempotency_key == attempts[0].idempotency_key
        assert [(s.name, s.state) for s in sandboxes] == [(name, SandboxState.STARTED) for name in names(prefix, 2)]
        direct = client(mode)
        try:
            one_request = await aw(direct.list(labels={BULK_REQUEST_LABEL: sandboxes[0].bulk_request_id}))
            assert sorted(s.id for s in one_request.items) == sorted(s.id for s in sandboxes)
            assert sorted(s.id for s in await live_named(direct, prefix)) == sorted(s.id for s in sandboxes)
        finally:
            await aw(direct.close())

    try:
        run(mode, scenario, api_url=proxy.url)
    finally:
        proxy.close()


@pytest.mark.parametrize("mode", MODES)
def test_a_create_retried_after_a_dropped_answer_creates_once(mode, prefix):
    proxy = CuttingProxy(os.environ["DAYTONA_API_URL"], "POST /api/sandbox")

    async def scenario(daytona, created):
        sandbox = await aw(daytona.create(CreateSandboxParams(name=prefix), timeout=30))
        created.append(sandbox)
        assert proxy.cuts == 1
        attempts = [r.idempotency_key for r in proxy.requests if r.target == "POST /api/sandbox"]
        assert len(attempts) == 2 and attempts[0] is not None and attempts[1] == attempts[0]
        assert sandbox.state == SandboxState.STARTED
        assert [s.id for s in await live_named(daytona, prefix)] == [sandbox.id]

    try:
        run(mode, scenario, api_url=proxy.url)
    finally:
        proxy.close()
