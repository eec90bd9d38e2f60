"""A real HTTP server on 127.0.0.1 that plays back scripted replies.

Tests of network code should exercise real sockets (timeouts, cut-off bodies
and closed connections behave differently from a mocked transport), yet must
never touch the internet. ``ScriptedServer`` listens on a free local port and
answers each path with the next ``Reply`` scripted for it; once a path's
script is used up its last reply repeats, so "503 forever" is one reply.
Every request is recorded with the time it arrived.

    server.script("/api/query", Reply(503, headers={"Retry-After": "1"}), Reply(200, body=b"ok"))
    client.get(server.url("/api/query"))
    assert len(server.requests_for("/api/query")) == 2
"""

from __future__ import annotations

import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """One scripted answer.

    ``delay``: seconds to wait before answering (longer than the client's
    timeout simulates a hung server). ``truncate``: send only that many body
    bytes while announcing the full Content-Length, then close. ``drop``:
    close the connection without sending anything.
    """

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate: int | None = None
    drop: bool = False

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Recorded:
    """A request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


class ScriptedServer:
    """A threaded ``http.server`` answering from per-path scripts; see the module doc."""

    def __init__(self, host: str = "127.0.0.1"):
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._last: dict[str, Reply] = {}
        self._routes: dict[str, object] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[Recorded] = []
        self._httpd = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="scripted-http", daemon=True)  # fmt: skip

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, *replies: Reply) -> None:
        """Queue ``replies`` for ``path`` (the path only, without the query string)."""
        with self._lock:
            self._scripts[path].extend(replies)

    def route(self, path: str, responder) -> None:
        """Answer ``path`` with ``responder(request) -> Reply`` (e.g. by query parameter)."""
        with self._lock:
            self._routes[path] = responder

    def requests_for(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _next_reply(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            responder = self._routes.get(request.path)
        if responder is not None:
            return responder(request)
        with self._lock:
            queue = self._scripts.get(request.path)
            if queue:
                self._last[request.path] = queue.popleft()
            reply = self._last.get(request.path)
        return reply or Reply(404, body=f"no reply scripted for {request.path}\n")


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer()

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer()

        def log_message(self, format, *args) -> None:  # keep pytest output clean
            return

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            request = Recorded(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                               dict(self.headers.items()), time.monotonic())  # fmt: skip
            reply = server._next_reply(request)
            if reply.delay and server._stopping.wait(reply.delay):
                return
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. its timeout fired first)

        def _send(self, reply: Reply) -> None:
            if reply.drop:
                self._hang_up()
                return
            body = reply.payload()
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if "content-type" not in {k.lower() for k in reply.headers}:
                self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body if reply.truncate is None else body[: reply.truncate])
            self.wfile.flush()
            if reply.truncate is not None:
                self._hang_up()

        def _hang_up(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    return Handler
