"""Organisations of papers: from Hugging Face's claims and from authors' affiliations."""

from __future__ import annotations

from collections.abc import Iterable

from academichub.core import orgs
from academichub.daily.models import Organization, PaperOrganization


def organisation(name: str) -> Organization | None:
    """The organisation called `name` (created on first use; "" gives None)."""
    name = " ".join((name or "").split())[: orgs.MAX_LENGTH]
    if not name:
        return None
    found, _created = Organization.objects.get_or_create(slug=orgs.slug(name), defaults={"name": name})
    return found


def attach(paper_id: int, names: Iterable[str], source: str) -> int:
    """Link the paper to each named organisation once; returns how many links are new."""
    links = [PaperOrganization(paper_id=paper_id, organization=org, source=source)
             for org in {o.pk: o for o in map(organisation, names) if o}.values()]  # fmt: skip
    before = PaperOrganization.objects.filter(paper_id=paper_id).count()
    PaperOrganization.objects.bulk_create(links, ignore_conflicts=True)
    return PaperOrganization.objects.filter(paper_id=paper_id).count() - before


def from_affiliations(paper_id: int, affiliations: Iterable[str]) -> int:
    """Record the institutions named in a record's author affiliations (Crossref, OpenAlex …)."""
    names = [orgs.organisation_name(a) for a in affiliations if a]
    return attach(paper_id, names, PaperOrganization.Source.AFFILIATION)
