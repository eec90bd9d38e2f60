from django.urls import path, re_path

from academichub.web import views

app_name = "web"
urlpatterns = [
    path("", views.today, name="today"),
    path("day/<str:day>/", views.day, name="day"),
    re_path(r"^paper/(?P<identifier>.+?)/?$", views.paper_detail, name="paper"),
    path("healthz", views.healthz, name="healthz"),
]
