"""Parameter types of the Daytona clients and their operations, shared by Daytona and AsyncDaytona."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from daytona_api_client import SandboxState
from pydantic import BaseModel, ValidationError

from .config import ResolvedConfig
from .effects import ApiCall, Body, Operation
from .errors import DaytonaConnectionError, DaytonaTimeoutError, to_daytona_error
from .retry import call_with_retries
from .sandbox import DEFAULT_START_TIMEOUT, SandboxBase, sandbox_data_from_dto

BULK_AWAIT_MARGIN = 30.0
# Even with a tiny start timeout, the create request itself gets a chance to answer.
MIN_CREATE_REQUEST = 1.0

S = TypeVar("S", bound=SandboxBase)


class BulkCreateItem(BaseModel):
    """One line of a bulk create: ``count`` sandboxes from one snapshot, named ``{prefix}-00001``, ...

    ``sandbox_name_prefix``: 1-50 characters, a letter or digit, then letters, digits, ``.``, ``_``, ``-``.
    ``allow_under``: create as many as quota and runner capacity allow (possibly none) instead of failing.
    ``labels`` and ``env`` go to every sandbox of the item (``env`` is what each command in it
    sees); label keys starting ``daytona.io/`` are the platform's (``reserved_label``).
    """

    snapshot_id_or_name: str
    count: int
    sandbox_name_prefix: str
    allow_under: bool = False
    labels: dict[str, str] | None = None
    env: dict[str, str] | None = None


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
    return {"items": [_bulk_create_item_body(item) for item in items], "awaitStarted": await_started}


def _bulk_create_item_body(item: BulkCreateItem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "snapshotIdOrName": item.snapshot_id_or_name,
        "count": item.count,
        "sandboxNamePrefix": item.sandbox_name_prefix,
        "allowUnder": item.allow_under,
    }
    if item.labels is not None:
        body["labels"] = item.labels
    if item.env is not None:
        body["env"] = item.env
    return body


def bulk_delete_body(labels: dict[str, str] | None, name_prefix: str | None, ids: Sequence[str] | None) -> dict[str, Any]:
    body = {"labels": labels, "namePrefix": name_prefix, "ids": list(ids) if ids is not None else None}
    return {key: value for key, value in body.items() if value is not None}


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

    def _idempotent(self, call: ApiCall) -> Operation[Any]:
        return call_with_retries(call, self._config.max_retries, self._driver.clock)

    def _create(self, params: CreateSandboxParams | None, timeout: float, idempotency_key: str | None) -> Operation[S]:
        deadline = time.monotonic() + timeout
        params = params or CreateSandboxParams()
        dto = yield from self._idempotent(ApiCall(
            "sandbox", "create_sandbox", "POST /sandbox",
            min(self._config.request_timeout, max(timeout, MIN_CREATE_REQUEST)),
            (Body("CreateSandbox", params.model_dump(exclude_none=True)),),
            {"idempotency_key": idempotency_key or str(uuid.uuid4())},
        ))
        sandbox = self._sandbox(dto)
        yield from sandbox._wait_until_started(max(deadline - time.monotonic(), 0))
        return sandbox

    def _get(self, id_or_name: str) -> Operation[S]:
        dto = yield from self._idempotent(
            ApiCall("sandbox", "get_sandbox", f"GET /sandbox/{id_or_name}", self._config.request_timeout, (id_or_name,))
        )
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
        result = yield from self._idempotent(ApiCall(
            "sandbox", "list_sandboxes", "GET /sandbox", self._config.request_timeout,
            kwargs={k: v for k, v in kwargs.items() if v is not None},
        ))
        return SandboxPage(
            items=[self._sandbox(dto) for dto in result.items],
            total=result.total, page=result.page, limit=result.limit, total_pages=result.total_pages,
        )

    def _delete(self, sandbox_or_id: SandboxBase | str) -> Operation[None]:
        if isinstance(sandbox_or_id, SandboxBase):
            yield from sandbox_or_id._delete()
            return
        yield from self._idempotent(ApiCall(
            "sandbox", "delete_sandbox", f"DELETE /sandbox/{sandbox_or_id}", self._config.request_timeout, (sandbox_or_id,)
        ))

    def _bulk_delete(
        self, labels: dict[str, str] | None, name_prefix: str | None, ids: Sequence[str] | None
    ) -> Operation[int]:
        body = bulk_delete_body(labels, name_prefix, ids)
        total = 0
        while True:
            result = yield from self._idempotent(ApiCall(
                "sandbox", "bulk_delete_sandboxes", "POST /sandbox/bulk-delete", self._config.request_timeout,
                (Body("BulkDeleteSandboxes", body),),
            ))
            total += result.count
            # A round that marks nothing ends the loop even if the server says more match.
            if not result.has_more or result.count == 0:
                return total

    def _bulk_create(
        self, items: Sequence[BulkCreateItem], await_started: bool, timeout: float, idempotency_key: str | None
    ) -> Operation[list[S]]:
        try:
            items = [item if isinstance(item, BulkCreateItem) else BulkCreateItem.model_validate(item) for item in items]
        except ValidationError as error:
            raise to_daytona_error(error, "POST /sandbox/bulk", 0) from None
        client_timeout = bulk_create_client_timeout(await_started, timeout, self._config.request_timeout)
        key = idempotency_key or str(uuid.uuid4())
        try:
            dtos = yield from self._idempotent(ApiCall(
                "sandbox", "bulk_create_sandbox", "POST /sandbox/bulk", client_timeout,
                (Body("BulkCreateSandbox", bulk_create_body(items, await_started)),),
                {"idempotency_key": key},
            ))
        except (DaytonaTimeoutError, DaytonaConnectionError) as error:
            names = ", ".join(f"{item.sandbox_name_prefix}-00001..." for item in items)
            raise type(error)(
                f"{error.message}. The sandboxes may have been created anyway: look them up by name "
                f"({names}) and delete them if unwanted, or call bulk_create again with "
                f'idempotency_key="{key}" to get them without creating more'
            ) from None
        return [self._sandbox(dto) for dto in dtos]


__all__ = ["BulkCreateItem", "CreateSandboxParams", "SandboxPage", "DaytonaBase", "DEFAULT_START_TIMEOUT"]
