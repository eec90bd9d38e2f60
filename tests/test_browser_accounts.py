"""Sign up and switch languages in real headless Chromium (Debian's)."""

from __future__ import annotations

from datetime import date

import pytest

from academichub.accounts.models import Profile
from tests.browser import SCREENSHOTS, chromium, open_page  # noqa: F401 (fixtures)
from tests.factories import make_papers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "lattice-Boltzmann-42"


def csp_violations(page) -> list[str]:
    """Collects console errors about the Content-Security-Policy (inline script, etc.)."""
    found: list[str] = []

    def collect(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", collect)
    return found


def test_sign_up_and_switch_to_chinese_and_back(live_server, chromium, expected_vendor):
    make_papers(date(2026, 6, 12), count=3)
    page = open_page(chromium, locale="en-US", timezone_id="Asia/Shanghai")
    violations = csp_violations(page)
    shot = lambda name: page.screenshot(path=str(SCREENSHOTS / f"{name}-{expected_vendor}.png"), full_page=True)  # noqa: E731

    page.goto(live_server.url + "/")
    page.locator("header .account-menu").get_by_role("link", name="Sign up").click()
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", "hui")
    page.fill("input[name=email]", "hui@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    assert page.input_value("input[name=time_zone]") == "Asia/Shanghai"  # accounts.js ran (CSP allows it)
    shot("signup")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(live_server.url + "/")
    assert page.inner_text("header .account-menu .user") == "hui"
    shot("signed-in")

    page.click("form.lang button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "今日" in page.inner_text("header") and "退出登录" in page.inner_text("header")
    assert "探索全球前沿学术脉络" in page.inner_text("main .lead")
    assert "Academic Intelligence · Curated Daily" in page.inner_text("header .tagline")
    assert Profile.objects.get(user__username="hui").language == "zh-hans"
    shot("today-zh")
    page.goto(live_server.url + "/accounts/settings/")
    assert "当地时间" in page.inner_text("main") and "UTC+0800" in page.inner_text("main")
    shot("settings-zh")

    page.click("form.lang button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Settings" in page.inner_text("main h1")
    assert Profile.objects.get(user__username="hui").language == "en"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator("header .account-menu").get_by_role("link", name="Sign in").is_visible()
    shot("signed-out")
    assert violations == [] and page.dialogs == []
