"""Papers for tests, written through the real storage layer."""

from __future__ import annotations

from datetime import date

from academichub.core.records import PaperRecord, Version
from academichub.papers.storage import CatalogueWriter

XSS_ABSTRACT = (
    "We show <script>window.__xss = 1; alert('xss')</script> that "
    "<img src=x onerror=\"window.__xss = 2; alert('img')\"> nothing runs, with $\\alpha^2$ math."
)


def make_papers(day: date, count: int = 3, start: int = 1, **overrides) -> list[str]:
    records = []
    for n in range(start, start + count):
        arxiv_id = f"{day:%y%m}.{n:05d}"
        values = dict(
            arxiv_id=arxiv_id,
            title=f"Paper {n} on $\\mathcal{{O}}(n \\log n)$ Sorting",
            abstract=f"Abstract number {n}. We study sorting\nin $O(n)$ space.",
            authors=["Chenrui Wu", "Yuwei Wu", "Ana Mar\\'ia L\\'opez"],
            categories=["cs.DS", "cs.LG"],
            versions=[Version(1, day)],
            announced=day,
            announce_type="new",
            abs_url=f"https://arxiv.org/abs/{arxiv_id}",
            pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
        )
        values.update(overrides)
        records.append(PaperRecord(**values))
    CatalogueWriter("test").write(records)
    return [r.arxiv_id for r in records]
