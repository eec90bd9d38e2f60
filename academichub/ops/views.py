"""Liveness, readiness and metrics endpoints (no sessions, no CSRF: read-only GETs)."""

from __future__ import annotations

import hmac
import os

from django.http import HttpRequest, HttpResponse, JsonResponse

from academichub.ops import metrics


def readyz(request: HttpRequest) -> JsonResponse:
    """200 when this process can serve: database reachable and fully migrated, queue reachable."""
    checks = {"database": _database_ready(), "queue": _queue_ready()}
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _database_ready() -> str:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001 — reported, not raised
        return f"unreachable: {exc.__class__.__name__}: {str(exc).splitlines()[0][:200]}"
    return "ok" if not plan else f"{len(plan)} migrations not applied; run `academichub migrate`"


def _queue_ready() -> str:
    from huey.contrib.djhuey import HUEY

    try:
        HUEY.pending_count()
    except Exception as exc:  # noqa: BLE001
        return f"unreachable: {exc.__class__.__name__}: {str(exc)[:200]}"
    return "ok"


def prometheus(request: HttpRequest) -> HttpResponse:
    """Metrics for Prometheus; protected by METRICS_TOKEN (Bearer) when it is set."""
    token = os.environ.get("METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and not hmac.compare_digest(token, given):
        return HttpResponse("metrics need 'Authorization: Bearer $METRICS_TOKEN'\n", status=401,
                            content_type="text/plain")  # fmt: skip
    body = metrics.render(metrics.collect())
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
