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
    with pytest.raises(error_class) as raised:
        run(mode, stub.url, lambda d: aw(d.get("x")))
    error = raised.value
    assert type(error) is error_class
    assert (error.status_code, error.code, error.message, error.details) == (status, code, "said the server", details)
    if status == 429:
        assert error.retry_after == 7


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
        run(mode, url, lambda d: aw(d.get("x")))
