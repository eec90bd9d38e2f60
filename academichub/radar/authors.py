"""Author names to Author rows, namesakes told apart, and what an author page shows.

Following is by name *key* (``core.names.name_key``: accents, TeX accents,
"Family, Given" order and hyphens folded), never by substring, so "Chenrui
Wu" can only ever match Authorships of the Author keyed "wu|chenrui" — a
paper by "Chenrui Shi" and "Yuwei Wu" has no such Authorship. A name typed
with initials ("C. Wu") offers the full names it could abbreviate
(``names_match``) for the reader to choose from; it never follows them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from academichub.core.names import name_key, names_match, parse_name
from academichub.core.people import AuthoredPaper, PersonGroup, split_people
from academichub.papers.models import Author, Authorship, Paper

MAX_PAPERS = 2000     # an author page or a disambiguation reads at most this many papers
MAX_BUCKET = 500      # names sharing a family name scanned for initials matches


def resolve_name(text: str) -> list[Author]:
    """Authors the typed name can mean: the exact key first, then compatible spellings.

    A full given name ("Chenrui Wu") gives only its exact key when the
    catalogue has it; initials ("C. Wu"), or a full name the catalogue
    lacks, give every stored name that ``names_match`` accepts.
    """
    key = name_key(text or "")
    if not key:
        return []
    exact = list(Author.objects.filter(key=key))
    if exact and not _has_initials(text):
        return exact
    family = key.split("|", 1)[0]
    bucket = Author.objects.filter(key__startswith=family + "|").exclude(key=key).order_by("key")[:MAX_BUCKET]
    found = exact + [a for a in bucket if names_match(text, a.name)]
    return found or _two_word_family(text)


def _two_word_family(text: str) -> list[Author]:
    """'Laura Leal Taixe' typed for 'Laura Leal-Taixé': retry with the last two words as the family."""
    words = text.split()
    if "," in text or len(words) < 3:
        return []
    key = name_key("%s, %s" % (" ".join(words[-2:]), " ".join(words[:-2])))
    return list(Author.objects.filter(key=key)) if key else []


def _has_initials(text: str) -> bool:
    given = parse_name(text).given.replace(".", " ").replace("-", " ").split()
    return any(len(part) == 1 for part in given)


def people_of(author: Author, *, top: int = 8) -> list[PersonGroup]:
    """The author's papers grouped into probable people (largest first)."""
    paper_ids = list(Authorship.objects.filter(author=author).order_by("-paper_id")
                     .values_list("paper_id", flat=True)[:MAX_PAPERS])  # fmt: skip
    coauthors: dict[int, set[int]] = {pid: set() for pid in paper_ids}
    for pid, aid in Authorship.objects.filter(paper_id__in=paper_ids).exclude(author=author).values_list("paper_id", "author_id"):
        coauthors[pid].add(aid)
    primary = dict(Paper.objects.filter(pk__in=paper_ids).values_list("pk", "primary_category_id"))
    papers = [AuthoredPaper(pid, frozenset(coauthors[pid]), (primary[pid],) if primary.get(pid) else ())
              for pid in paper_ids]  # fmt: skip
    return split_people(papers, top=top)


@dataclass
class PersonView:
    """A PersonGroup with names, for templates and the API."""

    number: int
    group: PersonGroup
    coauthor_names: list[tuple[Author, int]]
    papers: list[Paper]


def describe_people(author: Author, groups: list[PersonGroup], papers_per_group: int = 5) -> list[PersonView]:
    ids = {aid for g in groups for aid, _ in g.coauthors}
    names = Author.objects.in_bulk(ids)
    wanted = [pid for g in groups for pid in g.paper_ids[:papers_per_group]]
    papers = Paper.objects.select_related("primary_category", "venue").in_bulk(wanted)
    return [
        PersonView(n, g, [(names[a], k) for a, k in g.coauthors if a in names],
                   [papers[p] for p in g.paper_ids[:papers_per_group] if p in papers])
        for n, g in enumerate(groups, start=1)
    ]  # fmt: skip
