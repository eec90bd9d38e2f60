"""Shared Playwright fixtures: Debian's headless Chromium, never a downloaded browser.

Import the fixtures into a test module (`from tests.browser import browser_page, chromium`)
so each browser test file keeps the same setup and screenshot folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture
def chromium():
    """A launched Chromium; closed after the test."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./hub test (it installs Debian's chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, **options):
    """A new page (its own context); `page.dialogs` collects alert/confirm texts,
    so a test can assert that no script from a feed ever ran."""
    page = browser.new_page(**{"viewport": {"width": 1200, "height": 900}, **options})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    return page


@pytest.fixture
def browser_page(chromium):
    yield open_page(chromium)
