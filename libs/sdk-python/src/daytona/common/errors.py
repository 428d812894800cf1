"""The SDK's one error tree, and the one function that maps any failed call onto it."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import pydantic
import urllib3.exceptions


class DaytonaError(Exception):
    """The root of every error the SDK raises. Branch on the subclass, or on ``code``, the API's
    stable snake_case error code.

    Example::

        try:
            daytona.bulk_create([BulkCreateItem(snapshot_id_or_name="default", count=500, sandbox_name_prefix="eval")])
        except DaytonaAuthorizationError as error:
            if error.code == "quota_exceeded":
                print(error.details)  # {'resource': 'cpu', 'requested': 500, 'available': 12, ...}
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.details = details
        # The answer's Retry-After in seconds, when it sent one (429, 503).
        self.retry_after = retry_after


class DaytonaConfigError(DaytonaError):
    """The client is misconfigured: no API key, or an API URL that is not http(s)."""


class DaytonaValidationError(DaytonaError):
    """400, 413 or 422, or a request the SDK rejected before sending (``validation_failed``,
    ``empty_selector``, ``reserved_label``, ...; 422 ``idempotency_key_reused``: the
    Idempotency-Key was used with another request)."""


class DaytonaAuthenticationError(DaytonaError):
    """401: the API key is missing, unknown or expired."""


class DaytonaAuthorizationError(DaytonaError):
    """403: the key lacks a permission (``missing_permission``) or a quota is spent (``quota_exceeded``)."""


class DaytonaNotFoundError(DaytonaError):
    """404: no such sandbox or snapshot in the key's organization."""


class DaytonaConflictError(DaytonaError):
    """409: a name is taken (``name_conflict``), the sandbox's state does not allow the call, or a
    request with the same Idempotency-Key is still being processed (``idempotency_key_in_progress``)."""


class DaytonaRateLimitError(DaytonaError):
    """429: too many requests; ``retry_after`` holds the server's Retry-After in seconds, if sent."""


class DaytonaServerError(DaytonaError):
    """5xx: the API failed, or runners lack room (``insufficient_capacity``, 503)."""


class DaytonaTimeoutError(DaytonaError):
    """No answer within the client-side deadline. The operation may still complete on the server."""


class DaytonaConnectionError(DaytonaError):
    """No complete answer: the connection was refused or reset, the host is unknown, or the
    answer was cut off before it completed."""


class DaytonaSandboxStateError(DaytonaError):
    """A wait found the sandbox in a state from which it will not start (``error``,
    ``build_failed``, destroyed); ``error_reason`` says why."""

    def __init__(self, message: str, *, sandbox_id: str, state: str, error_reason: str | None) -> None:
        super().__init__(message)
        self.sandbox_id = sandbox_id
        self.state = state
        self.error_reason = error_reason


class DaytonaSnapshotStateError(DaytonaError):
    """A snapshot ended in ``error`` while ``snapshot.create`` waited: no runner could pull its
    image. ``error_reason`` is the registry's reason (e.g. ``manifest unknown``)."""

    def __init__(self, message: str, *, snapshot_name: str, state: str, error_reason: str | None) -> None:
        super().__init__(message)
        self.snapshot_name = snapshot_name
        self.state = state
        self.error_reason = error_reason


_CLASS_BY_STATUS: dict[int, type[DaytonaError]] = {
    400: DaytonaValidationError,
    401: DaytonaAuthenticationError,
    403: DaytonaAuthorizationError,
    404: DaytonaNotFoundError,
    409: DaytonaConflictError,
    413: DaytonaValidationError,
    422: DaytonaValidationError,
}

_TIMEOUTS = (TimeoutError, urllib3.exceptions.TimeoutError)
# ClientPayloadError: aiohttp's "the body was cut off"; urllib3 reports it as a ProtocolError.
_NO_ANSWER = (OSError, urllib3.exceptions.HTTPError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)


def to_daytona_error(error: BaseException, target: str, timeout: float) -> DaytonaError:
    """The one place where a failure of a generated-client call (sync or async) becomes a
    DaytonaError. ``target`` names the call for messages, e.g. ``POST /sandbox/bulk``."""
    if isinstance(error, DaytonaError):
        return error
    if isinstance(error, urllib3.exceptions.MaxRetryError) and error.reason is not None:
        error = error.reason
    if isinstance(error, pydantic.ValidationError):
        # The generated models enforce the spec's constraints (e.g. count >= 1) before sending.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)
        )
        return DaytonaValidationError(
            f"Invalid request for {target}: {problems}",
            code="validation_failed",
            details={"errors": [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors(include_url=False)]},
        )
    # urllib3's NewConnectionError (refused, unknown host) subclasses its ConnectTimeoutError.
    if isinstance(error, _TIMEOUTS) and not isinstance(error, urllib3.exceptions.NewConnectionError):
        return DaytonaTimeoutError(f"No answer from {target} within {timeout:g} s")
    status = getattr(error, "status", None)
    if not isinstance(status, int) or status == 0:
        if isinstance(error, _NO_ANSWER) or status == 0:
            return DaytonaConnectionError(
                f"Cannot reach the Daytona API ({target}): {error}. Is it running, and is DAYTONA_API_URL right?"
            )
        return DaytonaError(f"{target} failed: {error}")

    return error_from_answer(status, getattr(error, "body", None), getattr(error, "headers", None), target)


def error_from_answer(status: int, body: Any, headers: Any, target: str) -> DaytonaError:
    """The DaytonaError of an error answer: its class from the status, ``code``, ``message`` and
    ``details`` from the API's body, ``retry_after`` from its Retry-After."""
    code, message, details = _read_error_body(body)
    fields: dict[str, Any] = {"status_code": status, "code": code, "details": details, "retry_after": _retry_after(headers)}
    message = message or f"{target} failed with HTTP {status}"
    if status == 429:
        return DaytonaRateLimitError(message, **fields)
    if status >= 500:
        return DaytonaServerError(message, **fields)
    return _CLASS_BY_STATUS.get(status, DaytonaError)(message, **fields)


def _read_error_body(body: Any) -> tuple[str | None, str | None, dict[str, Any] | None]:
    """The API answers ``{statusCode, code, message, details?}``; proxies may answer anything."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str) or not body.strip():
        return None, None, None
    try:
        data = json.loads(body)
    except ValueError:
        return None, body.strip()[:500], None
    if not isinstance(data, dict):
        return None, None, None
    code, message, details = data.get("code"), data.get("message"), data.get("details")
    return (
        code if isinstance(code, str) else None,
        message if isinstance(message, str) else None,
        details if isinstance(details, dict) else None,
    )


def _retry_after(headers: Any) -> float | None:
    """Retry-After in seconds: a number of seconds, or an HTTP date."""
    value = headers.get("retry-after") if headers is not None else None
    if value is None or not value.strip():
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return max((at - datetime.now(timezone.utc)).total_seconds(), 0.0)
