import pytest
from drive import MODES, aw, run
from stub_api import Answer, error_json, sandbox_json

from daytona import DaytonaConflictError, DaytonaSandboxStateError, DaytonaTimeoutError, DaytonaValidationError, SandboxState


def get_then(daytona, name, step):
    async def scenario():
        sandbox = await aw(daytona.get(name))
        await aw(step(sandbox))
        return sandbox

    return scenario()


@pytest.mark.parametrize("mode", MODES)
def test_start_posts_by_id_and_polls_until_started(stub, mode):
    dto = sandbox_json("life-00001", "stopped")
    stub.on("GET", "/sandbox/life-00001", Answer(200, dto))
    stub.on("POST", f"/sandbox/{dto['id']}/start", Answer(200, {**dto, "state": "starting"}))
    stub.on("GET", f"/sandbox/{dto['id']}", Answer(200, {**dto, "state": "starting"}), Answer(200, {**dto, "state": "started"}))

    sandbox = run(mode, stub.url, lambda d: get_then(d, "life-00001", lambda s: s.start(timeout=10)))

    assert sandbox.state == SandboxState.STARTED
    assert [r.path for r in stub.requests if r.method == "POST"] == [f"/sandbox/{dto['id']}/start"]
    assert len([r for r in stub.requests if r.path == f"/sandbox/{dto['id']}"]) == 2


@pytest.mark.parametrize("mode", MODES)
def test_daytona_start_and_stop_take_the_sandbox_and_stop_sends_force(stub, mode):
    dto = sandbox_json("life-00001", "started")
    stub.on("GET", "/sandbox/life-00001", Answer(200, dto))
    stub.on("POST", f"/sandbox/{dto['id']}/stop", Answer(200, {**dto, "state": "stopped"}))
    stub.on("POST", f"/sandbox/{dto['id']}/start", Answer(200, {**dto, "state": "started"}))

    async def scenario(daytona):
        sandbox = await aw(daytona.get("life-00001"))
        await aw(daytona.stop(sandbox))
        stopped = sandbox.state
        await aw(sandbox.stop(force=True))
        await aw(daytona.start(sandbox))
        return stopped, sandbox.state

    assert run(mode, stub.url, scenario) == (SandboxState.STOPPED, SandboxState.STARTED)
    stops = [r.path for r in stub.requests if r.path.startswith(f"/sandbox/{dto['id']}/stop")]
    assert stops == [f"/sandbox/{dto['id']}/stop?force=false", f"/sandbox/{dto['id']}/stop?force=true"]


@pytest.mark.parametrize("mode", MODES)
def test_start_of_a_destroyed_sandbox_is_a_conflict_with_the_servers_code(stub, mode):
    dto = sandbox_json("life-00001", "destroyed")
    stub.on("GET", "/sandbox/life-00001", Answer(200, dto))
    stub.on("POST", f"/sandbox/{dto['id']}/start", Answer(409, error_json(409, "sandbox_state_conflict", "is destroyed", {"state": "destroyed"})))
    with pytest.raises(DaytonaConflictError) as raised:
        run(mode, stub.url, lambda d: get_then(d, "life-00001", lambda s: s.start()))
    assert (raised.value.status_code, raised.value.code, raised.value.details) == (409, "sandbox_state_conflict", {"state": "destroyed"})


@pytest.mark.parametrize("mode", MODES)
def test_a_sandbox_in_error_while_stopping_raises_the_state_error_with_its_reason(stub, mode):
    dto = sandbox_json("life-00001", "started")
    stub.on("GET", "/sandbox/life-00001", Answer(200, dto))
    stub.on("POST", f"/sandbox/{dto['id']}/stop", Answer(200, {**dto, "state": "stopping"}))
    stub.on("GET", f"/sandbox/{dto['id']}", Answer(200, {**dto, "state": "error", "errorReason": "runner lost"}))
    with pytest.raises(DaytonaSandboxStateError, match="is error and will not stop: runner lost"):
        run(mode, stub.url, lambda d: get_then(d, "life-00001", lambda s: s.stop(timeout=10)))


@pytest.mark.parametrize("mode", MODES)
def test_stop_times_out_naming_the_timeout_asked_for(stub, mode):
    dto = sandbox_json("life-00001", "started")
    stub.on("GET", "/sandbox/life-00001", Answer(200, dto))
    stub.on("POST", f"/sandbox/{dto['id']}/stop", Answer(200, {**dto, "state": "stopping"}))
    stub.on("GET", f"/sandbox/{dto['id']}", Answer(200, {**dto, "state": "stopping"}))
    with pytest.raises(DaytonaTimeoutError, match="still stopping after 0.5 s"):
        run(mode, stub.url, lambda d: get_then(d, "life-00001", lambda s: s.stop(timeout=0.5)))


@pytest.mark.parametrize("mode", MODES)
def test_start_is_retried_after_a_503(stub, mode):
    dto = sandbox_json("life-00001", "stopped")
    stub.on("GET", "/sandbox/life-00001", Answer(200, dto))
    stub.on(
        "POST", f"/sandbox/{dto['id']}/start",
        Answer(503, error_json(503, "runner_unavailable"), headers={"retry-after": "0"}), Answer(200, {**dto, "state": "started"}),
    )
    sandbox = run(mode, stub.url, lambda d: get_then(d, "life-00001", lambda s: s.start(timeout=10)))
    assert sandbox.state == SandboxState.STARTED
    assert len([r for r in stub.requests if r.path == f"/sandbox/{dto['id']}/start"]) == 2


@pytest.mark.parametrize("mode", MODES)
def test_interval_setters_post_the_minutes_and_take_the_answer(stub, mode):
    dto = sandbox_json("life-00001", "started")
    stub.on("GET", "/sandbox/life-00001", Answer(200, dto))
    stub.on("POST", f"/sandbox/{dto['id']}/autostop/60", Answer(200, {**dto, "autoStopInterval": 60}))
    stub.on("POST", f"/sandbox/{dto['id']}/autodelete/0", Answer(200, {**dto, "autoStopInterval": 60, "autoDeleteInterval": 0}))

    async def scenario(daytona):
        sandbox = await aw(daytona.get("life-00001"))
        before = (sandbox.auto_stop_interval, sandbox.auto_delete_interval)
        await aw(sandbox.set_autostop_interval(60))
        middle = sandbox.auto_stop_interval
        await aw(sandbox.set_auto_delete_interval(0))
        return before, middle, (sandbox.auto_stop_interval, sandbox.auto_delete_interval)

    assert run(mode, stub.url, scenario) == ((15, -1), 60, (60, 0))


@pytest.mark.parametrize("mode", MODES)
def test_an_interval_out_of_range_is_a_validation_error_and_nothing_changes(stub, mode):
    dto = sandbox_json("life-00001", "started")
    stub.on("GET", "/sandbox/life-00001", Answer(200, dto))

    async def scenario(daytona):
        sandbox = await aw(daytona.get("life-00001"))
        with pytest.raises(DaytonaValidationError) as raised:
            await aw(sandbox.set_autostop_interval(-5))
        return sandbox, raised.value

    sandbox, error = run(mode, stub.url, scenario)
    assert error.code == "validation_failed" and "interval" in str(error)
    assert sandbox.auto_stop_interval == 15
    assert [r.path for r in stub.requests if r.method == "POST"] == []
