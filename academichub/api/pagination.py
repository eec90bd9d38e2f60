"""Cursor (keyset) pagination for every list endpoint.

Why cursors, not page numbers: the catalogue grows while people page through
it, so offsets skip or repeat papers, and OFFSET 70000 scans 70,000 rows. A
cursor carries the sort values of the last item returned, and the next page
is "rows after these values": a range scan on the sort index, stable under
inserts. Cursors are signed (``django.core.signing``), so a tampered or
foreign cursor is a clear 400 instead of a strange page.

    from academichub.api.pagination import CursorParams, page_schema, paginate

    PaperPage = page_schema(PaperOut)

    @router.get("", response=PaperPage)
    def papers(request, page: Query[CursorParams]):
        return paginate(Paper.objects.all(), ("-announced", "-id"), page)

The ordering must end with a unique column (``id``); NULLs sort last in both
directions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Optional

from django.core import signing
from django.db.models import F, Q, QuerySet
from ninja import Field, Schema
from pydantic import create_model

from academichub.api.site import ApiError

SALT = "academichub.api.cursor"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class CursorParams(Schema):
    cursor: Optional[str] = Field(None, description="The `next_cursor` of the previous page; omit for the first page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


def page_schema(item: type[Schema], name: str | None = None) -> type[Schema]:
    """``{"items": [item], "next_cursor": str | null}`` under a readable OpenAPI name ("PaperPage")."""
    name = name or item.__name__.removesuffix("Out") + "Page"
    return create_model(name, __base__=Schema, items=(list[item], ...),
                        next_cursor=(Optional[str], Field(None, description="null on the last page")))  # fmt: skip


def paginate(queryset: QuerySet, ordering: Sequence[str], params: CursorParams | None = None, *,
             cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:  # fmt: skip
    """One page of `queryset` in `ordering` after `cursor`: ``{"items": [...], "next_cursor": ...}``."""
    if params is not None:
        cursor, limit = params.cursor, params.limit
    keys = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
    queryset = queryset.order_by(*[_order(field, desc) for field, desc in keys])
    if cursor:
        queryset = queryset.filter(_after(keys, decode(cursor, ordering)))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode([_value(rows[-1], field) for field, _desc in keys], ordering) if more else None
    return {"items": rows, "next_cursor": next_cursor}


def _order(field: str, desc: bool):
    return F(field).desc(nulls_last=True) if desc else F(field).asc(nulls_last=True)


def _after(keys: list[tuple[str, bool]], values: list) -> Q:
    """Rows strictly after `values` in the order `keys` (NULLs last)."""
    if not keys:
        return Q(pk__in=[])  # nothing is "after" an equal row: the last key is unique
    (field, desc), rest = keys[0], keys[1:]
    value, later = values[0], _after(rest, values[1:])
    if value is None:
        return Q(**{f"{field}__isnull": True}) & later
    beyond = Q(**{f"{field}__{'lt' if desc else 'gt'}": value}) | Q(**{f"{field}__isnull": True})
    return beyond | (Q(**{field: value}) & later)


def _value(row, field: str):
    value = row
    for part in field.split("__"):
        value = getattr(value, part, None)
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def encode(values: list, ordering: Sequence[str]) -> str:
    return signing.dumps({"o": ",".join(ordering), "v": values}, salt=SALT, compress=True)


def decode(cursor: str, ordering: Sequence[str]) -> list:
    """The sort values in `cursor`; ApiError 400 if it is not a cursor of this listing."""
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise ApiError(400, "invalid_cursor", "the cursor is not valid: use the next_cursor of a previous page")
    if not isinstance(data, dict) or data.get("o") != ",".join(ordering) or len(data.get("v") or []) != len(ordering):
        raise ApiError(400, "invalid_cursor", "the cursor belongs to another listing or sort order")
    return data["v"]
