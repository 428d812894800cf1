"""Parameter types of the Daytona clients and their operations, shared by Daytona and AsyncDaytona."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from daytona_api_client import SandboxState
from pydantic import BaseModel, ValidationError

from .config import ResolvedConfig
from .effects import ApiCall, Body, Operation
from .errors import DaytonaTimeoutError, to_daytona_error
from .sandbox import DEFAULT_START_TIMEOUT, SandboxBase, sandbox_data_from_dto

BULK_AWAIT_MARGIN = 30.0
# Even with a tiny start timeout, the create request itself gets a chance to answer.
MIN_CREATE_REQUEST = 1.0

S = TypeVar("S", bound=SandboxBase)


class BulkCreateItem(BaseModel):
    """One line of a bulk create: ``count`` sandboxes from one snapshot, named ``{prefix}-00001``, ...

    ``sandbox_name_prefix``: 1-50 characters, a letter or digit, then letters, digits, ``.``, ``_``, ``-``.
    ``allow_under``: create as many as quota and runner capacity allow (possibly none) instead of failing.
    """

    snapshot_id_or_name: str
    count: int
    sandbox_name_prefix: str
    allow_under: bool = False


class CreateSandboxParams(BaseModel):
    """What ``create`` makes: ``snapshot`` (default ``default``), a ``name`` unique among the
    organization's live sandboxes (the id when left out), ``env`` and ``labels``."""

    snapshot: str | None = None
    name: str | None = None
    env: dict[str, str] | None = None
    labels: dict[str, str] | None = None


@dataclass(frozen=True)
class SandboxPage(Generic[S]):
    """One page of ``list``: ``items`` on this page, ``total`` over all pages."""

    items: list[S]
    total: int
    page: int
    limit: int
    total_pages: int


def bulk_create_body(items: Sequence[BulkCreateItem], await_started: bool) -> dict[str, Any]:
    return {
        "items": [
            {
                "snapshotIdOrName": item.snapshot_id_or_name,
                "count": item.count,
                "sandboxNamePrefix": item.sandbox_name_prefix,
                "allowUnder": item.allow_under,
            }
            for item in items
        ],
        "awaitStarted": await_started,
    }


def bulk_create_client_timeout(await_started: bool, timeout: float, request_timeout: float) -> float:
    """With await_started the server waits (up to its own limit, 300 s by default), so the client
    waits ``timeout`` plus a margin for the server's answer to arrive first; without it the server
    answers once the rows exist, so the ordinary request timeout applies (``timeout`` if smaller)."""
    return timeout + BULK_AWAIT_MARGIN if await_started else min(timeout, request_timeout)


class DaytonaBase(Generic[S]):
    """Operations of a Daytona client. Daytona and AsyncDaytona add only the I/O."""

    _sandbox_class: ClassVar[type]
    _snapshot_service_class: ClassVar[type]

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self.snapshot = self._snapshot_service_class(driver)

    @property
    def _config(self) -> ResolvedConfig:
        return self._driver.config

    def _sandbox(self, dto: Any) -> S:
        return self._sandbox_class(sandbox_data_from_dto(dto), self._driver)

    def _create(self, params: CreateSandboxParams | None, timeout: float) -> Operation[S]:
        deadline = time.monotonic() + timeout
        params = params or CreateSandboxParams()
        dto = yield ApiCall(
            "sandbox", "create_sandbox", "POST /sandbox",
            min(self._config.request_timeout, max(timeout, MIN_CREATE_REQUEST)),
            (Body("CreateSandbox", params.model_dump(exclude_none=True)),),
        )
        sandbox = self._sandbox(dto)
        yield from sandbox._wait_until_started(max(deadline - time.monotonic(), 0))
        return sandbox

    def _get(self, id_or_name: str) -> Operation[S]:
        dto = yield ApiCall("sandbox", "get_sandbox", f"GET /sandbox/{id_or_name}", self._config.request_timeout, (id_or_name,))
        return self._sandbox(dto)

    def _list(
        self, states: Sequence[SandboxState | str] | None, labels: dict[str, str] | None, page: int | None, limit: int | None
    ) -> Operation[SandboxPage[S]]:
        kwargs = {
            "states": [SandboxState(getattr(s, "value", s)).value for s in states] if states is not None else None,
            "labels": json.dumps(labels) if labels is not None else None,
            "page": page,
            "limit": limit,
        }
        result = yield ApiCall(
            "sandbox", "list_sandboxes", "GET /sandbox", self._config.request_timeout,
            kwargs={k: v for k, v in kwargs.items() if v is not None},
        )
        return SandboxPage(
            items=[self._sandbox(dto) for dto in result.items],
            total=result.total, page=result.page, limit=result.limit, total_pages=result.total_pages,
        )

    def _delete(self, sandbox_or_id: SandboxBase | str) -> Operation[None]:
        if isinstance(sandbox_or_id, SandboxBase):
            yield from sandbox_or_id._delete()
            return
        yield ApiCall(
            "sandbox", "delete_sandbox", f"DELETE /sandbox/{sandbox_or_id}", self._config.request_timeout, (sandbox_or_id,)
        )

    def _bulk_create(self, items: Sequence[BulkCreateItem], await_started: bool, timeout: float) -> Operation[list[S]]:
        try:
            items = [item if isinstance(item, BulkCreateItem) else BulkCreateItem.model_validate(item) for item in items]
        except ValidationError as error:
            raise to_daytona_error(error, "POST /sandbox/bulk", 0) from None
        client_timeout = bulk_create_client_timeout(await_started, timeout, self._config.request_timeout)
        try:
            dtos = yield ApiCall(
                "sandbox", "bulk_create_sandbox", "POST /sandbox/bulk", client_timeout,
                (Body("BulkCreateSandbox", bulk_create_body(items, await_started)),),
            )
        except DaytonaTimeoutError as error:
            names = ", ".join(f"{item.sandbox_name_prefix}-00001..." for item in items)
            raise DaytonaTimeoutError(
                f"{error.message}. The sandboxes may have been created anyway: look them up by name "
                f"({names}) and delete them if unwanted"
            ) from None
        return [self._sandbox(dto) for dto in dtos]


__all__ = ["BulkCreateItem", "CreateSandboxParams", "SandboxPage", "DaytonaBase", "DEFAULT_START_TIMEOUT"]
