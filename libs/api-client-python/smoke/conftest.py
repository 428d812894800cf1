"""Shared by the smoke tests of the sync and the asyncio client."""

import os
import secrets

import pytest


@pytest.fixture
def api_settings() -> tuple[str, str]:
    """The running API's URL and one of its keys, from DAYTONA_API_URL and DAYTONA_API_KEY."""
    url, key = os.environ.get("DAYTONA_API_URL"), os.environ.get("DAYTONA_API_KEY")
    if not url or not key:
        pytest.fail("DAYTONA_API_URL and DAYTONA_API_KEY must be set to a running API and one of its keys")
    return url, key


@pytest.fixture
def name_prefix() -> str:
    """A sandbox name prefix no other run uses."""
    return f"smoke-py-{secrets.token_hex(4)}"
