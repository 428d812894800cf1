"""Commands, code runs and sessions in a sandbox: types and operations shared by Process and AsyncProcess."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .effects import ApiCall, Body, Operation
from .retry import call_with_retries

# The server's default command timeout; it answers up to 15 s after killing a command.
SERVER_DEFAULT_COMMAND_TIMEOUT = 300
COMMAND_RESPONSE_MARGIN = 30
# A session command that is not run_async is waited for by the server, at most an hour.
SERVER_SESSION_COMMAND_WAIT = 3600


@dataclass(frozen=True)
class ExecuteResponse:
    """What a command left behind: ``exit_code`` (124 when the server killed it at its timeout)
    and ``result``, stdout and stderr interleaved (at most 1 MiB)."""

    exit_code: int
    result: str


@dataclass(frozen=True)
class CodeRunParams:
    """Arguments (``sys.argv[1:]``) and environment variables of a ``code_run``."""

    argv: list[str] | None = None
    env: dict[str, str] | None = None


class SessionExecuteRequest(BaseModel):
    """A command for a session's shell: ``run_async`` answers at once with the command's id;
    ``suppress_input_echo`` is accepted for the official SDK's sake (there is no terminal to echo)."""

    command: str
    run_async: bool | None = None
    suppress_input_echo: bool | None = None


@dataclass(frozen=True)
class Command:
    """A command of a session: ``exit_code`` is None while it runs or waits."""

    id: str
    command: str
    exit_code: int | None


@dataclass(frozen=True)
class Session:
    """A session and its commands, oldest first (at most the last 1,000)."""

    session_id: str
    commands: list[Command]


@dataclass(frozen=True)
class SessionExecuteResponse:
    """What a session command answered: ``cmd_id``; once it has ended, ``exit_code`` and its
    output (``output`` interleaved, ``stdout``, ``stderr``)."""

    cmd_id: str
    exit_code: int | None
    output: str | None
    stdout: str | None
    stderr: str | None


@dataclass(frozen=True)
class SessionCommandLogsResponse:
    """A session command's output so far; ``truncated`` when some was dropped (past 1 MiB)."""

    output: str
    stdout: str
    stderr: str
    truncated: bool


def _command(dto: Any) -> Command:
    return Command(id=dto.id, command=dto.command, exit_code=dto.exit_code)


def _session(dto: Any) -> Session:
    return Session(session_id=dto.session_id, commands=[_command(command) for command in dto.commands])


class ProcessBase:
    """Runs commands inside one sandbox; reach it as ``sandbox.process``."""

    def __init__(self, sandbox_id: str, driver: Any) -> None:
        self._sandbox_id = sandbox_id
        self._driver = driver

    def _execute_command(
        self, command: str, cwd: str | None, env: dict[str, str] | None, timeout: int | None
    ) -> Operation[ExecuteResponse]:
        request = {"command": command, "cwd": cwd, "env": env, "timeout": timeout}
        # Never retried: a command that reached the sandbox may have run, and would run twice.
        dto = yield ApiCall(
            "toolbox", "execute_command", f"POST /toolbox/{self._sandbox_id}/toolbox/process/execute",
            (timeout or SERVER_DEFAULT_COMMAND_TIMEOUT) + COMMAND_RESPONSE_MARGIN,
            (self._sandbox_id, Body("ExecuteRequest", {k: v for k, v in request.items() if v is not None})),
        )
        return ExecuteResponse(exit_code=dto.exit_code, result=dto.result)

    def _code_run(self, code: str, params: CodeRunParams | None, timeout: int | None) -> Operation[ExecuteResponse]:
        params = params or CodeRunParams()
        request = {"code": code, "argv": params.argv, "envs": params.env, "timeout": timeout}
        # Never retried: the code may have run, and would run twice.
        dto = yield ApiCall(
            "toolbox", "code_run", f"POST /toolbox/{self._sandbox_id}/process/code-run",
            (timeout or SERVER_DEFAULT_COMMAND_TIMEOUT) + COMMAND_RESPONSE_MARGIN,
            (self._sandbox_id, Body("CodeRunRequest", {k: v for k, v in request.items() if v is not None})),
        )
        return ExecuteResponse(exit_code=dto.exit_code, result=dto.result)

    def _session_call(self, method: str, target: str, args: tuple[Any, ...] = (), *, retried: bool) -> Operation[Any]:
        call = ApiCall("toolbox", method, target, self._driver.config.request_timeout, (self._sandbox_id, *args))
        if retried:
            return (yield from call_with_retries(call, self._driver.config.max_retries, self._driver.clock))
        return (yield call)

    def _create_session(self, session_id: str) -> Operation[None]:
        yield from self._session_call(
            "create_session", f"POST /toolbox/{self._sandbox_id}/process/session",
            (Body("CreateSessionRequest", {"sessionId": session_id}),), retried=False,
        )

    def _get_session(self, session_id: str) -> Operation[Session]:
        dto = yield from self._session_call(
            "get_session", f"GET /toolbox/{self._sandbox_id}/process/session/{session_id}", (session_id,), retried=True
        )
        return _session(dto)

    def _list_sessions(self) -> Operation[list[Session]]:
        dtos = yield from self._session_call("list_sessions", f"GET /toolbox/{self._sandbox_id}/process/session", retried=True)
        return [_session(dto) for dto in dtos]

    def _delete_session(self, session_id: str) -> Operation[None]:
        yield from self._session_call(
            "delete_session", f"DELETE /toolbox/{self._sandbox_id}/process/session/{session_id}", (session_id,), retried=False
        )

    def _execute_session_command(
        self, session_id: str, req: SessionExecuteRequest, timeout: float | None
    ) -> Operation[SessionExecuteResponse]:
        body = {"command": req.command, "runAsync": req.run_async, "suppressInputEcho": req.suppress_input_echo}
        client_timeout = timeout or (
            self._driver.config.request_timeout if req.run_async else SERVER_SESSION_COMMAND_WAIT + COMMAND_RESPONSE_MARGIN
        )
        # Never retried: the command may have run, and would run twice.
        dto = yield ApiCall(
            "toolbox", "session_execute_command", f"POST /toolbox/{self._sandbox_id}/process/session/{session_id}/exec",
            client_timeout,
            (self._sandbox_id, session_id, Body("SessionExecuteRequest", {k: v for k, v in body.items() if v is not None})),
        )
        return SessionExecuteResponse(cmd_id=dto.cmd_id, exit_code=dto.exit_code, output=dto.output, stdout=dto.stdout, stderr=dto.stderr)

    def _get_session_command(self, session_id: str, command_id: str) -> Operation[Command]:
        dto = yield from self._session_call(
            "get_session_command", f"GET /toolbox/{self._sandbox_id}/process/session/{session_id}/command/{command_id}",
            (session_id, command_id), retried=True,
        )
        return _command(dto)

    def _get_session_command_logs(self, session_id: str, command_id: str) -> Operation[SessionCommandLogsResponse]:
        dto = yield from self._session_call(
            "get_session_command_logs", f"GET /toolbox/{self._sandbox_id}/process/session/{session_id}/command/{command_id}/logs",
            (session_id, command_id), retried=True,
        )
        return SessionCommandLogsResponse(output=dto.output, stdout=dto.stdout, stderr=dto.stderr, truncated=dto.truncated)
