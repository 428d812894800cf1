"""What an operation asks its driver to do. Operations are generators: they yield an effect and
receive its result (or have the mapped DaytonaError thrown into them). They hold every decision:
request bodies, client timeouts, response mapping, polling policy. A driver (`_sync/driver.py`,
`_async/driver.py`) only performs the I/O, blocking or awaiting."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True)
class Body:
    """A request body, built by the driver with its own generated client's model class."""

    model: str
    data: dict[str, Any]


@dataclass(frozen=True)
class ApiCall:
    """One call of a generated-client method, with a hard client-side deadline in seconds
    (``timeout``, named in messages). A retried call's attempts each get what is left of it,
    ``attempt_timeout`` (see ``retry.call_with_retries``)."""

    api: Literal["sandbox", "toolbox", "snapshots"]
    method: str
    target: str
    timeout: float
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    attempt_timeout: float | None = None

    @property
    def limit(self) -> float:
        """Seconds this attempt may take."""
        return self.timeout if self.attempt_timeout is None else self.attempt_timeout


@dataclass(frozen=True)
class Sleep:
    seconds: float


Effect = Union[ApiCall, Sleep]
Operation = Generator[Effect, Any, T]
