"""The published `daytona` SDK (pinned in requirements.txt, installed in .venv-official) as a user
would point it at this server: only api_url and api_key. Run against a live stack:

    node tools/e2e/with-stack.mjs -- .venv-official/bin/python -m pytest tests/official-sdks/python
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version

import pytest

import daytona as daytona_package
from daytona import (
    CodeRunParams,
    CreateSandboxFromSnapshotParams,
    Daytona,
    DaytonaBadRequestError,
    DaytonaConfig,
    DaytonaNotFoundError,
    VolumeMount,
    ListSandboxesQuery,
    Sandbox,
)


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run these tests through tools/e2e/with-stack.mjs")
    return value


RUN = f"official-py-{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def daytona():
    client = Daytona(DaytonaConfig(api_url=required_env("DAYTONA_API_URL"), api_key=required_env("DAYTONA_API_KEY")))
    created: list[Sandbox] = []
    client.created = created  # type: ignore[attr-defined]
    yield client
    for sandbox in created:
        try:
            client.delete(sandbox)
        except Exception:  # already deleted by its test
            pass


def listed(daytona: Daytona, **labels: str) -> list[Sandbox]:
    return list(daytona.list(ListSandboxesQuery(labels={"run": RUN, **labels}, limit=1)))


def wait_until_gone(daytona: Daytona, sandbox_id: str, timeout: float = 30) -> bool:
    """True once get() says destroyed or not found (the runner destroys a deleted sandbox moments later)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if daytona.get(sandbox_id).state == "destroyed":
                return True
        except DaytonaNotFoundError:
            return True
        time.sleep(0.2)
    return False


def test_is_the_published_package_not_our_sdk_of_the_same_name():
    assert version("daytona") == "0.226.1"
    assert "/.venv-official/" in daytona_package.__file__


class TestOneSandboxThroughItsLife:
    """In order: each step works on the sandbox the first one created."""

    sandbox: Sandbox
    content = f"hello from {RUN}\n".encode() + secrets.token_bytes(4096)

    def test_create_from_the_default_snapshot(self, daytona):
        sandbox = daytona.create(CreateSandboxFromSnapshotParams(labels={"run": RUN}), timeout=60)
        daytona.created.append(sandbox)
        type(self).sandbox = sandbox

        assert sandbox.state == "started"
        assert sandbox.snapshot == "default"
        assert sandbox.labels == {"run": RUN, "code-toolbox-language": "python"}
        assert sandbox.user == "daytona"
        assert sandbox.toolbox_proxy_url == required_env("DAYTONA_API_URL") + "/toolbox"

    def test_get_by_id_and_by_name(self, daytona):
        by_id = daytona.get(self.sandbox.id)
        assert (by_id.id, by_id.name, by_id.state) == (self.sandbox.id, self.sandbox.name, "started")
        assert daytona.get(self.sandbox.name).id == self.sandbox.id

    def test_list_pages_and_finds_it_by_label(self, daytona):
        assert [sandbox.id for sandbox in listed(daytona)] == [self.sandbox.id]

    def test_exec_runs_in_the_sandbox_with_cwd_and_env(self, daytona):
        answer = self.sandbox.process.exec("echo hello")
        assert (answer.exit_code, answer.result) == (0, "hello\n")
        answer = self.sandbox.process.exec('echo "$GREETING from $(pwd)"; exit 3', cwd="/tmp", env={"GREETING": "hi"})
        assert (answer.exit_code, answer.result) == (3, "hi from /tmp\n")

    def test_fs_upload_list_download(self, daytona):
        self.sandbox.fs.upload_file(self.content, "notes/hello.bin")

        files = self.sandbox.fs.list_files("notes")
        assert [(f.name, f.is_dir, f.size) for f in files] == [("hello.bin", False, len(self.content))]
        assert self.sandbox.fs.download_file("notes/hello.bin") == self.content
        # Relative paths are the user's home, where commands see the file too.
        answer = self.sandbox.process.exec("sha256sum < ~/notes/hello.bin")
        assert answer.result.split()[0] == hashlib.sha256(self.content).hexdigest()

    def test_code_run_runs_python(self, daytona):
        answer = self.sandbox.process.code_run("import sys\nprint(6 * 7, sys.argv[1:])", CodeRunParams(argv=["a", "b"]))
        assert (answer.exit_code, answer.result) == (0, "42 ['a', 'b']\n")

    def test_interval_and_label_setters_change_the_record(self, daytona):
        self.sandbox.set_autostop_interval(30)
        self.sandbox.set_auto_delete_interval(120)
        labels = {"run": RUN, "code-toolbox-language": "python", "stage": "two"}
        assert self.sandbox.set_labels(labels) == labels
        current = daytona.get(self.sandbox.id)
        assert (current.auto_stop_interval, current.auto_delete_interval, current.labels["stage"]) == (30, 120, "two")

    def test_stop_keeps_files_and_start_runs_commands_again(self, daytona):
        # `[s]leep`: the pattern does not match the shell that runs pgrep, whose command line holds it.
        self.sandbox.process.exec("nohup sleep 612 >/dev/null 2>&1 &")
        assert self.sandbox.process.exec("pgrep -f '[s]leep 612' >/dev/null && echo running").result == "running\n"
        self.sandbox.stop()
        assert self.sandbox.state == "stopped"
        assert daytona.get(self.sandbox.id).state == "stopped"

        self.sandbox.start()
        assert self.sandbox.state == "started"
        answer = self.sandbox.process.exec("sha256sum < ~/notes/hello.bin; pgrep -f '[s]leep 612' || echo no sleep")
        assert answer.exit_code == 0
        assert answer.result == f"{hashlib.sha256(self.content).hexdigest()}  -\nno sleep\n"
        assert self.sandbox.fs.download_file("notes/hello.bin") == self.content

    def test_delete_destroys_it(self, daytona):
        self.sandbox.delete()
        assert wait_until_gone(daytona, self.sandbox.id)
        assert listed(daytona) == []


def test_create_with_what_this_server_cannot_honour_is_refused_with_a_code_and_creates_nothing(daytona):
    labels = {"run": RUN, "refused": "yes"}
    with pytest.raises(DaytonaBadRequestError) as refused:
        daytona.create(CreateSandboxFromSnapshotParams(public=True, labels=labels))
    assert (refused.value.status_code, refused.value.code) == (400, "unsupported_field")
    assert "public" in str(refused.value)
    with pytest.raises(DaytonaBadRequestError) as refused:
        daytona.create(CreateSandboxFromSnapshotParams(volumes=[VolumeMount(volume_id="data", mount_path="/data")], labels=labels))
    assert (refused.value.status_code, refused.value.code) == (400, "unsupported_field")
    assert "volumes" in str(refused.value)
    assert listed(daytona, refused="yes") == []


def test_several_creates_at_once_each_answer_their_own_started_sandbox(daytona):
    n = 8
    names = [f"{RUN}-many-{i}" for i in range(n)]
    with ThreadPoolExecutor(max_workers=n) as pool:
        sandboxes = list(
            pool.map(
                lambda name: daytona.create(CreateSandboxFromSnapshotParams(name=name, labels={"run": RUN, "many": "yes"}), timeout=90),
                names,
            )
        )
        daytona.created.extend(sandboxes)

        assert len({sandbox.id for sandbox in sandboxes}) == n
        assert [(sandbox.name, sandbox.state) for sandbox in sandboxes] == [(name, "started") for name in names]
        answers = list(pool.map(lambda sandbox: sandbox.process.exec("echo $((6 * 7))"), sandboxes))
        assert [(answer.exit_code, answer.result) for answer in answers] == [(0, "42\n")] * n
        assert sorted(sandbox.id for sandbox in listed(daytona, many="yes")) == sorted(sandbox.id for sandbox in sandboxes)

        list(pool.map(daytona.delete, sandboxes))
        assert list(pool.map(lambda sandbox: wait_until_gone(daytona, sandbox.id), sandboxes)) == [True] * n
