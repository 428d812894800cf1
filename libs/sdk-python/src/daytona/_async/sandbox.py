"""AsyncSandbox and its process API, for asyncio. Every decision lives in daytona.common.sandbox."""

from __future__ import annotations

from ..common.process import (
    CodeRunParams,
    Command,
    ExecuteResponse,
    ProcessBase,
    Session,
    SessionCommandLogsResponse,
    SessionExecuteRequest,
    SessionExecuteResponse,
)
from ..common.sandbox import DEFAULT_START_TIMEOUT, SandboxBase
from .filesystem import AsyncFileSystem


class AsyncProcess(ProcessBase):
    """Runs commands, code and sessions inside one sandbox. Reach it as ``sandbox.process``."""

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

    async def exec(
        self, command: str, cwd: str | None = None, env: dict[str, str] | None = None, timeout: int | None = None
    ) -> ExecuteResponse:
        """The official Daytona SDK's name for ``execute_command``: the same call.

        Example::

            response = await sandbox.process.exec("ls -la")
        """
        return await self._driver.run(self._execute_command(command, cwd, env, timeout))

    async def code_run(self, code: str, params: CodeRunParams | None = None, timeout: int | None = None) -> ExecuteResponse:
        """Runs ``code`` and waits for it: Python, JavaScript or TypeScript, as the sandbox's
        ``code-toolbox-language`` label says (Python without one). An image without the interpreter
        is DaytonaValidationError ``interpreter_not_found`` (422). ``timeout``: seconds before the
        server kills it (exit code 124), 300 by default. Never retried.

        Example::

            response = await sandbox.process.code_run("import sys; print(sys.argv[1])", CodeRunParams(argv=["hi"]))
            assert (response.exit_code, response.result) == (0, "hi\\n")
        """
        return await self._driver.run(self._code_run(code, params, timeout))

    async def create_session(self, session_id: str) -> None:
        """Creates a session: a shell that keeps its working directory and environment between the
        commands run in it. An id the sandbox already has is DaytonaConflictError ``session_exists``;
        sessions end when the sandbox stops.

        Example::

            await sandbox.process.create_session("build")
        """
        await self._driver.run(self._create_session(session_id))

    async def get_session(self, session_id: str) -> Session:
        """A session and its commands; an unknown id is DaytonaNotFoundError ``session_not_found``.

        Example::

            session = await sandbox.process.get_session("build")
            print([c.command for c in session.commands])
        """
        return await self._driver.run(self._get_session(session_id))

    async def list_sessions(self) -> list[Session]:
        """The sandbox's sessions.

        Example::

            ids = [s.session_id for s in await sandbox.process.list_sessions()]
        """
        return await self._driver.run(self._list_sessions())

    async def delete_session(self, session_id: str) -> None:
        """Ends a session and its running commands.

        Example::

            await sandbox.process.delete_session("build")
        """
        await self._driver.run(self._delete_session(session_id))

    async def execute_session_command(
        self, session_id: str, req: SessionExecuteRequest, timeout: float | None = None
    ) -> SessionExecuteResponse:
        """Runs a command in a session's shell (``cd`` and ``export`` last), after those before it.
        With ``run_async`` it answers at once with ``cmd_id``; without, once the command has ended
        (the server waits at most an hour). ``timeout``: seconds the client waits, by default an
        hour and 30 s, or the request timeout with ``run_async``. Never retried.

        Example::

            await sandbox.process.execute_session_command("build", SessionExecuteRequest(command="cd app && export MODE=test"))
            cmd = await sandbox.process.execute_session_command("build", SessionExecuteRequest(command="make", run_async=True))
        """
        return await self._driver.run(self._execute_session_command(session_id, req, timeout))

    async def get_session_command(self, session_id: str, command_id: str) -> Command:
        """One command of a session; ``exit_code`` is None while it runs. An unknown id is
        DaytonaNotFoundError ``command_not_found`` (or ``session_not_found``).

        Example::

            command = await sandbox.process.get_session_command("build", cmd.cmd_id)
        """
        return await self._driver.run(self._get_session_command(session_id, command_id))

    async def get_session_command_logs(self, session_id: str, command_id: str) -> SessionCommandLogsResponse:
        """A session command's output so far: ``output`` (interleaved), ``stdout``, ``stderr``.

        Example::

            logs = await sandbox.process.get_session_command_logs("build", cmd.cmd_id)
            print(logs.stdout)
        """
        return await self._driver.run(self._get_session_command_logs(session_id, command_id))


class AsyncSandbox(SandboxBase):
    """One sandbox, from ``AsyncDaytona.create``, ``bulk_create``, ``get`` or ``list``. Its fields
    are a snapshot of the server's view, brought up to date by ``refresh`` and ``wait_until_started``."""

    _process_class = AsyncProcess
    _filesystem_class = AsyncFileSystem
    process: AsyncProcess
    fs: AsyncFileSystem

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

    async def start(self, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Starts a stopped sandbox and waits until it is started: the same files, new processes.
        Starting one that is started or starting only waits. Raises DaytonaConflictError
        (``sandbox_state_conflict``, ``details["state"]``) for a sandbox that cannot start (destroyed,
        in error, still stopping), DaytonaTimeoutError after ``timeout`` seconds.

        Example::

            await sandbox.stop()
            await sandbox.start(timeout=30)
            print(sandbox.state)  # SandboxState.STARTED
        """
        await self._driver.run(self._start(timeout))

    async def stop(self, timeout: float = DEFAULT_START_TIMEOUT, force: bool = False) -> None:
        """Stops the sandbox and waits until it is stopped: its processes end, its files (home and
        everything installed) and its quota stay. Stopping one that is stopped or stopping only
        waits. ``force`` is accepted for the official SDK's sake: this server always ends the
        processes at once.

        Example::

            await sandbox.stop()
            print(sandbox.state)  # SandboxState.STOPPED
        """
        await self._driver.run(self._stop(timeout, force))

    async def wait_until_stopped(self, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Waits until the sandbox is stopped, as ``wait_until_started`` waits for started.

        Example::

            await sandbox.wait_until_stopped(timeout=30)
        """
        await self._driver.run(self._wait_until_stopped(timeout))

    async def set_autostop_interval(self, interval: int) -> None:
        """Sets the minutes without activity (toolbox calls) before the server stops the sandbox;
        0 never. ``auto_stop_interval`` follows the server's answer.

        Example::

            await sandbox.set_autostop_interval(60)
        """
        await self._driver.run(self._set_interval("set_autostop_interval", "autostop", interval))

    async def set_auto_delete_interval(self, interval: int) -> None:
        """Sets the minutes after a stop before the server destroys the sandbox; negative never, 0
        as soon as it stops. ``auto_delete_interval`` follows the server's answer.

        Example::

            await sandbox.set_auto_delete_interval(0)  # gone once stopped
        """
        await self._driver.run(self._set_interval("set_auto_delete_interval", "autodelete", interval))

    async def delete(self) -> None:
        """Deletes the sandbox with its processes and files; its name is then free again.

        Example::

            await sandbox.delete()
            print(sandbox.state)  # SandboxState.DESTROYED
        """
        await self._driver.run(self._delete())
