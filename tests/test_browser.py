"""Today's page and a paper page in real headless Chromium (Debian's)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser import SCREENSHOTS, browser_page, chromium  # noqa: F401 (fixtures)
from tests.factories import XSS_ABSTRACT, make_papers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_today_and_paper_pages_render_math_and_run_no_feed_script(live_server, browser_page, expected_vendor):
    make_papers(date(2026, 6, 12), count=4)
    (xss_id,) = make_papers(date(2026, 6, 12), count=1, start=50, abstract=XSS_ABSTRACT)
    page = browser_page
    page.goto(live_server.url + "/")
    assert page.locator("article.card").count() == 5
    assert page.locator("article.card .num").first.inner_text() == "01."
    page.wait_for_selector(".katex", timeout=10_000)  # KaTeX turned $...$ into math
    page.screenshot(path=str(SCREENSHOTS / f"today-{expected_vendor}.png"), full_page=True)
    page.goto(f"{live_server.url}/paper/{xss_id}")
    page.wait_for_selector("h1.title")
    assert "nothing runs" in page.inner_text("section.abstract")
    page.screenshot(path=str(SCREENSHOTS / f"paper-{expected_vendor}.png"), full_page=True)
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []
