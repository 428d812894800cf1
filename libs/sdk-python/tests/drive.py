"""Runs one test scenario against Daytona or AsyncDaytona, so each behaviour is tested in both."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from daytona import AsyncDaytona, Daytona

T = TypeVar("T")
MODES = ["sync", "async"]


async def aw(value: Any) -> Any:
    """Awaits what the async client returns; passes through what the sync one returns."""
    return await value if inspect.isawaitable(value) else value


class FakeClock:
    """Time that passes only when the SDK waits: each wait is recorded and moves the clock on, so
    retry tests check delays without sleeping. ``draw`` is the jitter's random number."""

    def __init__(self, draw: float = 0.5) -> None:
        self.time = 0.0
        self.draw = draw
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.time

    def random(self) -> float:
        return self.draw

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds

    async def sleep_async(self, seconds: float) -> None:
        self.sleep(seconds)


def run(mode: str, url: str, scenario: Callable[[Any], Awaitable[T]], clock: FakeClock | None = None, **options: Any) -> T:
    async def main() -> T:
        client = (Daytona if mode == "sync" else AsyncDaytona)(api_key="test-key", api_url=url, **options)
        if clock is not None:
            client._driver.clock = clock
            client._driver.sleep = clock.sleep if mode == "sync" else clock.sleep_async
        try:
            return await scenario(client)
        finally:
            await aw(client.close())

    return asyncio.run(main())
