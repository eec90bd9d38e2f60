from django.urls import path

from academichub.briefings import views

app_name = "briefings"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("radar/<int:radar_id>/", views.radar, name="radar"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/share/", views.share, name="share"),
    path("<int:pk>/export.<str:fmt>", views.export, name="export"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("s/<str:token>/export.<str:fmt>", views.shared_export, name="shared_export"),
]
