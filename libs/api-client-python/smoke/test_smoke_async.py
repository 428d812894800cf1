"""Smoke test of the generated asyncio Python client (libs/api-client-python-async) against a
running API: the types it hands back for list, bulk create, delete and an error. Needs
DAYTONA_API_URL and DAYTONA_API_KEY.

    .venv/bin/python -m pytest libs/api-client-python/smoke/test_smoke_async.py
"""

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import pytest_asyncio
from pydantic import ValidationError

from daytona_api_client_async import (
    ApiClient,
    BulkCreateItem,
    BulkCreateSandbox,
    Configuration,
    ErrorResponse,
    PaginatedSandboxes,
    Sandbox,
    SandboxApi,
    SandboxState,
)
from daytona_api_client_async.exceptions import BadRequestException


@pytest_asyncio.fixture
async def sandbox_api(api_settings: tuple[str, str]) -> AsyncIterator[SandboxApi]:
    url, key = api_settings
    async with ApiClient(Configuration(host=url, access_token=key)) as client:
        yield SandboxApi(client)


@pytest.mark.asyncio
async def test_lists_bulk_creates_two_typed_sandboxes_and_deletes_them(
    sandbox_api: SandboxApi, name_prefix: str
) -> None:
    assert isinstance(await sandbox_api.list_sandboxes(), PaginatedSandboxes)

    request = BulkCreateSandbox(
        items=[BulkCreateItem(snapshot_id_or_name="default", count=2, sandbox_name_prefix=name_prefix)],
        await_started=False,
    )
    sandboxes = await sandbox_api.bulk_create_sandbox(request)
    try:
        names = [sandbox.name for sandbox in sandboxes]
        assert names == [f"{name_prefix}-00001", f"{name_prefix}-00002"]
        for sandbox in sandboxes:
            assert isinstance(sandbox, Sandbox)
            assert isinstance(sandbox.state, SandboxState)
            assert isinstance(sandbox.created_at, datetime)
    finally:
        statuses = [
            (await sandbox_api.delete_sandbox_with_http_info(str(sandbox.id))).status_code for sandbox in sandboxes
        ]
    assert statuses == [200, 200]


@pytest.mark.asyncio
async def test_bad_request_raises_bad_request_exception_with_the_error_code(
    sandbox_api: SandboxApi, name_prefix: str
) -> None:
    # The generated model enforces the spec's `minimum: 1` itself ...
    with pytest.raises(ValidationError):
        BulkCreateItem(snapshot_id_or_name="default", count=0, sandbox_name_prefix=name_prefix)
    # ... so skip that check to see how the client reports the server's 400.
    item = BulkCreateItem.model_construct(
        snapshot_id_or_name="default", count=0, sandbox_name_prefix=name_prefix
    )
    with pytest.raises(BadRequestException) as raised:
        await sandbox_api.bulk_create_sandbox(BulkCreateSandbox(items=[item]))
    assert raised.value.status == 400
    assert isinstance(raised.value.data, ErrorResponse)
    assert raised.value.data.code == "validation_failed"
