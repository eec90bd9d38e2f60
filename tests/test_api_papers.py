"""The papers API: cursor pagination, filters, lookups, tokens, the error shape and rate limits."""

from __future__ import annotations

from datetime import date

import pytest

from academichub.delivery import tokens
from academichub.delivery.token_models import PersonalAccessToken
from tests.delivery_helpers import make_user, own_cache  # noqa: F401 (fixture)
from tests.factories import make_papers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache")]


def walk(client, **params) -> list[dict]:
    """Every page of /api/papers with `params`, following next_cursor to the end."""
    items, cursor = [], None
    for _ in range(100):
        response = client.get("/api/papers", {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= params.get("limit", 25)
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_cursor_pagination_walks_every_paper_once_newest_first(client):
    make_papers(date(2026, 6, 11), count=4)
    make_papers(date(2026, 6, 12), count=3, start=10)
    make_papers(date(2026, 6, 12), count=2, start=20, categories=["cs.CL"])
    items = walk(client, limit=2)
    assert len(items) == 9 and len({i["id"] for i in items}) == 9
    keys = [(i["announced"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)
    first = items[0]
    assert set(first) >= {"arxiv_id", "title", "authors", "abstract", "categories", "url", "pdf_url"}
    assert first["url"].startswith("http://testserver/paper/")


def test_pagination_is_stable_while_papers_arrive(client):
    make_papers(date(2026, 6, 11), count=5)
    page = client.get("/api/papers", {"limit": 2}).json()
    make_papers(date(2026, 6, 12), count=3, start=50)  # newer papers land between two page requests
    following = []
    cursor = page["next_cursor"]
    while cursor:
        body = client.get("/api/papers", {"limit": 2, "cursor": cursor}).json()
        following += body["items"]
        cursor = body["next_cursor"]
    seen = [i["arxiv_id"] for i in page["items"] + following]
    assert len(seen) == 5 and len(set(seen)) == 5  # no repeats, nothing of the old listing skipped


def test_filters_by_category_and_day(client):
    make_papers(date(2026, 6, 11), count=2)
    make_papers(date(2026, 6, 12), count=3, start=10, categories=["cs.CL", "cs.LG"])
    assert len(walk(client, category="cs.CL")) == 3
    assert len(walk(client, category="cs.LG")) == 5  # cross-lists count
    assert len(walk(client, category="cs.LG", day="2026-06-11")) == 2
    assert walk(client, day="2026-06-10") == []
    unknown = client.get("/api/papers", {"category": "zz.ZZ"})
    assert unknown.status_code == 404 and unknown.json() == {
        "error": {"code": "unknown_category", "message": "no category 'zz.ZZ'; use a code such as cs.CV"}}  # fmt: skip
    bad_day = client.get("/api/papers", {"day": "2026-02-30"})
    assert bad_day.status_code == 422 and bad_day.json()["error"]["code"] == "invalid"


def test_bad_cursors_and_limits_are_clear_errors(client):
    make_papers(date(2026, 6, 11), count=3)
    for cursor in ("junk", "eyJ2IjpbXX0:1:abc"):
        response = client.get("/api/papers", {"cursor": cursor})
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"
    for limit in (0, 101, "x"):
        assert client.get("/api/papers", {"limit": limit}).status_code == 422


def test_one_paper_by_any_identifier(client):
    (arxiv_id,) = make_papers(date(2026, 6, 12), count=1)
    by_id = client.get(f"/api/papers/{arxiv_id}").json()
    for form in (f"{arxiv_id}v1", f"arXiv:{arxiv_id}", f"https://arxiv.org/abs/{arxiv_id}", str(by_id["id"])):
        response = client.get(f"/api/papers/{form}")
        assert response.status_code == 200 and response.json()["id"] == by_id["id"], form
    assert by_id["authors"] == ["Chenrui Wu", "Yuwei Wu", "Ana María López"]
    assert by_id["categories"] == ["cs.DS", "cs.LG"]
    missing = client.get("/api/papers/2601.99999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_papers_by_doi_including_slashes(client):
    make_papers(date(2026, 6, 12), count=1, arxiv_id=None, doi="10.1038/s41586-026-00001-x", categories=[])
    response = client.get("/api/papers/10.1038/s41586-026-00001-x")
    assert response.status_code == 200 and response.json()["doi"] == "10.1038/s41586-026-00001-x"


# -- tokens and sessions -----------------------------------------------------------------------


def test_me_with_a_token_a_session_and_nothing(client):
    user = make_user()
    row, token = tokens.issue(user, "  lab   script ")
    assert token.startswith("ahp_") and len(token) > 40
    assert PersonalAccessToken.objects.get().digest == tokens.digest(token) and token not in row.digest
    assert row.name == "lab script" and row.prefix == token[:10]
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json() == {"username": "chenrui", "auth": "token", "token_name": "lab script"}
    row.refresh_from_db()
    assert row.last_used_at is not None
    anonymous = client.get("/api/me")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer ahp_wrong").status_code == 401
    client.force_login(user)
    assert client.get("/api/me").json()["auth"] == "session"


def test_revoked_tokens_and_inactive_users_are_refused(client):
    user = make_user()
    row, token = tokens.issue(user, "old")
    assert tokens.revoke(user, row.pk) and not tokens.revoke(user, row.pk)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    _row, other = tokens.issue(user, "new")
    user.is_active = False
    user.save()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 401


def test_someone_elses_token_cannot_be_revoked():
    owner, other = make_user(), make_user("yuwei", "yuwei@example.org")
    row, _token = tokens.issue(owner, "mine")
    assert not tokens.revoke(other, row.pk)
    row.refresh_from_db()
    assert row.active


def test_api_calls_are_rate_limited_per_caller(client, settings):
    settings.API_RATE_LIMIT_ANON = 3
    settings.API_RATE_LIMIT = 5
    for _ in range(3):
        assert client.get("/api/papers").status_code == 200
    limited = client.get("/api/papers")
    assert limited.status_code == 429 and limited["Retry-After"] == "3600"
    assert limited.json()["error"]["code"] == "rate_limited"
    _row, token = tokens.issue(make_user(), "script")  # a token has its own, larger budget
    codes = [client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_caller_tells_public_endpoints_who_is_asking(rf):
    from django.contrib.auth.models import AnonymousUser

    from academichub.api.auth import caller

    user = make_user()
    _row, token = tokens.issue(user, "x")
    request = rf.get("/api/papers", HTTP_AUTHORIZATION=f"Bearer {token}")
    request.user = AnonymousUser()
    assert caller(request) == user
    signed_in = rf.get("/api/papers")
    signed_in.user = user
    assert caller(signed_in) == user
    nobody = rf.get("/api/papers", HTTP_AUTHORIZATION="Bearer ahp_nope")
    nobody.user = AnonymousUser()
    assert not caller(nobody).is_authenticated


def test_admin_lists_tokens_and_webhooks(client):
    admin = make_user("admin", "admin@example.org", is_staff=True, is_superuser=True)
    tokens.issue(admin, "for the admin")
    client.force_login(admin)
    for url in ("/admin/delivery/personalaccesstoken/", "/admin/delivery/webhook/", "/admin/delivery/webhookdelivery/"):
        assert client.get(url).status_code == 200, url
