"""AsyncDaytona, the asyncio client. Every decision lives in daytona.common.daytona; this only does I/O."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from daytona_api_client import SandboxState

from ..common.config import resolve_config
from ..common.daytona import DEFAULT_START_TIMEOUT, BulkCreateItem, CreateSandboxParams, DaytonaBase, SandboxPage
from .driver import AsyncDriver
from .sandbox import AsyncSandbox
from .snapshot import AsyncSnapshotService


class AsyncDaytona(DaytonaBase[AsyncSandbox]):
    """Client of a Daytona API: creates, finds and deletes sandboxes.

    Example::

        async with AsyncDaytona() as daytona:  # DAYTONA_API_KEY / DAYTONA_API_URL, or .env.local from `npm start`
            sandbox = await daytona.create()
            print((await sandbox.process.execute_command("uname -a")).result)
            await sandbox.delete()
    """

    _sandbox_class = AsyncSandbox
    _snapshot_service_class = AsyncSnapshotService
    snapshot: AsyncSnapshotService
    """The organization's snapshots: create (from an image reference), get, list, delete."""

    def __init__(
        self,
        api_key: str | None = None,
        api_url: str | None = None,
        *,
        request_timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Settings come from the arguments, then DAYTONA_API_KEY / DAYTONA_API_URL, then
        ``.env.local`` in the current directory or a parent. ``request_timeout``: seconds for
        ordinary calls (get, list, delete, bulk delete, the create request), default 60.
        ``max_retries``: how many times an idempotent call is tried again after a dropped
        connection, a 429 or a 503 (README, "Retries and idempotency"), default 3, 0 for none.
        Raises DaytonaConfigError without a key.

        Example::

            daytona = AsyncDaytona(api_key="dtn_...", api_url="http://127.0.0.1:3000/api", max_retries=5)
        """
        super().__init__(AsyncDriver(resolve_config(api_key, api_url, request_timeout, max_retries)))

    async def create(
        self, params: CreateSandboxParams | None = None, *, timeout: float = DEFAULT_START_TIMEOUT, idempotency_key: str | None = None
    ) -> AsyncSandbox:
        """Creates one sandbox and waits until it is started. Raises DaytonaSandboxStateError if it
        ends in error, DaytonaTimeoutError after ``timeout`` seconds; either way it exists until deleted.
        The request carries an Idempotency-Key (``idempotency_key``, or a fresh UUID), the same on
        every retry, so a retry never creates a second sandbox.

        Example::

            sandbox = await daytona.create(CreateSandboxParams(name="scratch", labels={"team": "eval"}), timeout=30)
        """
        return await self._driver.run(self._create(params, timeout, idempotency_key))

    async def get(self, id_or_name: str) -> AsyncSandbox:
        """Gets a sandbox by id or name; DaytonaNotFoundError if the organization has none.

        Example::

            sandbox = await daytona.get("batch-a-00001")
        """
        return await self._driver.run(self._get(id_or_name))

    async def list(
        self,
        *,
        states: Sequence[SandboxState | str] | None = None,
        labels: dict[str, str] | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> SandboxPage[AsyncSandbox]:
        """Lists the organization's sandboxes, newest first, one page at a time (destroyed ones
        only when asked for by ``states``).

        Example::

            page = await daytona.list(states=[SandboxState.STARTED], labels={"team": "eval"}, limit=50)
            print(page.total, [s.name for s in page.items])
        """
        return await self._driver.run(self._list(states, labels, page, limit))

    async def delete(self, sandbox_or_id: AsyncSandbox | str) -> None:
        """Deletes a sandbox, given as an object or by id or name.

        Example::

            await daytona.delete(sandbox)
            await daytona.delete("batch-a-00002")
        """
        await self._driver.run(self._delete(sandbox_or_id))

    async def start(self, sandbox: AsyncSandbox, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Starts a stopped sandbox and waits until it is started (see ``AsyncSandbox.start``).

        Example::

            await daytona.start(sandbox, timeout=30)
        """
        await sandbox.start(timeout)

    async def stop(self, sandbox: AsyncSandbox, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Stops a sandbox and waits until it is stopped; its files stay (see ``AsyncSandbox.stop``).

        Example::

            await daytona.stop(sandbox)
        """
        await sandbox.stop(timeout)

    async def bulk_create(
        self, items: list[BulkCreateItem], *, await_started: bool = False, timeout: float = 300, idempotency_key: str | None = None
    ) -> list[AsyncSandbox]:
        """Creates many sandboxes in one request: all or nothing, in item order then name order
        (``{prefix}-00001``, ...). Without ``await_started`` it answers at once (state ``creating``;
        see ``AsyncSandbox.wait_until_started``) and the client waits at most ``request_timeout``. With
        it, the server answers when every sandbox is started, error or build_failed, or at its own
        limit: check each ``state``; the client waits ``timeout`` + 30 s. With ``allow_under`` an
        item may create fewer than ``count`` (possibly none): count what came back. An item's
        ``labels`` and ``env`` go to each of its sandboxes; every sandbox of the request carries its
        id as ``bulk_request_id``. The request carries an Idempotency-Key (``idempotency_key``, or a
        fresh UUID), the same on every retry, so a retry never creates twice.

        Example::

            sandboxes = await daytona.bulk_create(
                [BulkCreateItem(snapshot_id_or_name="default", count=100, sandbox_name_prefix="eval-7", allow_under=True,
                                labels={"run": "eval-7"}, env={"EVAL_RUN": "7"})],
                await_started=True,
            )
            print(f"{len(sandboxes)} of 100 created")
        """
        return await self._driver.run(self._bulk_create(items, await_started, timeout, idempotency_key))

    async def bulk_delete(
        self, *, labels: dict[str, str] | None = None, name_prefix: str | None = None, ids: Sequence[str] | None = None
    ) -> int:
        """Destroys every live sandbox matching all the selectors given (``name_prefix`` as plain
        text, at most 10,000 ``ids``) and answers how many it marked: they are ``destroying`` on
        return and ``destroyed`` once their runner has removed them. The server marks at most
        10,000 per request; this calls it again until none match, so one call deletes them all.
        No selector is DaytonaValidationError ``empty_selector``: it never means "everything".

        Example::

            deleted = await daytona.bulk_delete(labels={"run": "eval-7"})
            await daytona.bulk_delete(name_prefix="eval-7-", ids=[sandbox.id])  # both must match
        """
        return await self._driver.run(self._bulk_delete(labels, name_prefix, ids))

    async def close(self) -> None:
        """Releases the HTTP connections. ``async with AsyncDaytona() as daytona:`` calls it for you."""
        await self._driver.close()

    async def __aenter__(self) -> AsyncDaytona:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()
