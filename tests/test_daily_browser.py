"""The daily page in real headless Chromium: browse days, weeks and months, upvote with htmx, submit a paper."""

from __future__ import annotations

import json
from datetime import date

import pytest

from academichub.daily.models import PaperStats
from tests.browser import SCREENSHOTS, chromium, open_page  # noqa: F401 (fixtures)
from tests.conftest_http import Reply
from tests.daily_helpers import PASSWORD, make_user, papers_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" and "Content Security Policy" in m.text
            else None)  # fmt: skip
    return found


def test_browse_upvote_and_submit(live_server, chromium, local_server, settings, fixtures_dir, expected_vendor):
    settings.ARXIV_API_URL, settings.HTTP_MIN_INTERVAL = local_server.url("/api/query"), 0
    recorded = json.loads((fixtures_dir / "arxiv_api/id_1605.08386_s0_m100_199195aa31ad.json").read_text())
    local_server.script("/api/query", Reply(200, body=recorded["body"].encode("latin-1")))
    papers_on(date(2026, 6, 29), count=2, start=1)
    tuesday = papers_on(date(2026, 6, 30), count=3, start=10)
    make_user("hui", password=PASSWORD)
    page = open_page(chromium, locale="en-US")
    violations = csp_violations(page)
    def shot(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"daily-{name}-{expected_vendor}.png"), full_page=True)


    page.goto(live_server.url + "/accounts/login/?next=/")
    page.fill("input[name=username]", "hui")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator("article.card").count() == 3 and "2026-06-30" in page.inner_text("nav.days")
    shot("today")

    page.click("nav.days a[rel=prev]")
    page.wait_for_url("**/day/2026-06-29/")
    assert page.locator("article.card").count() == 2
    page.click("nav.views >> text=Week")
    page.wait_for_url("**/week/2026-W27/")
    assert page.locator("article.card").count() == 5
    shot("week")
    page.click("nav.views >> text=Month")
    page.wait_for_url("**/month/2026-06/")
    assert page.locator("article.card").count() == 5 and "June 2026" in page.inner_text("nav.days")

    page.goto(live_server.url + "/day/2026-06-30/")
    card = page.locator(f"#paper-{tuesday[1].pk}")
    page.evaluate("window.__notReloaded = true")
    card.locator("button.upvote").click()
    card.locator("button.upvote[aria-pressed=true]").wait_for()
    assert card.locator(".vote-count").inner_text() == "1"
    assert page.evaluate("window.__notReloaded") is True  # htmx swapped the button; the page stayed
    shot("upvoted")
    page.reload()
    card = page.locator(f"#paper-{tuesday[1].pk}")
    assert card.locator(".vote-count").inner_text() == "1"
    assert card.locator("button.upvote").get_attribute("aria-pressed") == "true"
    card.locator("button.upvote").click()
    card.locator("button.upvote[aria-pressed=false]").wait_for()
    page.reload()
    assert page.locator(f"#paper-{tuesday[1].pk} .vote-count").inner_text() == "0"
    assert PaperStats.objects.get(paper=tuesday[1]).upvotes == 0

    page.click("aside.daily-side >> text=Submit a paper")
    page.fill("input[name=identifier]", "1605.08386")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url("**/day/2016-05-27/#paper-*")
    submitted = page.locator("article.card").first
    assert "Heat-bath random walks with Markov bases" in submitted.inner_text()
    assert "Submitted by hui" in submitted.inner_text()
    shot("submitted")
    assert violations == [] and page.dialogs == []
