"""The daily pages own the front page: included before the web app, so "/" and "/day/…" are these."""

from django.urls import path

from academichub.daily import views

app_name = "daily"
urlpatterns = [
    path("", views.today, name="today"),
    path("day/<str:slug>/", views.period_page, {"kind": "day"}, name="day"),
    path("week/<str:slug>/", views.period_page, {"kind": "week"}, name="week"),
    path("month/<str:slug>/", views.period_page, {"kind": "month"}, name="month"),
    path("trending/", views.trending, name="trending"),
    path("jump/", views.jump, name="jump"),
    path("org/<slug:slug>/", views.organisation, name="organisation"),
    path("daily/vote/<int:paper_id>/", views.vote, name="vote"),
    path("daily/submit/", views.submit, name="submit"),
    path("daily/curate/<str:day>/", views.curate, name="curate"),
    path("daily/subscribe/", views.subscribe, name="subscribe"),
    path("daily/subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("daily/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
