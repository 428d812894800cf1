"""The sandbox's fields and its operations, shared by Sandbox and AsyncSandbox."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from daytona_api_client import SandboxState

from .effects import ApiCall, Body, Operation, Sleep
from .errors import DaytonaSandboxStateError, DaytonaTimeoutError
from .retry import call_with_retries

DEFAULT_START_TIMEOUT = 60.0
# The label the API puts on every sandbox of a bulk create, the same value for the whole request.
BULK_REQUEST_LABEL = "daytona.io/bulk-request"
# States from which a sandbox will never reach started, or stopped, on its own.
ENDED = frozenset({SandboxState.ERROR, SandboxState.BUILD_FAILED, SandboxState.DESTROYING, SandboxState.DESTROYED})
FIRST_POLL = 0.1
MAX_POLL = 2.0
# Floor for the last status request of a wait, so it is not cut off before it can answer.
MIN_LAST_REQUEST = 1.0
# The server's default command timeout; it answers up to 15 s after killing a command.
SERVER_DEFAULT_COMMAND_TIMEOUT = 300
COMMAND_RESPONSE_MARGIN = 30


@dataclass(frozen=True)
class SandboxData:
    """The server's view of a sandbox at one moment, independent of which generated client read it."""

    id: str
    organization_id: str
    name: str
    snapshot: str
    runner_id: str | None
    region: str
    state: SandboxState
    desired_state: str
    cpu: int
    memory: int
    disk: int
    env: dict[str, str]
    labels: dict[str, str]
    error_reason: str | None
    auto_stop_interval: int
    auto_delete_interval: int
    created_at: datetime
    updated_at: datetime


def sandbox_data_from_dto(dto: Any) -> SandboxData:
    """Maps a Sandbox DTO of either generated client (their classes differ, their fields do not)."""
    return SandboxData(
        id=str(dto.id),
        organization_id=str(dto.organization_id),
        name=dto.name,
        snapshot=dto.snapshot,
        runner_id=str(dto.runner_id) if dto.runner_id is not None else None,
        region=dto.region,
        state=SandboxState(_value(dto.state)),
        desired_state=_value(dto.desired_state),
        cpu=dto.cpu,
        memory=dto.memory,
        disk=dto.disk,
        env=dict(dto.env),
        labels=dict(dto.labels),
        error_reason=dto.error_reason,
        auto_stop_interval=dto.auto_stop_interval,
        auto_delete_interval=dto.auto_delete_interval,
        created_at=dto.created_at,
        updated_at=dto.updated_at,
    )


def _value(enum_or_str: Any) -> str:
    return getattr(enum_or_str, "value", enum_or_str)


@dataclass(frozen=True)
class ExecuteResponse:
    """What a command left behind: ``exit_code`` (124 when the server killed it at its timeout)
    and ``result``, stdout and stderr interleaved (at most 1 MiB)."""

    exit_code: int
    result: str


class SandboxBase:
    """Fields and operations of a sandbox. Sandbox and AsyncSandbox add only the I/O."""

    _process_class: ClassVar[type]

    def __init__(self, data: SandboxData, driver: Any) -> None:
        self._data = data
        self._driver = driver
        self.process = self._process_class(data.id, driver)

    id = property(lambda self: self._data.id, doc="The sandbox id (a UUID).")
    name = property(lambda self: self._data.name)
    state = property(lambda self: self._data.state, doc="A SandboxState; compares equal to its string value.")
    organization_id = property(lambda self: self._data.organization_id)
    snapshot = property(lambda self: self._data.snapshot, doc="Name of the snapshot it was created from.")
    runner_id = property(lambda self: self._data.runner_id)
    region = property(lambda self: self._data.region)
    cpu = property(lambda self: self._data.cpu, doc="CPU cores.")
    memory = property(lambda self: self._data.memory, doc="Memory, GiB.")
    disk = property(lambda self: self._data.disk, doc="Disk, GiB.")
    env = property(lambda self: dict(self._data.env))
    labels = property(lambda self: dict(self._data.labels), doc="Its labels, the platform's (daytona.io/...) included.")
    bulk_request_id = property(
        lambda self: self._data.labels.get(BULK_REQUEST_LABEL),
        doc="The id of the bulk create that made it (its daytona.io/bulk-request label), the same for "
        "every sandbox of that request; None for a sandbox from create.",
    )
    error_reason = property(lambda self: self._data.error_reason, doc="Why it is in error or build_failed.")
    auto_stop_interval = property(
        lambda self: self._data.auto_stop_interval, doc="Minutes without activity (toolbox calls) before the server stops it; 0 never."
    )
    auto_delete_interval = property(
        lambda self: self._data.auto_delete_interval, doc="Minutes after it stopped before the server destroys it; negative never, 0 at once."
    )
    created_at = property(lambda self: self._data.created_at)
    updated_at = property(lambda self: self._data.updated_at)

    def to_dict(self) -> dict[str, Any]:
        """The sandbox's fields as plain data, for logging."""
        return {name: getattr(self._data, name) for name in self._data.__dataclass_fields__}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, name={self.name!r}, state={self.state.value!r})"

    def _idempotent(self, call: ApiCall) -> Operation[Any]:
        return call_with_retries(call, self._driver.config.max_retries, self._driver.clock)

    def _refresh(self, timeout: float | None = None) -> Operation[None]:
        dto = yield from self._idempotent(ApiCall(
            "sandbox", "get_sandbox", f"GET /sandbox/{self.id}",
            timeout or self._driver.config.request_timeout, (self.id,),
        ))
        self._data = sandbox_data_from_dto(dto)

    def _delete(self) -> Operation[None]:
        dto = yield from self._idempotent(ApiCall(
            "sandbox", "delete_sandbox", f"DELETE /sandbox/{self.id}", self._driver.config.request_timeout, (self.id,)
        ))
        self._data = sandbox_data_from_dto(dto)

    def _wait_until_started(self, timeout: float, reported_timeout: float | None = None) -> Operation[None]:
        yield from self._wait_for_state(SandboxState.STARTED, "start", timeout, reported_timeout)

    def _wait_until_stopped(self, timeout: float, reported_timeout: float | None = None) -> Operation[None]:
        yield from self._wait_for_state(SandboxState.STOPPED, "stop", timeout, reported_timeout)

    def _wait_for_state(self, target: SandboxState, verb: str, timeout: float, reported_timeout: float | None) -> Operation[None]:
        """``timeout`` is what is left to wait; ``reported_timeout``, what the caller asked for, is what a timeout names."""
        reported = timeout if reported_timeout is None else reported_timeout
        deadline = time.monotonic() + timeout
        poll = FIRST_POLL
        while True:
            if self.state == target:
                return
            if self.state in ENDED:
                reason = f": {self.error_reason}" if self.error_reason else ""
                raise DaytonaSandboxStateError(
                    f'Sandbox "{self.name}" ({self.id}) is {self.state.value} and will not {verb}{reason}',
                    sandbox_id=self.id, state=self.state.value, error_reason=self.error_reason,
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DaytonaTimeoutError(f'Sandbox "{self.name}" ({self.id}) is still {self.state.value} after {reported:g} s')
            # Jitter keeps many sandboxes waiting at once from polling in lockstep.
            yield Sleep(min(poll * random.uniform(0.8, 1.2), remaining))
            poll = min(poll * 2, MAX_POLL)
            remaining = deadline - time.monotonic()
            yield from self._refresh(min(self._driver.config.request_timeout, max(remaining, MIN_LAST_REQUEST)))

    def _start(self, timeout: float) -> Operation[None]:
        deadline = time.monotonic() + timeout
        dto = yield from self._idempotent(ApiCall(
            "sandbox", "start_sandbox", f"POST /sandbox/{self.id}/start",
            min(self._driver.config.request_timeout, max(timeout, MIN_LAST_REQUEST)), (self.id,),
        ))
        self._data = sandbox_data_from_dto(dto)
        yield from self._wait_until_started(max(deadline - time.monotonic(), 0), timeout)

    def _stop(self, timeout: float, force: bool) -> Operation[None]:
        deadline = time.monotonic() + timeout
        dto = yield from self._idempotent(ApiCall(
            "sandbox", "stop_sandbox", f"POST /sandbox/{self.id}/stop",
            min(self._driver.config.request_timeout, max(timeout, MIN_LAST_REQUEST)), (self.id,), {"force": force},
        ))
        self._data = sandbox_data_from_dto(dto)
        yield from self._wait_until_stopped(max(deadline - time.monotonic(), 0), timeout)

    def _set_interval(self, method: str, route: str, interval: int) -> Operation[None]:
        dto = yield from self._idempotent(ApiCall(
            "sandbox", method, f"POST /sandbox/{self.id}/{route}/{interval}", self._driver.config.request_timeout,
            # By keyword, so the generated client's range check names the field.
            (self.id,), {"interval": interval},
        ))
        self._data = sandbox_data_from_dto(dto)


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
