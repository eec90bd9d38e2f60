"""Curators' picks: add a paper to a day's "Curated Daily", order the picks, write a note, remove one.

The curator page posts every pick's position and note in one form (plus
``add`` for a new pick, or ``remove-<id>``); :func:`apply` saves them in one
transaction and renumbers the positions 1…n in the order given, ties kept in
their previous order.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from academichub.daily.models import Pick
from academichub.web import queries

NOTE_LENGTH = Pick._meta.get_field("note").max_length


@transaction.atomic
def apply(day: date, data, curator) -> str | None:
    """Save the curator form for `day`; returns a message for the curator if something was refused."""
    picks = list(Pick.objects.select_for_update().filter(day=day).order_by("position", "id"))
    kept = []
    for pick in picks:
        if data.get(f"remove-{pick.pk}"):
            pick.delete()
            continue
        pick.note = " ".join(data.get(f"note-{pick.pk}", pick.note).split())[:NOTE_LENGTH]
        pick.wanted = _number(data.get(f"position-{pick.pk}"), pick.position)
        kept.append(pick)
    problem = None
    if data.get("add", "").strip():
        added, problem = _add(day, data["add"], data.get("add_note", ""), curator, kept)
        if added:
            kept.append(added)
    _renumber(kept)
    return problem


def _add(day: date, identifier: str, note: str, curator, kept: list[Pick]) -> tuple[Pick | None, str | None]:
    paper = queries.find_paper(identifier)
    if paper is None:
        return None, _("No paper “%(id)s” in the catalogue; submit it first.") % {"id": identifier.strip()[:100]}
    if any(p.paper_id == paper.pk for p in kept):
        return None, _("That paper is already picked for this day.")
    pick = Pick(day=day, paper=paper, curator=curator, note=" ".join(note.split())[:NOTE_LENGTH])
    pick.wanted = max((p.wanted for p in kept), default=0) + 1
    return pick, None


def _renumber(picks: list[Pick]) -> None:
    for position, pick in enumerate(sorted(picks, key=lambda p: p.wanted), start=1):
        pick.position = position
        pick.save()


def _number(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
