"""A loopback server speaking OpenAI's chat-completions protocol, for the briefing LLM tests.

Two modes:
- scripted: each POST to ``/v1/chat/completions`` takes the next ``Answer``
  (text, streamed or whole, or an error status, a delay, malformed bytes);
- replay: answers come from a recording of a real model
  (``tests/fixtures/briefings/*-recorded.json``, made by
  ``bench/record_llm.py`` against llama-cpp-python serving SmolLM2-135M),
  looked up by a hash of the request's model and messages.

Streaming is real: Server-Sent Events are written and flushed chunk by
chunk with ``Transfer-Encoding: chunked``, as llama.cpp and OpenAI do.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Answer:
    text: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None  # sent as the body verbatim (malformed answers)
    usage: bool = True  # include token usage
    model: str = ""


def request_key(body: dict) -> str:
    """What identifies a request in a recording: the model and the messages."""
    blob = json.dumps([body.get("model"), body.get("messages")], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class FakeOpenAI:
    def __init__(self, recording: Path | None = None, responder=None):
        self.responder = responder  # body -> Answer, instead of a script
        self.headers: list[dict] = []
        self.answers: deque[Answer] = deque()
        self.last: Answer | None = None
        self.bodies: list[dict] = []
        self.recorded = json.loads(recording.read_text(encoding="utf-8"))["answers"] if recording else None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self.answers.extend(answers)

    def next_answer(self, body: dict, headers: dict | None = None) -> Answer:
        with self._lock:
            self.bodies.append(body)
            self.headers.append(headers or {})
            if self.responder is not None:
                return self.responder(body)
            if self.recorded is not None:
                found = self.recorded.get(request_key(body))
                return Answer(found["text"], model=found.get("model", "")) if found else Answer(status=404, raw=b'{"error": {"message": "not in the recording"}}')
            if self.answers:
                self.last = self.answers.popleft()
            return self.last or Answer("Nothing scripted [1].")

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(server: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            answer = server.next_answer(body, dict(self.headers.items()))
            if answer.delay and server._stopping.wait(answer.delay):
                return
            try:
                self._reply(body, answer)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _reply(self, body: dict, answer: Answer) -> None:
            model = answer.model or body.get("model", "fake")
            if answer.status != 200 or answer.raw is not None:
                payload = answer.raw if answer.raw is not None else json.dumps({"error": {"message": f"status {answer.status}"}}).encode()
                return self._send(answer.status, payload, "application/json", answer.headers)
            usage = {"prompt_tokens": 50 + len(json.dumps(body["messages"])) // 4,
                     "completion_tokens": max(1, len(answer.text.split()))}  # fmt: skip
            if body.get("stream"):
                return self._stream(model, answer, usage)
            data = {"id": "x", "object": "chat.completion", "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text}, "finish_reason": "stop"}]}
            if answer.usage:
                data["usage"] = usage
            self._send(200, json.dumps(data).encode(), "application/json", answer.headers)

        def _send(self, status: int, payload: bytes, kind: str, headers: dict) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _stream(self, model: str, answer: Answer, usage: dict) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            words = answer.text.split(" ")
            for i, word in enumerate(words):
                piece = word if i == 0 else " " + word
                self._chunk({"model": model, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            self._chunk({"model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            if answer.usage:
                self._chunk({"model": model, "choices": [], "usage": usage})
            self._write(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")

        def _chunk(self, event: dict) -> None:
            self._write(f"data: {json.dumps(event)}\n\n".encode())

        def _write(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler
