"""Hostile-input and request-forgery defences across the whole site.

- CSRF: every URL the site routes refuses a POST without a CSRF token from a
  signed-in browser (403), except the few that must accept one by design.
- Security headers on every page; HSTS when configured.
- XSS: hostile titles, abstracts, author names, comments and radar names are
  rendered inert on every page that shows them, checked in real Chromium.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser import SCREENSHOTS, browser_page, chromium  # noqa: F401 (fixtures)
from tests.factories import XSS_ABSTRACT, make_papers

# POSTs accepted without a CSRF token, and why.
CSRF_EXEMPT = {
    r"^api/": "the JSON API: session callers are CSRF-checked by the API's auth, token callers need no cookie",
    r"unsubscribe": "RFC 8058 one-click unsubscribe: the mail client POSTs without a page",
}
XSS_NAME = "<img src=x onerror=\"window.__xss='name'\">Eve <script>window.__xss='script'</script>"


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _sample_url(route: str) -> str:
    """A concrete URL for a route: ints become 1, other parameters a word."""
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:str|slug|path|uuid)?:?\w+>", "x", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
    return "/" + path.strip("^$").replace("\\", "").replace("?", "").replace("/$", "/")


def _exempt(route: str) -> bool:
    return any(re.search(pattern, route) for pattern in CSRF_EXEMPT)


@pytest.mark.django_db
def test_every_route_refuses_a_post_without_a_csrf_token():
    user = get_user_model().objects.create_user("mallory", password="correct horse battery staple")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    routes = [route for route in _patterns() if not route.startswith("admin/") and not _exempt(route)]
    assert len(routes) > 40  # the whole site, not a sample
    accepted = {}
    for route in routes:
        status = client.post(_sample_url(route), {"q": "x"}).status_code
        if status not in (403, 405):
            accepted[route] = status
    assert accepted == {}


@pytest.mark.django_db
def test_security_headers_on_pages(client, settings):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # only when asked for
    settings.SECURE_HSTS_SECONDS = 31536000
    secure = Client().get("/", secure=True)  # a new client: SecurityMiddleware reads settings when built
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _hostile_catalogue(day: date) -> str:
    (arxiv_id,) = make_papers(day, count=1, start=7, title="Attention <script>window.__xss='title'</script> $x^2$",
                              abstract=XSS_ABSTRACT, authors=[XSS_NAME, "Chenrui Wu"],
                              comments="<iframe src=javascript:window.__xss='comment'></iframe> 12 pages")  # fmt: skip
    return arxiv_id


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hostile_text_is_inert_on_every_page_in_chromium(live_server, browser_page, expected_vendor):
    from academichub.papers.models import Author
    from academichub.radar.models import Radar

    arxiv_id = _hostile_catalogue(date(2026, 6, 12))
    user = get_user_model().objects.create_user("victim", password="correct horse battery staple")
    radar = Radar.objects.create(owner=user, name=XSS_NAME, keywords="attention", categories=["cs.DS"])
    author = Author.objects.get(name__contains="Eve")
    client = Client()
    client.force_login(user)
    page = browser_page
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])  # fmt: skip
    pages = ["/", f"/paper/{arxiv_id}", "/search?q=attention", f"/radars/{radar.pk}/", "/radars/",
             f"/authors/{author.pk}/", "/day/2026-06-12/", "/week/2026-W24/", "/month/2026-06/"]  # fmt: skip
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("script:not([src])").count() == 0, path  # no inline script at all (CSP forbids them)
    page.goto(f"{live_server.url}/radars/{radar.pk}/")
    assert "Eve" in page.inner_text("body")  # the text is shown, as text
    page.screenshot(path=str(SCREENSHOTS / f"xss-radar-{expected_vendor}.png"), full_page=True)
    assert page.dialogs == []
