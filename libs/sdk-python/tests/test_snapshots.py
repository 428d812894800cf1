import time

import pytest
from drive import MODES, aw, run
from stub_api import Answer, error_json, snapshot_json

from daytona import (
    CreateSnapshotParams,
    DaytonaAuthorizationError,
    DaytonaConflictError,
    DaytonaNotFoundError,
    DaytonaSnapshotStateError,
    DaytonaTimeoutError,
    DaytonaValidationError,
    Resources,
    Snapshot,
    SnapshotState,
)


@pytest.mark.parametrize("mode", MODES)
def test_create_sends_the_image_and_resources_then_polls_by_id_until_active(stub, mode):
    pending = snapshot_json("py", "pending", imageName="registry.example.com/py:3.12", cpu=2, memory=4, disk=8)
    stub.on("POST", "/snapshots", Answer(200, pending))
    stub.on(
        "GET", f"/snapshots/{pending['id']}",
        Answer(200, {**pending, "state": "pulling"}),
        Answer(200, {**pending, "state": "pulling"}),
        Answer(200, {**pending, "state": "active", "size": 0.12}),
    )
    logs: list[str] = []
    params = CreateSnapshotParams(
        name="py", image="registry.example.com/py:3.12", resources=Resources(cpu=2, memory=4, disk=8), entrypoint=["sleep", "infinity"]
    )

    snapshot = run(mode, stub.url, lambda d: aw(d.snapshot.create(params, on_logs=logs.append, timeout=30)))

    create = next(r for r in stub.requests if r.method == "POST")
    assert create.body == {
        "name": "py", "imageName": "registry.example.com/py:3.12", "entrypoint": ["sleep", "infinity"], "cpu": 2, "memory": 4, "disk": 8,
    }
    assert [r.path for r in stub.requests if r.method == "GET"] == [f"/snapshots/{pending['id']}"] * 3
    assert isinstance(snapshot, Snapshot)
    assert (snapshot.id, snapshot.name, snapshot.state, snapshot.size, snapshot.cpu, snapshot.memory) == (
        pending["id"], "py", SnapshotState.ACTIVE, 0.12, 2, 4,
    )
    assert logs == ["Creating snapshot py (pending)", "Creating snapshot py (pulling)", "Created snapshot py (active)"]


@pytest.mark.parametrize("mode", MODES)
def test_create_raises_the_snapshot_state_error_with_the_registry_reason(stub, mode):
    pending = snapshot_json("nope", "pending", imageName="registry.example.com/nope:1")
    reason = "error reading manifest 1 in registry.example.com/nope: manifest unknown: manifest unknown"
    stub.on("POST", "/snapshots", Answer(200, pending))
    stub.on("GET", f"/snapshots/{pending['id']}", Answer(200, {**pending, "state": "error", "errorReason": reason}))

    with pytest.raises(DaytonaSnapshotStateError) as raised:
        run(mode, stub.url, lambda d: aw(d.snapshot.create(CreateSnapshotParams(name="nope", image="registry.example.com/nope:1"))))

    error = raised.value
    assert (error.snapshot_name, error.state, error.error_reason) == ("nope", "error", reason)
    assert "registry.example.com/nope:1" in str(error) and "manifest unknown" in str(error)


@pytest.mark.parametrize("mode", MODES)
def test_create_gives_up_at_its_timeout_while_the_snapshot_stays_pending(stub, mode):
    pending = snapshot_json("stuck", "pending")
    stub.on("POST", "/snapshots", Answer(200, pending))
    stub.on("GET", f"/snapshots/{pending['id']}", Answer(200, pending))
    started = time.monotonic()

    with pytest.raises(DaytonaTimeoutError, match=r'"stuck" is still pending after 0.6 s'):
        run(mode, stub.url, lambda d: aw(d.snapshot.create(CreateSnapshotParams(name="stuck", image="x:1"), timeout=0.6)))

    assert 0.55 <= time.monotonic() - started < 2.5
    assert any(r.method == "GET" for r in stub.requests)


@pytest.mark.parametrize("mode", MODES)
def test_create_maps_the_server_refusals_with_code_and_details(stub, mode):
    stub.on(
        "POST", "/snapshots",
        Answer(409, error_json(409, "snapshot_name_conflict", 'A snapshot named "py" already exists', {"name": "py"})),
        Answer(400, error_json(400, "unknown_region", 'Region "mars" does not exist', {"field": "regionId", "region": "mars"})),
    )

    with pytest.raises(DaytonaConflictError) as conflict:
        run(mode, stub.url, lambda d: aw(d.snapshot.create(CreateSnapshotParams(name="py", image="py:3.12"))))
    with pytest.raises(DaytonaValidationError) as region:
        run(mode, stub.url, lambda d: aw(d.snapshot.create(CreateSnapshotParams(name="py", image="py:3.12", region_id="mars"))))

    assert (conflict.value.status_code, conflict.value.code) == (409, "snapshot_name_conflict")
    assert (region.value.code, region.value.details["field"]) == ("unknown_region", "regionId")
    # The generated model sends the spec's defaults along.
    assert stub.requests[-1].body == {"name": "py", "imageName": "py:3.12", "regionId": "mars", "cpu": 1, "memory": 1, "disk": 3}


@pytest.mark.parametrize("mode", MODES)
def test_a_gpu_is_refused_before_sending_as_the_spec_allows_only_zero(stub, mode):
    params = CreateSnapshotParams(name="gpu", image="py:3.12", resources=Resources(gpu=1))
    with pytest.raises(DaytonaValidationError) as raised:
        run(mode, stub.url, lambda d: aw(d.snapshot.create(params)))
    assert raised.value.code == "validation_failed" and "gpu" in str(raised.value)
    assert stub.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_an_image_that_is_not_a_reference_is_refused_before_sending(stub, mode):
    with pytest.raises(DaytonaValidationError, match="no image builder"):
        run(mode, stub.url, lambda d: aw(d.snapshot.create({"name": "built", "image": object()})))
    assert stub.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_get_by_name_and_a_missing_one_is_not_found(stub, mode):
    stub.on("GET", "/snapshots/py-3.12", Answer(200, snapshot_json("py-3.12", "active")))
    stub.on("GET", "/snapshots/gone", Answer(404, error_json(404, "snapshot_not_found", 'Snapshot "gone" not found')))

    async def scenario(daytona):
        found = await aw(daytona.snapshot.get("py-3.12"))
        with pytest.raises(DaytonaNotFoundError) as missing:
            await aw(daytona.snapshot.get("gone"))
        return found, missing.value

    found, missing = run(mode, stub.url, scenario)
    assert (found.name, found.state, found.image_name, found.regions) == (
        "py-3.12", SnapshotState.ACTIVE, "registry.example.com/team/python:3.12", ["local"],
    )
    assert missing.code == "snapshot_not_found"


@pytest.mark.parametrize("mode", MODES)
def test_list_sends_page_and_limit_only_when_given(stub, mode):
    items = [snapshot_json("a", "active"), snapshot_json("default", "active", general=True, organizationId=None)]
    stub.on("GET", "/snapshots", Answer(200, {"items": items, "total": 12, "page": 2, "totalPages": 6}))

    async def scenario(daytona):
        return await aw(daytona.snapshot.list(page=2, limit=2)), await aw(daytona.snapshot.list())

    page, _ = run(mode, stub.url, scenario)
    assert [r.path for r in stub.requests] == ["/snapshots?page=2&limit=2", "/snapshots"]
    assert [s.name for s in page.items] == ["a", "default"]
    assert page.items[1].general and page.items[1].organization_id is None
    assert (page.total, page.page, page.total_pages) == (12, 2, 6)


@pytest.mark.parametrize("mode", MODES)
def test_delete_by_object_id_or_name_and_in_use_or_general_are_refused(stub, mode):
    mine = snapshot_json("mine", "active")
    stub.on("GET", "/snapshots/mine", Answer(200, mine))
    stub.on("DELETE", f"/snapshots/{mine['id']}", Answer(200, None))
    stub.on("DELETE", "/snapshots/used", Answer(409, error_json(409, "snapshot_in_use", "in use", {"snapshot": "used", "sandboxes": 2})))
    stub.on("DELETE", "/snapshots/default", Answer(403, error_json(403, "general_snapshot_read_only", "general")))

    async def scenario(daytona):
        await aw(daytona.snapshot.delete(await aw(daytona.snapshot.get("mine"))))
        with pytest.raises(DaytonaConflictError) as in_use:
            await aw(daytona.snapshot.delete("used"))
        with pytest.raises(DaytonaAuthorizationError) as general:
            await aw(daytona.snapshot.delete("default"))
        return in_use.value, general.value

    in_use, general = run(mode, stub.url, scenario)
    assert (in_use.code, in_use.details["sandboxes"]) == ("snapshot_in_use", 2)
    assert general.code == "general_snapshot_read_only"
    assert [r.path for r in stub.requests if r.method == "DELETE"] == [f"/snapshots/{mine['id']}", "/snapshots/used", "/snapshots/default"]
