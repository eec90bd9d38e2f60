"""A radar's week briefing, asked for from the radar's page in real headless Chromium, in English and Chinese.

Every [n] is clicked and must open the page of the paper the reference list names.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from academichub.briefings.models import Briefing
from academichub.radar.feed import clear_cache
from academichub.radar.models import Radar
from tests.browser import SCREENSHOTS, chromium, open_page  # noqa: F401 (fixtures)
from tests.test_briefing_app import catalogue, setup  # noqa: F401 (fixtures)
from tests.test_browser_briefings import PASSWORD, cited_papers, open_citation, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_every_citation(page) -> int:
    """Open each [n] in turn: the paper page shows the title and arXiv id the reference list names."""
    cited = cited_papers(page)
    for i, paper in cited:
        open_citation(page, i, paper)
    return len(cited)


def test_a_radars_week_briefing_in_english_and_chinese(live_server, chromium, catalogue, expected_vendor):  # noqa: F811
    clear_cache()
    owner = get_user_model().objects.create_user("mei", password=PASSWORD)
    radar = Radar.objects.create(owner=owner, name="Codes and games", categories=["cs.IT", "cs.GT"])
    page = open_page(chromium, locale="en-US")
    base = live_server.url
    sign_in(page, base)

    page.goto(f"{base}/radars/{radar.pk}/")
    page.get_by_role("button", name="Brief this radar's week").click()
    page.wait_for_selector("#briefing-body a.cite")
    assert "Codes and games" in page.inner_text("h1") and "Cross-domain links" in page.inner_text("#briefing-body")
    english = Briefing.objects.latest("id")
    assert (english.scope_kind, english.scope_value) == ("radar", str(radar.pk))
    assert (english.window_kind, english.language) == ("week", "en")
    page.screenshot(path=str(SCREENSHOTS / f"briefing-radar-week-en-{expected_vendor}.png"), full_page=True)
    click_every_citation(page)

    page.click("form.lang button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    page.goto(f"{base}/briefings/radar/{radar.pk}/")
    assert "往期简报" in page.inner_text("#radar-briefings")
    page.get_by_role("button", name="生成本雷达的本周简报").click()
    page.wait_for_selector("#briefing-body a.cite", timeout=120_000)
    text = page.inner_text("#briefing-body")
    assert "概览" in text and "跨领域关联" in text and "参考文献" in text
    assert Briefing.objects.latest("id").language == "zh-hans"
    page.screenshot(path=str(SCREENSHOTS / f"briefing-radar-week-zh-{expected_vendor}.png"), full_page=True)
    click_every_citation(page)

    page.goto(f"{base}/briefings/radar/{radar.pk}/")  # both are listed on the radar's briefings page
    assert page.locator("#radar-briefings .briefing-list li").count() == 2
