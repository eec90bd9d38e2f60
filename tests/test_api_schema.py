"""Schemathesis against the hub's OpenAPI schema: every operation, bounded examples.

For each operation in /api/openapi.json, Hypothesis generates requests from the
schema (a few per operation, so CI stays fast) and checks the answers: no 5xx,
status codes and media types the schema declares, bodies that match the
declared schemas. Requests carry a personal access token, so personal
endpoints are exercised too; the catalogue holds a few real-looking papers.
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from academichub.delivery import tokens
from tests.factories import make_papers

MAX_EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def served(db, settings):
    """A few papers, no rate limit, and requests that keep the test's transaction-wrapped connection."""
    settings.API_RATE_LIMIT = settings.API_RATE_LIMIT_ANON = 1_000_000
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "schema"}}
    make_papers(date(2026, 6, 11), count=3)
    make_papers(date(2026, 6, 12), count=3, start=10, categories=["cs.CL", "cs.AI"])
    # Like Django's test client: the end of a request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db) -> dict[str, str]:
    user = get_user_model().objects.create(username="schemathesis", email="st@example.org")  # no password to hash
    _row, token = tokens.issue(user, "schemathesis")
    return {"Authorization": f"Bearer {token}"}


def wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# Loaded when pytest collects this file (pytest-django has set Django up by then): one test per
# operation. (Schemathesis' lazy from_fixture loader does not run on pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app())


@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))  # fmt: skip
def test_api_conforms_to_its_schema(case, served, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)


def test_the_schema_documents_the_papers_api(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert {"/api/papers", "/api/papers/export", "/api/papers/{identifier}", "/api/me"} <= set(paths)
    listing = paths["/api/papers"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"cursor", "limit", "category", "day"}
    assert "429" in listing["responses"] and "ErrorOut" in str(listing["responses"]["404"])
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()
    assert client.get("/api/docs").status_code == 200
