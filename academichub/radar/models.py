"""Radars, ratings and what each radar has already shown.

Everything here is private to its owner: views and the API look radars up
with ``owner=request.user`` (another user gets a 404, never a 403 that would
confirm the radar exists). A radar can be shared read-only through an
unguessable ``share_token``.
"""

from __future__ import annotations

import secrets

import numpy as np
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Window(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


WINDOW_DAYS = {Window.DAY: 1, Window.WEEK: 7, Window.MONTH: 30}


def radar_pk(value) -> int:
    """A radar id given as text (a briefing's stored scope, a form field); -1, which matches nothing, for
    anything that is not a plausible id."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 18 else -1


class Radar(models.Model):
    """One named set of interests; its feed is ranked by ``core.ranking``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="radars")
    name = models.CharField(_("name"), max_length=120)
    keywords = models.TextField(
        _("keywords"), blank=True, max_length=1000,
        help_text=_('Words and "phrases"; a OR b for alternatives; -word to exclude.'),
    )  # fmt: skip
    categories = models.JSONField(_("categories"), default=list, blank=True)
    venues = models.ManyToManyField("papers.Venue", blank=True, related_name="+", verbose_name=_("venues"))
    interest = models.TextField(
        _("interest"), blank=True, max_length=2000,
        help_text=_("A few sentences about what you work on; matched by meaning, not by words."),
    )  # fmt: skip
    interest_vector = models.BinaryField(null=True, blank=True, editable=False)
    interest_model = models.CharField(max_length=120, blank=True, editable=False)
    window = models.CharField(_("window"), max_length=8, choices=Window.choices, default=Window.WEEK)
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Delivery (a later issue) reads these; the feed ignores them.
    email_enabled = models.BooleanField(_("send by email"), default=False)
    email_frequency = models.CharField(max_length=8, choices=Window.choices, default=Window.DAY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("radar")
        verbose_name_plural = _("radars")

    def __str__(self) -> str:
        return self.name

    def interest_array(self) -> np.ndarray | None:
        if not self.interest_vector:
            return None
        return np.frombuffer(bytes(self.interest_vector), dtype=np.float32)

    def set_interest_array(self, vector: np.ndarray | None, model_id: str = "") -> None:
        self.interest_vector = None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
        self.interest_model = model_id if vector is not None else ""

    def new_share_token(self) -> str:
        self.share_token = secrets.token_urlsafe(24)
        return self.share_token


class FollowedAuthor(models.Model):
    """An author name a radar follows, optionally narrowed to one namesake (see core.people)."""

    radar = models.ForeignKey(Radar, on_delete=models.CASCADE, related_name="followed")
    author = models.ForeignKey("papers.Author", on_delete=models.CASCADE, related_name="+")
    coauthors = models.JSONField(default=list, blank=True, help_text="Author ids identifying the person.")
    categories = models.JSONField(default=list, blank=True, help_text="Primary categories identifying the person.")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["radar", "author"], name="uniq_radar_author")]


class SeedPaper(models.Model):
    """A paper the reader says the radar is about (counts as liked for this radar)."""

    radar = models.ForeignKey(Radar, on_delete=models.CASCADE, related_name="seeds")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["radar", "paper"], name="uniq_radar_seed")]


class Rating(models.Model):
    """A reader's 👍 (+1) or 👎 (-1) on a paper; one per reader and paper."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=[(1, "👍"), (-1, "👎")])
    radar = models.ForeignKey(Radar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              help_text="The radar the paper was rated from, if any.")  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="uniq_rating_user_paper"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="rating_value_pm1"),
        ]


class TasteModel(models.Model):
    """A reader's fitted preference model (core.ranking.fit_preference_model), refit on each rating.

    Stored so a feed request never fits or embeds anything.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weights = models.BinaryField()
    bias = models.FloatField()
    ratings = models.PositiveIntegerField()
    model_id = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class FeedImpression(models.Model):
    """A paper a radar has shown (in which batch), so "another batch" never repeats it."""

    radar = models.ForeignKey(Radar, on_delete=models.CASCADE, related_name="impressions")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    batch = models.PositiveIntegerField()
    shown_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["radar", "paper"], name="uniq_impression_radar_paper")]
        indexes = [models.Index(fields=["radar", "batch"], name="impression_radar_batch")]


class SavedPaper(models.Model):
    """A paper a reader keeps ("save" on a card): their reading list, and a like for ranking.

    One row per reader and paper. ``radar`` is where it was saved from (kept
    for a radar's exports; the list itself is the reader's). Saving counts as
    a 👍 in every radar of the reader until they rate the paper otherwise.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_papers")
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    radar = models.ForeignKey(Radar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="uniq_saved_user_paper")]
        verbose_name = _("saved paper")
        verbose_name_plural = _("saved papers")
