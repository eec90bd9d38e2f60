from django.urls import path

from academichub.radar import views

app_name = "radar"
urlpatterns = [
    path("radars/", views.radar_list, name="list"),
    path("radars/new/", views.radar_create, name="create"),
    path("radars/shared/<str:token>/", views.shared_feed, name="shared"),
    path("radars/<int:pk>/", views.radar_feed, name="feed"),
    path("radars/<int:pk>/edit/", views.radar_edit, name="edit"),
    path("radars/<int:pk>/delete/", views.radar_delete, name="delete"),
    path("radars/<int:pk>/more/", views.another_batch, name="more"),
    path("radars/<int:pk>/reset/", views.reset, name="reset"),
    path("radars/<int:pk>/rate/<int:paper_id>/", views.rate_paper, name="rate"),
    path("radars/<int:pk>/chips/remove/", views.remove_chip, name="remove_chip"),
    path("radars/<int:pk>/chips/add/", views.add_chip, name="add_chip"),
    path("radars/<int:pk>/authors/pick/", views.pick_author, name="pick_author"),
    path("radars/<int:pk>/share/", views.share, name="share"),
    path("radars/<int:pk>/save/<int:paper_id>/", views.save_from_feed, name="save"),
    path("radars/<int:pk>/import/", views.import_library, name="import"),
    path("radars/<int:pk>/import/apply/", views.apply_suggestions, name="apply_suggestions"),
    path("radars/<int:pk>/start/", views.onboarding, name="onboarding"),
    path("radars/saved/", views.saved_list, name="saved"),
    path("radars/saved/<int:paper_id>/remove/", views.unsave, name="unsave"),
    path("authors/", views.author_search, name="author_search"),
    path("authors/<int:pk>/", views.author_page, name="author"),
    path("authors/<int:pk>/follow/", views.follow_author, name="follow_author"),
]
