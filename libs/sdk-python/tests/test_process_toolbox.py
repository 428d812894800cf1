import pytest
from drive import MODES, aw, run
from stub_api import Answer, error_json, sandbox_json

from daytona import (
    CodeRunParams,
    Command,
    DaytonaConflictError,
    DaytonaNotFoundError,
    DaytonaValidationError,
    ExecuteResponse,
    Session,
    SessionCommandLogsResponse,
    SessionExecuteRequest,
    SessionExecuteResponse,
)

DTO = sandbox_json("proc-00001", "started")
BASE = f"/toolbox/{DTO['id']}/process"


def with_process(step):
    async def scenario(daytona):
        sandbox = await aw(daytona.get(DTO["name"]))
        return await aw(step(sandbox.process))

    return scenario


@pytest.fixture
def sandbox_stub(stub):
    stub.on("GET", f"/sandbox/{DTO['name']}", Answer(200, DTO))
    return stub


@pytest.mark.parametrize("mode", MODES)
def test_code_run_posts_code_argv_envs_and_timeout(sandbox_stub, mode):
    sandbox_stub.on("POST", f"{BASE}/code-run", Answer(200, {"exitCode": 0, "result": "hi\n"}))
    response = run(mode, sandbox_stub.url, with_process(lambda p: p.code_run("print(1)", CodeRunParams(argv=["hi"], env={"A": "1"}), timeout=5)))
    assert response == ExecuteResponse(exit_code=0, result="hi\n")
    assert next(r for r in sandbox_stub.requests if r.path == f"{BASE}/code-run").body == {
        "code": "print(1)", "argv": ["hi"], "envs": {"A": "1"}, "timeout": 5,
    }


@pytest.mark.parametrize("mode", MODES)
def test_code_run_without_an_interpreter_is_a_validation_error_and_is_not_retried(sandbox_stub, mode):
    sandbox_stub.on("POST", f"{BASE}/code-run", Answer(422, error_json(422, "interpreter_not_found", "no node on PATH")))
    with pytest.raises(DaytonaValidationError) as raised:
        run(mode, sandbox_stub.url, with_process(lambda p: p.code_run("console.log(1)")))
    assert (raised.value.status_code, raised.value.code) == (422, "interpreter_not_found")
    assert [r.body for r in sandbox_stub.requests if r.path == f"{BASE}/code-run"] == [{"code": "console.log(1)"}]


@pytest.mark.parametrize("mode", MODES)
def test_exec_is_execute_command_under_the_official_name(sandbox_stub, mode):
    sandbox_stub.on("POST", f"/toolbox/{DTO['id']}/toolbox/process/execute", Answer(200, {"exitCode": 0, "result": "x\n"}))
    assert run(mode, sandbox_stub.url, with_process(lambda p: p.exec("echo x", cwd="/tmp"))) == ExecuteResponse(0, "x\n")
    assert sandbox_stub.requests[-1].body == {"command": "echo x", "cwd": "/tmp"}


@pytest.mark.parametrize("mode", MODES)
def test_a_session_is_created_run_in_read_and_deleted(sandbox_stub, mode):
    session = {"sessionId": "build", "commands": [{"id": "c1", "command": "cd app", "exitCode": 0}]}
    sandbox_stub.on("POST", f"{BASE}/session", Answer(204))
    sandbox_stub.on("GET", f"{BASE}/session", Answer(200, [session]))
    sandbox_stub.on("GET", f"{BASE}/session/build", Answer(200, session))
    sandbox_stub.on("POST", f"{BASE}/session/build/exec", Answer(200, {"cmdId": "c2", "exitCode": 0, "output": "ok\n", "stdout": "ok\n", "stderr": ""}))
    sandbox_stub.on("GET", f"{BASE}/session/build/command/c2", Answer(200, {"id": "c2", "command": "echo ok", "exitCode": 0}))
    sandbox_stub.on("GET", f"{BASE}/session/build/command/c2/logs", Answer(200, {"output": "ok\n", "stdout": "ok\n", "stderr": "", "truncated": False}))
    sandbox_stub.on("DELETE", f"{BASE}/session/build", Answer(204))

    async def step(p):
        await aw(p.create_session("build"))
        results = (
            await aw(p.list_sessions()),
            await aw(p.get_session("build")),
            await aw(p.execute_session_command("build", SessionExecuteRequest(command="echo ok", run_async=False))),
            await aw(p.get_session_command("build", "c2")),
            await aw(p.get_session_command_logs("build", "c2")),
        )
        await aw(p.delete_session("build"))
        return results

    listed, got, executed, command, logs = run(mode, sandbox_stub.url, with_process(step))
    expected = Session("build", [Command("c1", "cd app", 0)])
    assert (listed, got) == ([expected], expected)
    assert executed == SessionExecuteResponse("c2", 0, "ok\n", "ok\n", "")
    assert command == Command("c2", "echo ok", 0)
    assert logs == SessionCommandLogsResponse("ok\n", "ok\n", "", False)
    bodies = {r.path: r.body for r in sandbox_stub.requests if r.method == "POST"}
    assert bodies == {f"{BASE}/session": {"sessionId": "build"}, f"{BASE}/session/build/exec": {"command": "echo ok", "runAsync": False}}
    assert [r.method for r in sandbox_stub.requests if r.path == f"{BASE}/session/build"] == ["GET", "DELETE"]


@pytest.mark.parametrize("mode", MODES)
def test_a_session_that_does_not_exist_is_not_found_and_a_taken_id_a_conflict(sandbox_stub, mode):
    sandbox_stub.on("GET", f"{BASE}/session/nope", Answer(404, error_json(404, "session_not_found", 'No session "nope"')))
    sandbox_stub.on("POST", f"{BASE}/session/nope/exec", Answer(404, error_json(404, "session_not_found", 'No session "nope"')))
    sandbox_stub.on("POST", f"{BASE}/session", Answer(409, error_json(409, "session_exists")))
    for step in (lambda p: p.get_session("nope"), lambda p: p.execute_session_command("nope", SessionExecuteRequest(command="true"))):
        with pytest.raises(DaytonaNotFoundError) as raised:
            run(mode, sandbox_stub.url, with_process(step))
        assert raised.value.code == "session_not_found"
    with pytest.raises(DaytonaConflictError) as raised:
        run(mode, sandbox_stub.url, with_process(lambda p: p.create_session("build")))
    assert raised.value.code == "session_exists"
