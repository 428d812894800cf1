"""Performs the effects of an operation with the generated sync client (urllib3), blocking."""

from __future__ import annotations

import json
import time
from typing import Any, TypeVar

import daytona_api_client as generated
import urllib3

from ..common.config import ResolvedConfig
from ..common.effects import ApiCall, Body, Download, Operation, Sleep, Upload
from ..common.errors import DaytonaConnectionError, DaytonaError, DaytonaTimeoutError, error_from_answer, to_daytona_error
from ..common.retry import Clock

T = TypeVar("T")
CHUNK = 1024 * 1024
ERROR_BODY_MAX = 64 * 1024


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
                if isinstance(effect, Download):
                    self._download(effect)
                elif isinstance(effect, Upload):
                    result = self._upload(effect)
                else:
                    result = self._call(effect)
            except Exception as failure:  # every failure of a call is mapped in one place
                error = to_daytona_error(failure, effect.target, effect.timeout)

    def _call(self, call: ApiCall) -> Any:
        method = getattr(self._apis[call.api], call.method)
        return method(*self._args(call), **call.kwargs, _request_timeout=call.limit)

    def _args(self, call: ApiCall) -> list[Any]:
        return [getattr(generated, a.model).from_dict(a.data) if isinstance(a, Body) else a for a in call.args]

    def _download(self, effect: Download) -> None:
        call = effect.call
        deadline = time.monotonic() + call.limit
        method = getattr(self._apis[call.api], f"{call.method}_without_preload_content")
        response = method(*self._args(call), **call.kwargs, _request_timeout=call.limit)
        try:
            if response.status >= 400:
                raise error_from_answer(response.status, response.read(ERROR_BODY_MAX), response.headers, call.target)
            effect.consumer.start(response.headers)
            while True:
                # The socket timeout bounds each read; this bounds the whole body.
                if time.monotonic() > deadline:
                    raise DaytonaTimeoutError(f"{call.target} did not finish within {call.timeout:g} s")
                try:
                    chunk = response.read(CHUNK)
                except (urllib3.exceptions.ProtocolError, OSError) as cut:
                    raise DaytonaConnectionError(f"The answer to {call.target} was cut off before it completed: {cut}") from None
                if not chunk:
                    break
                effect.consumer.feed(chunk)
            effect.consumer.finish()
        finally:
            response.release_conn()

    def _upload(self, effect: Upload) -> Any:
        # The generated client reads a whole file into memory to send it: this goes through its
        # connection pool with a body read as it is sent.
        headers = {
            "Authorization": f"Bearer {self.config.api_key}",
            "Content-Type": effect.body.content_type,
            "Content-Length": str(effect.body.content_length),
            "Accept": "application/json",
        }
        response = self._client.rest_client.pool_manager.request(
            "POST", self.config.api_url + effect.path, body=effect.body.chunks(), headers=headers,
            timeout=urllib3.Timeout(total=effect.timeout), retries=False,
        )
        if response.status >= 400:
            raise error_from_answer(response.status, response.data, response.headers, effect.target)
        try:
            return json.loads(response.data or b"null")
        except ValueError:
            raise DaytonaError(f"{effect.target} answered {response.status} with a body that is not JSON") from None

    def close(self) -> None:
        self._client.rest_client.pool_manager.clear()
