"""Sandbox and its process API, blocking. Every decision lives in daytona.common.sandbox."""

from __future__ import annotations

from ..common.sandbox import DEFAULT_START_TIMEOUT, ExecuteResponse, ProcessBase, SandboxBase


class Process(ProcessBase):
    """Runs commands inside one sandbox. Reach it as ``sandbox.process``."""

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


class Sandbox(SandboxBase):
    """One sandbox, from ``Daytona.create``, ``bulk_create``, ``get`` or ``list``. Its fields are a
    snapshot of the server's view, brought up to date by ``refresh`` and ``wait_until_started``."""

    _process_class = Process
    process: Process

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
