"""Performs the effects of an operation with the generated asyncio client (aiohttp), awaiting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import aiohttp
import daytona_api_client_async as generated

from ..common.config import ResolvedConfig
from ..common.effects import ApiCall, Body, Download, Operation, Sleep, Upload
from ..common.errors import DaytonaConnectionError, DaytonaError, error_from_answer, to_daytona_error
from ..common.retry import Clock

T = TypeVar("T")
CHUNK = 1024 * 1024
ERROR_BODY_MAX = 64 * 1024


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
                if isinstance(effect, Download):
                    await asyncio.wait_for(self._download(effect), effect.call.limit)
                elif isinstance(effect, Upload):
                    result = await asyncio.wait_for(self._upload(effect), effect.timeout)
                else:
                    result = await self._call(effect)
            except Exception as failure:  # every failure of a call is mapped in one place
                error = to_daytona_error(failure, effect.target, effect.timeout)

    async def _call(self, call: ApiCall) -> Any:
        method = getattr(self._apis[call.api], call.method)
        # A hard deadline for the whole exchange, whatever the transport does with its own timeout.
        return await asyncio.wait_for(method(*self._args(call), **call.kwargs, _request_timeout=call.limit), call.limit)

    def _args(self, call: ApiCall) -> list[Any]:
        return [getattr(generated, a.model).from_dict(a.data) if isinstance(a, Body) else a for a in call.args]

    async def _download(self, effect: Download) -> None:
        call = effect.call
        method = getattr(self._apis[call.api], f"{call.method}_without_preload_content")
        response = await method(*self._args(call), **call.kwargs, _request_timeout=call.limit)
        try:
            if response.status >= 400:
                raise error_from_answer(response.status, await response.content.read(ERROR_BODY_MAX), response.headers, call.target)
            effect.consumer.start(response.headers)
            try:
                async for chunk in response.content.iter_chunked(CHUNK):
                    effect.consumer.feed(chunk)
            except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as cut:
                raise DaytonaConnectionError(f"The answer to {call.target} was cut off before it completed: {cut}") from None
            effect.consumer.finish()
        finally:
            response.release()

    async def _upload(self, effect: Upload) -> Any:
        # The generated client reads a whole file into memory to send it: this goes through its
        # session with a body read as it is sent, each chunk off the event loop.
        rest = self._client.rest_client
        if rest.pool_manager is None:
            rest.pool_manager = rest._create_pool_manager()
        headers = {
            "Authorization": f"Bearer {self.config.api_key}",
            "Content-Type": effect.body.content_type,
            "Content-Length": str(effect.body.content_length),
            "Accept": "application/json",
        }
        async with rest.pool_manager.post(self.config.api_url + effect.path, data=_off_loop(effect.body.chunks()), headers=headers) as response:
            data = await response.read()
            if response.status >= 400:
                raise error_from_answer(response.status, data, response.headers, effect.target)
        try:
            return json.loads(data or b"null")
        except ValueError:
            raise DaytonaError(f"{effect.target} answered {response.status} with a body that is not JSON") from None

    async def close(self) -> None:
        await self._client.close()


async def _off_loop(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Reads a body's chunks (local files) in a worker thread, so the event loop never waits on disk."""
    while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
        yield chunk
