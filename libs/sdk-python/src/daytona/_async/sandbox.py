"""AsyncSandbox and its process API, for asyncio. Every decision lives in daytona.common.sandbox."""

from __future__ import annotations

from ..common.sandbox import DEFAULT_START_TIMEOUT, ExecuteResponse, ProcessBase, SandboxBase


class AsyncProcess(ProcessBase):
    """Runs commands inside one sandbox. Reach it as ``sandbox.process``."""

    async def execute_command(
        self, command: str, cwd: str | None = None, env: dict[str, str] | None = None, timeout: int | None = None
    ) -> ExecuteResponse:
        """Runs ``command`` with ``/bin/sh -c`` in the sandbox and waits for it. Files and background
        processes persist between calls. ``timeout``: seconds before the server kills it (exit code
        124), 300 by default; the client waits 30 s longer.

        Example::

            response = await sandbox.process.execute_command("echo hello")
            assert (response.exit_code, response.result) == (0, "hello\\n")
        """
        return await self._driver.run(self._execute_command(command, cwd, env, timeout))


class AsyncSandbox(SandboxBase):
    """One sandbox, from ``AsyncDaytona.create``, ``bulk_create``, ``get`` or ``list``. Its fields
    are a snapshot of the server's view, brought up to date by ``refresh`` and ``wait_until_started``."""

    _process_class = AsyncProcess
    process: AsyncProcess

    async def refresh(self) -> None:
        """Re-reads the sandbox from the API.

        Example::

            await sandbox.refresh()
            print(sandbox.state)  # SandboxState.STARTED
        """
        await self._driver.run(self._refresh())

    async def wait_until_started(self, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Waits until the sandbox is started, polling with backoff (0.1 s doubling to 2 s).
        Raises DaytonaSandboxStateError with the server's reason as soon as it is in ``error`` or
        ``build_failed`` or destroyed, and DaytonaTimeoutError after about ``timeout`` seconds.

        Example::

            sandboxes = await daytona.bulk_create([BulkCreateItem(snapshot_id_or_name="default", count=3, sandbox_name_prefix="job")])
            await asyncio.gather(*(s.wait_until_started(timeout=30) for s in sandboxes))
        """
        await self._driver.run(self._wait_until_started(timeout))

    async def delete(self) -> None:
        """Deletes the sandbox with its processes and files; its name is then free again.

        Example::

            await sandbox.delete()
            print(sandbox.state)  # SandboxState.DESTROYED
        """
        await self._driver.run(self._delete())
