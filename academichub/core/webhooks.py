"""Webhook messages in each chat service's own format, signing, and judging the answer.

Pure functions: the delivery app (``academichub.delivery.webhooks``) turns a
:class:`Message` into an HTTP request with :func:`build_request`, sends it and
asks :func:`judge` whether it worked and whether trying again can help.

Formats (each service's documented incoming-webhook / bot API):

* Slack: ``{"text", "blocks"}``; a header block, then a section per paper in
  mrkdwn (``<url|title>``; ``& < >`` escaped). Answers 200 "ok".
* Feishu / Lark custom bot: ``msg_type: "post"`` rich text. With a signing
  secret the body carries ``timestamp`` (seconds) and
  ``sign = base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=""))``.
  Answers 200 with ``{"code": 0}`` (older hosts ``{"StatusCode": 0}``).
* DingTalk custom robot: ``msgtype: "markdown"``. With a signing secret the URL
  gets ``timestamp`` (milliseconds) and
  ``sign = base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"))``.
  Answers ``{"errcode": 0}``.
* WeCom group robot: ``msgtype: "markdown"``, at most 4096 bytes of content.
  Answers ``{"errcode": 0}``.
* Telegram Bot API ``sendMessage``: ``chat_id``, HTML ``text`` (at most 4096
  characters), link previews off. Answers ``{"ok": true}``.
* Generic JSON: ``{"event", "delivery", "title", "url", "intro", "items"}``,
  signed (see :func:`sign`).

Signature of the generic webhook (document for receivers)::

    X-AcademicHub-Timestamp: 1767225600          (Unix seconds)
    X-AcademicHub-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body
bytes, compares in constant time, and rejects timestamps more than five
minutes old (replays). :func:`verify` does exactly that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
from dataclasses import asdict, dataclass, field
from urllib.parse import quote_plus

KINDS = ("slack", "feishu", "dingtalk", "wecom", "telegram", "generic")
SIGNATURE_HEADER = "X-AcademicHub-Signature"
TIMESTAMP_HEADER = "X-AcademicHub-Timestamp"
TOLERANCE_SECONDS = 300
USER_AGENT = "AcademicHub-Webhook/1"
# Retry schedule: seconds to wait after attempt n (1-based) fails.
BACKOFF = (30, 120, 600, 1800, 7200)


@dataclass(frozen=True)
class Item:
    title: str
    url: str = ""
    authors: str = ""
    summary: str = ""  # a TL;DR or the first sentences
    reason: str = ""  # why it is here ("matches your radar: …")


@dataclass(frozen=True)
class Message:
    title: str
    url: str = ""
    intro: str = ""
    items: tuple[Item, ...] = ()
    event: str = "notice"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Message:
        items = tuple(Item(**{k: str(v) for k, v in item.items() if k in Item.__annotations__})
                      for item in data.get("items") or ())  # fmt: skip
        return cls(title=str(data.get("title", "")), url=str(data.get("url", "")), intro=str(data.get("intro", "")),
                   items=items, event=str(data.get("event", "notice")))  # fmt: skip


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    retryable: bool = False
    detail: str = ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- payloads, one per service -----------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: Message) -> dict:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": _clip(message.title, 150), "emoji": True}}]
    if message.intro or message.url:
        intro = _slack_escape(message.intro) + (f"\n<{message.url}|{_slack_escape(message.title)}>" if message.url else "")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(intro.strip(), 3000)}})
    for item in message.items[:45]:  # Slack allows 50 blocks
        title = _slack_escape(item.title)
        lines = [f"*<{item.url}|{title}>*" if item.url else f"*{title}*"]
        lines += [f"_{_slack_escape(v)}_" if k == "authors" else _slack_escape(v)
                  for k, v in (("authors", item.authors), ("summary", item.summary), ("reason", item.reason)) if v]  # fmt: skip
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip("\n".join(lines), 3000)}})
    return {"text": _clip(message.title, 3000), "blocks": blocks, "unfurl_links": False}


def feishu(message: Message) -> dict:
    content = []
    if message.intro:
        content.append([{"tag": "text", "text": message.intro}])
    for item in message.items:
        content.append([{"tag": "a", "text": item.title, "href": item.url} if item.url else {"tag": "text", "text": item.title}])
        details = " · ".join(v for v in (item.authors, item.summary, item.reason) if v)
        if details:
            content.append([{"tag": "text", "text": _clip(details, 1000)}])
    if message.url:
        content.append([{"tag": "a", "text": message.url, "href": message.url}])
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": message.title, "content": content}}}}


def _md_link(title: str, url: str) -> str:
    safe = title.replace("[", "(").replace("]", ")")
    return f"[{safe}]({url})" if url else safe


def _markdown(message: Message, limit_bytes: int) -> str:
    """DingTalk / WeCom markdown, cut at a paper boundary to stay under the service's size limit."""
    head = [f"### {message.title}"] + ([f"> {message.intro}"] if message.intro else [])
    tail = [_md_link(message.url, message.url)] if message.url else []
    body: list[str] = []
    for n, item in enumerate(message.items, 1):
        details = " · ".join(v for v in (item.authors, item.summary, item.reason) if v)
        entry = f"{n}. **{_md_link(item.title, item.url)}**" + (f"\n   {_clip(details, 600)}" if details else "")
        if len("\n\n".join(head + body + [entry] + tail).encode()) > limit_bytes:
            body.append(f"… (+{len(message.items) - n + 1})")
            break
        body.append(entry)
    text = "\n\n".join(head + body + tail)
    return text.encode()[:limit_bytes].decode("utf-8", "ignore")


def dingtalk(message: Message) -> dict:
    return {"msgtype": "markdown", "markdown": {"title": _clip(message.title, 100), "text": _markdown(message, 18000)}}


def wecom(message: Message) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": _markdown(message, 4000)}}


def telegram(message: Message, chat_id: str) -> dict:
    def link(text: str, url: str) -> str:
        return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>' if url else html.escape(text)

    parts = [f"<b>{link(message.title, message.url)}</b>"] + ([html.escape(message.intro)] if message.intro else [])
    for n, item in enumerate(message.items, 1):
        details = " · ".join(html.escape(v) for v in (item.authors, item.summary, item.reason) if v)
        entry = f"{n}. {link(item.title, item.url)}" + (f"\n<i>{_clip(details, 500)}</i>" if details else "")
        if len("\n\n".join(parts + [entry])) > 4000:
            parts.append(f"… (+{len(message.items) - n + 1})")
            break
        parts.append(entry)
    return {"chat_id": chat_id, "text": "\n\n".join(parts), "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True}}  # fmt: skip


def generic(message: Message, delivery: str = "") -> dict:
    return {"event": message.event, "delivery": delivery, **{k: v for k, v in message.to_dict().items() if k != "event"}}


# -- signing -----------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex>``: HMAC-SHA256 over ``"<timestamp>." + body`` (the generic webhook's signature)."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, headers: dict[str, str], body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature (constant-time compare)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lowered.get(TIMESTAMP_HEADER.lower(), ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(lowered.get(SIGNATURE_HEADER.lower(), ""), sign(secret, timestamp, body))


def feishu_sign(secret: str, timestamp: int) -> str:
    mac = hmac.new(f"{timestamp}\n{secret}".encode("utf-8"), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


# -- requests and answers ----------------------------------------------------------------------


def payload(kind: str, message: Message, *, chat_id: str = "", delivery: str = "") -> dict:
    if kind == "telegram":
        return telegram(message, chat_id)
    if kind == "generic":
        return generic(message, delivery)
    return {"slack": slack, "feishu": feishu, "dingtalk": dingtalk, "wecom": wecom}[kind](message)


def build_request(kind: str, message: Message, *, url: str, timestamp: int, secret: str = "", chat_id: str = "",
                  delivery: str = "") -> Request:  # fmt: skip
    """The exact request to send: URL, JSON body bytes and headers (signatures included)."""
    body = payload(kind, message, chat_id=chat_id, delivery=delivery)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if kind == "feishu" and secret:
        body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
    if kind == "dingtalk" and secret:
        millis = timestamp * 1000
        url += ("&" if "?" in url else "?") + f"timestamp={millis}&sign={quote_plus(dingtalk_sign(secret, millis))}"
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if kind == "generic":
        headers.update({"X-AcademicHub-Event": message.event, "X-AcademicHub-Delivery": delivery,
                        TIMESTAMP_HEADER: str(timestamp)})  # fmt: skip
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, timestamp, raw)
    return Request(url=url, body=raw, headers=headers)


_RETRYABLE_CODES = {"feishu": {11232, 9499}, "dingtalk": {130101, -1}, "wecom": {45009, -1}}


def judge(kind: str, status: int, body: bytes) -> Verdict:
    """Did the service accept the message, and if not, can retrying help?

    Redirects are failures (they are never followed: a redirect could point
    inside the network). 408, 429 and 5xx are worth retrying; other 4xx are not.
    The Chinese services answer 200 with an error code in the body.
    """
    text = body[:300].decode("utf-8", "replace")
    if 300 <= status < 400:
        return Verdict(False, False, f"HTTP {status}: redirects are not followed")
    if status >= 400:
        return Verdict(False, status in (408, 425, 429) or status >= 500, f"HTTP {status}: {text}")
    if kind in ("feishu", "dingtalk", "wecom", "telegram"):
        return _judge_json(kind, body, text)
    return Verdict(True, detail=f"HTTP {status}")


def _judge_json(kind: str, body: bytes, text: str) -> Verdict:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return Verdict(False, True, f"not JSON: {text}")
    if not isinstance(data, dict):
        return Verdict(False, False, f"unexpected answer: {text}")
    if kind == "telegram":
        return Verdict(bool(data.get("ok")), False, text)
    if kind == "feishu":
        code = data.get("code", data.get("StatusCode", 0))  # 200 without a code: an old host's success
    else:
        code = data.get("errcode")
    if code == 0:
        return Verdict(True, detail=text)
    return Verdict(False, code in _RETRYABLE_CODES[kind], f"error {code}: {text}")


def backoff(attempt: int) -> int:
    """Seconds to wait after failed attempt `attempt` (1-based) before the next one."""
    return BACKOFF[min(attempt, len(BACKOFF)) - 1]
