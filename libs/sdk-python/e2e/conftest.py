import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def prefix() -> str:
    """A sandbox name prefix no other run uses."""
    return f"e2e-py-{secrets.token_hex(3)}"


@pytest.fixture(autouse=True)
def needs_a_stack() -> None:
    if not os.environ.get("DAYTONA_API_KEY"):
        pytest.fail("run under the harness: node tools/e2e/with-stack.mjs -- <command>")


@pytest.fixture
def test_images(prefix) -> dict[str, str]:
    """The busybox test images (/marker holds the tag) under a repository of this test's own in the
    stack's registry: a snapshot of an image reference its runner already holds stays pending (an
    API bug), so each test needs references no other test of the stack used."""
    alpha = os.environ.get("DAYTONA_TEST_IMAGE_ALPHA")
    if not alpha:
        pytest.fail("DAYTONA_TEST_IMAGE_ALPHA is not set: run under tools/e2e/with-stack.mjs")
    push = Path(__file__).parents[3] / "tools" / "images" / "push-test-images.mjs"
    exports = subprocess.run(
        ["node", str(push), alpha.split("/", 1)[0], f"daytona/{prefix}"], capture_output=True, text=True, check=True
    ).stdout
    return {tag.lower(): ref for tag, ref in re.findall(r"^export DAYTONA_TEST_IMAGE_(\w+)=(.*)$", exports, re.M)}
