"""Runs each example against a live stack (tools/e2e/with-stack.mjs) and checks what it printed
and that it left no sandbox behind."""

import subprocess
import sys
from pathlib import Path

import pytest

from daytona import Daytona, SandboxState

HERE = Path(__file__).parent
LIVE = [SandboxState.CREATING, SandboxState.STARTING, SandboxState.STARTED, SandboxState.ERROR]


@pytest.mark.parametrize(("script", "prefixes"), [
    ("bulk_create.py", ("py-batch-a", "py-batch-b")),
    ("_async/bulk_create.py", ("py-async-a", "py-async-b")),
])
def test_example_says_hello_six_times_and_cleans_up(script, prefixes):
    done = subprocess.run([sys.executable, str(HERE / script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    hellos = [line for line in done.stdout.splitlines() if line.endswith(": hello")]
    assert len(hellos) == 6 and all(line.startswith(prefixes) for line in hellos), done.stdout
    with Daytona() as daytona:
        left = [s.name for s in daytona.list(states=LIVE, limit=1000).items if s.name.startswith(prefixes)]
    assert left == []
