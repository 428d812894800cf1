"""multipart/form-data both ways, streamed: the toolbox's bulk upload takes one, its bulk download
answers one. Neither side holds a whole file in memory. Pure code: the drivers move the bytes."""

from __future__ import annotations

import os
import re
import secrets
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

READ_CHUNK = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True)
class OutgoingPart:
    """A field (``content`` bytes, no filename) or a file part: ``content`` bytes, or
    ``local_path``, read in chunks as it is sent."""

    name: str
    content: bytes | None = None
    local_path: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class MultipartBody:
    content_type: str
    content_length: int
    chunks: Callable[[], Iterator[bytes]]
    """A fresh iterator over the body; local files are opened one at a time, when reached."""


def encode_multipart(parts: list[OutgoingPart]) -> MultipartBody:
    boundary = f"daytona-sdk-{secrets.token_hex(16)}"
    heads = [f"--{boundary}\r\n{_part_headers(part)}\r\n".encode() for part in parts]
    tail = f"--{boundary}--\r\n".encode()
    # Sizes are read now, so a file that changes size while it is sent fails the request rather
    # than sending a body of another length than announced.
    sizes = [len(part.content) if part.content is not None else os.path.getsize(part.local_path or "") for part in parts]
    length = len(tail) + sum(len(head) + size + 2 for head, size in zip(heads, sizes))

    def chunks() -> Iterator[bytes]:
        for head, part in zip(heads, parts):
            yield head
            if part.content is not None:
                yield part.content
            else:
                with open(part.local_path or "", "rb") as file:
                    while chunk := file.read(READ_CHUNK):
                        yield chunk
            yield b"\r\n"
        yield tail

    return MultipartBody(f"multipart/form-data; boundary={boundary}", length, chunks)


def _part_headers(part: OutgoingPart) -> str:
    disposition = f'Content-Disposition: form-data; name="{_quoted(part.name)}"'
    if part.filename is None:
        return f"{disposition}\r\n"
    return f'{disposition}; filename="{_quoted(part.filename)}"\r\nContent-Type: application/octet-stream\r\n'


def _quoted(value: str) -> str:
    """Quotes as browsers do (WHATWG), which the server's multipart parser reads."""
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


@dataclass(frozen=True)
class IncomingPart:
    """One part of an answer: its name (``file`` or ``error``), filename and headers (lower-case)."""

    name: str | None
    filename: str | None
    headers: dict[str, str]


class PartSink(Protocol):
    def write(self, chunk: bytes) -> None: ...

    def end(self) -> None: ...


class MultipartReader:
    """Reads a multipart body pushed to it chunk by chunk (``feed``), handing each part's body to
    the sink ``open_part`` returns for it. Only a window the size of the boundary is kept between
    chunks. ``close`` raises ValueError if the body ended before its closing boundary, so a cut-off
    answer is never taken for a complete one."""

    def __init__(self, content_type: str, open_part: Callable[[IncomingPart], PartSink]) -> None:
        match = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', content_type or "", re.IGNORECASE)
        if not match:
            raise ValueError(f"not a multipart answer (content-type {content_type or 'missing'})")
        self._delimiter = b"\r\n--" + (match.group(1) or match.group(2)).encode()
        self._open_part = open_part
        # A leading CRLF lets the first boundary match the same delimiter as the others.
        self._buffer = b"\r\n"
        self._state = "preamble"
        self._sink: PartSink | None = None

    @property
    def done(self) -> bool:
        return self._state == "done"

    def feed(self, chunk: bytes) -> None:
        if self._state == "done":
            return
        self._buffer += chunk
        self._advance()

    def close(self) -> None:
        if self._state != "done":
            raise ValueError("the multipart answer ended before its closing boundary")

    def _advance(self) -> None:
        while True:
            if self._state in ("preamble", "body"):
                at = self._buffer.find(self._delimiter)
                end = at if at >= 0 else max(len(self._buffer) - len(self._delimiter) + 1, 0)
                if self._state == "body" and end > 0:
                    assert self._sink is not None
                    self._sink.write(self._buffer[:end])
                if at < 0:
                    self._buffer = self._buffer[end:]
                    return
                if self._state == "body":
                    assert self._sink is not None
                    self._sink.end()
                self._buffer = self._buffer[at + len(self._delimiter):]
                self._state = "boundary"
            if self._state == "boundary":
                if len(self._buffer) < 2:
                    return
                if self._buffer.startswith(b"--"):
                    self._state = "done"
                    return
                eol = self._buffer.find(b"\r\n")
                if eol < 0:
                    return
                self._buffer = self._buffer[eol + 2:]
                self._state = "headers"
            if self._state == "headers":
                end = self._buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self._buffer) > MAX_HEADER_BYTES:
                        raise ValueError("a part of the multipart answer has headers past 16 KiB")
                    return
                self._sink = self._open_part(_read_part_headers(self._buffer[:end].decode("utf-8", "replace")))
                self._buffer = self._buffer[end + 4:]
                self._state = "body"


def _read_part_headers(text: str) -> IncomingPart:
    headers: dict[str, str] = {}
    for line in text.split("\r\n"):
        key, colon, value = line.partition(":")
        if colon and key.strip():
            headers[key.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition", "")
    return IncomingPart(_parameter(disposition, "name"), _filename(disposition), headers)


def _filename(disposition: str) -> str | None:
    extended = re.search(r";\s*filename\*=UTF-8''([^;]+)", disposition, re.IGNORECASE)
    if extended:
        return urllib.parse.unquote(extended.group(1).strip())
    return _parameter(disposition, "filename")


def _parameter(disposition: str, key: str) -> str | None:
    match = re.search(rf';\s*{key}=(?:"((?:[^"\\]|\\.)*)"|([^;]*))', disposition, re.IGNORECASE)
    if not match:
        return None
    if match.group(1) is not None:
        return re.sub(r"\\(.)", r"\1", match.group(1))
    return match.group(2).strip()
