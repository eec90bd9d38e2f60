from django.urls import path

from academichub.api.site import build_api

api = build_api()
urlpatterns = [path("", api.urls)]
