import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from stub_api import StubApi  # noqa: E402


@pytest.fixture
def stub() -> Iterator[StubApi]:
    api = StubApi()
    yield api
    api.close()
