"""Schemas every router shares: the error shape, declared per status for OpenAPI."""

from __future__ import annotations

from ninja import Schema


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    """``{"error": {"code": "...", "message": "..."}}`` — every API error (see ``academichub.api.site``)."""

    error: ErrorDetail


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response={200: PaperOut, **errors(404, 422)}``: documents which errors an endpoint returns.

    429 (rate limited) is always included: every endpoint is throttled."""
    return {status: ErrorOut for status in (*statuses, 429)}
