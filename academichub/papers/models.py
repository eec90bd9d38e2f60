"""The catalogue: one canonical Paper per work, with its people and subjects.

Raw text keeps the source's own spelling (LaTeX, TeX accents); ``*_text``
columns hold the clean rendering used for display, indexing and email, so the
original is never lost and the clean form is never recomputed per request.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from academichub.core.dedup import PREPRINT_DOI_PREFIXES


class Category(models.Model):
    """A subject in the arXiv taxonomy (journals' subjects come later)."""

    code = models.CharField(max_length=100, primary_key=True)
    name_en = models.CharField(max_length=200, blank=True)
    name_zh = models.CharField(max_length=200, blank=True)
    archive = models.CharField(max_length=32, blank=True)
    group_en = models.CharField(max_length=100, blank=True)
    group_zh = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.code


class Author(models.Model):
    """A person-name as it appears on papers, keyed by its normalised form."""

    key = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    """Where a work appeared: a journal, a conference or a preprint server.

    ``key`` (the normalised name) and ``issns`` are how records find their
    venue: sources spell journal names differently ("The Lancet", "Lancet
    (London, England)"), but they agree on the ISSN. ``badge`` is the short
    text a paper card shows ("Nature", "PNAS", "bioRxiv").
    """

    class Kind(models.TextChoices):
        JOURNAL = "journal", _("journal")
        CONFERENCE = "conference", _("conference")
        PREPRINT = "preprint", _("preprint server")

    key = models.CharField(max_length=255, unique=True, help_text="Normalised name, for matching.")
    name = models.CharField(max_length=255)
    name_zh = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.JOURNAL)
    issns = models.JSONField(default=list, blank=True, help_text='e.g. ["0028-0836", "1476-4687"]')
    badge = models.CharField(max_length=60, blank=True, help_text="Short text on paper cards; the name if empty.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def badge_text(self) -> str:
        return self.badge or self.name


class Paper(models.Model):
    arxiv_id = models.CharField(max_length=40, unique=True, null=True, blank=True)
    doi = models.CharField(max_length=255, unique=True, null=True, blank=True)
    published_doi = models.CharField(
        max_length=255, null=True, blank=True, db_index=True,
        help_text="DOI of the published (journal) version, when this work is also a preprint.",
    )
    title = models.TextField()
    title_text = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    abstract_text = models.TextField(blank=True)
    authors_text = models.TextField(blank=True, help_text="Display list of authors, in order.")
    comments = models.TextField(blank=True)
    journal_ref = models.TextField(blank=True)
    license = models.CharField(max_length=255, blank=True)
    primary_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_papers"
    )
    categories = models.ManyToManyField(Category, through="PaperCategory", related_name="papers")
    authors = models.ManyToManyField(Author, through="Authorship", related_name="papers")
    published = models.DateField(null=True, blank=True, help_text="Date of the first version.")
    updated = models.DateField(null=True, blank=True, help_text="Date of the latest version.")
    announced = models.DateField(null=True, blank=True, db_index=True)
    latest_version = models.PositiveIntegerField(default=1)
    announce_type = models.CharField(max_length=20, blank=True)
    abs_url = models.URLField(max_length=500, blank=True)
    pdf_url = models.URLField(max_length=500, blank=True)
    html_url = models.URLField(max_length=500, blank=True)
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="papers")
    title_key = models.CharField(
        max_length=32, blank=True, default="", db_default="", db_index=True,
        help_text="Digest of the normalised title (empty for short or generic titles): finds duplicates.",
    )
    main_key = models.CharField(
        max_length=300, blank=True, default="", db_default="",
        help_text='The record the main fields come from: "arxiv:<id>" or "doi:<doi>".',
    )
    content_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["announced", "id"], name="paper_announced_id")]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.title[:60]}"

    @property
    def identifier(self) -> str:
        if self.arxiv_id:
            return f"arXiv:{self.arxiv_id}"
        return f"doi:{self.doi}" if self.doi else f"#{self.pk}"

    @property
    def source_badge(self) -> str:
        """E.g. "arXiv (cs.CV)", as on the reference screen; "Nature" or "bioRxiv (Neuroscience)" otherwise.

        Reads ``venue`` only when the paper has one (list views select it
        with the paper), so arXiv cards never cost a query.
        """
        code = self.primary_category_id
        if self.arxiv_id:
            return f"arXiv ({code})" if code else "arXiv"
        if self.venue_id:
            venue = self.venue
            subject = subject_label(code) if venue.kind == Venue.Kind.PREPRINT else ""
            return f"{venue.badge_text} ({subject})" if subject else venue.badge_text
        return code or str(_("Journal"))

    @property
    def preprint_url(self) -> str:
        """The preprint's own page: arXiv's abstract page, or the preprint DOI (bioRxiv …)."""
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        if self.doi and self.doi.startswith(PREPRINT_DOI_PREFIXES):
            return self.abs_url or f"https://doi.org/{self.doi}"
        return ""

    @property
    def preprint_label(self) -> str:
        if self.arxiv_id:
            return f"arXiv:{self.arxiv_id}"
        return f"doi:{self.doi}" if self.preprint_url else ""

    @property
    def journal_doi(self) -> str:
        """The published version's DOI: ``published_doi``, or the DOI of a journal-only paper."""
        if self.published_doi:
            return self.published_doi
        if self.doi and not self.preprint_url:
            return self.doi
        return ""

    @property
    def author_list(self) -> list[str]:
        return [name for name in self.authors_text.split("\n") if name]


def subject_label(code: str | None) -> str:
    """A source's own subject code as words: "biorxiv:neuroscience" -> "Neuroscience" ("" for arXiv codes)."""
    if not code or ":" not in code:
        return ""
    words = code.split(":", 1)[1].replace("-", " ").strip()
    return words[:1].upper() + words[1:]


class PaperVersion(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="uniq_paper_version"),
        ]


class Authorship(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveIntegerField()
    affiliation = models.CharField(max_length=500, blank=True, default="", db_default="",
                                   help_text="As the source gave it (Crossref, OpenAlex, PubMed …).")  # fmt: skip

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="uniq_authorship_position"),
        ]
        indexes = [models.Index(fields=["author", "paper"], name="authorship_author_paper")]


class PaperCategory(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="paper_categories")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "category"], name="uniq_paper_category"),
        ]
        indexes = [models.Index(fields=["category", "paper"], name="papercat_category_paper")]


class Provenance(models.Model):
    """Which source (and run) brought which fields of a paper, and when."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="provenance")
    source = models.CharField(max_length=100)
    run = models.ForeignKey(
        "sources.SourceRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10)  # created | updated | merged | split
    fields = models.JSONField(default=list)
    detail = models.TextField(blank=True, default="", db_default="",
                              help_text="Why: e.g. the reason two records were merged.")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["paper", "at"], name="provenance_paper_at")]


class Merge(models.Model):
    """A record of another identity absorbed into a paper, kept so the merge can be undone.

    ``record`` is the absorbed record's fields as JSON (``merging.record_to_json``,
    never pickle); ``changes`` maps each column the merge changed to
    ``[value before, value after]``. Undoing restores the columns still
    holding the merge's value and writes ``record`` back as a paper of its own.
    A live merge also lets a re-fetched absorbed record be recognised as
    unchanged (``content_hash``) instead of being merged again.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="merges")
    absorbed_key = models.CharField(max_length=300, help_text='"arxiv:<id>" or "doi:<doi>"')
    record = models.JSONField(help_text="The absorbed record's fields.")
    content_hash = models.CharField(max_length=32, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{column: [before, after]}")
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=100)
    run = models.ForeignKey(
        "sources.SourceRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.CharField(max_length=150, blank=True)
    split_paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.SET_NULL, related_name="split_from",
        help_text="The paper the absorbed record became when the merge was undone.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["paper", "absorbed_key"], name="merge_paper_key")]

    def __str__(self) -> str:
        state = "undone" if self.undone_at else "live"
        return f"{self.absorbed_key} into #{self.paper_id} ({state})"


class PaperSignal(models.Model):
    """Attention a paper got somewhere else (Hugging Face Daily Papers upvotes), per day.

    Signals never create papers: they are kept only for papers the catalogue
    already has, one row per (paper, source, day) and updated in place.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="signals")
    source = models.CharField(max_length=50)
    day = models.DateField()
    upvotes = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    submitted_by = models.CharField(max_length=150, blank=True)
    organization = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "-upvotes"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "source", "day"], name="uniq_paper_signal_day"),
        ]
        indexes = [models.Index(fields=["source", "day"], name="papersignal_source_day")]

    def __str__(self) -> str:
        return f"{self.source} {self.day}: {self.upvotes} upvotes"
