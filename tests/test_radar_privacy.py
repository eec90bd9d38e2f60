"""A radar is its owner's: another reader can neither read nor change it, by page or API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from academichub.radar.models import FeedImpression, Radar, Rating
from tests.radar_support import add_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(django_user_model):
    owner = django_user_model.objects.create_user("owner", "o@example.org", "pw-owner-1234")
    other = django_user_model.objects.create_user("other", "x@example.org", "pw-other-1234")
    paper = add_paper(1, "Agents that plan", authors=["Chenrui Wu"])
    radar = Radar.objects.create(owner=owner, name="Secret agents", keywords="agent", categories=["cs.CL"])
    return owner, other, radar, paper


def test_pages_are_404_for_another_reader_and_nothing_changes(client, setup):
    owner, other, radar, paper = setup
    client.force_login(other)
    for name in ("feed", "edit", "pick_author"):
        assert client.get(reverse(f"radar:{name}", args=[radar.pk])).status_code == 404
    posts = [
        ("radar:remove_chip", {"kind": "keyword", "value": "agent"}), ("radar:add_chip", {"kind": "keyword", "value": "x"}),
        ("radar:more", {"shown": [paper.pk]}), ("radar:reset", {}), ("radar:share", {"action": "start"}),
        ("radar:delete", {}), ("radar:edit", {"name": "mine now"}),
    ]  # fmt: skip
    for name, data in posts:
        assert client.post(reverse(name, args=[radar.pk]), data).status_code == 404, name
    assert client.post(reverse("radar:rate", args=[radar.pk, paper.pk]), {"value": "1"}).status_code == 404
    assert client.post(reverse("radar:follow_author", args=[paper.authors.get().pk]), {"radar": radar.pk}).status_code == 404
    radar.refresh_from_db()
    assert (radar.name, radar.keywords, radar.share_token) == ("Secret agents", "agent", None)
    assert not FeedImpression.objects.exists() and not Rating.objects.exists()
    assert "Secret agents" not in client.get(reverse("radar:list")).content.decode()


def test_signed_out_readers_are_sent_to_sign_in(client, setup):
    _owner, _other, radar, _paper = setup
    response = client.get(reverse("radar:feed", args=[radar.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.post(reverse("radar:remove_chip", args=[radar.pk]), {"kind": "keyword", "value": "agent"}).status_code == 302
    assert Radar.objects.get().keywords == "agent"


def test_api_is_404_for_another_reader_and_401_signed_out(client, setup):
    owner, other, radar, paper = setup
    base = f"/api/radars/{radar.pk}"
    assert client.get(base).status_code == 401
    assert client.get(base).json()["error"]["code"] == "unauthenticated"
    client.force_login(other)
    assert client.get("/api/radars").json() == []
    for method, path, body in [("get", base, None), ("get", base + "/feed", None),
                               ("patch", base, {"name": "mine"}), ("delete", base, None),
                               ("post", base + "/feed/seen", {"paper_ids": [paper.pk]}), ("post", base + "/feed/reset", None)]:  # fmt: skip
        response = getattr(client, method)(path, data=json.dumps(body) if body else None, content_type="application/json")
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "not_found"
    response = client.put(f"/api/ratings/{paper.pk}", data=json.dumps({"value": 1, "radar_id": radar.pk}),
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 404
    assert Radar.objects.get().name == "Secret agents" and not Rating.objects.exists()


def test_a_share_link_is_read_only(client, setup):
    owner, other, radar, _paper = setup
    client.force_login(owner)
    client.post(reverse("radar:share", args=[radar.pk]), {"action": "start"})
    radar.refresh_from_db()
    assert radar.share_token and len(radar.share_token) >= 32
    client.logout()
    client.force_login(other)
    response = client.get(reverse("radar:shared", args=[radar.share_token]))
    html = response.content.decode()
    assert response.status_code == 200 and "Agents that plan" in html
    assert "chip-remove" not in html and "another-batch" not in html and "thumb" not in html
    assert client.get(reverse("radar:shared", args=["not-a-token"])).status_code == 404
    client.force_login(owner)
    client.post(reverse("radar:share", args=[radar.pk]), {"action": "stop"})
    assert client.get(reverse("radar:shared", args=[radar.share_token])).status_code == 404
