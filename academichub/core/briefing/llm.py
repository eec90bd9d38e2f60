"""LLM backends: a small interface, one class per backend, one ``complete`` method.

In the manner of simonw/llm: a backend turns (system, prompt) into a
``Completion`` and knows nothing about briefings. Backends here:

- ``OpenAICompatible``: POST ``{base_url}/chat/completions`` with httpx. One
  protocol covers OpenAI, DeepSeek, Qwen/DashScope, Moonshot, Ollama
  (``http://127.0.0.1:11434/v1``), vLLM, llama.cpp's server and LM Studio.
  Retries 429 / 5xx / timeouts / dropped connections with exponential
  backoff (honouring ``Retry-After`` up to ``max_wait``), streams tokens to
  a callback, and counts tokens (the server's ``usage`` when it sends it,
  else an estimate, marked as such) and cost (from per-million prices).
- ``Cached``: wraps a backend; an answer is stored under a hash of
  everything that shapes it (endpoint, model, messages, limits), so the
  same input never costs twice.
- ``Cascade``: a cheap model first, the strong one only when the cheap
  answer is not accepted (the briefing writer accepts an answer when it
  survives the grounding check).

``from_environment`` reads ``ACADEMICHUB_LLM_*``; with no base URL and
model there is no backend and the offline engine writes the briefing.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from academichub.core.briefing.text import estimate_tokens
from academichub.core.http import retry_after_seconds

RETRY_STATUSES = {408, 409, 425, 429, 500, 502, 503, 504}
TokenCallback = Callable[[str], None]


class LLMError(Exception):
    """A generation that failed for good. ``code``: timeout, rate_limited, server_error,
    refused, malformed, unreachable or config; the message names the fix."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Completion:
    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    cached: bool = False
    estimated: bool = False  # token counts estimated: the server sent no usage
    finish_reason: str = ""
    seconds: float = 0.0
    attempts: int = 1
    tier: int = 0  # 0: the only or cheap model, 1: the strong one of a cascade


class Backend(Protocol):
    model: str

    def complete(self, prompt: str, *, system: str = "", max_tokens: int = 400, temperature: float = 0.2,
                 on_token: TokenCallback | None = None) -> Completion: ...


@dataclass
class Prices:
    """US dollars per million tokens, input and output (0 for local models)."""

    input: float = 0.0
    output: float = 0.0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


# ------------------------------------------------------------------ OpenAI-compatible HTTP


class OpenAICompatible:
    """Chat completions over HTTP: OpenAI, DeepSeek, Qwen, Moonshot, Ollama, vLLM, llama.cpp, LM Studio."""

    def __init__(self, base_url: str, model: str, *, api_key: str = "", timeout: float = 60.0,
                 max_retries: int = 3, backoff: float = 0.5, max_wait: float = 30.0, stream: bool = True,
                 prices: Prices | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep):  # fmt: skip
        if not base_url or not model:
            raise LLMError("config", "an LLM needs a base URL and a model: set ACADEMICHUB_LLM_BASE_URL and ACADEMICHUB_LLM_MODEL")
        self.base_url, self.model, self.api_key = base_url.rstrip("/"), model, api_key
        self.timeout, self.max_retries, self.backoff, self.max_wait = timeout, max_retries, backoff, max_wait
        self.stream, self.prices = stream, prices or Prices()
        self._transport, self._sleep = transport, sleep

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def complete(self, prompt: str, *, system: str = "", max_tokens: int = 400, temperature: float = 0.2,
                 on_token: TokenCallback | None = None) -> Completion:
        body = self._body(prompt, system, max_tokens, temperature)
        started = time.monotonic()
        with httpx.Client(timeout=httpx.Timeout(self.timeout, connect=min(10.0, self.timeout)),
                          transport=self._transport) as client:  # fmt: skip
            attempt = 0
            while True:
                attempt += 1
                try:
                    result = self._attempt(client, body, on_token)
                    break
                except _Retry as retry:
                    wait = retry.wait if retry.wait is not None else self._delay(attempt)
                    if attempt > self.max_retries or wait > self.max_wait:
                        raise retry.final(attempt) from None
                    self._sleep(wait)
        result.seconds, result.attempts = time.monotonic() - started, attempt
        if result.estimated:
            result.prompt_tokens = estimate_tokens(system) + estimate_tokens(prompt) + 8
        result.cost = self.prices.cost(result.prompt_tokens, result.completion_tokens)
        return result

    def _body(self, prompt: str, system: str, max_tokens: int, temperature: float) -> dict:
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": temperature}
        if self.stream:
            body.update(stream=True, stream_options={"include_usage": True})
        return body

    def _headers(self) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream" if self.stream else "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _delay(self, attempt: int) -> float:
        return min(self.max_wait, self.backoff * 2 ** (attempt - 1) * (1 + 0.1 * random.random()))

    def _attempt(self, client: httpx.Client, body: dict, on_token: TokenCallback | None) -> Completion:
        try:
            with client.stream("POST", self.url, json=body, headers=self._headers()) as response:
                if response.status_code != 200:
                    response.read()
                    self._refuse(response)
                if self.stream and "text/event-stream" in response.headers.get("content-type", ""):
                    return self._read_stream(response, on_token)
                response.read()
                return self._read_whole(response, on_token)
        except httpx.TimeoutException as exc:
            raise _Retry("timeout", f"{self.url} did not answer within {self.timeout:g} s ({type(exc).__name__}); "
                         "raise ACADEMICHUB_LLM_TIMEOUT or use a faster model") from exc  # fmt: skip
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retry("unreachable", f"could not talk to {self.url} ({exc}); is the LLM server running "
                         "and ACADEMICHUB_LLM_BASE_URL right?") from exc  # fmt: skip

    def _refuse(self, response: httpx.Response) -> None:
        status, detail = response.status_code, _error_detail(response)
        if status in RETRY_STATUSES:
            code = "rate_limited" if status == 429 else "server_error"
            wait = retry_after_seconds(response.headers, now=time.time())
            raise _Retry(code, f"{self.url} answered {status}: {detail}", wait)
        advice = {401: "check ACADEMICHUB_LLM_API_KEY", 403: "check ACADEMICHUB_LLM_API_KEY and the model's access",
                  404: "check ACADEMICHUB_LLM_BASE_URL (it usually ends in /v1) and ACADEMICHUB_LLM_MODEL"}  # fmt: skip
        raise LLMError("refused", f"{self.url} answered {status}: {detail}; {advice.get(status, 'the request was refused')}")

    def _read_whole(self, response: httpx.Response, on_token: TokenCallback | None) -> Completion:
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise LLMError("malformed", f"{self.url} sent an answer that is not a chat completion ({exc})") from exc
        if on_token and text:
            on_token(text)
        usage = data.get("usage") or {}
        return Completion(text, data.get("model") or self.model, int(usage.get("prompt_tokens") or 0),
                          int(usage.get("completion_tokens") or estimate_tokens(text)), finish_reason=choice.get("finish_reason") or "",
                          estimated=not usage)  # fmt: skip

    def _read_stream(self, response: httpx.Response, on_token: TokenCallback | None) -> Completion:
        parts, usage, model, finish, chunks = [], {}, self.model, "", 0
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                break
            event = _event(payload, self.url)
            if "error" in event:
                raise _Retry("server_error", f"{self.url} failed while streaming: {event['error']}")
            usage = event.get("usage") or usage
            model = event.get("model") or model
            for choice in event.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content") or ""
                finish = choice.get("finish_reason") or finish
                if piece:
                    chunks += 1
                    parts.append(piece)
                    if on_token:
                        on_token(piece)
        text = "".join(parts)
        return Completion(text, model, int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or chunks),
                          finish_reason=finish, estimated=not usage)  # fmt: skip


def _event(payload: str, url: str) -> dict:
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise LLMError("malformed", f"{url} streamed something that is not JSON: {payload[:80]!r}") from exc
    if not isinstance(event, dict):
        raise LLMError("malformed", f"{url} streamed an event that is not an object")
    return event


def _error_detail(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
        return str(error.get("message") if isinstance(error, dict) else error)[:200]
    except (ValueError, AttributeError):
        return response.text[:200] or response.reason_phrase


class _Retry(Exception):
    """A failure worth another attempt; ``final`` turns it into the error the caller sees."""

    def __init__(self, code: str, message: str, wait: float | None = None):
        super().__init__(message)
        self.code, self.message, self.wait = code, message, wait

    def final(self, attempts: int) -> LLMError:
        return LLMError(self.code, f"{self.message} (gave up after {attempts} attempt{'s' if attempts > 1 else ''})")


# ------------------------------------------------------------------ cache


class FileCache:
    """Completions as small JSON files named by their key (never pickle)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def get(self, key: str) -> dict | None:
        path = self.directory / key[:2] / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def set(self, key: str, value: dict) -> None:
        path = self.directory / key[:2] / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)


class MemoryCache(dict):
    def set(self, key: str, value: dict) -> None:
        self[key] = value


class Cached:
    """A backend whose answers are remembered by a hash of their whole input."""

    def __init__(self, inner: Backend, store):
        self.inner, self.store = inner, store
        self.model = inner.model

    def key(self, prompt: str, system: str, max_tokens: int, temperature: float) -> str:
        where = getattr(self.inner, "base_url", type(self.inner).__name__)
        blob = json.dumps([where, self.inner.model, system, prompt, max_tokens, temperature], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def complete(self, prompt: str, *, system: str = "", max_tokens: int = 400, temperature: float = 0.2,
                 on_token: TokenCallback | None = None) -> Completion:
        key = self.key(prompt, system, max_tokens, temperature)
        hit = self.store.get(key)
        if hit:
            completion = Completion(**{**hit, "cached": True, "cost": 0.0, "seconds": 0.0})
            if on_token and completion.text:
                on_token(completion.text)
            return completion
        completion = self.inner.complete(prompt, system=system, max_tokens=max_tokens, temperature=temperature,
                                         on_token=on_token)  # fmt: skip
        if completion.text.strip():
            self.store.set(key, asdict(completion))
        return completion


# ------------------------------------------------------------------ cascade


@dataclass
class Cascade:
    """Cheap model first; the strong one when ``accept`` rejects the cheap answer (or it fails)."""

    cheap: Backend
    strong: Backend
    accept: Callable[[Completion], bool] = field(default=lambda c: bool(c.text.strip()) and c.finish_reason != "length")

    @property
    def model(self) -> str:
        return f"{self.cheap.model}→{self.strong.model}"

    @property
    def tiers(self) -> list[Backend]:
        return [self.cheap, self.strong]

    def complete(self, prompt: str, *, system: str = "", max_tokens: int = 400, temperature: float = 0.2,
                 on_token: TokenCallback | None = None) -> Completion:
        try:
            first = self.cheap.complete(prompt, system=system, max_tokens=max_tokens, temperature=temperature)
            if self.accept(first):
                if on_token:
                    on_token(first.text)
                return first
        except LLMError:
            first = None
        second = self.strong.complete(prompt, system=system, max_tokens=max_tokens, temperature=temperature, on_token=on_token)
        second.tier = 1
        if first is not None:  # the cheap attempt was paid for too
            second.prompt_tokens += first.prompt_tokens
            second.completion_tokens += first.completion_tokens
            second.cost += first.cost
        return second


def tiers_of(backend: Backend) -> list[Backend]:
    """The models to try in order: a cascade's two, or the one backend."""
    return list(getattr(backend, "tiers", [backend]))


# ------------------------------------------------------------------ settings


@dataclass
class LLMSettings:
    base_url: str = ""
    api_key: str = ""
    model: str = ""
    strong_model: str = ""
    timeout: float = 60.0
    max_retries: int = 3
    stream: bool = True
    prices: Prices = field(default_factory=Prices)
    strong_prices: Prices = field(default_factory=Prices)

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)


def settings_from(environ: Mapping[str, str] | None = None) -> LLMSettings:
    """``ACADEMICHUB_LLM_BASE_URL``, ``_API_KEY``, ``_MODEL``, ``_STRONG_MODEL``, ``_TIMEOUT``,
    ``_MAX_RETRIES``, ``_STREAM``, ``_PRICE_IN``/``_PRICE_OUT`` and ``_STRONG_PRICE_IN``/``_OUT`` ($ per 1M tokens)."""
    env = os.environ if environ is None else environ

    def number(name: str, default: float) -> float:
        raw = env.get(f"ACADEMICHUB_LLM_{name}", "")
        try:
            return float(raw) if raw.strip() else default
        except ValueError:
            raise LLMError("config", f"ACADEMICHUB_LLM_{name} must be a number, got {raw!r}") from None

    return LLMSettings(
        base_url=env.get("ACADEMICHUB_LLM_BASE_URL", "").strip(), api_key=env.get("ACADEMICHUB_LLM_API_KEY", "").strip(),
        model=env.get("ACADEMICHUB_LLM_MODEL", "").strip(), strong_model=env.get("ACADEMICHUB_LLM_STRONG_MODEL", "").strip(),
        timeout=number("TIMEOUT", 60.0), max_retries=int(number("MAX_RETRIES", 3)),
        stream=env.get("ACADEMICHUB_LLM_STREAM", "1").strip().lower() not in ("0", "false", "no", "off"),
        prices=Prices(number("PRICE_IN", 0.0), number("PRICE_OUT", 0.0)),
        strong_prices=Prices(number("STRONG_PRICE_IN", 0.0), number("STRONG_PRICE_OUT", 0.0)),
    )  # fmt: skip


def backend_from(config: LLMSettings, *, cache_dir: Path | None = None) -> Backend | None:
    """The configured backend (cached, and a cascade when a strong model is set), or None."""
    if not config.configured:
        return None

    def one(model: str, prices: Prices) -> Backend:
        backend = OpenAICompatible(config.base_url, model, api_key=config.api_key, timeout=config.timeout,
                                   max_retries=config.max_retries, stream=config.stream, prices=prices)  # fmt: skip
        return Cached(backend, FileCache(cache_dir)) if cache_dir else backend

    cheap = one(config.model, config.prices)
    if config.strong_model and config.strong_model != config.model:
        return Cascade(cheap, one(config.strong_model, config.strong_prices))
    return cheap
