"""Keeping merges reversible: absorbed records as JSON, and undoing a merge.

When the storage layer merges a record of another identity into a paper it
keeps that record (every `PaperRecord` field, as JSON: readable in the
admin, safe to load, stable across versions, unlike pickle) and the columns
the merge changed. An admin who finds two different works merged can undo
it: the paper gets back the values it had (where nothing newer replaced
them) and the absorbed record is written again as a paper of its own,
matched on identifiers only. The pair is remembered, so links and titles
never merge it again.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from academichub.core import dedup
from academichub.core.records import PaperRecord, Version
from academichub.papers import fulltext
from academichub.papers.models import Merge, Paper, Provenance

_DATE_COLUMNS = frozenset({"published", "updated", "announced"})


class MergeError(Exception):
    """A merge that cannot be undone as asked; the message says why and what to do."""


def record_to_json(record: PaperRecord) -> dict:
    """Every field of a record as JSON-safe values (dates as ISO strings)."""
    data = {}
    for spec in dataclasses.fields(PaperRecord):
        value = getattr(record, spec.name)
        if spec.name == "versions":
            value = [{"number": v.number, "date": v.date.isoformat() if v.date else None} for v in value]
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, (list, dict)):
            value = type(value)(value)
        data[spec.name] = value
    return data


def record_from_json(data: dict) -> PaperRecord:
    """The inverse of `record_to_json`; unknown keys (from a newer version) are ignored."""
    known = {spec.name for spec in dataclasses.fields(PaperRecord)}
    values = {k: v for k, v in data.items() if k in known}
    values["versions"] = [Version(int(v["number"]), _day(v.get("date"))) for v in values.get("versions") or []]
    if values.get("announced"):
        values["announced"] = _day(values["announced"])
    return PaperRecord(**values)


def undo_merge(merge: Merge | int, user: str = "") -> tuple[Paper, Paper]:
    """Split a merge back out; returns (the paper, the paper the absorbed record became).

    All in one transaction: if the absorbed record cannot become a paper of
    its own (it shares an arXiv id or DOI with a stored paper, which makes
    them one work by identifier), nothing changes and `MergeError` says so.
    """
    from academichub.papers.storage import CatalogueWriter

    with transaction.atomic():
        merge = Merge.objects.select_for_update().get(pk=getattr(merge, "pk", merge))
        if merge.undone_at:
            raise MergeError(f"merge #{merge.pk} was already undone on {merge.undone_at:%Y-%m-%d %H:%M}")
        paper = Paper.objects.select_for_update().get(pk=merge.paper_id)
        restored = _restore_columns(paper, merge.changes or {})
        paper.save()
        _refresh_children(paper, restored)
        record = _detached(record_from_json(merge.record), paper)
        stats = CatalogueWriter(f"undo-merge:{merge.pk}", allow_merge=False).write([record])
        split = _paper_of(record) if stats.new == 1 else None
        if split is None:
            raise MergeError(
                f"cannot split {merge.absorbed_key} out of {paper.identifier}: the absorbed record "
                f"shares its arXiv id or DOI with a stored paper, so they are one work by identifier; "
                f"correct the identifier on {paper.identifier} first, then undo again"
            )
        if merge.content_hash:  # the source's record, not the detached copy: a re-fetch is "unchanged"
            Paper.objects.filter(pk=split.pk).update(content_hash=merge.content_hash)
        merge.undone_at, merge.undone_by, merge.split_paper = timezone.now(), user[:150], split
        merge.save(update_fields=["undone_at", "undone_by", "split_paper"])
        detail = f"undid merge #{merge.pk} ({merge.reason}){f' by {user}' if user else ''}"
        Provenance.objects.create(paper=paper, source="admin", action="split", fields=sorted(restored), detail=detail)
        Provenance.objects.create(paper=split, source="admin", action="split", fields=[], detail=detail)
    return paper, split


def _restore_columns(paper: Paper, changes: dict) -> list[str]:
    """Put back the values a merge replaced, where the merge's value is still there."""
    restored = []
    for column, (before, after) in changes.items():
        if not hasattr(paper, column):
            continue
        if _comparable(getattr(paper, column)) != _comparable(after):
            continue  # a later record changed it: that value is not the merge's to take back
        setattr(paper, column, _day(before) if column in _DATE_COLUMNS else before)
        restored.append(column)
    return restored


def _refresh_children(paper: Paper, restored: list[str]) -> None:
    """Drop authors/categories the merge filled in, and re-index the restored text."""
    if "authors_text" in restored and not paper.authors_text:
        paper.authorships.all().delete()
    if "primary_category_id" in restored and not paper.primary_category_id:
        paper.paper_categories.all().delete()
    with connection.cursor() as cursor:
        from academichub.core import tex

        fulltext.remove(cursor, connection.vendor, [paper.pk])
        fulltext.add(cursor, connection.vendor, [(paper.pk, tex.plain_text(paper.title),
                                                  paper.authors_text.replace("\n", ", "),
                                                  tex.plain_text(paper.abstract))])  # fmt: skip


def _detached(record: PaperRecord, paper: Paper) -> PaperRecord:
    """The absorbed record without its links to the paper: the admin said they are not one work."""
    if record.arxiv_id and record.arxiv_id == paper.arxiv_id and record.doi:
        record.arxiv_id = None  # Crossref's "has-preprint" claim that was just rejected
    if paper.doi and dedup.doi_key(record.published_doi) == paper.doi:
        record.published_doi = ""
    if paper.doi and dedup.doi_key(record.source_ids.get("preprint_doi")) == paper.doi:
        record.source_ids = {k: v for k, v in record.source_ids.items() if k != "preprint_doi"}
    return record


def _paper_of(record: PaperRecord) -> Paper | None:
    if record.arxiv_id:
        return Paper.objects.filter(arxiv_id=record.arxiv_id).first()
    doi = dedup.doi_key(record.doi)
    return Paper.objects.filter(doi=doi).first() if doi else None


def _comparable(value):
    return value.isoformat() if isinstance(value, date) else value


def _day(value) -> date | None:
    return date.fromisoformat(value[:10]) if isinstance(value, str) and value else (value or None)
