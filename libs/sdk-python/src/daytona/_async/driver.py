"""Performs the effects of an operation with the generated asyncio client (aiohttp), awaiting."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import daytona_api_client_async as generated

from ..common.config import ResolvedConfig
from ..common.effects import ApiCall, Body, Operation, Sleep
from ..common.errors import to_daytona_error
from ..common.retry import Clock

T = TypeVar("T")


class AsyncDriver:
    def __init__(self, config: ResolvedConfig) -> None:
        self.config = config
        # What the operations read time and jitter from, and how a Sleep is performed; the SDK's
        # tests replace both.
        self.clock = Clock()
        self.sleep = asyncio.sleep
        self._client = generated.ApiClient(generated.Configuration(host=config.api_url, access_token=config.api_key))
        self._apis = {
            "sandbox": generated.SandboxApi(self._client),
            "toolbox": generated.ToolboxApi(self._client),
            "snapshots": generated.SnapshotsApi(self._client),
        }

    async def run(self, operation: Operation[T]) -> T:
        result: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = operation.throw(error) if error is not None else operation.send(result)
            except StopIteration as done:
                return done.value
            result, error = None, None
            if isinstance(effect, Sleep):
                await self.sleep(effect.seconds)
                continue
            try:
                result = await self._call(effect)
            except Exception as failure:  # every failure of a call is mapped in one place
                error = to_daytona_error(failure, effect.target, effect.timeout)

    async def _call(self, call: ApiCall) -> Any:
        args = [getattr(generated, a.model).from_dict(a.data) if isinstance(a, Body) else a for a in call.args]
        method = getattr(self._apis[call.api], call.method)
        # A hard deadline for the whole exchange, whatever the transport does with its own timeout.
        return await asyncio.wait_for(method(*args, **call.kwargs, _request_timeout=call.limit), call.limit)

    async def close(self) -> None:
        await self._client.close()
