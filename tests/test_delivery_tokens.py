"""The API tokens page: create (shown once), list, revoke, rate limit, sign-in required."""

from __future__ import annotations

import re

import pytest

from academichub.delivery.token_models import PersonalAccessToken
from tests.delivery_helpers import make_user, own_cache  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache")]


def test_page_needs_sign_in(client):
    response = client.get("/settings/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_create_shows_the_token_once_and_it_works(client):
    client.force_login(make_user())
    response = client.post("/settings/tokens/", {"name": "Zotero sync"})
    html = response.content.decode()
    assert response.status_code == 200
    token = re.search(r'value="(ahp_[^"]+)"', html).group(1)
    assert "will not be shown again" in html
    again = client.get("/settings/tokens/").content.decode()
    assert token not in again and token[:10] in again and "Zotero sync" in again
    client.logout()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()["username"] == "chenrui"


def test_revoke_from_the_page(client):
    user = make_user()
    client.force_login(user)
    client.post("/settings/tokens/", {"name": "old"})
    row = PersonalAccessToken.objects.get(user=user)
    assert client.get(f"/settings/tokens/{row.pk}/revoke/").status_code == 405  # no state change on GET
    response = client.post(f"/settings/tokens/{row.pk}/revoke/", follow=True)
    row.refresh_from_db()
    assert row.revoked_at is not None and "revoked" in response.content.decode()


def test_token_creation_is_rate_limited_and_names_are_required(client):
    client.force_login(make_user())
    assert client.post("/settings/tokens/", {"name": ""}).status_code == 400
    codes = [client.post("/settings/tokens/", {"name": f"t{n}"}).status_code for n in range(9)]
    assert codes == [200] * 9  # with the empty name above: 10 attempts, the hourly limit
    limited = client.post("/settings/tokens/", {"name": "one too many"})
    assert limited.status_code == 429 and limited["Retry-After"]
    assert PersonalAccessToken.objects.count() == 9


def test_settings_page_links_to_tokens_and_webhooks(client):
    client.force_login(make_user())
    html = client.get("/accounts/settings/").content.decode()
    assert 'href="/settings/tokens/"' in html and 'href="/settings/webhooks/"' in html
