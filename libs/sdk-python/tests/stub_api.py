"""A real HTTP server on 127.0.0.1 answering canned JSON, so the SDK, the generated clients and
their transports (urllib3, aiohttp) all run for real in unit tests."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    # Send the status line, headers and half the body, then drop the connection.
    cut: bool = False
    # Reset the connection (TCP RST) without answering.
    reset: bool = False


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class StubApi:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._answers: dict[tuple[str, str], deque[Answer]] = defaultdict(deque)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0].removeprefix("/api")
                stub.requests.append(Request(self.command, self.path.removeprefix("/api"), dict(self.headers), json.loads(raw) if raw else None))
                queue = stub._answers.get((self.command, path))
                answer = (queue.popleft() if len(queue) > 1 else queue[0]) if queue else Answer(404, {"statusCode": 404, "code": "not_found", "message": "no stub"})
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.reset:
                    # Linger 0: closing sends RST instead of FIN.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self._drop()
                    return
                data = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2] if answer.cut else data)
                    if answer.cut:
                        self._drop()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _drop(self) -> None:
                self.close_connection = True
                self.connection.close()

            do_GET = do_POST = do_DELETE = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/api"
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()

    def on(self, method: str, path: str, *answers: Answer) -> None:
        """Answers in order; the last one repeats."""
        self._answers[(method, path)] = deque(answers)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def sandbox_json(name: str = "batch-a-00001", state: str = "started", **overrides: Any) -> dict[str, Any]:
    number = sum(map(ord, name)) % 10**12
    body = {
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "organizationId": "11111111-1111-4111-8111-111111111111",
        "name": name,
        "snapshot": "default",
        "runnerId": "22222222-2222-4222-8222-222222222222",
        "region": "local",
        "state": state,
        "desiredState": "started",
        "cpu": 1,
        "memory": 1,
        "disk": 3,
        "env": {},
        "labels": {},
        "networkBlockAll": True,
        "networkAllowList": None,
        "errorReason": None,
        "recoverable": False,
        "toolboxProxyUrl": "http://127.0.0.1:3000/api/toolbox",
        "target": "local",
        "user": "daytona",
        "public": False,
        "networkBlockAll": True,
        "gpu": 0,
        "kvm": False,
        "autoStopInterval": 15,
        "autoArchiveInterval": 0,
        "autoDeleteInterval": -1,
        "volumes": [],
        "lastActivityAt": "2026-01-01T00:00:00.000Z",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "updatedAt": "2026-01-01T00:00:00.000Z",
    }
    body.update(overrides)
    return body


def error_json(status: int, code: str, message: str = "boom", details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"statusCode": status, "code": code, "message": message, **({"details": details} if details else {})}
