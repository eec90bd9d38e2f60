from django.contrib import admin, messages

from academichub.papers.merging import MergeError, undo_merge
from academichub.papers.models import Author, Category, Merge, Paper, PaperSignal, Provenance, Venue


class ProvenanceInline(admin.TabularInline):
    model = Provenance
    extra = 0
    readonly_fields = ("source", "run", "action", "fields", "detail", "at")
    can_delete = False


class MergeInline(admin.TabularInline):
    """Records merged into this paper; undo them from the Merges list (action "Undo merge")."""

    model = Merge
    fk_name = "paper"
    extra = 0
    fields = ("absorbed_key", "reason", "source", "created_at", "undone_at", "split_paper")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("identifier", "title_text", "primary_category", "venue", "published_doi", "announced",
                    "latest_version")  # fmt: skip
    list_filter = ("announced", "venue__kind")
    search_fields = ("arxiv_id", "doi", "published_doi", "title")
    readonly_fields = ("content_hash", "title_key", "main_key", "created_at", "updated_at")
    raw_id_fields = ("primary_category", "venue")
    inlines = [MergeInline, ProvenanceInline]


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    """Every merge of two records into one paper; "Undo merge" splits the absorbed record back out."""

    list_display = ("paper", "absorbed_key", "reason", "source", "created_at", "undone_at")
    list_filter = ("source", ("undone_at", admin.EmptyFieldListFilter))
    search_fields = ("absorbed_key", "reason", "paper__arxiv_id", "paper__doi")
    readonly_fields = [f.name for f in Merge._meta.fields]
    actions = ["undo_selected"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Undo merge (split the absorbed record back into its own paper)")
    def undo_selected(self, request, queryset):
        for merge in queryset.filter(undone_at=None):
            try:
                paper, split = undo_merge(merge, user=request.user.get_username())
            except MergeError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"split {split.identifier} out of {paper.identifier}", messages.SUCCESS)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "badge", "kind", "name_zh", "issns")
    list_filter = ("kind",)
    search_fields = ("name", "name_zh", "key", "badge")


@admin.register(PaperSignal)
class PaperSignalAdmin(admin.ModelAdmin):
    list_display = ("paper", "source", "day", "upvotes", "comments", "submitted_by", "organization")
    list_filter = ("source", "day")
    raw_id_fields = ("paper",)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "key")
    search_fields = ("name", "key")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "group_en")
    search_fields = ("code", "name_en", "name_zh")
