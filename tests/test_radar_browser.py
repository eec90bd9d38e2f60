"""A new reader's radar in real headless Chromium: sign up, create, chips, 换一批, 👎, languages."""

from __future__ import annotations

import pytest

from tests.browser import SCREENSHOTS, chromium, open_page  # noqa: F401 (fixtures)
from tests.radar_support import add_paper, hashing_vectors  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "radar-Feed-2026"
TOPICS = {
    "web": "browser web pages clicks navigation websites",
    "robot": "robot arm grasping objects manipulation gripper",
    "math": "theorem proving formal lean proofs mathematics",
    "code": "program synthesis code repair software repositories",
    "game": "video game playing reinforcement environments atari",
}


def papers():
    n = 0
    for round_ in range(9):
        for topic, words in TOPICS.items():
            n += 1
            add_paper(n, f"An agent for {topic} tasks, study {round_}", abstract=f"{words} agent {words}",
                      authors=["Ada Lovelace", f"Author {n}"], categories=["cs.CV" if n % 2 else "cs.AI"])  # fmt: skip
    add_paper(90, "Iterative Trajectory Exploration for Multimodal Agents", authors=["Chenrui Shi", "Yuwei Wu"],
              categories=["cs.CV"], abstract="tool usage exploration agent")  # fmt: skip
    for k in (91, 92):
        add_paper(k, f"Sparse reward shaping, part {k}", authors=["Chenrui Wu", "Grace Hopper"], categories=["cs.LG"],
                  abstract="reward shaping for sparse problems")  # fmt: skip


def card_ids(page) -> list[str]:
    return page.locator("#radar-feed li.radar-card").evaluate_all("els => els.map(e => e.dataset.paper)")


def titles(page) -> list[str]:
    return page.locator("#radar-feed li.radar-card h2.title").all_inner_texts()


def topic_ranks(page, base: str, radar_id: str, topic: str) -> list[int]:
    """Positions of one topic's papers in the whole ranking, read through the API with the page's session."""
    items = page.request.get(f"{base}/api/radars/{radar_id}/feed?size=100").json()["items"]
    return [rank for rank, item in enumerate(items) if f"for {topic} tasks" in item["title"]]


def test_new_reader_builds_a_radar_and_uses_it(live_server, chromium, expected_vendor, hashing_vectors):
    papers()
    page = open_page(chromium, locale="en-US")
    shot = lambda name: page.screenshot(path=str(SCREENSHOTS / f"radar-{name}-{expected_vendor}.png"), full_page=True)  # noqa: E731

    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=username]", "lin")
    page.fill("input[name=email]", "lin@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(live_server.url + "/")

    page.goto(live_server.url + "/radars/new/")
    page.fill("input[name=name]", "Agents")
    page.fill("input[name=keywords]", "agent")
    page.fill("textarea[name=authors_text]", "Chenrui Wu")
    page.fill("input[name=categories_text]", "cs.CV")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#radar-feed li.radar-card")
    chips = page.locator(".chips .chip").all_inner_texts()
    assert [c.replace("×", "").strip() for c in chips] == ["Keyword: agent", "Author: Chenrui Wu", "Category: cs.CV"]
    cards = page.locator("#radar-feed li.radar-card").all_inner_texts()
    by_wu = sorted(title for title, text in zip(titles(page), cards) if "by Chenrui Wu, whom you follow" in text)
    assert by_wu == ["Sparse reward shaping, part 91", "Sparse reward shaping, part 92"]       # never Shi + Wu's paper
    assert "by Chenrui Wu, whom you follow" in cards[0]                                      # the followed author first
    decoy = next(t for t in cards if "Iterative Trajectory Exploration" in t)
    assert "matches “agent” in the title" in decoy and "in cs.CV, a category you follow" in decoy
    shot("feed-en")

    page.click("form.lang button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "作者: Chenrui Wu" in page.inner_text(".chips") and page.locator("button.another-batch").inner_text() == "换一批"
    shot("feed-zh")

    page.locator(".chip-author button.chip-remove").click()                 # remove "作者: Chenrui Wu ×" (htmx)
    page.wait_for_selector(".chip-author", state="detached")
    after = titles(page)
    assert not {"Sparse reward shaping, part 91", "Sparse reward shaping, part 92"} & set(after)
    shot("chip-removed-zh")

    seen = set(card_ids(page))
    for batch in (2, 3, 4):
        page.locator("button.another-batch").click()
        page.wait_for_selector(f"#radar-feed[data-batch='{batch}']")
        shown = card_ids(page)
        assert shown and not seen & set(shown), f"batch {batch} repeated a paper"
        seen |= set(shown)
    shot("third-batch-zh")

    page.locator("form[action$='/reset/'] button").click()
    page.wait_for_selector("#radar-feed[data-batch='1']")
    top = page.locator("#radar-feed li.radar-card", has_text=" tasks, study ").first
    topic = next(t for t in TOPICS if f"for {t} tasks" in top.locator("h2.title").inner_text())
    radar_id = page.url.rstrip("/").split("/")[-1]
    before = topic_ranks(page, live_server.url, radar_id, topic)
    disliked = top.get_attribute("data-paper")
    top.locator("button.thumb.down").click()
    page.wait_for_selector(f"#paper-{disliked}", state="detached")
    after = topic_ranks(page, live_server.url, radar_id, topic)
    assert len(after) == len(before) - 1 == 8                         # the disliked paper is gone
    assert min(after) > max(before) and min(after) >= 35               # its look-alikes sank below every other topic
    shot("after-thumbs-down-zh")

    page.click("form.lang button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("button.another-batch").inner_text() == "Another batch"
    assert page.dialogs == []
