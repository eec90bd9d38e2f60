"""Curators work here (or on /daily/curate/<day>/): picks in order with notes, submissions, subscribers."""

from django.contrib import admin

from academichub.daily.models import Organization, PaperOrganization, PaperStats, Pick, Submission, Subscriber


@admin.register(Pick)
class PickAdmin(admin.ModelAdmin):
    list_display = ("day", "position", "paper", "note", "curator")
    list_editable = ("position", "note")
    list_filter = ("day",)
    date_hierarchy = "day"
    raw_id_fields = ("paper", "curator")
    ordering = ("-day", "position")

    def save_model(self, request, obj, form, change):
        if not obj.curator_id:
            obj.curator = request.user
        super().save_model(request, obj, form, change)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("paper", "user", "identifier", "fetched", "created_at")
    raw_id_fields = ("paper", "user")
    search_fields = ("identifier", "user__username")


@admin.register(PaperStats)
class PaperStatsAdmin(admin.ModelAdmin):
    """Counts are maintained by votes and the trending task; only the TL;DR is for people to write."""

    list_display = ("paper", "upvotes", "external_upvotes", "trending", "trending_at")
    readonly_fields = ("paper", "upvotes", "external_upvotes", "points", "trending", "trending_at")
    ordering = ("-trending",)


class PaperOrganizationInline(admin.TabularInline):
    model = PaperOrganization
    raw_id_fields = ("paper",)
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    inlines = [PaperOrganizationInline]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "language", "created_at", "confirmed_at", "unsubscribed_at")
    list_filter = ("language",)
    search_fields = ("email",)
    readonly_fields = ("token", "created_at", "confirmation_sent_at")
