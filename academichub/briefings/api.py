"""JSON API for briefings: request one, list yours, read one (yours, or shared by token).

A radar briefing (``scope: "radar"``, ``value``: the radar's id) can only be
asked for by the radar's owner; any other id answers 404, like the radar API.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from academichub.api.auth import personal_auth
from academichub.api.site import ApiError

from .models import Briefing
from .services import (
    RadarNotFound,
    ScopeError,
    check_scope,
    parse_paper_list,
    request_briefing,
    resolve_window,
)

router = Router(tags=["briefings"])


class BriefingIn(Schema):
    scope: str  # category | query | papers | radar
    value: str | int = ""  # category code, query text or radar id
    papers: list[str] = []
    window: str = "week"  # day | week | month | custom
    anchor: date | None = None
    start: date | None = None
    end: date | None = None
    language: str = "en"
    repeat_weekly: bool = False  # write it again every week (not for a fixed paper set)


def out(briefing: Briefing, *, full: bool = True) -> dict:
    data = {"id": briefing.pk, "status": briefing.status, "scope": briefing.scope_kind, "value": briefing.scope_value,
            "window": [briefing.window_start, briefing.window_end], "language": briefing.language,
            "progress": briefing.progress, "error": briefing.error, "created_at": briefing.created_at,
            "shared": bool(briefing.share_token), "repeat_weekly": briefing.repeat_weekly}  # fmt: skip
    if full:
        data.update(markdown=briefing.text, document=briefing.document, citations=briefing.citations,
                    grounding=briefing.grounding, model=briefing.model, prompt_tokens=briefing.prompt_tokens,
                    completion_tokens=briefing.completion_tokens, cost=briefing.cost, papers_in=briefing.papers_in,
                    themes=briefing.themes, bridges=briefing.bridges, seconds=briefing.seconds)  # fmt: skip
    return data


@router.post("/", auth=personal_auth, response={202: dict})
def create(request, payload: BriefingIn):
    if payload.scope not in ("category", "query", "papers", "radar"):
        raise ApiError(400, "bad_scope", "scope must be category, query, papers or radar")
    if payload.language not in ("en", "zh", "zh-hans"):
        raise ApiError(400, "bad_language", "language must be en or zh")
    try:
        ids = parse_paper_list("\n".join(payload.papers)) if payload.scope == "papers" else []
        value = check_scope(payload.scope, str(payload.value) or _("Paper set"), ids, owner=request.user)
        start, end = (None, None) if payload.scope == "papers" else resolve_window(
            payload.window, anchor=payload.anchor, start=payload.start, end=payload.end)
    except RadarNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    except ScopeError as exc:
        raise ApiError(400, "bad_request", str(exc)) from exc
    language = "zh-hans" if payload.language.startswith("zh") else "en"
    briefing = request_briefing(request.user, kind=payload.scope, value=value, window=(start, end),
                                window_kind=payload.window if payload.scope != "papers" else "custom",
                                language=language, paper_ids=ids, repeat_weekly=payload.repeat_weekly)  # fmt: skip
    return Status(202, out(Briefing.objects.get(pk=briefing.pk)))


@router.get("/", auth=personal_auth)
def mine(request, scope: str = "", value: str = ""):
    """Your briefings, newest first; ``scope``/``value`` narrow it (``?scope=radar&value=12``: one radar's)."""
    found = Briefing.objects.filter(owner=request.user)
    if scope:
        found = found.filter(scope_kind=scope)
    if value:
        found = found.filter(scope_value=value)
    return {"briefings": [out(b, full=False) for b in found.order_by("-created_at", "-id")[:100]]}


@router.get("/shared/{token}")
def shared(request, token: str):
    briefing = Briefing.objects.filter(share_token=token).first() if token else None
    if briefing is None:
        raise ApiError(404, "not_found", "no shared briefing with this token")
    return out(briefing)


@router.get("/{int:briefing_id}", auth=personal_auth)
def one(request, briefing_id: int):
    briefing = Briefing.objects.filter(pk=briefing_id, owner=request.user).first()
    if briefing is None:
        raise ApiError(404, "not_found", "no such briefing")
    return out(briefing)
