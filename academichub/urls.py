from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("academichub.accounts.urls")),
    path("briefings/", include("academichub.briefings.urls")),
    path("api/", include("academichub.api.urls")),
    path("", include("academichub.ops.urls")),
    path("", include("academichub.search.urls")),
    path("", include("academichub.radar.urls")),
    path("", include("academichub.daily.urls")),  # the front page, /day/, /week/, /month/: before web
    path("", include("academichub.delivery.urls")),  # /feeds/…, /settings/tokens/, /settings/webhooks/
    path("", include("academichub.web.urls")),
]
handler404 = "academichub.web.views.not_found"
handler500 = "academichub.web.views.server_error"
