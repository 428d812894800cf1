"""What an operation asks its driver to do. Operations are generators: they yield an effect and
receive its result (or have the mapped DaytonaError thrown into them). They hold every decision:
request bodies, client timeouts, response mapping, polling policy. A driver (`_sync/driver.py`,
`_async/driver.py`) only performs the I/O, blocking or awaiting."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar, Union

from .multipart import MultipartBody

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


class DownloadConsumer(Protocol):
    """Takes a streamed answer: its headers, then each chunk of its body, then its end."""

    def start(self, headers: Mapping[str, str]) -> None: ...

    def feed(self, chunk: bytes) -> None: ...

    def finish(self) -> None: ...


@dataclass(frozen=True)
class Download:
    """A generated-client call whose answer is streamed into ``consumer`` rather than read whole;
    ``call.timeout`` bounds the whole exchange, body included. An error answer raises as for an
    ApiCall."""

    call: ApiCall
    consumer: DownloadConsumer

    @property
    def target(self) -> str:
        return self.call.target

    @property
    def timeout(self) -> float:
        return self.call.timeout


@dataclass(frozen=True)
class Upload:
    """A multipart POST streamed from ``body`` to ``path`` (below the API URL), answered with JSON
    (returned parsed). The generated clients read a whole file into memory to send it, so the
    drivers send this one with their transport directly; ``timeout`` bounds the whole exchange."""

    path: str
    body: MultipartBody
    target: str
    timeout: float


Effect = Union[ApiCall, Sleep, Download, Upload]
Operation = Generator[Effect, Any, T]
