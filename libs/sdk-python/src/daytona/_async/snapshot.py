"""daytona.snapshot, asyncio. Every decision lives in daytona.common.snapshot."""

from __future__ import annotations

from collections.abc import Callable

from ..common.snapshot import DEFAULT_SNAPSHOT_TIMEOUT, CreateSnapshotParams, PaginatedSnapshots, Snapshot, SnapshotServiceBase


class AsyncSnapshotService(SnapshotServiceBase):
    """The organization's snapshots; reach it as ``daytona.snapshot``. A snapshot is an OCI image
    that runners pull once; sandboxes are then created from it by name."""

    async def create(
        self,
        params: CreateSnapshotParams,
        *,
        on_logs: Callable[[str], None] | None = None,
        timeout: float = DEFAULT_SNAPSHOT_TIMEOUT,
    ) -> Snapshot:
        """Registers an image as a snapshot and waits until a runner has pulled it (``active``),
        polling with backoff (0.25 s doubling to 2 s). ``on_logs`` gets a line per state seen.
        Raises DaytonaSnapshotStateError with the registry's reason if it ends in ``error``, and
        DaytonaTimeoutError after ``timeout`` seconds (900); either way it stays until deleted.

        Example::

            snapshot = await daytona.snapshot.create(
                CreateSnapshotParams(name="py", image="registry.example.com/team/python:3.12", resources=Resources(cpu=2)),
                on_logs=print, timeout=300,
            )
            sandbox = await daytona.create(CreateSandboxParams(snapshot=snapshot.name))
        """
        return await self._driver.run(self._create(params, on_logs, timeout))

    async def get(self, name: str) -> Snapshot:
        """Gets a snapshot by name (or id), the organization's own or a general one;
        DaytonaNotFoundError (``snapshot_not_found``) if there is none.

        Example::

            snapshot = await daytona.snapshot.get("py")
            print(snapshot.state, snapshot.image_name)
        """
        return await self._driver.run(self._get(name))

    async def list(self, page: int | None = None, limit: int | None = None) -> PaginatedSnapshots:
        """Lists the organization's snapshots and the general ones, by name, one page at a time
        (``page`` from 1, ``limit`` 1-1000, default 100).

        Example::

            result = await daytona.snapshot.list(page=1, limit=50)
            print(result.total, [s.name for s in result.items])
        """
        return await self._driver.run(self._list(page, limit))

    async def delete(self, snapshot_or_name: Snapshot | str) -> None:
        """Deletes one of the organization's snapshots, given as an object or by name (or id).
        Refused while live sandboxes use it (DaytonaConflictError ``snapshot_in_use``: delete
        them first) and for general snapshots (DaytonaAuthorizationError ``general_snapshot_read_only``).

        Example::

            await daytona.snapshot.delete(snapshot)
            await daytona.snapshot.delete("py")
        """
        await self._driver.run(self._delete(snapshot_or_name))
