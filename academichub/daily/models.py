"""The daily front page's own tables, beside the catalogue (which stays the papers app's).

Counts that pages sort by (upvotes, points, trending) are kept on one
``PaperStats`` row per paper so a day page is one query with a LEFT JOIN, and
are changed only inside the transaction that changes the votes themselves.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from academichub.papers.models import Paper


class PaperStats(models.Model):
    """Attention a paper got: votes here, votes elsewhere, and its trending score.

    ``upvotes`` always equals the number of ``Upvote`` rows of the paper: both
    change in one transaction under a row lock on this row (see ``votes``).
    ``points`` = ``upvotes`` + ``external_upvotes`` is what "upvotes" sorting
    and the trending formula use. ``tldr`` is a human-written TL;DR (admin);
    when empty, cards show the extractive one (``core.tldr``).
    """

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, primary_key=True, related_name="daily_stats")
    upvotes = models.PositiveIntegerField(_("upvotes"), default=0)
    external_upvotes = models.PositiveIntegerField(_("upvotes on Hugging Face"), default=0)
    points = models.PositiveIntegerField(_("points"), default=0)
    trending = models.FloatField(_("trending score"), default=0.0)
    trending_at = models.DateTimeField(null=True, blank=True)
    tldr = models.TextField(_("TL;DR"), blank=True, help_text=_("Shown on cards instead of the extractive TL;DR."))

    class Meta:
        verbose_name = _("paper statistics")
        verbose_name_plural = _("paper statistics")
        indexes = [models.Index(fields=["-trending"], name="daily_stats_trending")]

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.upvotes} upvotes, trending {self.trending:.3f}"


class Upvote(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upvotes")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="upvotes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("upvote")
        verbose_name_plural = _("upvotes")
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="uniq_upvote_user_paper")]
        indexes = [models.Index(fields=["paper"], name="upvote_paper")]


class Pick(models.Model):
    """A curator's featured paper on one day's page, in the curator's order, with a one-line note."""

    day = models.DateField(_("day"), db_index=True)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="picks", verbose_name=_("paper"))
    position = models.PositiveIntegerField(_("position"), default=0)
    note = models.CharField(_("note"), max_length=280, blank=True)
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("curator"))  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("curator pick")
        verbose_name_plural = _("curator picks")
        ordering = ["day", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["day", "paper"], name="uniq_pick_day_paper")]

    def __str__(self) -> str:
        return f"{self.day} #{self.position}: {self.paper_id}"


class Submission(models.Model):
    """A paper a signed-in reader put on the daily page; one per paper (the first submitter keeps it)."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="daily_submission",
                                 verbose_name=_("paper"))  # fmt: skip
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions",
                             verbose_name=_("submitted by"))  # fmt: skip
    identifier = models.CharField(_("as entered"), max_length=300)
    fetched = models.BooleanField(_("fetched from a source"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at"]


class Organization(models.Model):
    """A university, lab or company papers are affiliated with."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("daily:organisation", args=[self.slug])


class PaperOrganization(models.Model):
    """A paper's organisation and where we learnt it."""

    class Source(models.TextChoices):
        HUGGING_FACE = "hf", _("Hugging Face")
        AFFILIATION = "affiliation", _("author affiliation")
        CURATOR = "curator", _("curator")

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="daily_organizations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="papers")
    source = models.CharField(max_length=20, choices=Source.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "organization"], name="uniq_paper_organization")]
        indexes = [models.Index(fields=["organization", "paper"], name="paperorg_org_paper")]


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Subscriber(models.Model):
    """An email address that asked for the daily trending email, no account needed (double opt-in)."""

    email = models.EmailField(_("email"), unique=True)
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES, default="en")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None
