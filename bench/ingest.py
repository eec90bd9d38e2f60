"""Bulk import speed: `academichub import` against a raw executemany floor.

    .venv/bin/python bench/ingest.py [--file PATH] [--limit N]

Phase "ours" runs the real import (JSON parsing, TeX cleaning, author keys,
categories, versions, provenance, full-text index) into a fresh SQLite data
directory. Phase "raw" prepares the very same rows in memory first, then
times only plain `executemany` inserts of them into the same schema (also a
fresh directory), in batches of the same size. Each phase runs in its own
process. Ends with one line: RESULT papers=… papers_per_s=… raw_per_s=… ratio=…
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402


def phase_ours(path: Path, limit: int | None) -> dict:
    _django.setup()
    from academichub.sources.importer import import_dump

    source = _limited_copy(path, limit)
    started = time.perf_counter()
    result = import_dump(source)
    seconds = time.perf_counter() - started
    return {"papers": result.run.new, "seconds": seconds, "rss_mb": _django.rss_mb()}


def _limited_copy(path: Path, limit: int | None) -> Path:
    if not limit:
        return path
    target = Path(_django.tempfile.mkdtemp()) / f"first{limit}.jsonl"
    with gzip.open(path, "rt") as src, open(target, "w") as dst:
        dst.writelines(itertools.islice(src, limit))
    return target


def phase_raw(path: Path, limit: int | None) -> dict:
    _django.setup()
    from academichub.core import dumps
    from academichub.papers.storage import prepare

    stream, raw = dumps.open_dump(path)
    records = [line.record for line in itertools.islice(dumps.read_dump(stream), limit) if line.record]
    prepared = [prepare(r) for r in records]
    tables = _raw_rows(prepared)
    started = time.perf_counter()
    _insert_raw(tables)
    return {"papers": len(prepared), "seconds": time.perf_counter() - started}


def _raw_rows(prepared) -> list[dict]:
    """Row tuples for every table, ids assigned up front, in batches of 2000."""
    from academichub.core import tex
    from academichub.papers.storage import PAPER_COLUMNS, _category_row

    authors, batches, categories = {}, [], {}
    for start in range(0, len(prepared), 2000):
        chunk = prepared[start : start + 2000]
        rows = {"paper": [], "author": [], "authorship": [], "category": [], "pcat": [], "version": [],
                "fts": [], "provenance": []}  # fmt: skip
        for offset, item in enumerate(chunk, start=start + 1):
            rows["paper"].append([offset] + [item.row[c] for c in PAPER_COLUMNS] + ["2026-01-01 00:00:00"] * 2)
            for pos, (key, name) in enumerate(item.authors):
                if key not in authors:
                    authors[key] = len(authors) + 1
                    rows["author"].append((authors[key], key, name))
                rows["authorship"].append((offset, authors[key], pos, item.affiliations[pos]))
            for pos, code in enumerate(item.categories):
                if code not in categories:
                    categories[code] = True
                    rows["category"].append(_category_row(code))
                rows["pcat"].append((offset, code, pos == 0))
            rows["version"] += [(offset, v.number, v.date) for v in item.record.versions]
            fields = json.dumps(sorted(k for k, v in item.row.items() if v not in (None, "")))
            rows["provenance"].append((offset, "bench", None, "created", fields, "2026-01-01 00:00:00"))
            rows["fts"].append((offset, tex.plain_text(item.row["title"]),
                                item.row["authors_text"].replace("\n", ", "), tex.plain_text(item.row["abstract"])))  # fmt: skip
        batches.append(rows)
    return batches


def _insert_raw(batches) -> None:
    from django.db import connection, transaction

    from academichub.papers.storage import PAPER_COLUMNS

    cols = ("id",) + PAPER_COLUMNS + ("created_at", "updated_at")
    sql = {
        "paper": f"INSERT INTO papers_paper ({', '.join(cols)}) VALUES ({','.join(['%s'] * len(cols))})",
        "author": "INSERT INTO papers_author (id, key, name) VALUES (%s, %s, %s)",
        "authorship": "INSERT INTO papers_authorship (paper_id, author_id, position, affiliation) VALUES (%s, %s, %s, %s)",
        "category": "INSERT INTO papers_category (code, name_en, name_zh, archive, group_en, group_zh) VALUES (%s,%s,%s,%s,%s,%s)",
        "pcat": "INSERT INTO papers_papercategory (paper_id, category_id, is_primary) VALUES (%s, %s, %s)",
        "version": "INSERT INTO papers_paperversion (paper_id, number, date) VALUES (%s, %s, %s)",
        "fts": "INSERT INTO paper_fts (rowid, title, authors, abstract) VALUES (%s, %s, %s, %s)",
        "provenance": "INSERT INTO papers_provenance (paper_id, source, run_id, action, fields, at)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
    }
    order = ["category", "author", "paper", "authorship", "pcat", "version", "fts", "provenance"]
    for rows in batches:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in order:
                if rows[table]:
                    cursor.executemany(sql[table], rows[table])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=None)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--phase", choices=["ours", "raw"])
    args = parser.parse_args()
    from academichub import paths

    path = Path(args.file) if args.file else paths.default_corpus()
    if args.phase:
        figures = (phase_ours if args.phase == "ours" else phase_raw)(path, args.limit)
        print(json.dumps(figures))
        return
    results = {}
    for phase in ("ours", "raw"):
        cmd = [sys.executable, __file__, "--phase", phase, "--file", str(path)]
        cmd += ["--limit", str(args.limit)] if args.limit else []
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results[phase] = json.loads(out.strip().splitlines()[-1])
        print(f"{phase}: {results[phase]}")
    ours = results["ours"]["papers"] / results["ours"]["seconds"]
    raw = results["raw"]["papers"] / results["raw"]["seconds"]
    print(f"import: {ours:,.0f} papers/s   raw executemany: {raw:,.0f} papers/s   ratio {ours / raw:.2f}")
    print(f"RESULT papers={results['ours']['papers']} papers_per_s={ours:.0f} raw_per_s={raw:.0f} "
          f"ratio={ours / raw:.2f} seconds={results['ours']['seconds']:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
