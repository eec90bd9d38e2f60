"""Telling namesakes apart: one author name, possibly several people.

The catalogue stores authors by name key ("wu|chenrui"), so two researchers
who share a name share an Author row. arXiv gives no author identifiers, so
the evidence is the papers themselves: papers that share a co-author are
very likely by the same person (people keep collaborators), while
categories alone are weak (two "Wei Wang"s can both be in cs.CV). So papers
are grouped into connected components of "shares a co-author", and each
group is described by its frequent co-authors and categories; the reader
picks the group that is the person they mean. Pure functions, no Django.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class AuthoredPaper:
    """One paper of the name: its id, the other authors' ids and its categories (primary first)."""

    paper_id: int
    coauthors: frozenset[int]
    categories: tuple[str, ...]


@dataclass
class PersonGroup:
    """Papers probably by one person, with what identifies them."""

    paper_ids: list[int]
    coauthors: list[tuple[int, int]]     # (author id, papers together), most frequent first
    categories: list[tuple[str, int]]    # (primary category, papers), most frequent first

    @property
    def size(self) -> int:
        return len(self.paper_ids)


def split_people(papers: list[AuthoredPaper], *, top: int = 8) -> list[PersonGroup]:
    """Group one name's papers by shared co-authors; largest group first.

    A paper without co-authors, or whose co-authors appear nowhere else,
    is a group of its own: claiming it for a larger group would be a guess.
    """
    parent = list(range(len(papers)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_paper: dict[int, int] = {}
    for i, paper in enumerate(papers):
        for coauthor in paper.coauthors:
            j = first_paper.setdefault(coauthor, i)
            parent[find(i)] = find(j)
    members: dict[int, list[int]] = {}
    for i in range(len(papers)):
        members.setdefault(find(i), []).append(i)
    groups = [_describe([papers[i] for i in rows], top) for rows in members.values()]
    return sorted(groups, key=lambda g: (-g.size, -max(g.paper_ids)))


def _describe(papers: list[AuthoredPaper], top: int) -> PersonGroup:
    coauthors = Counter(a for p in papers for a in p.coauthors)
    categories = Counter(p.categories[0] for p in papers if p.categories)
    return PersonGroup(
        sorted((p.paper_id for p in papers), reverse=True),
        sorted(coauthors.items(), key=lambda kv: (-kv[1], kv[0]))[:top],
        sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))[:top],
    )
