"""Performs the effects of an operation with the generated sync client (urllib3), blocking."""

from __future__ import annotations

import time
from typing import Any, TypeVar

import daytona_api_client as generated

from ..common.config import ResolvedConfig
from ..common.effects import ApiCall, Body, Operation, Sleep
from ..common.errors import to_daytona_error
from ..common.retry import Clock

T = TypeVar("T")


class SyncDriver:
    def __init__(self, config: ResolvedConfig) -> None:
        self.config = config
        # What the operations read time and jitter from, and how a Sleep is performed; the SDK's
        # tests replace both.
        self.clock = Clock()
        self.sleep = time.sleep
        # retries=False: the SDK retries on its own terms (common/retry.py); urllib3 would retry
        # GETs three times more, past the deadline, and failures arrive unwrapped.
        configuration = generated.Configuration(host=config.api_url, access_token=config.api_key, retries=False)
        self._client = generated.ApiClient(configuration)
        self._apis = {
            "sandbox": generated.SandboxApi(self._client),
            "toolbox": generated.ToolboxApi(self._client),
            "snapshots": generated.SnapshotsApi(self._client),
        }

    def run(self, operation: Operation[T]) -> T:
        result: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = operation.throw(error) if error is not None else operation.send(result)
            except StopIteration as done:
                return done.value
            result, error = None, None
            if isinstance(effect, Sleep):
                self.sleep(effect.seconds)
                continue
            try:
                result = self._call(effect)
            except Exception as failure:  # every failure of a call is mapped in one place
                error = to_daytona_error(failure, effect.target, effect.timeout)

    def _call(self, call: ApiCall) -> Any:
        args = [getattr(generated, a.model).from_dict(a.data) if isinstance(a, Body) else a for a in call.args]
        method = getattr(self._apis[call.api], call.method)
        return method(*args, **call.kwargs, _request_timeout=call.limit)

    def close(self) -> None:
        self._client.rest_client.pool_manager.clear()
