"""Exact authors on real records from ../shared/data: the "Chenrui Wu" defect, tricky names, namesakes."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest
from django.urls import reverse

from academichub.core.dumps import parse_line
from academichub.papers.models import Author
from academichub.papers.storage import CatalogueWriter
from academichub.radar.authors import people_of, resolve_name
from academichub.radar.feed import feed_for
from academichub.radar.models import Radar
from tests.radar_support import DAY, add_paper

pytestmark = pytest.mark.django_db

# Real arXiv records: the reference screen's card 01 (by Chenrui Shi and Yuwei Wu), a second
# paper of the same pair, and papers whose authors have accents, TeX accents, initials and hyphens.
REAL_IDS = {
    "2504.21561": "SPORT, Chenrui Shi + Yuwei Wu",
    "2510.26098": "Chenrui Shi + Yuwei Wu again",
    "2503.11849": "Laura Leal-Taixé",
    "2510.02569": "Tolúl\\d{o}pé Ògúnrèmí (TeX accent)",
    "2601.05747": "Peter St\\ütz",
    "2503.12028": "F. Çengel (initial)",
    "2503.12018": "Tat-Seng Chua (hyphenated Chinese given name)",
}


@pytest.fixture(scope="module")
def real_records(cs_corpus):
    found = {}
    with gzip.open(cs_corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line[8:18] in REAL_IDS or json.loads(line)["id"] in REAL_IDS:
                obj = json.loads(line)
                found[obj["id"]] = obj
                if len(found) == len(REAL_IDS):
                    break
    assert set(found) == set(REAL_IDS), f"missing from the corpus: {set(REAL_IDS) - set(found)}"
    return found


@pytest.fixture
def catalogue(real_records):
    CatalogueWriter("test").write([parse_line(obj) for obj in real_records.values()])


def test_chenrui_wu_never_matches_chenrui_shi_and_yuwei_wu(client, django_user_model, catalogue):
    """The reference screen showed the SPORT paper under the chip "作者: Chenrui Wu"."""
    user = django_user_model.objects.create_user("wu", "w@example.org", "pw-wu-123456")
    client.force_login(user)
    assert resolve_name("Chenrui Wu") == []            # no such person in the corpus: nothing to follow
    radar = Radar.objects.create(owner=user, name="Wu", window="month")
    response = client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "author", "value": "Chenrui Wu"}, follow=True)
    assert "No author named “Chenrui Wu” is in the catalogue." in response.content.decode()
    assert not radar.followed.exists()
    # Once a real Chenrui Wu publishes, only that paper matches.
    add_paper(7, "A paper by the real Chenrui Wu", authors=["Chenrui Wu", "Ada Lovelace"])
    client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "author", "value": "Chenrui Wu"})
    assert [f.author.name for f in radar.followed.all()] == ["Chenrui Wu"]
    assert [i.paper.arxiv_id for i in feed_for(radar, window="month", end=DAY).items] == ["2606.00007"]
    for end in ("2025-05-01", "2025-10-31"):       # the two Chenrui Shi + Yuwei Wu papers' days
        assert feed_for(radar, window="month", end=date.fromisoformat(end)).items == []


@pytest.mark.parametrize("typed, stored", [
    ("Laura Leal-Taixé", "Laura Leal-Taixé"),
    ("Leal-Taixé, Laura", "Laura Leal-Taixé"),          # Family, Given
    ("Laura Leal-Taixe", "Laura Leal-Taixé"),           # accent left out
    ("Laura Leal Taixe", "Laura Leal-Taixé"),           # hyphen left out
    ("Tolulope Ogunremi", "Tolúlọpé Ògúnrèmí"),         # stored from TeX \d{o}, typed plain
    ("Ògúnrèmí, Tolúlọpé", "Tolúlọpé Ògúnrèmí"),
    ('Peter St\\"utz', "Peter Stütz"),                  # TeX accent typed
    ("Peter Stutz", "Peter Stütz"),
    ("Tat-Seng Chua", "Tat-Seng Chua"),
    ("Chua, Tat-Seng", "Tat-Seng Chua"),
    ("CHUA Tat-Seng", "Tat-Seng Chua"),                 # family name first, in capitals
    ("T.-S. Chua", "Tat-Seng Chua"),                    # initials offer the full name
])  # fmt: skip
def test_tricky_real_names_resolve_to_the_stored_author(catalogue, typed, stored):
    assert stored in [a.name for a in resolve_name(typed)]


@pytest.mark.parametrize("typed", ["Chenrui Shi Yuwei Wu", "Yuwei Shi", "Chen Wu", "Laura Taixé", "Leal, Laura", "Peter"])
def test_names_that_are_not_these_people_do_not_resolve_to_them(catalogue, typed):
    names = {a.name for a in resolve_name(typed)}
    assert not names & {"Chenrui Shi", "Yuwei Wu", "Laura Leal-Taixé", "Peter Stütz"}


def test_initials_give_choices_and_the_reader_picks(client, django_user_model, catalogue):
    user = django_user_model.objects.create_user("pick", "p@example.org", "pw-pick-12345")
    client.force_login(user)
    add_paper(8, "Another F. Cengel?", authors=["Fatih Çengel", "Ada Lovelace"])
    radar = Radar.objects.create(owner=user, name="C")
    response = client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "author", "value": "F. Cengel"})
    assert response.status_code == 302 and reverse("radar:pick_author", args=[radar.pk]) in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "F. Çengel" in page and "Fatih Çengel" in page
    fatih = Author.objects.get(name="Fatih Çengel")
    client.post(reverse("radar:pick_author", args=[radar.pk]), {"author": fatih.pk, "group": "0"})
    assert [f.author.name for f in radar.followed.all()] == ["Fatih Çengel"]


def test_namesakes_are_split_by_coauthors_and_one_can_be_followed(client, django_user_model):
    user = django_user_model.objects.create_user("ns", "n@example.org", "pw-ns-123456")
    client.force_login(user)
    add_paper(1, "Vision one", authors=["Wei Wang", "Ana Silva"], categories=["cs.CV"])
    add_paper(2, "Vision two", authors=["Wei Wang", "Ana Silva", "Bo Li"], categories=["cs.CV"])
    add_paper(3, "Neurons", authors=["Wei Wang", "Karl Friston"], categories=["q-bio.NC"])
    wang = Author.objects.get(name="Wei Wang")
    groups = people_of(wang)
    assert [g.size for g in groups] == [2, 1]
    page = client.get(reverse("radar:author", args=[wang.pk])).content.decode()
    assert "Possibly several people" in page and "Karl Friston" in page and "Vision two" in page and "Neurons" in page
    radar = Radar.objects.create(owner=user, name="Wang", window="month")
    response = client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "author", "value": "Wei Wang"})
    assert reverse("radar:pick_author", args=[radar.pk]) in response["Location"]
    client.post(reverse("radar:pick_author", args=[radar.pk]), {"author": wang.pk, "group": "2"})
    assert [i.paper.title_text for i in feed_for(radar).items] == ["Neurons"]
    client.post(reverse("radar:pick_author", args=[radar.pk]), {"author": wang.pk, "group": "1"})
    assert sorted(i.paper.title_text for i in feed_for(radar).items) == ["Vision one", "Vision two"]
    assert client.post(reverse("radar:pick_author", args=[radar.pk]), {"author": wang.pk, "group": "9"}).status_code == 400


def test_author_page_lists_the_papers_and_finds_by_name(client, catalogue):
    author = Author.objects.get(name="Chenrui Shi")
    html = client.get(reverse("radar:author", args=[author.pk])).content.decode()
    assert "Iterative Trajectory Exploration for Multimodal Agents" in html and "2 papers in the catalogue" in html
    assert "Possibly several people" not in html    # both papers share co-authors: one person
    found = client.get(reverse("radar:author_search"), {"name": "Shi, Chenrui"}).content.decode()
    assert reverse("radar:author", args=[author.pk]) in found
    assert client.get(reverse("radar:author", args=[999999])).status_code == 404
