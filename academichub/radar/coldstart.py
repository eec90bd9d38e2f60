"""Cold start: a reader's library, or ten quick ratings, give a new radar something to go on.

Two ways in, both ending in the signals the ranking already uses:

* **Import** a BibTeX, RIS, Zotero CSV/JSON export or a list of arXiv
  ids/DOIs (parsed by ``core.citation_import``). Works are matched to
  catalogue papers by arXiv id, then DOI (the paper's own or its published
  version's), then title key (the catalogue's ``title_key``, first author as
  the tie-break); matched papers become the radar's seed papers (liked).
  The library also suggests authors to follow (those who recur, and are in
  the catalogue) and keywords (title phrases that recur in the library and
  pick out few papers of the last month, counted with the radar's own rule).
* **Rate ten papers**: diverse, recent, popular papers of the radar's
  categories from the last month, chosen by the one scoring function with
  popularity weighted up and MMR for variety; the answers are ordinary
  ratings, so the feed and the taste model learn from them at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db import transaction

from academichub.core import ranking
from academichub.core.citation_import import (
    ImportedWork, ImportResult, parse_citations, suggest_authors, suggest_keywords,
)  # fmt: skip
from academichub.core.interests import parse_keywords
from academichub.core.names import name_key
from academichub.papers.models import Author, Paper
from academichub.papers.storage import title_key
from academichub.radar import feed
from academichub.radar.models import Radar, Rating, SavedPaper, SeedPaper, Window

MAX_SEEDS = 500               # seed papers one import may add (a radar is not a library mirror)
ONBOARDING_SIZE = 10
ONBOARDING_WEIGHTS = replace(ranking.DEFAULT_WEIGHTS, popularity=1.0)   # popular first, then recent


@dataclass
class Match:
    work: ImportedWork
    paper: Paper | None = None
    how: str = ""                 # "arxiv", "doi" or "title"


@dataclass
class ImportReport:
    result: ImportResult
    matches: list[Match] = field(default_factory=list)
    added: int = 0                # seed papers new to the radar
    authors: list[tuple[Author, int]] = field(default_factory=list)   # suggested, with works in the library
    keywords: list[str] = field(default_factory=list)                 # suggested clauses

    @property
    def matched(self) -> list[Match]:
        return [m for m in self.matches if m.paper is not None]

    @property
    def unmatched(self) -> list[Match]:
        return [m for m in self.matches if m.paper is None]


def import_library(radar: Radar, data: bytes | str, filename: str = "") -> ImportReport:
    """Parse, match, seed the radar and suggest; raises ``CitationImportError`` for unreadable input."""
    result = parse_citations(data, filename)
    report = ImportReport(result, match_works(result.works))
    report.added = add_seeds(radar, [m.paper for m in report.matched])
    library = [_described(m) for m in report.matches]
    report.authors = suggest_followed(radar, library)
    report.keywords = suggest_clauses(radar, library)
    return report


def match_works(works: list[ImportedWork]) -> list[Match]:
    """Each work with its catalogue paper, found by arXiv id, DOI, then title key (3 queries in all)."""
    by_arxiv = Paper.objects.in_bulk({w.arxiv_id for w in works if w.arxiv_id}, field_name="arxiv_id")
    dois = {w.doi for w in works if w.doi}
    by_doi: dict[str, Paper] = {}
    for paper in Paper.objects.filter(doi__in=dois) | Paper.objects.filter(published_doi__in=dois):
        for doi in (paper.doi, paper.published_doi):
            if doi in dois:
                by_doi.setdefault(doi, paper)
    keys = {w: title_key(w.title) for w in works if w.title and not (w.arxiv_id in by_arxiv or w.doi in by_doi)}
    by_title: dict[str, list[Paper]] = {}
    for paper in Paper.objects.filter(title_key__in={k for k in keys.values() if k}).order_by("id"):
        by_title.setdefault(paper.title_key, []).append(paper)
    matches = []
    for work in works:
        if work.arxiv_id in by_arxiv:
            matches.append(Match(work, by_arxiv[work.arxiv_id], "arxiv"))
        elif work.doi in by_doi:
            matches.append(Match(work, by_doi[work.doi], "doi"))
        elif by_title.get(keys.get(work, "")):
            matches.append(Match(work, _same_first_author(work, by_title[keys[work]]), "title"))
        else:
            matches.append(Match(work))
    return matches


def _same_first_author(work: ImportedWork, papers: list[Paper]) -> Paper:
    """Among papers sharing a title, the one whose first author is the work's (else the oldest)."""
    wanted = name_key(work.authors[0]) if work.authors else ""
    for paper in papers:
        names = paper.author_list
        if wanted and names and name_key(names[0]) == wanted:
            return paper
    return papers[0]


def add_seeds(radar: Radar, papers: list[Paper]) -> int:
    """Make ``papers`` seed papers of ``radar`` (at most MAX_SEEDS new); returns how many were new."""
    known = set(SeedPaper.objects.filter(radar=radar).values_list("paper_id", flat=True))
    new = [p for p in dict.fromkeys(papers) if p.pk not in known][:MAX_SEEDS]
    SeedPaper.objects.bulk_create([SeedPaper(radar=radar, paper=p) for p in new], ignore_conflicts=True)
    return len(new)


def _described(match: Match) -> ImportedWork:
    """The work as suggestions see it: the catalogue's title and authors fill what the file lacks."""
    work, paper = match.work, match.paper
    if paper is None or (work.title and work.authors):
        return work
    return replace(work, title=work.title or paper.title_text, authors=work.authors or tuple(paper.author_list))


def suggest_followed(radar: Radar, library: list[ImportedWork], limit: int = 8) -> list[tuple[Author, int]]:
    """Recurring authors of the library who are in the catalogue and not followed yet."""
    names = suggest_authors(library, limit=limit * 3)
    authors = Author.objects.in_bulk({name_key(n) for n, _ in names}, field_name="key")
    followed = set(radar.followed.values_list("author_id", flat=True))
    found = [(authors[name_key(n)], count) for n, count in names if name_key(n) in authors]
    return [(a, count) for a, count in found if a.pk not in followed][:limit]


def suggest_clauses(radar: Radar, library: list[ImportedWork], limit: int = 8) -> list[str]:
    """Keyword clauses from the library's titles and keywords, scored against last month's papers."""
    start, end = feed.window_bounds(Window.MONTH)
    if end is None:
        return []
    block = feed.candidates_for(start, end)
    index = block.index()
    have = {c.source.lower() for c in parse_keywords(radar.keywords).clauses}

    def frequency(phrase: str) -> int:
        clauses = parse_keywords(f'"{phrase}"').positive
        if not clauses:
            return len(block)
        term = clauses[0].terms[0]
        return int((index.title.mask(term) | index.abstract.mask(term)).sum())

    found = suggest_keywords(library, frequency, len(block), limit=limit + len(have))
    return [k for k in found if k.lower() not in have][:limit]


# ------------------------------------------------------------------ rate ten papers


def onboarding_papers(radar: Radar, size: int = ONBOARDING_SIZE) -> list[Paper]:
    """Papers to rate: the month's most popular and recent in the radar's categories, diversified.

    Papers the reader already rated or saved are left out, so the page can
    be used again for ten more.
    """
    start, end = feed.window_bounds(Window.MONTH)
    if end is None:
        return []
    block = feed.candidates_for(start, end)
    done = set(Rating.objects.filter(user_id=radar.owner_id).values_list("paper_id", flat=True))
    done |= set(SavedPaper.objects.filter(user_id=radar.owner_id).values_list("paper_id", flat=True))
    profile = ranking.Profile(categories=frozenset(radar.categories or []))
    ranked = ranking.score_candidates(block, profile, weights=ONBOARDING_WEIGHTS, limit=size * feed.POOL_FACTOR,
                                      hidden=done)  # fmt: skip
    chosen = ranking.diversify(ranked.items, block.vectors, size, weights=ONBOARDING_WEIGHTS)
    papers = Paper.objects.select_related("primary_category", "venue").in_bulk([s.paper_id for s in chosen])
    return [papers[s.paper_id] for s in chosen if s.paper_id in papers]


def record_ratings(user, radar: Radar, values: dict[int, int]) -> int:
    """Store the onboarding answers (paper id -> 1 or -1) as ratings, refit once; returns how many."""
    papers = Paper.objects.in_bulk(list(values))
    with transaction.atomic():
        for pid, value in values.items():
            if pid in papers and value in (1, -1):
                Rating.objects.update_or_create(user=user, paper=papers[pid], defaults={"value": value, "radar": radar})
        feed.refit_taste(user)
    return sum(1 for pid, v in values.items() if pid in papers and v in (1, -1))
