import os
import secrets

import pytest


@pytest.fixture
def prefix() -> str:
    """A sandbox name prefix no other run uses."""
    return f"e2e-py-{secrets.token_hex(3)}"


@pytest.fixture(autouse=True)
def needs_a_stack() -> None:
    if not os.environ.get("DAYTONA_API_KEY"):
        pytest.fail("run under the harness: node tools/e2e/with-stack.mjs -- <command>")
