import time
from email.utils import formatdate

import pytest
from drive import MODES, aw, run
from stub_api import Answer, error_json

from daytona import (
    DaytonaAuthenticationError,
    DaytonaAuthorizationError,
    DaytonaConflictError,
    DaytonaConnectionError,
    DaytonaError,
    DaytonaNotFoundError,
    DaytonaRateLimitError,
    DaytonaServerError,
    DaytonaTimeoutError,
    DaytonaValidationError,
)

CASES = [
    (400, "validation_failed", DaytonaValidationError),
    (413, "payload_too_large", DaytonaValidationError),
    (401, "unauthenticated", DaytonaAuthenticationError),
    (403, "quota_exceeded", DaytonaAuthorizationError),
    (404, "sandbox_not_found", DaytonaNotFoundError),
    (409, "name_conflict", DaytonaConflictError),
    (409, "idempotency_key_in_progress", DaytonaConflictError),
    (400, "empty_selector", DaytonaValidationError),
    (400, "reserved_label", DaytonaValidationError),
    (422, "idempotency_key_reused", DaytonaValidationError),
    (429, "rate_limited", DaytonaRateLimitError),
    (500, "internal_error", DaytonaServerError),
    (503, "insufficient_capacity", DaytonaServerError),
    (418, "teapot", DaytonaError),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "code", "error_class"), CASES)
def test_each_status_maps_to_its_error_class_with_code_message_and_details(stub, mode, status, code, error_class):
    details = {"resource": "cpu", "requested": 5, "available": 2}
    stub.on("GET", "/sandbox/x", Answer(status, error_json(status, code, "said the server", details), headers={"Retry-After": "7"}))
    # One attempt: the mapping, not the retries (test_retries.py), is under test here.
    with pytest.raises(error_class) as raised:
        run(mode, stub.url, lambda d: aw(d.get("x")), max_retries=0)
    error = raised.value
    assert type(error) is error_class
    assert (error.status_code, error.code, error.message, error.details) == (status, code, "said the server", details)
    assert error.retry_after == 7


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_as_an_http_date_is_read_in_seconds_from_now(stub, mode):
    at = formatdate(time.time() + 60, usegmt=True)
    stub.on("GET", "/sandbox/x", Answer(503, error_json(503, "database_unavailable"), headers={"Retry-After": at}))
    with pytest.raises(DaytonaServerError) as raised:
        run(mode, stub.url, lambda d: aw(d.get("x")), max_retries=0)
    assert 58 < raised.value.retry_after <= 60


@pytest.mark.parametrize("mode", MODES)
def test_an_answer_cut_off_midway_is_a_connection_error(stub, mode):
    stub.on("GET", "/sandbox/x", Answer(200, {"items": ["a" * 100]}, cut=True))
    with pytest.raises(DaytonaConnectionError) as raised:
        run(mode, stub.url, lambda d: aw(d.get("x")), max_retries=0)
    assert raised.value.status_code is None


@pytest.mark.parametrize("mode", MODES)
def test_a_body_that_is_not_json_still_gives_the_status_class(stub, mode):
    stub.on("GET", "/sandbox/x", Answer(502, "Bad Gateway"))
    with pytest.raises(DaytonaServerError) as raised:
        run(mode, stub.url, lambda d: aw(d.get("x")))
    assert raised.value.status_code == 502


@pytest.mark.parametrize("mode", MODES)
def test_no_answer_within_the_request_timeout_is_a_timeout_error(stub, mode):
    stub.on("GET", "/sandbox/slow", Answer(200, {}, delay=2))
    with pytest.raises(DaytonaTimeoutError, match="GET /sandbox/slow"):
        run(mode, stub.url, lambda d: aw(d.get("slow")), request_timeout=0.3)


@pytest.mark.parametrize("mode", MODES)
def test_connection_refused_is_a_connection_error(stub, mode):
    url = stub.url
    stub.close()
    with pytest.raises(DaytonaConnectionError, match="Cannot reach the Daytona API"):
        run(mode, url, lambda d: aw(d.get("x")), max_retries=0)
