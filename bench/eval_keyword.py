"""CACM through the project's real keyword path, beside bench/eval_search.py's standalone BM25.

    .venv/bin/python bench/eval_keyword.py

``bench/eval_search.py`` scores keyword search with its own in-memory FTS5
table. This bench shows the production path gives the same quality: it
writes the 3,204 CACM documents through the catalogue writer into a
throwaway catalogue (so ``paper_fts`` is filled exactly as in production),
then runs the 52 judged queries through
``academichub.search.keyword.keyword_ranking(parsed, 1000, match="any")``
and, beside it, through eval_search's standalone ``Keyword`` class with the
same column weights (``keyword.WEIGHTS``) and with its own (2, 1, 1).
It prints nDCG@10, Recall@100 and MAP for each, and how many of the top 10
of the two implementations agree. It also runs every query with
``match="all"`` both through the fast path (top lists, rebuilt first) and
through full scoring, and counts the queries whose top 20 differ (should be 0).

Ends with ``RESULT cacm_keyword_ndcg10=... cacm_standalone_ndcg10=...
cacm_standalone_211_ndcg10=... top10_agreement=... fast_vs_full_differences=...``.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import eval_search as ev  # noqa: E402

from bench import _django  # noqa: E402


OWN = "standalone, eval_search's own weights (2, 1, 1)"


def load_cacm(docs: list[dict]) -> dict[int, str]:
    """Write CACM into the catalogue; returns {paper id: CACM doc id}."""
    from academichub.core.records import PaperRecord, Version
    from academichub.papers.models import Paper
    from academichub.papers.storage import CatalogueWriter

    records = [PaperRecord(doi=f"10.0000/cacm.{d['_id']}", title=d["title"] or f"CACM {d['_id']}",
                           abstract=d.get("text") or "", authors=list(d.get("authors") or []),
                           versions=[Version(1, date(1970, 1, 1))], venue="CACM")
               for d in docs]  # fmt: skip
    CatalogueWriter("cacm").write(records)
    return {pid: doi.rsplit(".", 1)[1] for pid, doi in Paper.objects.values_list("id", "doi")}


def scores(rankings: list[list[str]], judged: list[dict], qrels) -> dict[str, float]:
    rows = []
    for ranking, item in zip(rankings, judged):
        grades = qrels[item["_id"]]
        rel = {d for d, g in grades.items() if g > 0}
        rows.append((ev.ndcg(ranking, grades, 10), ev.recall(ranking, rel, 100), ev.average_precision(ranking, rel)))
    return {k: sum(r[i] for r in rows) / len(rows) for i, k in enumerate(("ndcg10", "recall100", "map"))}


def main() -> None:
    _django.setup()
    from django.db import connection

    from academichub.core import query as q
    from academichub.search import keyword

    base = ev.shared_dir() / "eval" / "cacm"
    docs, queries, qrels = ev.read_jsonl(base / "corpus.jsonl"), ev.read_jsonl(base / "queries.jsonl"), \
        ev.read_qrels(base / "qrels.tsv")  # fmt: skip
    judged = [x for x in queries if qrels.get(x["_id"])]
    doc_of = load_cacm(docs)
    ours = [[doc_of[pid] for pid, _ in keyword.keyword_ranking(q.parse(x["text"]), ev.DEPTH, match="any")]
            for x in judged]  # fmt: skip
    results = {"keyword_ranking (production)": scores(ours, judged, qrels)}
    standalone = {}
    for label, weights in (("standalone, same weights", keyword.WEIGHTS), (OWN, (2.0, 1.0, 1.0))):
        ev.BM25_WEIGHTS = weights
        index = ev.Keyword(docs)
        standalone[label] = [ev.ids(index.search(q.to_fts5(q.parse(x["text"]), match="any"))) for x in judged]
        results[label] = scores(standalone[label], judged, qrels)
    agree = sum(len(set(a[:10]) & set(b[:10])) for a, b in zip(ours, standalone["standalone, same weights"]))
    agreement = agree / (10 * len(judged))
    print(f"CACM, {len(judged)} judged queries, keyword side (match=any, depth {ev.DEPTH})")
    print("| implementation | nDCG@10 | Recall@100 | MAP |\n|---|---|---|---|")
    for name, m in results.items():
        print(f"| {name} | {m['ndcg10']:.4f} | {m['recall100']:.4f} | {m['map']:.4f} |")
    print(f"top-10 agreement, production vs standalone (same weights): {agreement:.3f}")
    keyword.rebuild_top_lists(frequent_words=300)
    differences = 0
    with connection.cursor() as cursor:
        for x in queries:
            parsed = q.parse(x["text"])
            fast = keyword.keyword_ranking(parsed, 20)
            if [p for p, _ in fast] != [p for p, _ in keyword.full_ranking(cursor, parsed, 20)]:
                differences += 1
    print(f"match=all, top 20: fast path vs full scoring differ on {differences} of {len(queries)} queries")
    print(f"RESULT cacm_keyword_ndcg10={results['keyword_ranking (production)']['ndcg10']:.4f} "
          f"cacm_standalone_ndcg10={results['standalone, same weights']['ndcg10']:.4f} "
          f"cacm_standalone_211_ndcg10={results[OWN]['ndcg10']:.4f} "
          f"top10_agreement={agreement:.3f} fast_vs_full_differences={differences}")


if __name__ == "__main__":
    main()
