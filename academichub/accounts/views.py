"""Account pages. Django's auth views do the security-sensitive work; this
module configures them (our templates, namespaced URLs, rate limits) and adds
sign-up, settings and a language switch that remembers the choice."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from academichub.accounts.forms import ProfileForm, SignUpForm
from academichub.accounts.models import Profile, profile_for
from academichub.accounts.preferences import default_time_zone, is_language, is_time_zone, time_zone_names
from academichub.web.ratelimit import by_field, by_ip, not_signed_in, ratelimit
from academichub.web.views import error_page


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _safe_next(request: HttpRequest) -> str | None:
    """The `next` URL if it stays on this site (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else None


def remember_language(response: HttpResponse, code: str) -> HttpResponse:
    """Also set the language cookie, so the choice survives signing out."""
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY)  # fmt: skip
    return response


# -- sign up ------------------------------------------------------------------------------


@ratelimit("signup", keys=(by_ip, by_field("username")))
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    form = SignUpForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        auth_login(request, create_account(request, form))
        return redirect(_safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request) or ""})


@transaction.atomic
def create_account(request: HttpRequest, form: SignUpForm):
    """The user and its profile together; the profile starts in the language the
    reader is using now and the time zone the browser reported."""
    user = form.save()
    zone = form.cleaned_data.get("time_zone")
    language = getattr(request, "LANGUAGE_CODE", "")
    Profile.objects.create(user=user, language=language if is_language(language) else settings.LANGUAGE_CODE,
                           time_zone=zone if is_time_zone(zone) else default_time_zone())  # fmt: skip
    return user


# -- sign in and out ------------------------------------------------------------------------

login = ratelimit("login", keys=(by_ip, by_field("username")), counts=not_signed_in)(
    auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
)


class LogoutView(auth_views.LogoutView):
    """POST only, as in Django ≥ 5: a link or an image on another site must not
    sign readers out. A GET gets a page that says so (405), not a blank page."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = error_page(request, 405, _("Signing out needs the “Sign out” button at the top of the page."))
        response["Allow"] = ", ".join(self._allowed_methods())
        return response


logout = LogoutView.as_view()


# -- password reset and change (Django's views, our templates) ------------------------------------

password_reset = ratelimit("password-reset", keys=(by_ip, by_field("email")))(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset_form.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change_form.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")


# -- preferences ----------------------------------------------------------------------------


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    form = ProfileForm(_posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(profile.language)  # the confirmation in the new language
        messages.success(request, _("Your settings are saved."))
        return remember_language(redirect("accounts:settings"), profile.language)
    context = {"form": form, "profile": profile, "time_zones": time_zone_names()}
    return render(request, "accounts/settings.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: Django's set_language (cookie + redirect),
    and for signed-in readers the choice is saved to their profile, because
    their profile language otherwise wins over the cookie on the next page."""
    response = django_set_language(request)
    code = request.POST.get("language")
    if request.user.is_authenticated and is_language(code):
        Profile.objects.update_or_create(user=request.user, defaults={"language": code})
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a stale or foreign form becomes a page that says what to do."""
    return error_page(request, 403, _("This form has expired or did not come from this site. "
                                      "Go back, reload the page and try again."))  # fmt: skip
