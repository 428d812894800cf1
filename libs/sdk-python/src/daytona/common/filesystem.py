"""The sandbox's files: types and operations shared by FileSystem and AsyncFileSystem."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from .effects import ApiCall, Body, Download, Operation, Upload
from .errors import DaytonaConnectionError, DaytonaError, DaytonaValidationError
from .multipart import IncomingPart, MultipartReader, OutgoingPart, PartSink, encode_multipart
from .retry import call_with_retries

# Uploads and downloads move many bytes: 30 minutes by default, as in the official SDK.
DEFAULT_TRANSFER_TIMEOUT = 30 * 60
ERROR_PART_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileUpload:
    """A file to upload: ``source`` is its content (bytes, held in memory) or the path of a local
    file (streamed from disk); ``destination`` its path in the sandbox, absolute or relative to the
    sandbox user's home."""

    source: bytes | str
    destination: str


@dataclass(frozen=True)
class FileDownloadRequest:
    """A file to download: ``source`` is its path in the sandbox; with ``destination``, a local
    path, it is streamed to disk, otherwise read into bytes."""

    source: str
    destination: str | None = None


@dataclass(frozen=True)
class FileDownloadErrorDetails:
    """Why one file of a ``download_files`` failed, as the server said: ``code`` is e.g.
    ``file_not_found``, ``file_permission_denied``, ``is_a_directory``."""

    message: str
    status_code: int | None = None
    code: str | None = None


@dataclass
class FileDownloadResponse:
    """One file of a ``download_files``: ``result`` is its content (bytes) or the local path it was
    written to; ``error`` and ``error_details`` say why it failed."""

    source: str
    result: bytes | str | None = None
    error: str | None = None
    error_details: FileDownloadErrorDetails | None = None


@dataclass(frozen=True)
class FileInfo:
    """A file or directory of the sandbox: ``mode`` as ``ls -l`` shows it, ``permissions`` in octal,
    ``mod_time`` in RFC 3339."""

    name: str
    path: str
    is_dir: bool
    size: int
    mode: str
    permissions: str
    owner: str
    group: str
    mod_time: str


def file_info_from_dto(dto: Any) -> FileInfo:
    return FileInfo(
        name=dto.name, path=dto.path, is_dir=dto.is_dir, size=dto.size, mode=dto.mode,
        permissions=dto.permissions, owner=dto.owner, group=dto.group, mod_time=dto.mod_time,
    )


class _BytesSink:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def end(self) -> None:
        pass

    def content(self) -> bytes:
        return b"".join(self.chunks)

    def discard(self) -> None:
        pass


class _FileSink:
    """Writes to a local file, opened at the first byte (or at the end, for an empty file)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def write(self, chunk: bytes) -> None:
        if self._file is None:
            self._file = open(self.path, "wb")  # noqa: SIM115 - closed by end() or discard()
        self._file.write(chunk)

    def end(self) -> None:
        if self._file is None:
            self._file = open(self.path, "wb")  # noqa: SIM115
        self._file.close()

    def discard(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()


class _ErrorPartSink:
    """An ``error`` part of a bulk download: a small JSON ErrorResponse."""

    def __init__(self, answer: FileDownloadResponse) -> None:
        self._answer = answer
        self._chunks: list[bytes] = []
        self._size = 0

    def write(self, chunk: bytes) -> None:
        if self._size < ERROR_PART_MAX_BYTES:
            self._chunks.append(chunk)
        self._size += len(chunk)

    def end(self) -> None:
        text = b"".join(self._chunks).decode("utf-8", "replace")
        details = FileDownloadErrorDetails(message=text.strip() or "download failed")
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict):
            details = FileDownloadErrorDetails(
                message=body["message"] if isinstance(body.get("message"), str) else details.message,
                status_code=body["statusCode"] if isinstance(body.get("statusCode"), int) else None,
                code=body["code"] if isinstance(body.get("code"), str) else None,
            )
        self._answer.error = details.message
        self._answer.error_details = details


class _SingleFile:
    """Consumes a download answer into one sink."""

    def __init__(self, sink: _BytesSink | _FileSink) -> None:
        self.sink = sink

    def start(self, headers: Mapping[str, str]) -> None:
        pass

    def feed(self, chunk: bytes) -> None:
        self.sink.write(chunk)

    def finish(self) -> None:
        self.sink.end()


class _ManyFiles:
    """Consumes a bulk-download answer: one part per path asked for, in order."""

    def __init__(self, requests: list[FileDownloadRequest], target: str) -> None:
        self.requests = requests
        self.answers = [FileDownloadResponse(source=request.source) for request in requests]
        self.sinks: list[_BytesSink | _FileSink] = []
        self._target = target
        self._next = 0
        self._reader: MultipartReader | None = None

    def start(self, headers: Mapping[str, str]) -> None:
        try:
            self._reader = MultipartReader(headers.get("content-type", ""), self._open_part)
        except ValueError as error:
            raise DaytonaError(f"{self._target}: {error}") from None

    def feed(self, chunk: bytes) -> None:
        assert self._reader is not None
        try:
            self._reader.feed(chunk)
        except ValueError as error:
            raise DaytonaConnectionError(f"The answer to {self._target} is broken: {error}") from None

    def finish(self) -> None:
        assert self._reader is not None
        try:
            self._reader.close()
        except ValueError as error:
            raise DaytonaConnectionError(f"The answer to {self._target} was cut off: {error}") from None
        if self._next != len(self.requests):
            raise DaytonaError(f"The bulk download answered {self._next} parts for {len(self.requests)} paths")

    def _open_part(self, part: IncomingPart) -> PartSink:
        index = self._next
        self._next += 1
        if index >= len(self.requests):
            raise DaytonaError(f"The bulk download answered more parts than the {len(self.requests)} paths asked for")
        answer = self.answers[index]
        if part.name == "error":
            return _ErrorPartSink(answer)
        destination = self.requests[index].destination
        sink: _BytesSink | _FileSink = _BytesSink() if destination is None else _FileSink(destination)
        self.sinks.append(sink)
        return _ResultSink(sink, answer, destination)


class _ResultSink:
    def __init__(self, sink: _BytesSink | _FileSink, answer: FileDownloadResponse, destination: str | None) -> None:
        self._sink, self._answer, self._destination = sink, answer, destination

    def write(self, chunk: bytes) -> None:
        self._sink.write(chunk)

    def end(self) -> None:
        self._sink.end()
        self._answer.result = self._sink.content() if isinstance(self._sink, _BytesSink) else self._destination


class FileSystemBase:
    """Operations on the sandbox's files; FileSystem and AsyncFileSystem add only the I/O."""

    def __init__(self, sandbox_id: str, driver: Any) -> None:
        self._sandbox_id = sandbox_id
        self._driver = driver

    def _call(self, method: str, target: str, args: tuple[Any, ...], kwargs: dict[str, Any], retried: bool) -> Operation[Any]:
        call = ApiCall("toolbox", method, target, self._driver.config.request_timeout, (self._sandbox_id, *args), kwargs)
        if retried:
            return (yield from call_with_retries(call, self._driver.config.max_retries, self._driver.clock))
        return (yield call)

    def _upload_files(self, files: list[FileUpload], timeout: float) -> Operation[None]:
        parts: list[OutgoingPart] = []
        for index, file in enumerate(files):
            if not isinstance(file.source, (bytes, bytearray, memoryview, str)):
                raise DaytonaValidationError(f"files[{index}].source must be bytes or a local path, not {type(file.source).__name__}")
            if isinstance(file.source, str) and not os.path.isfile(file.source):
                raise DaytonaValidationError(f"files[{index}].source: no local file {file.source!r}")
            filename = posixpath.basename(file.destination) or "file"
            parts.append(OutgoingPart(f"files[{index}].path", content=file.destination.encode()))
            if isinstance(file.source, str):
                parts.append(OutgoingPart(f"files[{index}].file", local_path=file.source, filename=filename))
            else:
                parts.append(OutgoingPart(f"files[{index}].file", content=bytes(file.source), filename=filename))
        # Never retried: a retry could overwrite a file written since by someone else.
        yield Upload(
            f"/toolbox/{self._sandbox_id}/files/bulk-upload", encode_multipart(parts),
            f"POST /toolbox/{self._sandbox_id}/files/bulk-upload", timeout,
        )

    def _download_file(self, remote_path: str, local_path: str | None, timeout: float) -> Operation[bytes | None]:
        target = f"GET /toolbox/{self._sandbox_id}/files/download"
        sink: _BytesSink | _FileSink = _BytesSink() if local_path is None else _FileSink(local_path)
        try:
            yield Download(ApiCall("toolbox", "download_file", target, timeout, (self._sandbox_id, remote_path)), _SingleFile(sink))
        finally:
            sink.discard()
        return sink.content() if isinstance(sink, _BytesSink) else None

    def _download_files(self, files: list[FileDownloadRequest], timeout: float) -> Operation[list[FileDownloadResponse]]:
        target = f"POST /toolbox/{self._sandbox_id}/files/bulk-download"
        consumer = _ManyFiles(list(files), target)
        body = Body("FilesDownloadRequest", {"paths": [file.source for file in files]})
        try:
            yield Download(ApiCall("toolbox", "download_files", target, timeout, (self._sandbox_id, body)), consumer)
        finally:
            for sink in consumer.sinks:
                sink.discard()
        return consumer.answers

    def _list_files(self, path: str) -> Operation[list[FileInfo]]:
        dtos = yield from self._call("list_files", f"GET /toolbox/{self._sandbox_id}/files", (), {"path": path}, retried=True)
        return [file_info_from_dto(dto) for dto in dtos]

    def _get_file_info(self, path: str) -> Operation[FileInfo]:
        dto = yield from self._call("get_file_info", f"GET /toolbox/{self._sandbox_id}/files/info", (), {"path": path}, retried=True)
        return file_info_from_dto(dto)

    def _delete_file(self, path: str, recursive: bool) -> Operation[None]:
        yield from self._call(
            "delete_file", f"DELETE /toolbox/{self._sandbox_id}/files", (), {"path": path, "recursive": recursive}, retried=False
        )

    def _create_folder(self, path: str, mode: str) -> Operation[None]:
        yield from self._call(
            "create_folder", f"POST /toolbox/{self._sandbox_id}/files/folder", (), {"path": path, "mode": mode}, retried=True
        )

    def _move_files(self, source: str, destination: str) -> Operation[None]:
        # Not retried: the first attempt may have moved it, and a second would fail or move anew.
        yield from self._call(
            "move_file", f"POST /toolbox/{self._sandbox_id}/files/move", (),
            {"source": source, "destination": destination}, retried=False,
        )
