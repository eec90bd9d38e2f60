from django.urls import path, re_path

from academichub.web import views

app_name = "web"
urlpatterns = [
    re_path(r"^paper/(?P<identifier>.+?)/?$", views.paper_detail, name="paper"),
    path("healthz", views.healthz, name="healthz"),
]
