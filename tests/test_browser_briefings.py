"""A week's briefing for a scope, requested and read in real headless Chromium, in English and Chinese."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from academichub.briefings import services
from academichub.briefings.models import Briefing
from academichub.papers.models import Paper
from tests.browser import SCREENSHOTS, chromium, open_page  # noqa: F401 (fixtures)
from tests.test_briefing_app import LAST, catalogue, setup  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "lattice-Boltzmann-42"


def sign_in(page, base: str) -> None:
    page.goto(base + "/accounts/login/?next=/briefings/")
    page.fill("input[name=username]", "mei")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(base + "/briefings/")


def cited_papers(page) -> list[tuple[int, Paper]]:
    """Each [n] of the briefing on screen with the paper the stored citations give it, checking the link."""
    cites = page.locator("#briefing-body a.cite")
    assert cites.count() > 5
    by_n = {c["n"]: c for c in Briefing.objects.latest("id").citations}
    found = []
    for i in range(cites.count()):
        link = cites.nth(i)
        n = int(link.get_attribute("data-n"))
        paper = Paper.objects.get(pk=by_n[n]["paper_id"])
        assert link.get_attribute("href") == f"/paper/{paper.arxiv_id}" and link.inner_text() == f"[{n}]"
        assert by_n[n]["arxiv_id"] == paper.arxiv_id
        found.append((i, paper))
    return found


def open_citation(page, i: int, paper: Paper) -> None:
    """Click the i-th [n]: the paper page shows that paper's title and arXiv id; then come back."""
    page.locator("#briefing-body a.cite").nth(i).click()
    page.wait_for_selector("h1.title")
    before_math = paper.title_text.split("$")[0].strip()  # KaTeX renders what follows a $
    assert page.inner_text("h1.title").strip().startswith(before_math)
    assert page.inner_text(".ident").startswith(f"arXiv:{paper.arxiv_id}v")
    assert page.url.endswith(f"/paper/{paper.arxiv_id}")
    page.go_back()
    page.wait_for_selector("#briefing-body a.cite")


def check_citations(page, base: str) -> int:
    """Every [n] links to the paper the reference list names; a few are opened."""
    cited = cited_papers(page)
    for i in (0, len(cited) // 2, len(cited) - 1):
        open_citation(page, *cited[i])
    return len(cited)


def test_week_briefing_in_english_and_chinese(live_server, chromium, catalogue, expected_vendor):  # noqa: F811
    get_user_model().objects.create_user("mei", password=PASSWORD)
    page = open_page(chromium, locale="en-US")
    base = live_server.url
    sign_in(page, base)

    page.select_option("select[name=scope_kind]", "category")
    page.fill("textarea[name=scope_value]", "cs.IT")
    page.select_option("select[name=window_kind]", "week")
    page.fill("input[name=anchor]", LAST.isoformat())
    page.select_option("select[name=language]", "en")
    page.get_by_role("button", name="Write the briefing").click()
    page.wait_for_selector("#briefing-body a.cite")
    assert "Cross-domain links" in page.inner_text("#briefing-body")
    page.screenshot(path=str(SCREENSHOTS / f"briefing-week-en-{expected_vendor}.png"), full_page=True)
    check_citations(page, base)

    # Chinese: the page polls (htmx) while the worker writes, then shows the briefing.
    page.click("form.lang button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    owner = get_user_model().objects.get(username="mei")
    pending = Briefing.objects.create(owner=owner, scope_kind="category", scope_value="cs.IT", window_kind="week",
                                      window_start=LAST - timedelta(days=6), window_end=LAST, language="zh-hans")  # fmt: skip
    page.goto(f"{base}/briefings/{pending.pk}/")
    assert page.locator("#briefing-body[hx-get]").count() == 1 and "等待中" in page.inner_text("#briefing-body")
    worker = threading.Thread(target=services.generate, args=(pending,))
    worker.start()
    page.wait_for_selector("#briefing-body a.cite", timeout=120_000)
    worker.join()
    text = page.inner_text("#briefing-body")
    assert "概览" in text and "跨领域关联" in text and "参考文献" in text
    page.screenshot(path=str(SCREENSHOTS / f"briefing-week-zh-{expected_vendor}.png"), full_page=True)
    check_citations(page, base)
