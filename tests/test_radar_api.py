"""The radar API: CRUD through the same validation as the pages, the feed, seen papers, ratings."""

from __future__ import annotations

import json

import pytest

from academichub.radar.models import Radar, Rating
from tests.radar_support import add_paper, hashing_vectors  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, django_user_model):
    user = django_user_model.objects.create_user("api", "a@example.org", "pw-api-12345")
    client.force_login(user)

    def call(method, path, body=None):
        data = json.dumps(body) if body is not None else None
        return getattr(client, method)("/api" + path, data=data, content_type="application/json")

    call.user = user
    return call


def test_create_read_update_delete(api):
    add_paper(1, "Agents", authors=["Chenrui Wu", "Yuwei Wu"], categories=["cs.CV"])
    response = api("post", "/radars", {"name": "Agents", "keywords": "agent -survey", "categories": ["CS.cv"],
                                       "authors": ["Wu, Chenrui"], "seeds": ["2606.00001"]})  # fmt: skip
    assert response.status_code == 201, response.content
    radar = response.json()
    assert radar["categories"] == ["cs.CV"] and [a["name"] for a in radar["authors"]] == ["Chenrui Wu"]
    assert radar["seeds"] == ["2606.00001"] and radar["shared"] is False
    assert api("get", f"/radars/{radar['id']}").json()["keywords"] == "agent -survey"
    response = api("patch", f"/radars/{radar['id']}", {"keywords": "planning"})
    assert response.json()["keywords"] == "planning" and response.json()["authors"][0]["name"] == "Chenrui Wu"
    assert [r["id"] for r in api("get", "/radars").json()] == [radar["id"]]
    assert api("delete", f"/radars/{radar['id']}").status_code == 204
    assert not Radar.objects.exists()


def test_invalid_input_is_a_clear_422(api):
    response = api("post", "/radars", {"name": "x", "categories": ["cs.NOPE"], "authors": ["Nobody Atall"]})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "cs.NOPE" in message and "Nobody Atall" in message
    assert api("post", "/radars", {"keywords": "no name"}).status_code == 422
    radar = Radar.objects.create(owner=api.user, name="r")
    assert api("get", f"/radars/{radar.pk}/feed?window=year").status_code == 422
    assert api("put", "/ratings/1", {"value": 5}).status_code == 422


def test_feed_batches_and_ratings(api, hashing_vectors):
    papers = [add_paper(n, f"Agent paper {n}") for n in range(1, 16)]
    radar = api("post", "/radars", {"name": "A", "keywords": "agent"}).json()
    feed = api("get", f"/radars/{radar['id']}/feed?size=10").json()
    assert len(feed["items"]) == 10 and feed["remaining"] == 5 and feed["batch"] == 1
    item = feed["items"][0]
    assert {"code": "keyword", "params": {"term": "agent", "where": "title"},
            "text": "matches “agent” in the title"} in item["reasons"]  # fmt: skip
    ids = [i["paper_id"] for i in feed["items"]]
    assert api("post", f"/radars/{radar['id']}/feed/seen", {"paper_ids": ids}).json() == {"recorded": 10}
    second = api("get", f"/radars/{radar['id']}/feed").json()
    assert len(second["items"]) == 5 and not {i["paper_id"] for i in second["items"]} & set(ids)
    assert second["batch"] == 2
    api("post", f"/radars/{radar['id']}/feed/seen", {"paper_ids": [i["paper_id"] for i in second["items"]]})
    third = api("get", f"/radars/{radar['id']}/feed").json()
    assert third["items"] == [] and third["exhausted"] is True
    assert api("post", f"/radars/{radar['id']}/feed/reset").json() == {"forgotten": 15}
    assert api("put", f"/ratings/{papers[0].pk}", {"value": -1, "radar_id": radar["id"]}).json() == {
        "paper_id": papers[0].pk, "value": -1}
    assert api("get", "/ratings").json() == [{"paper_id": papers[0].pk, "value": -1}]
    assert papers[0].pk not in [i["paper_id"] for i in api("get", f"/radars/{radar['id']}/feed?size=20").json()["items"]]
    assert api("delete", f"/ratings/{papers[0].pk}").status_code == 204 and not Rating.objects.exists()
