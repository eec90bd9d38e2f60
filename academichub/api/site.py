"""One NinjaAPI for the whole hub: routers from the apps, one error shape.

To add endpoints, write a ``Router`` in ``academichub/<app>/api.py`` and add one
line to :data:`ROUTERS`. Errors are raised as :class:`ApiError` (or Django's
``Http404``/``PermissionDenied``) and leave as
``{"error": {"code": "...", "message": "..."}}`` with the matching status.
"""

from __future__ import annotations

import importlib
import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

log = logging.getLogger(__name__)

# (url prefix, "module:attribute") — imported lazily so a broken app cannot
# stop the rest of the API from loading silently: the import error surfaces.
ROUTERS: list[tuple[str, str]] = [
    ("/briefings", "academichub.briefings.api:router"),
    ("/daily", "academichub.daily.api:router"),
    ("/radars", "academichub.radar.api:router"),
    ("/ratings", "academichub.radar.api:ratings_router"),
    ("/saved", "academichub.radar.api:saved_router"),
    ("/", "academichub.search.api:router"),
    ("/papers", "academichub.delivery.api:papers"),  # after search: its /papers/{id}/similar must match first
    ("/me", "academichub.delivery.api:account"),
]


class ApiError(Exception):
    """An error the client can act on: status, a stable code and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def _install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status: int, code: str, message: str, **extra):
        return api.create_response(request, error_body(code, message, **extra), status=status)

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return respond(request, exc.status, exc.code, exc.message)

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        return respond(request, 422, "invalid", "the request is not valid", details=exc.errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(request, 401, "unauthenticated", "a personal access token is needed: "
                       "send 'Authorization: Bearer <token>' (create one in Settings → API tokens)")  # fmt: skip

    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        return respond(request, 429, "rate_limited", "too many requests; wait and retry (see Retry-After)")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return respond(request, exc.status_code, "http_error", str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", str(exc) or "not found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, "forbidden", str(exc) or "forbidden")

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("API error on %s", request.path)
        return respond(request, 500, "internal", "internal error; the server log has the details")


ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"],
                             "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
}  # fmt: skip


class HubAPI(NinjaAPI):
    """Documents the one error shape on every operation (OpenAPI ``default`` response), so
    clients and schema checks know what any 4xx/5xx looks like without each router repeating it."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        default = {"description": "An error: {\"error\": {\"code\", \"message\"}}",
                   "content": {"application/json": {"schema": ERROR_SCHEMA}}}  # fmt: skip
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("default", default)
        return schema


def build_api() -> NinjaAPI:
    from academichub.api.auth import ApiThrottle  # every call counts against its caller (token, user or IP)

    api = HubAPI(title="AcademicHub API", version="1", urls_namespace="api", docs_url="/docs",
                 throttle=[ApiThrottle()])  # fmt: skip
    _install_error_handlers(api)
    for prefix, target in ROUTERS:
        module_name, attribute = target.split(":")
        api.add_router(prefix, getattr(importlib.import_module(module_name), attribute))
    return api
