"""Feeds (/feeds/…) and the delivery settings pages (/settings/tokens/, /settings/webhooks/)."""

from django.urls import path

from academichub.delivery import digest_views, feeds, views

app_name = "delivery"
urlpatterns = [
    path("settings/tokens/", views.token_list, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/webhooks/", views.webhook_list, name="webhooks"),
    path("settings/webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook"),
    path("settings/webhooks/<int:webhook_id>/<str:action>/", views.webhook_action, name="webhook_action"),
    *feeds.feed_urls("feeds/"),
    # radars, briefings and saved searches (digest_views)
    path("radars/<int:pk>/delivery/", digest_views.radar_settings, name="radar_settings"),
    path("radars/<int:pk>/feed-link/", digest_views.radar_feed_token, name="radar_feed_token"),
    path("radars/<int:pk>/saved.<str:extension>", digest_views.radar_export, name="radar_export"),
    path("radars/digest/unsubscribe/<str:token>/", digest_views.digest_unsubscribe, name="digest_unsubscribe"),
    path("briefings/<int:pk>/webhook/", digest_views.briefing_webhook, name="briefing_webhook"),
    path("briefings/<int:pk>/citations.<str:extension>", digest_views.briefing_citations, name="briefing_citations"),
    path("briefings/s/<str:token>/citations.<str:extension>", digest_views.shared_briefing_citations,
         name="shared_briefing_citations"),
    path("searches/save/", digest_views.save_search, name="save_search"),
    path("settings/searches/", digest_views.saved_searches, name="searches"),
    path("settings/searches/<int:search_id>/delete/", digest_views.delete_search, name="delete_search"),
]
