"""Keep the full-text index in step when papers are deleted (admin, merges)."""

from __future__ import annotations

from django.db import connection
from django.db.models.signals import post_delete
from django.dispatch import receiver

from academichub.papers import fulltext
from academichub.papers.models import Paper


@receiver(post_delete, sender=Paper)
def remove_from_index(sender, instance: Paper, **kwargs) -> None:
    with connection.cursor() as cursor:
        fulltext.remove(cursor, connection.vendor, [instance.pk])
