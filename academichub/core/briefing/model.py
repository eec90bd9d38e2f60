"""The shapes the briefing pipeline passes around: papers in, a cited document out.

Plain dataclasses, no Django, so every step is testable on its own and a
stored briefing is JSON (``Briefing.to_dict``), never pickle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

LANGUAGES = ("en", "zh")


@dataclass
class BriefPaper:
    """One paper as the pipeline sees it: clean text, categories primary first.

    ``key`` is the catalogue's id (``Paper.pk``): a citation [n] resolves to
    it. Input order is the upstream ranking (search, radar, category feed).
    """

    key: int | str
    title: str
    abstract: str
    categories: list[str] = field(default_factory=list)
    arxiv_id: str = ""
    authors: list[str] = field(default_factory=list)
    announced: date | None = None
    comments: str = ""
    url: str = ""
    signals: int = 0  # attention elsewhere (e.g. Hugging Face upvotes), 0 when unknown

    @property
    def primary(self) -> str:
        return self.categories[0] if self.categories else ""

    @property
    def text(self) -> str:
        return f"{self.title}. {self.abstract}".strip()


@dataclass
class Theme:
    """A cluster of papers: members by rank, the most central first in ``representatives``."""

    id: int
    members: list[int]  # indices into the selected papers
    representatives: list[int]
    phrases: list[str] = field(default_factory=list)
    categories: list[tuple[str, int]] = field(default_factory=list)  # dominant first
    share_now: float = 0.0
    share_before: float | None = None  # None: no previous window given

    @property
    def label(self) -> str:
        return " · ".join(self.phrases[:3]) if self.phrases else f"#{self.id + 1}"


@dataclass
class Bridge:
    """A cross-domain link. ``kind``: between_themes | method_travel | cross_listed."""

    kind: str
    papers: list[int]  # indices into the selected papers
    themes: list[int] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # categories or archives linked
    phrase: str = ""
    score: float = 0.0


@dataclass
class Sentence:
    """One sentence of the briefing; ``cites`` are catalogue numbers, rendered as [n]."""

    text: str
    cites: list[int] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class Section:
    """kind: overview | theme | links | notable | trends."""

    kind: str
    title: str
    sentences: list[Sentence] = field(default_factory=list)
    theme: int | None = None
    engine: str = "offline"  # who wrote it: offline, or the model's name


@dataclass
class CatalogueEntry:
    """[n] -> a paper of the catalogue."""

    n: int
    key: int | str
    title: str
    arxiv_id: str = ""
    url: str = ""


@dataclass
class Grounding:
    """What the grounding check found (stored with every briefing)."""

    sentences: int = 0
    cited_sentences: int = 0
    uncited_sentences: int = 0
    citations: int = 0
    unresolved_removed: int = 0  # [n] not in the catalogue or not given for that section
    unsupported_numbers: int = 0  # sentences dropped: a number no cited abstract contains
    dropped_sentences: int = 0
    flagged_sentences: int = 0
    regenerated_sections: int = 0  # sections rewritten offline after a failed generation

    @property
    def uncited_share(self) -> float:
        return self.uncited_sentences / self.sentences if self.sentences else 0.0

    def add(self, other: Grounding) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict:
        return {**asdict(self), "uncited_share": round(self.uncited_share, 4)}


@dataclass
class Usage:
    """Tokens and money spent on one briefing (cached answers cost nothing)."""

    calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    models: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Briefing:
    language: str
    sections: list[Section]
    catalogue: list[CatalogueEntry]
    themes: list[Theme]
    bridges: list[Bridge]
    grounding: Grounding
    usage: Usage = field(default_factory=Usage)
    engine: str = "offline"
    papers_in: int = 0
    meta: dict = field(default_factory=dict)

    def entry(self, n: int) -> CatalogueEntry | None:
        return self._by_n().get(n)

    def _by_n(self) -> dict[int, CatalogueEntry]:
        return {e.n: e for e in self.catalogue}

    def cited_numbers(self) -> list[int]:
        seen: dict[int, None] = {}
        for section in self.sections:
            for sentence in section.sentences:
                seen.update(dict.fromkeys(sentence.cites))
        return list(seen)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["grounding"] = self.grounding.to_dict()
        return data


def from_record(record, key: int | str) -> BriefPaper:
    """A ``PaperRecord`` (from a dump or a source) as a ``BriefPaper`` with clean text."""
    from academichub.core import tex

    return BriefPaper(key=key, title=tex.plain_text(record.title), abstract=tex.plain_text(record.abstract),
                      categories=list(record.categories), arxiv_id=record.arxiv_id or "",
                      authors=list(record.authors), announced=record.announced or record.published,
                      comments=record.comments or "", url=record.abs_url or "")  # fmt: skip
