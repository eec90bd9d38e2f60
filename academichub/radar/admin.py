from django.contrib import admin

from academichub.radar.models import FeedImpression, FollowedAuthor, Radar, Rating, SeedPaper


class FollowedInline(admin.TabularInline):
    model = FollowedAuthor
    raw_id_fields = ("author",)
    extra = 0


class SeedInline(admin.TabularInline):
    model = SeedPaper
    raw_id_fields = ("paper",)
    extra = 0


@admin.register(Radar)
class RadarAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "window", "updated_at")
    search_fields = ("name", "owner__username", "keywords")
    raw_id_fields = ("owner",)
    inlines = [FollowedInline, SeedInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("user", "paper", "value", "updated_at")
    raw_id_fields = ("user", "paper", "radar")


@admin.register(FeedImpression)
class FeedImpressionAdmin(admin.ModelAdmin):
    list_display = ("radar", "paper", "batch", "shown_at")
    raw_id_fields = ("radar", "paper")
