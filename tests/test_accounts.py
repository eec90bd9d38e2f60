"""Accounts: sign-up, sign-in/out, password reset, preferences, rate limits, CSRF."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from academichub.accounts.models import Profile, profile_for
from academichub.accounts.preferences import is_time_zone
from academichub.web import ratelimit
from tests.factories import make_papers

pytestmark = pytest.mark.django_db

PASSWORD = "lattice-Boltzmann-42"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A fresh LocMem cache per test: rate-limit counters must not leak between
    tests, and clearing a shared Redis would also flush Huey's queue."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{uuid.uuid4()}"}}  # fmt: skip
    yield
    translation.deactivate()  # requests activate languages on this thread


def make_user(username="chenrui", email="chenrui@example.org", **extra):
    return get_user_model().objects.create_user(username, email, PASSWORD, **extra)


def sign_up(client, username="chenrui", email="chenrui@example.org", password=PASSWORD, **headers):
    data = {"username": username, "email": email, "password1": password, "password2": password,
            "time_zone": headers.pop("time_zone", "")}  # fmt: skip
    return client.post("/accounts/signup/", data, **headers)


# -- sign up, sign in, sign out ---------------------------------------------------------------


def test_sign_up_creates_user_and_profile_and_signs_in(client):
    assert client.get("/accounts/signup/").status_code == 200
    response = sign_up(client, time_zone="Asia/Shanghai", **ZH)
    assert response.status_code == 302 and response["Location"] == "/"
    profile = Profile.objects.get(user__username="chenrui")
    assert (profile.language, profile.time_zone) == ("zh-hans", "Asia/Shanghai")
    html = client.get("/").content.decode()
    assert "chenrui" in html and 'action="/accounts/logout/"' in html


def test_sign_up_ignores_a_bogus_browser_time_zone(client, settings):
    sign_up(client, time_zone="Mars/Olympus_Mons")
    assert Profile.objects.get(user__username="chenrui").time_zone == settings.TIME_ZONE


def test_sign_up_checks_password_and_email(client):
    response = sign_up(client, password="password")
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    make_user("taken", "wu@example.org")
    response = sign_up(client, email="WU@example.org")
    assert "exists already" in response.content.decode()
    assert not get_user_model().objects.filter(username="chenrui").exists()


def test_sign_up_errors_are_in_chinese_for_chinese_readers(client):
    html = sign_up(client, password="password", **ZH).content.decode()
    assert "创建账号" in html
    assert "这个密码太常见了" in html  # Django's own validators, in Chinese too


def test_log_in_and_log_out_by_post_only(client):
    make_user()
    response = client.post("/accounts/login/", {"username": "chenrui", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert "chenrui" in client.get("/").content.decode()  # a GET changed nothing
    assert client.post("/accounts/logout/")["Location"] == "/"
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in html and "chenrui" not in html


def test_login_redirects_to_next_but_never_off_site(client):
    make_user()
    data = {"username": "chenrui", "password": PASSWORD}
    assert client.post("/accounts/login/?next=/accounts/settings/", data)["Location"] == "/accounts/settings/"
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/?next=https://evil.example/", data)["Location"] == "/"


def test_settings_needs_sign_in(client):
    response = client.get("/accounts/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_password_reset_by_email(client, mailoutbox):
    make_user()
    response = client.post("/accounts/password/reset/", {"email": "chenrui@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["chenrui@example.org"]
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # Django moves the token into the session
    page = client.get(form_url)
    assert page.status_code == 200 and page.context["validlink"]
    new = "stochastic-Gradient-77"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/accounts/password/reset/complete/"
    assert not client.login(username="chenrui", password=PASSWORD)
    assert client.login(username="chenrui", password=new)
    assert client.get(link, follow=True).context["validlink"] is False  # used once


def test_password_reset_mail_in_readers_language_and_silent_for_unknown_address(client, mailoutbox):
    make_user()
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"  # no account enumeration
    assert mailoutbox == []
    client.post("/accounts/password/reset/", {"email": "chenrui@example.org"}, **ZH)
    assert mailoutbox[0].subject == "重置您的 AcademicHub 密码"
    assert "chenrui，您好" in mailoutbox[0].body


# -- language and time zone ------------------------------------------------------------------


def test_anonymous_language_follows_accept_language(client):
    make_papers(date(2026, 6, 12), count=2)
    zh = client.get("/", **ZH).content.decode()
    assert '<html lang="zh-hans">' in zh and "今日" in zh and "登录" in zh
    assert '<p class="lead">探索全球前沿学术脉络</p>' in zh and "共 2 篇论文" in zh and "3 位作者" in zh
    assert '<span class="tagline">Academic Intelligence · Curated Daily</span>' in zh
    en = client.get("/", **EN).content.decode()
    assert '<html lang="en">' in en and "Today" in en and "今日" not in en


def test_signed_in_language_comes_from_the_profile(client):
    user = make_user()
    Profile.objects.create(user=user, language="zh-hans")
    client.force_login(user)
    html = client.get("/", **EN).content.decode()
    assert "今日" in html and "退出登录" in html


def test_profile_is_created_lazily_for_existing_users(client, settings):
    user = make_user()
    assert not Profile.objects.filter(user=user).exists()
    client.force_login(user)
    assert client.get("/accounts/settings/").status_code == 200
    profile = Profile.objects.get(user=user)
    assert (profile.language, profile.time_zone) == (settings.LANGUAGE_CODE, settings.TIME_ZONE)


def test_language_switch_saves_to_profile_when_signed_in(client):
    user = make_user()
    client.force_login(user)
    response = client.post("/accounts/language/", {"language": "zh-hans", "next": "/day/2026-06-12/"})
    assert response.status_code == 302 and response["Location"] == "/day/2026-06-12/"
    assert profile_for(user).language == "zh-hans"
    assert "今日" in client.get("/", **EN).content.decode()
    client.post("/accounts/language/", {"language": "en", "next": "/"})
    assert profile_for(user).language == "en"
    assert "Today" in client.get("/", **ZH).content.decode()


def test_language_switch_for_anonymous_readers_uses_the_cookie(client):
    client.post("/accounts/language/", {"language": "zh-hans", "next": "/"})
    assert "今日" in client.get("/", **EN).content.decode()
    assert client.get("/accounts/language/").status_code == 405  # no state-changing GET


def test_settings_validate_and_apply_the_time_zone(client):
    user = make_user()
    client.force_login(user)
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "Asia", ""):
        response = client.post("/accounts/settings/", {"language": "en", "time_zone": bad})
        assert response.status_code == 200 and response.context["form"].errors, bad
    assert profile_for(user).time_zone == "UTC"
    response = client.post("/accounts/settings/", {"language": "zh-hans", "time_zone": "Asia/Shanghai"})
    assert response["Location"] == "/accounts/settings/"
    html = client.get("/accounts/settings/").content.decode()
    assert "设置已保存" in html  # confirmed in the language just chosen
    assert "UTC+0800" in html  # the middleware activated the zone
    assert 'value="Asia/Shanghai"' in html


def test_time_zone_errors_name_the_fix(client):
    client.force_login(make_user())
    html = client.post("/accounts/settings/", {"language": "en", "time_zone": "Mars/Olympus_Mons"}).content.decode()
    assert "is not a time zone" in html and "Asia/Shanghai" in html


@pytest.mark.parametrize(("name", "valid"), [
    ("Asia/Shanghai", True), ("America/New_York", True), ("UTC", True), ("Europe/Kyiv", True),
    ("Asia/Beijing", False), ("asia/shanghai", False), ("/etc/localtime", False), ("localtime", False),
    ("", False), (None, False),
])  # fmt: skip
def test_time_zone_names_are_validated_with_zoneinfo(name, valid):
    assert is_time_zone(name) is valid


# -- rate limits and CSRF ----------------------------------------------------------------------


def test_login_is_rate_limited_per_address_and_per_username(client):
    make_user()
    bad = {"username": "chenrui", "password": "wrong"}
    for _attempt in range(10):
        assert client.post("/accounts/login/", bad).status_code == 200
    response = client.post("/accounts/login/", bad)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "Too many attempts" in response.content.decode()
    good = {"username": "chenrui", "password": PASSWORD}
    assert client.post("/accounts/login/", good).status_code == 429  # even the right password, for now
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert other_address.post("/accounts/login/", good).status_code == 429  # the username is limited too
    assert other_address.post("/accounts/login/", {"username": "someone", "password": "x"}).status_code == 200
    assert client.get("/accounts/login/").status_code == 200  # only attempts are limited


def test_successful_logins_do_not_count(client):
    make_user()
    for _attempt in range(12):
        assert client.post("/accounts/login/", {"username": "chenrui", "password": PASSWORD}).status_code == 302
        client.post("/accounts/logout/")


def test_sign_up_is_rate_limited_with_a_clear_page(client):
    for n in range(10):
        sign_up(client, username=f"user{n}", password="short")
    response = sign_up(client, username="user11", password="short", **ZH)
    assert response.status_code == 429
    assert "尝试次数过多" in response.content.decode()


def test_csrf_is_enforced_on_sign_up():
    client = Client(enforce_csrf_checks=True)
    response = sign_up(client)
    assert response.status_code == 403
    assert "reload the page" in response.content.decode()
    assert not get_user_model().objects.exists()
    client.get("/accounts/signup/")
    token = client.cookies["csrftoken"].value
    data = {"username": "chenrui", "email": "chenrui@example.org", "password1": PASSWORD, "password2": PASSWORD,
            "csrfmiddlewaretoken": token}  # fmt: skip
    assert client.post("/accounts/signup/", data).status_code == 302


def test_rate_limit_helpers(settings):
    limit = ratelimit.Limit(attempts=3, window=60)
    assert [ratelimit.hit("votes", "ip:192.0.2.1", limit) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.exceeded("votes", ["ip:192.0.2.2", "ip:192.0.2.1"], limit)
    assert not ratelimit.exceeded("submissions", ["ip:192.0.2.1"], limit)  # scopes are separate
    ratelimit.reset("votes", "ip:192.0.2.1")
    assert ratelimit.count("votes", "ip:192.0.2.1") == 0
    key = ratelimit.cache_key("login", "username:" + "名" * 300 + " \n")
    assert key.startswith("ratelimit:login:") and len(key) < 80 and key.isascii()


# -- curators and admin -----------------------------------------------------------------------


def test_staff_are_curators_and_profiles_are_in_the_admin(client):
    curator = make_user("editor", "editor@example.org", is_staff=True, is_superuser=True)
    client.force_login(curator)
    html = client.get("/").content.decode()
    assert 'class="badge curator"' in html
    assert admin.site.is_registered(Profile)
    profile_for(curator)
    assert client.get("/admin/accounts/profile/").status_code == 200
    assert "Curation (admin)" in client.get("/accounts/settings/").content.decode()
