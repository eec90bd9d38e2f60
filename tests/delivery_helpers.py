"""Helpers for the delivery and API tests: users, tokens, a clean cache, a local POST receiver."""

from __future__ import annotations

import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "lattice-Boltzmann-42"


@pytest.fixture
def own_cache(settings):
    """A fresh LocMem cache per test: rate-limit counters must not leak between tests."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{uuid.uuid4()}"}}  # fmt: skip


def make_user(username="chenrui", email="chenrui@example.org", **extra):
    return get_user_model().objects.create_user(username, email, PASSWORD, **extra)


@dataclass
class Received:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """A real HTTP server on 127.0.0.1 that records POSTs and answers from a script
    (the last answer repeats once the script is used up)."""

    def __init__(self):
        self.received: list[Received] = []
        self._script: deque[Answer] = deque()
        self._last = Answer()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def answer(self, *answers: Answer) -> None:
        with self._lock:
            self._script.extend(answers)

    def _next(self, request: Received) -> Answer:
        with self._lock:
            self.received.append(request)
            if self._script:
                self._last = self._script.popleft()
            return self._last

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                answer = receiver._next(Received("POST", self.path, dict(self.headers.items()), body))
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args):
                return

        return Handler

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
