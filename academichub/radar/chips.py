"""Filter chips: every active constraint of a radar, each removable, and adding one.

A chip is (kind, value, label). ``value`` identifies the constraint inside
the radar (a keyword clause's text, a followed author's row id, a category
code...), so removing a chip is one small, idempotent edit of the radar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academichub.core.interests import add_clause, parse_keywords, remove_clause
from academichub.core.taxonomy import normalise_code
from academichub.papers.models import Author, Venue
from academichub.radar.authors import people_of, resolve_name
from academichub.radar.feed import followed_authors
from academichub.radar.models import FollowedAuthor, Radar, SeedPaper

KINDS = {
    "keyword": gettext_lazy("Keyword"),
    "exclude": gettext_lazy("Excluded"),
    "author": gettext_lazy("Author"),
    "category": gettext_lazy("Category"),
    "venue": gettext_lazy("Venue"),
    "interest": gettext_lazy("Interest"),
    "seed": gettext_lazy("Seed paper"),
}
ADDABLE = ("keyword", "exclude", "author", "category")


@dataclass(frozen=True)
class Chip:
    kind: str
    value: str
    text: str

    @property
    def prefix(self) -> str:
        return str(KINDS[self.kind])


@dataclass
class Added:
    """The result of adding a chip: done, an error for the reader, or names to choose between."""

    ok: bool = False
    error: str = ""
    choices: list[Author] = field(default_factory=list)


def chips_for(radar: Radar) -> list[Chip]:
    keywords = parse_keywords(radar.keywords)
    chips = [Chip("keyword", c.source, c.label) for c in keywords.positive]
    chips += [Chip("exclude", c.source, c.label) for c in keywords.excluded]
    for followed in followed_authors(radar):
        narrowed = " *" if followed.coauthors or followed.categories else ""
        chips.append(Chip("author", str(followed.pk), followed.author.name + narrowed))
    chips += [Chip("category", code, code) for code in radar.categories or []]
    chips += [Chip("venue", str(v.pk), v.name) for v in radar.venues.all()]
    if radar.interest.strip():
        text = radar.interest.strip()
        chips.append(Chip("interest", "", text[:40] + ("…" if len(text) > 40 else "")))
    for seed in radar.seeds.select_related("paper"):
        chips.append(Chip("seed", str(seed.paper_id), seed.paper.arxiv_id or seed.paper.title_text[:40]))
    return chips


def remove_chip(radar: Radar, kind: str, value: str) -> bool:
    """Drop one constraint; False when there was no such chip (already removed)."""
    if kind in ("keyword", "exclude"):
        if value not in [c.source for c in parse_keywords(radar.keywords).clauses]:
            return False
        radar.keywords = remove_clause(radar.keywords, value)
        radar.save(update_fields=["keywords", "updated_at"])
        return True
    if kind == "author":
        return _delete(radar.followed.filter(pk=_int(value)))
    if kind == "category":
        if value not in (radar.categories or []):
            return False
        radar.categories = [c for c in radar.categories if c != value]
        radar.save(update_fields=["categories", "updated_at"])
        return True
    if kind == "venue":
        venue = radar.venues.filter(pk=_int(value)).first()
        if venue is not None:
            radar.venues.remove(venue)
        return venue is not None
    if kind == "interest":
        changed = bool(radar.interest)
        radar.interest = ""
        radar.set_interest_array(None)
        radar.save(update_fields=["interest", "interest_vector", "interest_model", "updated_at"])
        return changed
    if kind == "seed":
        return _delete(SeedPaper.objects.filter(radar=radar, paper_id=_int(value)))
    return False


def add_chip(radar: Radar, kind: str, value: str) -> Added:
    value = " ".join((value or "").split())
    if not value:
        return Added(error=_("Type something to add."))
    if kind in ("keyword", "exclude"):
        radar.keywords = add_clause(radar.keywords, value, excluded=kind == "exclude")
        radar.save(update_fields=["keywords", "updated_at"])
        return Added(ok=True)
    if kind == "category":
        return add_category(radar, value)
    if kind == "author":
        return add_author_by_name(radar, value)
    return Added(error=_("This kind of filter cannot be added here."))


def add_category(radar: Radar, value: str) -> Added:
    code = normalise_code(value)
    if code is None:
        return Added(error=_("“%(value)s” is not a category; use an arXiv code such as cs.CV.") % {"value": value})
    if code not in (radar.categories or []):
        radar.categories = [*(radar.categories or []), code]
        radar.save(update_fields=["categories", "updated_at"])
    return Added(ok=True)


def add_author_by_name(radar: Radar, name: str) -> Added:
    """Follow the one person the name means, or return the choices when it is ambiguous."""
    found = resolve_name(name)
    if not found:
        return Added(error=_("No author named “%(name)s” is in the catalogue.") % {"name": name})
    if len(found) > 1 or len(people_of(found[0])) > 1:
        return Added(choices=found)
    follow(radar, found[0])
    return Added(ok=True)


def follow(radar: Radar, author: Author, group: int = 0) -> FollowedAuthor:
    """Follow ``author``; ``group`` (1-based, from ``people_of``) narrows it to one namesake."""
    coauthors, categories = [], []
    if group:
        groups = people_of(author, top=100_000)
        if not 1 <= group <= len(groups):
            raise ValueError(f"there is no person {group} under this name")
        coauthors = [aid for aid, _n in groups[group - 1].coauthors]
        categories = [code for code, _n in groups[group - 1].categories]
    followed, _created = FollowedAuthor.objects.update_or_create(
        radar=radar, author=author, defaults={"coauthors": coauthors, "categories": categories})  # fmt: skip
    return followed


def venue_choices() -> list[Venue]:
    return list(Venue.objects.order_by("name")[:500])


def _delete(queryset) -> bool:
    deleted, _ = queryset.delete()
    return bool(deleted)


def _int(value: str) -> int:
    return int(value) if str(value).isdigit() else -1
