"""A TCP proxy between the SDK and a real API that drops the connection of the first answer to a
chosen request after the API has sent all of it (so the request was processed), having passed on
only half. Everything else goes through untouched. It records every request it forwards."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class ForwardedRequest:
    target: str  # e.g. "POST /api/sandbox/bulk"
    idempotency_key: str | None


class CuttingProxy:
    def __init__(self, api_url: str, cut_target: str) -> None:
        self._upstream = urlparse(api_url)
        self._cut_target = cut_target
        self._lock = threading.Lock()
        self.requests: list[ForwardedRequest] = []
        self.cuts = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """The API URL to give the SDK: the upstream's path on the proxy's port."""
        return f"http://127.0.0.1:{self._server.getsockname()[1]}{self._upstream.path}"

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        upstream = socket.create_connection((self._upstream.hostname, self._upstream.port))
        state = {"cut": False}

        def on_request(head: str) -> None:
            method, path = head.split("\r\n", 1)[0].split(" ")[:2]
            target = f"{method} {path}"
            with self._lock:
                self.requests.append(ForwardedRequest(target, _header(head, "idempotency-key")))
                if target == self._cut_target and self.cuts == 0:
                    state["cut"] = True

        def requests_to_upstream() -> None:
            reader = _MessageReader("request", on_request)
            try:
                while chunk := client.recv(65536):
                    reader.push(chunk)
                    upstream.sendall(chunk)
            except OSError:
                pass
            _close(upstream)

        threading.Thread(target=requests_to_upstream, daemon=True).start()
        held = bytearray()
        done = threading.Event()
        answers = _MessageReader("response", lambda head: None, done.set)
        try:
            while chunk := upstream.recv(65536):
                if not state["cut"]:
                    client.sendall(chunk)
                    continue
                held += chunk
                answers.push(chunk)
                if done.is_set():
                    # The whole answer is here, so the API has done the work: pass on half, hang up.
                    with self._lock:
                        self.cuts += 1
                    client.sendall(bytes(held[: len(held) // 2]))
                    break
        except OSError:
            pass
        _close(client)
        _close(upstream)


class _MessageReader:
    """Splits an HTTP/1.1 byte stream into messages (Content-Length or chunked bodies)."""

    def __init__(self, kind: str, on_head: Callable[[str], None], on_complete: Callable[[], None] = lambda: None) -> None:
        self._kind = kind
        self._on_head = on_head
        self._on_complete = on_complete
        self._buffer = b""
        self._head: str | None = None

    def push(self, chunk: bytes) -> None:
        self._buffer += chunk
        while True:
            if self._head is None:
                end = self._buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                self._head = self._buffer[:end].decode("latin-1")
                self._buffer = self._buffer[end + 4:]
                self._on_head(self._head)
            length = self._complete_body_length(self._head)
            if length is None:
                return
            self._buffer = self._buffer[length:]
            self._head = None
            self._on_complete()

    def _complete_body_length(self, head: str) -> int | None:
        if (_header(head, "transfer-encoding") or "").lower() == "chunked":
            end = self._buffer.find(b"0\r\n\r\n")
            return None if end < 0 else end + 5
        length = _header(head, "content-length")
        if length is None and self._kind == "response":
            raise ValueError(f"an answer without Content-Length: {head.splitlines()[0]}")
        length_bytes = int(length or 0)
        return length_bytes if len(self._buffer) >= length_bytes else None


def _header(head: str, name: str) -> str | None:
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
