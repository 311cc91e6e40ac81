"""A real HTTP endpoint on 127.0.0.1 (random port) that records every request and answers
what the test tells it to: no mocks of the HTTP layer."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from apps.notifications.models import Channel

ROBOT_OK = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class Recorded:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LocalServer:
    host: str
    port: int
    requests: list[Recorded] = field(default_factory=list)
    answers: deque[tuple[int, Any]] = field(default_factory=deque)
    default: tuple[int, Any] = ROBOT_OK
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def answer(self, *answers: tuple[int, Any]) -> None:
        """Queue answers for the next requests; afterwards the default answer."""
        self.answers.extend(answers)

    def next_answer(self) -> tuple[int, Any]:
        with self.lock:
            return self.answers.popleft() if self.answers else self.default


def _handler(server_state: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
            with server_state.lock:
                server_state.requests.append(
                    Recorded(parsed.path, query, {k: v for k, v in self.headers.items()}, body)
                )
            if server_state.delay:
                time.sleep(server_state.delay)
            status, payload = server_state.next_answer()
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


@pytest.fixture
def http_server():
    state = LocalServer("127.0.0.1", 0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def make_channel(world):
    """A channel saved directly (test set-up; the actions are tested on their own)."""

    def make(kind: str, place=None, endpoint: str = "", secret: str = "", **fields) -> Channel:
        channel = Channel(kind=kind, name=fields.pop("name", f"{kind} 渠道"), place=place, **fields)
        if endpoint:
            channel.set_endpoint(endpoint)
        if secret:
            channel.set_secret(secret)
        channel.save()
        return channel

    return make
