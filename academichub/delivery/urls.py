"""Feeds (/feeds/…) and the delivery settings pages (/settings/tokens/, /settings/webhooks/)."""

from django.urls import path

from academichub.delivery import feeds, views

app_name = "delivery"
urlpatterns = [
    path("settings/tokens/", views.token_list, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/webhooks/", views.webhook_list, name="webhooks"),
    path("settings/webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook"),
    path("settings/webhooks/<int:webhook_id>/<str:action>/", views.webhook_action, name="webhook_action"),
    *feeds.feed_urls("feeds/"),
]
