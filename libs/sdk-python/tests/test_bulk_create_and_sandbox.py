import pytest
from drive import MODES, aw, run
from stub_api import Answer, error_json, sandbox_json

from daytona import (
    AsyncSandbox,
    BulkCreateItem,
    DaytonaSandboxStateError,
    DaytonaTimeoutError,
    DaytonaValidationError,
    Sandbox,
    SandboxState,
)


@pytest.mark.parametrize("mode", MODES)
def test_bulk_create_sends_the_camel_case_body_and_maps_each_dto_to_a_sandbox_that_runs_commands(stub, mode):
    dtos = [sandbox_json("py-a-00001", "creating"), sandbox_json("py-a-00002", "creating"), sandbox_json("py-b-00001", "creating")]
    stub.on("POST", "/sandbox/bulk", Answer(200, dtos))
    stub.on("POST", f"/toolbox/{dtos[0]['id']}/toolbox/process/execute", Answer(200, {"exitCode": 0, "result": "hello\n"}))
    items = [
        BulkCreateItem(snapshot_id_or_name="default", count=2, sandbox_name_prefix="py-a"),
        BulkCreateItem(snapshot_id_or_name="default", count=1, sandbox_name_prefix="py-b", allow_under=True),
    ]

    async def scenario(daytona):
        sandboxes = await aw(daytona.bulk_create(items, await_started=True))
        return sandboxes, await aw(sandboxes[0].process.execute_command("echo hello", cwd="/tmp", env={"A": "1"}, timeout=5))

    sandboxes, response = run(mode, stub.url, scenario)
    bulk = next(r for r in stub.requests if r.path == "/sandbox/bulk")
    assert bulk.body == {
        "items": [
            {"snapshotIdOrName": "default", "count": 2, "sandboxNamePrefix": "py-a", "allowUnder": False},
            {"snapshotIdOrName": "default", "count": 1, "sandboxNamePrefix": "py-b", "allowUnder": True},
        ],
        "awaitStarted": True,
    }
    assert bulk.headers["Authorization"] == "Bearer test-key"
    assert all(type(s) is (Sandbox if mode == "sync" else AsyncSandbox) for s in sandboxes)
    assert [(s.name, s.id, s.state, s.cpu) for s in sandboxes] == [
        (d["name"], d["id"], SandboxState.CREATING, 1) for d in dtos
    ]
    assert (response.exit_code, response.result) == (0, "hello\n")
    execute = stub.requests[-1]
    assert execute.body == {"command": "echo hello", "cwd": "/tmp", "env": {"A": "1"}, "timeout": 5}


@pytest.mark.parametrize("mode", MODES)
def test_count_zero_is_a_validation_error_before_anything_is_sent(stub, mode):
    item = BulkCreateItem(snapshot_id_or_name="default", count=0, sandbox_name_prefix="py-a")
    with pytest.raises(DaytonaValidationError) as raised:
        run(mode, stub.url, lambda d: aw(d.bulk_create([item])))
    assert raised.value.code == "validation_failed" and "count" in str(raised.value)
    assert stub.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_bulk_create_timeout_names_the_sandboxes_to_look_for(stub, mode):
    stub.on("POST", "/sandbox/bulk", Answer(200, [], delay=2))
    item = BulkCreateItem(snapshot_id_or_name="default", count=1, sandbox_name_prefix="py-slow")
    with pytest.raises(DaytonaTimeoutError, match="py-slow-00001"):
        run(mode, stub.url, lambda d: aw(d.bulk_create([item], timeout=0.3)))


@pytest.mark.parametrize("mode", MODES)
def test_wait_until_started_polls_until_started(stub, mode):
    created = sandbox_json("w-00001", "creating")
    stub.on("GET", "/sandbox/w", Answer(200, created))
    stub.on("GET", f"/sandbox/{created['id']}", Answer(200, sandbox_json("w-00001", "starting")), Answer(200, sandbox_json("w-00001", "started")))

    async def scenario(daytona):
        sandbox = await aw(daytona.get("w"))
        await aw(sandbox.wait_until_started(timeout=5))
        return sandbox

    assert run(mode, stub.url, scenario).state == SandboxState.STARTED


@pytest.mark.parametrize("mode", MODES)
def test_wait_until_started_raises_with_the_reason_on_error(stub, mode):
    created = sandbox_json("e-00001", "creating")
    stub.on("GET", "/sandbox/e", Answer(200, created))
    stub.on("GET", f"/sandbox/{created['id']}", Answer(200, sandbox_json("e-00001", "error", errorReason="runner lost")))

    async def scenario(daytona):
        await aw((await aw(daytona.get("e"))).wait_until_started(timeout=5))

    with pytest.raises(DaytonaSandboxStateError, match="runner lost") as raised:
        run(mode, stub.url, scenario)
    assert (raised.value.state, raised.value.error_reason) == ("error", "runner lost")


@pytest.mark.parametrize("mode", MODES)
def test_wait_until_started_gives_up_at_its_timeout(stub, mode):
    created = sandbox_json("t-00001", "creating")
    stub.on("GET", "/sandbox/t", Answer(200, created))
    stub.on("GET", f"/sandbox/{created['id']}", Answer(200, created))

    async def scenario(daytona):
        await aw((await aw(daytona.get("t"))).wait_until_started(timeout=0.5))

    with pytest.raises(DaytonaTimeoutError, match="still creating"):
        run(mode, stub.url, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_delete_by_object_updates_its_state_and_list_maps_pages(stub, mode):
    dto = sandbox_json("d-00001")
    stub.on("GET", "/sandbox", Answer(200, {"items": [dto], "total": 1, "page": 1, "limit": 100, "totalPages": 1, "nextCursor": None}))
    stub.on("DELETE", f"/sandbox/{dto['id']}", Answer(200, sandbox_json("d-00001", "destroyed")))

    async def scenario(daytona):
        page = await aw(daytona.list(states=[SandboxState.STARTED], labels={"team": "eval"}))
        await aw(daytona.delete(page.items[0]))
        return page

    page = run(mode, stub.url, scenario)
    assert page.total == 1 and page.items[0].state == SandboxState.DESTROYED
    assert stub.requests[0].path.startswith("/sandbox?") and "states=started" in stub.requests[0].path


@pytest.mark.parametrize("mode", MODES)
def test_a_server_error_on_execute_maps_like_any_other_call(stub, mode):
    dto = sandbox_json("x-00001")
    stub.on("GET", "/sandbox/x", Answer(200, dto))
    stub.on("POST", f"/toolbox/{dto['id']}/toolbox/process/execute", Answer(409, error_json(409, "sandbox_not_started")))

    async def scenario(daytona):
        await aw((await aw(daytona.get("x"))).process.execute_command("true"))

    with pytest.raises(Exception) as raised:
        run(mode, stub.url, scenario)
    assert raised.value.code == "sandbox_not_started"
