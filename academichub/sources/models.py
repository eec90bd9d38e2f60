"""Run records, checkpoints and per-source settings: what every source did, where to resume, how to run."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SourceRun(models.Model):
    """One run of one source: the evidence `status` and the admin show."""

    class Status(models.TextChoices):
        RUNNING = "running"
        OK = "ok"
        WARNING = "warning"
        FAILED = "failed"

    source = models.CharField(max_length=100, db_index=True)
    scheduled = models.BooleanField(default=False)
    started = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the worker running it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    fetched = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0, db_default=0, help_text="Records of another identity merged into a paper.")
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True, help_text="[{item, reason}]")
    warning = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.source} {self.started:%Y-%m-%d %H:%M} {self.status}"


class Checkpoint(models.Model):
    """Where a resumable job stopped (an OAI-PMH token, a line in a dump).

    Written in the same transaction as the records it covers, so after a
    `kill -9` the checkpoint never runs ahead of what was stored.
    """

    key = models.CharField(max_length=255, unique=True)
    value = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class SourceConfig(models.Model):
    """A source's settings as set in the admin; they win over ``sources.toml`` and the defaults.

    Only what is set here overrides: ``options`` keys replace the same keys
    from the file (e.g. ``journals``, ``feeds``, ``query``, ``categories``),
    an empty interval or schedule keeps the file's or the default one.
    ``academichub.sources.config`` combines the three layers.
    """

    name = models.CharField(max_length=50, unique=True, help_text="Source name, e.g. crossref or biorxiv.")
    enabled = models.BooleanField(default=True)
    options = models.JSONField(default=dict, blank=True,
                               help_text='e.g. {"journals": ["0028-0836"], "days_back": 7}')
    interval_minutes = models.PositiveIntegerField(null=True, blank=True,
                                                   help_text="Run every N minutes (empty: file or default).")
    schedule = models.CharField(max_length=100, blank=True,
                                help_text="Instead of an interval: 'HH:MM Zone days', e.g. '20:00 America/New_York sun-thu'.")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "source setting"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Reject names and schedules the scheduler could not use, in the admin form already."""
        from django.core.exceptions import ValidationError

        from academichub.sources.config import ConfigError, KNOWN_SOURCES, check_options, check_schedule

        if self.name not in KNOWN_SOURCES:
            raise ValidationError({"name": f"unknown source; known: {', '.join(KNOWN_SOURCES)}"})
        try:
            if self.schedule:
                check_schedule(self.schedule)
            check_options(self.name, self.options or {})
        except ConfigError as exc:
            raise ValidationError(str(exc)) from exc
