"""Files, code runs, sessions and the lifecycle of a sandbox against a live stack, sync and async,
with the errors a user meets on the way."""

import asyncio
import hashlib
import inspect
import os
import resource
import threading
import time

import pytest

from daytona import (
    AsyncDaytona,
    CodeRunParams,
    CreateSandboxParams,
    Daytona,
    DaytonaAuthorizationError,
    DaytonaConflictError,
    DaytonaNotFoundError,
    FileDownloadRequest,
    FileUpload,
    SandboxState,
    SessionExecuteRequest,
)

MODES = ["sync", "async"]


async def aw(value):
    return await value if inspect.isawaitable(value) else value


def with_sandbox(mode, prefix, scenario):
    async def main():
        daytona = Daytona() if mode == "sync" else AsyncDaytona()
        sandbox = None
        try:
            sandbox = await aw(daytona.create(CreateSandboxParams(name=f"{prefix}-{mode}"), timeout=60))
            return await scenario(daytona, sandbox)
        finally:
            if sandbox is not None and sandbox.state != SandboxState.DESTROYED:
                await aw(sandbox.delete())
            await aw(daytona.close())

    return asyncio.run(main())


@pytest.mark.parametrize("mode", MODES)
def test_files_up_and_down_list_info_folder_move_delete(mode, prefix, tmp_path):
    local = tmp_path / "from-disk.txt"
    local.write_bytes(b"from disk\n")

    async def scenario(daytona, sandbox):
        fs = sandbox.fs
        await aw(fs.upload_file(b"hello\n", "up/hello.txt"))
        await aw(fs.upload_files([FileUpload(str(local), "up/from-disk.txt"), FileUpload(b"tmp\n", "/tmp/t.txt")]))
        assert await aw(fs.download_file("up/hello.txt")) == b"hello\n"
        assert sorted(f.name for f in await aw(fs.list_files("up"))) == ["from-disk.txt", "hello.txt"]
        info = await aw(fs.get_file_info("up/from-disk.txt"))
        assert (info.is_dir, info.size, info.owner) == (False, 10, "daytona")
        await aw(fs.download_file("/tmp/t.txt", str(tmp_path / "t.txt")))
        assert (tmp_path / "t.txt").read_bytes() == b"tmp\n"
        assert (await aw(sandbox.process.execute_command("cat up/hello.txt /tmp/t.txt"))).result == "hello\ntmp\n"

        await aw(fs.create_folder("work/nested", "750"))
        assert (await aw(fs.get_file_info("work/nested"))).permissions == "0750"
        await aw(fs.move_files("up/hello.txt", "work/nested/hello.txt"))
        assert [f.name for f in await aw(fs.list_files("work/nested"))] == ["hello.txt"]
        with pytest.raises(DaytonaConflictError) as raised:
            await aw(fs.delete_file("work"))
        assert raised.value.code == "directory_not_empty"
        await aw(fs.delete_file("work", recursive=True))
        with pytest.raises(DaytonaNotFoundError) as raised:
            await aw(fs.get_file_info("work"))
        assert (raised.value.status_code, raised.value.code) == (404, "file_not_found")

    with_sandbox(mode, prefix, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_download_files_answers_each_path_a_missing_one_with_its_code(mode, prefix, tmp_path):
    async def scenario(daytona, sandbox):
        await aw(sandbox.fs.upload_files([FileUpload(b"alpha", "many/a.txt"), FileUpload(b"beta", "many/b.txt")]))
        target = str(tmp_path / "b.txt")
        a, missing, b = await aw(sandbox.fs.download_files(
            [FileDownloadRequest("many/a.txt"), FileDownloadRequest("many/missing.txt"), FileDownloadRequest("many/b.txt", target)]
        ))
        assert (a.result, a.error) == (b"alpha", None)
        assert missing.result is None
        assert (missing.error_details.status_code, missing.error_details.code) == (404, "file_not_found")
        assert b.result == target and (tmp_path / "b.txt").read_bytes() == b"beta"

    with_sandbox(mode, prefix, scenario)


class PeakRss:
    """The process's resident memory, sampled while a transfer runs."""

    def __init__(self) -> None:
        self.peak = self.baseline = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.mark.parametrize("mode", MODES)
def test_a_large_file_streams_both_ways_without_being_held_in_memory(mode, prefix, tmp_path):
    source, back = tmp_path / "large.bin", tmp_path / "large-back.bin"
    with open(source, "wb") as file:
        for _ in range(96):
            file.write(os.urandom(1 << 20))

    async def scenario(daytona, sandbox):
        with PeakRss() as memory:
            started = time.monotonic()
            await aw(sandbox.fs.upload_file(str(source), "large.bin"))
            await aw(sandbox.fs.download_file("large.bin", str(back)))
        assert back.stat().st_size == 96 << 20 and sha256(back) == sha256(source)
        # Held whole, the file alone would add 96 MiB.
        assert memory.peak - memory.baseline < 48 << 20, f"{(memory.peak - memory.baseline) >> 20} MiB in {time.monotonic() - started:.1f} s"

    with_sandbox(mode, prefix, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_a_path_escaping_the_home_and_a_missing_file_are_refused_with_their_codes(mode, prefix, tmp_path):
    async def scenario(daytona, sandbox):
        with pytest.raises(DaytonaAuthorizationError) as raised:
            await aw(sandbox.fs.download_file("../../etc/shadow", str(tmp_path / "shadow")))
        assert (raised.value.status_code, raised.value.code) == (403, "file_permission_denied")
        with pytest.raises(DaytonaAuthorizationError) as raised:
            await aw(sandbox.fs.upload_file(b"root::0:0::/:/bin/sh\n", "../../etc/shadow"))
        assert raised.value.code == "file_permission_denied"
        assert (await aw(sandbox.process.execute_command("ls -l /etc/shadow | cut -c1-10"))).result == "-rw-r-----\n"
        with pytest.raises(DaytonaNotFoundError) as raised:
            await aw(sandbox.fs.download_file("no/such/file.txt"))
        assert (raised.value.status_code, raised.value.code) == (404, "file_not_found")

    with_sandbox(mode, prefix, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_code_run_and_sessions(mode, prefix):
    async def scenario(daytona, sandbox):
        process = sandbox.process
        run = await aw(process.code_run('import os, sys\nprint(sys.argv[1:], os.environ["GREETING"])', CodeRunParams(argv=["a"], env={"GREETING": "hi"})))
        assert (run.exit_code, run.result) == (0, "['a'] hi\n")
        assert (await aw(process.exec("echo official"))).result == "official\n"

        await aw(process.create_session("e2e"))
        await aw(process.execute_session_command("e2e", SessionExecuteRequest(command="mkdir -p s && cd s && export MODE=session")))
        sync = await aw(process.execute_session_command("e2e", SessionExecuteRequest(command='echo "$MODE in $(pwd)"')))
        assert (sync.exit_code, sync.output) == (0, "session in /home/daytona/s\n")
        started = await aw(process.execute_session_command("e2e", SessionExecuteRequest(command="sleep 0.3; echo done; echo oops >&2", run_async=True)))
        command = await aw(process.get_session_command("e2e", started.cmd_id))
        for _ in range(100):
            if command.exit_code is not None:
                break
            await asyncio.sleep(0.1)
            command = await aw(process.get_session_command("e2e", started.cmd_id))
        assert command.exit_code == 0
        logs = await aw(process.get_session_command_logs("e2e", started.cmd_id))
        assert (logs.stdout, logs.stderr, logs.truncated) == ("done\n", "oops\n", False)
        assert "e2e" in [s.session_id for s in await aw(process.list_sessions())]
        assert len((await aw(process.get_session("e2e"))).commands) == 3
        await aw(process.delete_session("e2e"))
        with pytest.raises(DaytonaNotFoundError) as raised:
            await aw(process.get_session("e2e"))
        assert (raised.value.status_code, raised.value.code) == (404, "session_not_found")

    with_sandbox(mode, prefix, scenario)


@pytest.mark.parametrize("mode", MODES)
def test_stop_start_intervals_and_start_of_a_destroyed_sandbox(mode, prefix):
    async def scenario(daytona, sandbox):
        await aw(sandbox.fs.upload_file(b"kept", "kept.txt"))
        await aw(daytona.stop(sandbox))
        assert sandbox.state == SandboxState.STOPPED
        assert (await aw(daytona.get(sandbox.id))).state == SandboxState.STOPPED
        await aw(sandbox.start())
        assert sandbox.state == SandboxState.STARTED
        assert await aw(sandbox.fs.download_file("kept.txt")) == b"kept"
        assert (await aw(sandbox.process.execute_command("echo back"))).result == "back\n"

        await aw(sandbox.set_autostop_interval(30))
        await aw(sandbox.set_auto_delete_interval(120))
        read = await aw(daytona.get(sandbox.id))
        assert (sandbox.auto_stop_interval, sandbox.auto_delete_interval) == (read.auto_stop_interval, read.auto_delete_interval) == (30, 120)

        await aw(sandbox.delete())
        with pytest.raises(DaytonaConflictError) as raised:
            await aw(daytona.start(sandbox))
        assert (raised.value.status_code, raised.value.code) == (409, "sandbox_state_conflict")

    with_sandbox(mode, prefix, scenario)
