"""Daytona, the blocking client. Every decision lives in daytona.common.daytona; this only does I/O."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from daytona_api_client import SandboxState

from ..common.config import resolve_config
from ..common.daytona import DEFAULT_START_TIMEOUT, BulkCreateItem, CreateSandboxParams, DaytonaBase, SandboxPage
from .driver import SyncDriver
from .sandbox import Sandbox
from .snapshot import SnapshotService


class Daytona(DaytonaBase[Sandbox]):
    """Client of a Daytona API: creates, finds and deletes sandboxes.

    Example::

        with Daytona() as daytona:  # DAYTONA_API_KEY / DAYTONA_API_URL, or .env.local from `npm start`
            sandbox = daytona.create()
            print(sandbox.process.execute_command("uname -a").result)
            sandbox.delete()
    """

    _sandbox_class = Sandbox
    _snapshot_service_class = SnapshotService
    snapshot: SnapshotService
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

            daytona = Daytona(api_key="dtn_...", api_url="http://127.0.0.1:3000/api", max_retries=5)
        """
        super().__init__(SyncDriver(resolve_config(api_key, api_url, request_timeout, max_retries)))

    def create(
        self, params: CreateSandboxParams | None = None, *, timeout: float = DEFAULT_START_TIMEOUT, idempotency_key: str | None = None
    ) -> Sandbox:
        """Creates one sandbox and waits until it is started. Raises DaytonaSandboxStateError if it
        ends in error, DaytonaTimeoutError after ``timeout`` seconds; either way it exists until deleted.
        The request carries an Idempotency-Key (``idempotency_key``, or a fresh UUID), the same on
        every retry, so a retry never creates a second sandbox.

        Example::

            sandbox = daytona.create(CreateSandboxParams(name="scratch", labels={"team": "eval"}), timeout=30)
        """
        return self._driver.run(self._create(params, timeout, idempotency_key))

    def get(self, id_or_name: str) -> Sandbox:
        """Gets a sandbox by id or name; DaytonaNotFoundError if the organization has none.

        Example::

            sandbox = daytona.get("batch-a-00001")
        """
        return self._driver.run(self._get(id_or_name))

    def list(
        self,
        *,
        states: Sequence[SandboxState | str] | None = None,
        labels: dict[str, str] | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> SandboxPage[Sandbox]:
        """Lists the organization's sandboxes, newest first, one page at a time (destroyed ones
        only when asked for by ``states``).

        Example::

            page = daytona.list(states=[SandboxState.STARTED], labels={"team": "eval"}, limit=50)
            print(page.total, [s.name for s in page.items])
        """
        return self._driver.run(self._list(states, labels, page, limit))

    def delete(self, sandbox_or_id: Sandbox | str) -> None:
        """Deletes a sandbox, given as an object or by id or name.

        Example::

            daytona.delete(sandbox)
            daytona.delete("batch-a-00002")
        """
        self._driver.run(self._delete(sandbox_or_id))

    def start(self, sandbox: Sandbox, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Starts a stopped sandbox and waits until it is started (see ``Sandbox.start``).

        Example::

            daytona.start(sandbox, timeout=30)
        """
        sandbox.start(timeout)

    def stop(self, sandbox: Sandbox, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Stops a sandbox and waits until it is stopped; its files stay (see ``Sandbox.stop``).

        Example::

            daytona.stop(sandbox)
        """
        sandbox.stop(timeout)

    def bulk_create(
        self, items: list[BulkCreateItem], *, await_started: bool = False, timeout: float = 300, idempotency_key: str | None = None
    ) -> list[Sandbox]:
        """Creates many sandboxes in one request: all or nothing, in item order then name order
        (``{prefix}-00001``, ...). Without ``await_started`` it answers at once (state ``creating``;
        see ``Sandbox.wait_until_started``) and the client waits at most ``request_timeout``. With
        it, the server answers when every sandbox is started, error or build_failed, or at its own
        limit: check each ``state``; the client waits ``timeout`` + 30 s. With ``allow_under`` an
        item may create fewer than ``count`` (possibly none): count what came back. An item's
        ``labels`` and ``env`` go to each of its sandboxes; every sandbox of the request carries its
        id as ``bulk_request_id``. The request carries an Idempotency-Key (``idempotency_key``, or a
        fresh UUID), the same on every retry, so a retry never creates twice.

        Example::

            sandboxes = daytona.bulk_create(
                [BulkCreateItem(snapshot_id_or_name="default", count=100, sandbox_name_prefix="eval-7", allow_under=True,
                                labels={"run": "eval-7"}, env={"EVAL_RUN": "7"})],
                await_started=True,
            )
            print(f"{len(sandboxes)} of 100 created")
        """
        return self._driver.run(self._bulk_create(items, await_started, timeout, idempotency_key))

    def bulk_delete(
        self, *, labels: dict[str, str] | None = None, name_prefix: str | None = None, ids: Sequence[str] | None = None
    ) -> int:
        """Destroys every live sandbox matching all the selectors given (``name_prefix`` as plain
        text, at most 10,000 ``ids``) and answers how many it marked: they are ``destroying`` on
        return and ``destroyed`` once their runner has removed them. The server marks at most
        10,000 per request; this calls it again until none match, so one call deletes them all.
        No selector is DaytonaValidationError ``empty_selector``: it never means "everything".

        Example::

            deleted = daytona.bulk_delete(labels={"run": "eval-7"})
            daytona.bulk_delete(name_prefix="eval-7-", ids=[sandbox.id])  # both must match
        """
        return self._driver.run(self._bulk_delete(labels, name_prefix, ids))

    def close(self) -> None:
        """Releases the HTTP connections. ``with Daytona() as daytona:`` calls it for you."""
        self._driver.close()

    def __enter__(self) -> Daytona:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
