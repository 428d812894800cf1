"""When a failed attempt of an idempotent call is tried again, and how long to wait first.

Idempotent calls are GET, DELETE, the creates (each carries an Idempotency-Key, the same on
every attempt) and bulk delete. They are tried again after an answer that never came or was cut
off, a 429, a 503, or a 409 ``idempotency_key_in_progress``; at most ``max_retries`` times and
never past the call's own deadline, so a call takes no longer with retries than without.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

from .effects import ApiCall, Operation, Sleep
from .errors import DaytonaConflictError, DaytonaConnectionError, DaytonaError, DaytonaRateLimitError, DaytonaServerError

DEFAULT_MAX_RETRIES = 3
# Full jitter: the n-th retry waits a random time below min(MAX_BACKOFF, BASE_BACKOFF * 2**(n-1)).
BASE_BACKOFF = 0.5
MAX_BACKOFF = 8.0


class Clock:
    """How the SDK reads time and draws the jitter; the SDK's own tests replace it. (Waiting is a
    ``Sleep`` effect, performed by the driver.)"""

    def monotonic(self) -> float:
        return time.monotonic()

    def random(self) -> float:
        return random.random()


def delay_before_retry(retry: int, error: DaytonaError, max_retries: int, remaining: float, draw: float) -> float | None:
    """Seconds to wait before retry number ``retry`` (1-based) after ``error``, or None when the
    error is final: not transient, retries used up, or the wait would use up the ``remaining``
    time of the call. The server's Retry-After, when it sent one, is the wait."""
    if retry > max_retries or not _is_transient(error):
        return None
    if error.retry_after is not None:
        delay = error.retry_after
    else:
        delay = draw * min(MAX_BACKOFF, BASE_BACKOFF * 2 ** (retry - 1))
    return delay if delay < remaining else None


def call_with_retries(call: ApiCall, max_retries: int, clock: Clock) -> Operation[Any]:
    """Performs ``call`` (its ``timeout`` the deadline of every attempt and wait together),
    trying it again after transient failures."""
    deadline = clock.monotonic() + call.timeout
    failures = 0
    while True:
        try:
            return (yield replace(call, attempt_timeout=max(deadline - clock.monotonic(), 0.001)))
        except DaytonaError as error:
            failures += 1
            delay = delay_before_retry(failures, error, max_retries, deadline - clock.monotonic(), clock.random())
            if delay is None:
                raise
        yield Sleep(delay)


def _is_transient(error: DaytonaError) -> bool:
    """Failures another attempt may not meet. A timeout is not one: the call's deadline has passed."""
    return (
        isinstance(error, (DaytonaConnectionError, DaytonaRateLimitError))
        or (isinstance(error, DaytonaServerError) and error.status_code == 503)
        or (isinstance(error, DaytonaConflictError) and error.code == "idempotency_key_in_progress")
    )
