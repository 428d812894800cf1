"""Snapshots: their data and their operations, shared by SnapshotService and AsyncSnapshotService."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daytona_api_client import SnapshotState
from pydantic import BaseModel, ValidationError, field_validator

from .effects import ApiCall, Body, Operation, Sleep
from .errors import DaytonaSnapshotStateError, DaytonaTimeoutError, to_daytona_error
from .retry import call_with_retries

# Longer than a runner's own pull limit (600 s, RUNNER_IMAGE_PULL_TIMEOUT_SECONDS), so a pull the
# runner gives up on ends in its reason rather than in the client's timeout.
DEFAULT_SNAPSHOT_TIMEOUT = 900.0
# A pull takes a few hundred milliseconds at best, so the first look is a little later than a
# sandbox wait's; the backoff then matches it.
FIRST_POLL = 0.25
MAX_POLL = 2.0
# Floor for each request of the wait, so the last one is not cut off before it can answer.
MIN_REQUEST = 1.0


class Resources(BaseModel):
    """What every sandbox of a snapshot gets: ``cpu`` cores (default 1), ``memory`` and ``disk``
    in GiB (defaults 1 and 3); ``gpu`` only 0, as this server has none (``unsupported_field``)."""

    cpu: int | None = None
    memory: int | None = None
    disk: int | None = None
    gpu: int | None = None


class CreateSnapshotParams(BaseModel):
    """What ``snapshot.create`` registers: a ``name`` unique among the organization's snapshots,
    and ``image``, a reference every runner of the region can pull (e.g.
    ``registry.example.com/team/python:3.12``). This server has no image builder: build and push
    the image, then name it. ``entrypoint``: the sandbox's main process (the image's own by
    default); ``region_id``: the organization's region by default."""

    name: str
    image: str
    resources: Resources | None = None
    entrypoint: list[str] | None = None
    region_id: str | None = None

    @field_validator("image", mode="before")
    @classmethod
    def _image_is_a_reference(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError("must be an image reference string: this server has no image builder, so build and push the image, then name it")
        return value


@dataclass(frozen=True)
class Snapshot:
    """A snapshot as the API described it: ``state`` is pending, pulling, active (sandboxes can be
    created from it) or error (``error_reason``, in the registry's words). ``size`` in GB, once a
    runner has pulled the image; ``cpu``, ``memory`` and ``disk`` per sandbox."""

    id: str
    organization_id: str | None
    name: str
    image_name: str
    general: bool
    state: SnapshotState
    error_reason: str | None
    size: float | None
    entrypoint: list[str] | None
    cpu: int
    gpu: int
    memory: int
    disk: int
    regions: list[str]
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class PaginatedSnapshots:
    """One page of ``snapshot.list``: ``items`` on this page, ``total`` over all pages."""

    items: list[Snapshot]
    total: int
    page: int
    total_pages: int


def snapshot_from_dto(dto: Any) -> Snapshot:
    """Maps a Snapshot DTO of either generated client (their classes differ, their fields do not)."""
    return Snapshot(
        id=str(dto.id),
        organization_id=str(dto.organization_id) if dto.organization_id is not None else None,
        name=dto.name,
        image_name=dto.image_name,
        general=dto.general,
        state=SnapshotState(getattr(dto.state, "value", dto.state)),
        error_reason=dto.error_reason,
        size=dto.size,
        entrypoint=list(dto.entrypoint) if dto.entrypoint is not None else None,
        cpu=dto.cpu,
        gpu=dto.gpu,
        memory=dto.memory,
        disk=dto.disk,
        regions=list(dto.regions),
        created_at=dto.created_at,
        updated_at=dto.updated_at,
        last_used_at=dto.last_used_at,
    )


def create_snapshot_body(params: CreateSnapshotParams) -> dict[str, Any]:
    resources = params.resources.model_dump(exclude_none=True) if params.resources else {}
    body = {"name": params.name, "imageName": params.image, "entrypoint": params.entrypoint, "regionId": params.region_id, **resources}
    return {key: value for key, value in body.items() if value is not None}


class SnapshotServiceBase:
    """Operations of ``daytona.snapshot``. SnapshotService and AsyncSnapshotService add only the I/O."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver

    def _idempotent(self, call: ApiCall) -> Operation[Any]:
        return call_with_retries(call, self._driver.config.max_retries, self._driver.clock)

    def _create(
        self, params: CreateSnapshotParams, on_logs: Callable[[str], None] | None, timeout: float
    ) -> Operation[Snapshot]:
        try:
            params = params if isinstance(params, CreateSnapshotParams) else CreateSnapshotParams.model_validate(params)
        except ValidationError as error:
            raise to_daytona_error(error, "POST /snapshots", 0) from None
        log = on_logs or (lambda line: None)
        request_timeout = self._driver.config.request_timeout
        deadline = time.monotonic() + timeout
        # Not retried: the server takes no Idempotency-Key for snapshots, and a retry after a lost
        # answer would meet its own snapshot as snapshot_name_conflict.
        dto = yield ApiCall(
            "snapshots", "create_snapshot", "POST /snapshots", min(request_timeout, max(timeout, MIN_REQUEST)),
            (Body("CreateSnapshot", create_snapshot_body(params)),),
        )
        snapshot = snapshot_from_dto(dto)
        poll = FIRST_POLL
        logged: SnapshotState | None = None
        while True:
            if snapshot.state == SnapshotState.ACTIVE:
                log(f"Created snapshot {snapshot.name} ({snapshot.state.value})")
                return snapshot
            if snapshot.state != logged:
                log(f"Creating snapshot {snapshot.name} ({snapshot.state.value})")
                logged = snapshot.state
            if snapshot.state == SnapshotState.ERROR:
                raise DaytonaSnapshotStateError(
                    f'Snapshot "{snapshot.name}" could not be created from {snapshot.image_name}: '
                    f"{snapshot.error_reason or 'no reason given'}",
                    snapshot_name=snapshot.name, state=snapshot.state.value, error_reason=snapshot.error_reason,
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DaytonaTimeoutError(
                    f'Snapshot "{snapshot.name}" is still {snapshot.state.value} after {timeout:g} s; it stays and may '
                    "still become active: get it later, or delete it"
                )
            # Jitter keeps many waits started at once from polling in lockstep.
            yield Sleep(min(poll * random.uniform(0.8, 1.2), remaining))
            poll = min(poll * 2, MAX_POLL)
            dto = yield from self._idempotent(ApiCall(
                "snapshots", "get_snapshot", f"GET /snapshots/{snapshot.id}",
                min(request_timeout, max(deadline - time.monotonic(), MIN_REQUEST)), (snapshot.id,),
            ))
            snapshot = snapshot_from_dto(dto)

    def _get(self, name: str) -> Operation[Snapshot]:
        dto = yield from self._idempotent(
            ApiCall("snapshots", "get_snapshot", f"GET /snapshots/{name}", self._driver.config.request_timeout, (name,))
        )
        return snapshot_from_dto(dto)

    def _list(self, page: int | None, limit: int | None) -> Operation[PaginatedSnapshots]:
        kwargs = {key: value for key, value in {"page": page, "limit": limit}.items() if value is not None}
        result = yield from self._idempotent(
            ApiCall("snapshots", "list_snapshots", "GET /snapshots", self._driver.config.request_timeout, kwargs=kwargs)
        )
        return PaginatedSnapshots(
            items=[snapshot_from_dto(dto) for dto in result.items],
            total=result.total, page=result.page, total_pages=result.total_pages,
        )

    def _delete(self, snapshot_or_name: Snapshot | str) -> Operation[None]:
        id_or_name = snapshot_or_name.id if isinstance(snapshot_or_name, Snapshot) else snapshot_or_name
        yield from self._idempotent(ApiCall(
            "snapshots", "delete_snapshot", f"DELETE /snapshots/{id_or_name}", self._driver.config.request_timeout, (id_or_name,)
        ))
