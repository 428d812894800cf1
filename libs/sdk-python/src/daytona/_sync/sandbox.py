"""Sandbox and its process API, blocking. Every decision lives in daytona.common.sandbox."""

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
from .filesystem import FileSystem


class Process(ProcessBase):
    """Runs commands, code and sessions inside one sandbox. Reach it as ``sandbox.process``."""

    def execute_command(
        self, command: str, cwd: str | None = None, env: dict[str, str] | None = None, timeout: int | None = None
    ) -> ExecuteResponse:
        """Runs ``command`` with ``/bin/sh -c`` in the sandbox and waits for it. Files and background
        processes persist between calls. ``timeout``: seconds before the server kills it (exit code
        124), 300 by default; the client waits 30 s longer.

        Example::

            response = sandbox.process.execute_command("echo hello")
            assert (response.exit_code, response.result) == (0, "hello\\n")
        """
        return self._driver.run(self._execute_command(command, cwd, env, timeout))

    def exec(
        self, command: str, cwd: str | None = None, env: dict[str, str] | None = None, timeout: int | None = None
    ) -> ExecuteResponse:
        """The official Daytona SDK's name for ``execute_command``: the same call.

        Example::

            response = sandbox.process.exec("ls -la")
        """
        return self._driver.run(self._execute_command(command, cwd, env, timeout))

    def code_run(self, code: str, params: CodeRunParams | None = None, timeout: int | None = None) -> ExecuteResponse:
        """Runs ``code`` and waits for it: Python, JavaScript or TypeScript, as the sandbox's
        ``code-toolbox-language`` label says (Python without one). An image without the interpreter
        is DaytonaValidationError ``interpreter_not_found`` (422). ``timeout``: seconds before the
        server kills it (exit code 124), 300 by default. Never retried.

        Example::

            response = sandbox.process.code_run("import sys; print(sys.argv[1])", CodeRunParams(argv=["hi"]))
            assert (response.exit_code, response.result) == (0, "hi\\n")
        """
        return self._driver.run(self._code_run(code, params, timeout))

    def create_session(self, session_id: str) -> None:
        """Creates a session: a shell that keeps its working directory and environment between the
        commands run in it. An id the sandbox already has is DaytonaConflictError ``session_exists``;
        sessions end when the sandbox stops.

        Example::

            sandbox.process.create_session("build")
        """
        self._driver.run(self._create_session(session_id))

    def get_session(self, session_id: str) -> Session:
        """A session and its commands; an unknown id is DaytonaNotFoundError ``session_not_found``.

        Example::

            session = sandbox.process.get_session("build")
            print([c.command for c in session.commands])
        """
        return self._driver.run(self._get_session(session_id))

    def list_sessions(self) -> list[Session]:
        """The sandbox's sessions.

        Example::

            ids = [s.session_id for s in sandbox.process.list_sessions()]
        """
        return self._driver.run(self._list_sessions())

    def delete_session(self, session_id: str) -> None:
        """Ends a session and its running commands.

        Example::

            sandbox.process.delete_session("build")
        """
        self._driver.run(self._delete_session(session_id))

    def execute_session_command(
        self, session_id: str, req: SessionExecuteRequest, timeout: float | None = None
    ) -> SessionExecuteResponse:
        """Runs a command in a session's shell (``cd`` and ``export`` last), after those before it.
        With ``run_async`` it answers at once with ``cmd_id``; without, once the command has ended
        (the server waits at most an hour). ``timeout``: seconds the client waits, by default an
        hour and 30 s, or the request timeout with ``run_async``. Never retried.

        Example::

            sandbox.process.execute_session_command("build", SessionExecuteRequest(command="cd app && export MODE=test"))
            cmd = sandbox.process.execute_session_command("build", SessionExecuteRequest(command="make", run_async=True))
        """
        return self._driver.run(self._execute_session_command(session_id, req, timeout))

    def get_session_command(self, session_id: str, command_id: str) -> Command:
        """One command of a session; ``exit_code`` is None while it runs. An unknown id is
        DaytonaNotFoundError ``command_not_found`` (or ``session_not_found``).

        Example::

            command = sandbox.process.get_session_command("build", cmd.cmd_id)
        """
        return self._driver.run(self._get_session_command(session_id, command_id))

    def get_session_command_logs(self, session_id: str, command_id: str) -> SessionCommandLogsResponse:
        """A session command's output so far: ``output`` (interleaved), ``stdout``, ``stderr``.

        Example::

            logs = sandbox.process.get_session_command_logs("build", cmd.cmd_id)
            print(logs.stdout)
        """
        return self._driver.run(self._get_session_command_logs(session_id, command_id))


class Sandbox(SandboxBase):
    """One sandbox, from ``Daytona.create``, ``bulk_create``, ``get`` or ``list``. Its fields are a
    snapshot of the server's view, brought up to date by ``refresh`` and ``wait_until_started``."""

    _process_class = Process
    _filesystem_class = FileSystem
    process: Process
    fs: FileSystem

    def refresh(self) -> None:
        """Re-reads the sandbox from the API.

        Example::

            sandbox.refresh()
            print(sandbox.state)  # SandboxState.STARTED
        """
        self._driver.run(self._refresh())

    def wait_until_started(self, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Waits until the sandbox is started, polling with backoff (0.1 s doubling to 2 s).
        Raises DaytonaSandboxStateError with the server's reason as soon as it is in ``error`` or
        ``build_failed`` or destroyed, and DaytonaTimeoutError after about ``timeout`` seconds.

        Example::

            for sandbox in daytona.bulk_create([BulkCreateItem(snapshot_id_or_name="default", count=3, sandbox_name_prefix="job")]):
                sandbox.wait_until_started(timeout=30)
        """
        self._driver.run(self._wait_until_started(timeout))

    def start(self, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Starts a stopped sandbox and waits until it is started: the same files, new processes.
        Starting one that is started or starting only waits. Raises DaytonaConflictError
        (``sandbox_state_conflict``, ``details["state"]``) for a sandbox that cannot start (destroyed,
        in error, still stopping), DaytonaTimeoutError after ``timeout`` seconds.

        Example::

            sandbox.stop()
            sandbox.start(timeout=30)
            print(sandbox.state)  # SandboxState.STARTED
        """
        self._driver.run(self._start(timeout))

    def stop(self, timeout: float = DEFAULT_START_TIMEOUT, force: bool = False) -> None:
        """Stops the sandbox and waits until it is stopped: its processes end, its files (home and
        everything installed) and its quota stay. Stopping one that is stopped or stopping only
        waits. ``force`` is accepted for the official SDK's sake: this server always ends the
        processes at once.

        Example::

            sandbox.stop()
            print(sandbox.state)  # SandboxState.STOPPED
        """
        self._driver.run(self._stop(timeout, force))

    def wait_until_stopped(self, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        """Waits until the sandbox is stopped, as ``wait_until_started`` waits for started.

        Example::

            sandbox.wait_until_stopped(timeout=30)
        """
        self._driver.run(self._wait_until_stopped(timeout))

    def set_autostop_interval(self, interval: int) -> None:
        """Sets the minutes without activity (toolbox calls) before the server stops the sandbox;
        0 never. ``auto_stop_interval`` follows the server's answer.

        Example::

            sandbox.set_autostop_interval(60)
        """
        self._driver.run(self._set_interval("set_autostop_interval", "autostop", interval))

    def set_auto_delete_interval(self, interval: int) -> None:
        """Sets the minutes after a stop before the server destroys the sandbox; negative never, 0
        as soon as it stops. ``auto_delete_interval`` follows the server's answer.

        Example::

            sandbox.set_auto_delete_interval(0)  # gone once stopped
        """
        self._driver.run(self._set_interval("set_auto_delete_interval", "autodelete", interval))

    def delete(self) -> None:
        """Deletes the sandbox with its processes and files; its name is then free again.

        Example::

            sandbox.delete()
            print(sandbox.state)  # SandboxState.DESTROYED
        """
        self._driver.run(self._delete())
