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


def run(mode: str, url: str, scenario: Callable[[Any], Awaitable[T]], **options: Any) -> T:
    async def main() -> T:
        client = (Daytona if mode == "sync" else AsyncDaytona)(api_key="test-key", api_url=url, **options)
        try:
            return await scenario(client)
        finally:
            await aw(client.close())

    return asyncio.run(main())
