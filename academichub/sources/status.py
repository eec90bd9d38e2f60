"""The figures behind `academichub status` (and its --json twin)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count

from academichub.papers import fulltext
from academichub.papers.models import Author, Category, Merge, Paper
from academichub.sources.config import load_settings
from academichub.sources.models import Checkpoint, SourceRun

# Settings an enabled source cannot run without, and the message that names the fix.
REQUIRED = {"openalex": ("OPENALEX_API_KEY", "openalex is enabled but OPENALEX_API_KEY is not set; set it "
                                             "(free from https://openalex.org/settings/api) or disable openalex")}  # fmt: skip


def collect_status() -> dict:
    with connection.cursor() as cursor:
        indexed = fulltext.count(cursor, connection.vendor)
    papers = Paper.objects.count()
    sources, config_errors = _sources()
    return {
        "papers": papers,
        "authors": Author.objects.count(),
        "categories": Category.objects.filter(papers__isnull=False).distinct().count(),
        "merged_records": Merge.objects.filter(undone_at=None).count(),
        "database": connection.vendor,
        "latest_announcement": _latest_day(),
        "index": {"fulltext": indexed, "fulltext_complete": indexed == papers},
        "embeddings": _embeddings(),
        "sources": sources,
        "resumable": [{"key": cp.key, "at": _resume_point(cp.value)}
                      for cp in Checkpoint.objects.all() if not cp.value.get("done")],  # fmt: skip
        "warnings": _warnings(sources, config_errors),
    }


def _embeddings() -> dict:
    """Semantic-search progress: papers with a vector of the configured model (see academichub.search)."""
    from academichub.search.embedding import progress

    return progress()


def _latest_day():
    day = Paper.objects.exclude(announced=None).order_by("-announced").values_list("announced", flat=True).first()
    return day.isoformat() if day else None


def _resume_point(value: dict):
    """Where an unfinished job resumes: a dump line, a token, a cursor or an offset."""
    for key in ("line", "token", "cursor", "retstart", "start"):
        if value.get(key) not in (None, "", 0, "*"):
            return value[key]
    return value.get("window") or "the start"


def _sources() -> tuple[list[dict], list[str]]:
    """Every source that ran (imports too), then every configured source that never ran."""
    loaded = load_settings()
    counts = dict(SourceRun.objects.values_list("source").annotate(n=Count("id")))
    ran = sorted(counts)  # sources with runs first (by name), then configured ones that never ran
    names = ran + [name for name in loaded.sources if name not in counts]
    rows = []
    for name in names:
        conf = loaded.sources.get(name)
        row = {"source": name, "configured": conf is not None, "enabled": bool(conf and conf.enabled),
               "every": conf.every if conf else "", "settings_from": conf.layers if conf else [],
               "runs": counts.get(name, 0), "last_run": None, "status": "never ran", "fetched": 0, "new": 0,
               "updated": 0, "merged": 0, "failed": 0, "message": ""}  # fmt: skip
        run = SourceRun.objects.filter(source=name).first() if counts.get(name) else None
        if run is not None:
            row.update({"last_run": run.started.isoformat(), "status": run.status, "fetched": run.fetched,
                        "new": run.new, "updated": run.updated, "merged": run.merged, "failed": run.failed,
                        "message": run.warning or run.error})  # fmt: skip
        rows.append(row)
    return rows, loaded.errors


def _warnings(sources: list[dict], config_errors: list[str]) -> list[str]:
    from academichub.sources.registry import setting

    warnings = [f"source settings: {error}" for error in config_errors]
    warnings += [f"{row['source']}: {row['status']}: {row['message']}"
                 for row in sources if row["status"] in ("warning", "failed")]  # fmt: skip
    for row in sources:
        name, needed = row["source"], REQUIRED.get(row["source"])
        if row["enabled"] and needed and not setting(needed[0]):
            warnings.append(f"{name}: {needed[1]}")
    return warnings


def format_status(figures: dict) -> str:
    lines = [
        f"papers: {figures['papers']}",
        f"authors: {figures['authors']}",
        f"categories: {figures['categories']}",
        f"merged records: {figures.get('merged_records', 0)} (undo in the admin: Catalogue › Merges)",
        f"database: {figures['database']}",
        f"latest announcement day: {figures['latest_announcement'] or '-'}",
        f"full-text index: {figures['index']['fulltext']} papers"
        + ("" if figures["index"]["fulltext_complete"] else " (incomplete)"),
        _embeddings_line(figures["embeddings"]),
        "sources:" if any(row["last_run"] for row in figures["sources"])
        else "sources: none has run yet (try `academichub ingest`)",
    ]
    for row in figures["sources"]:
        lines.append("  " + _source_line(row))
    for item in figures["resumable"]:
        lines.append(f"  unfinished: {item['key']} (will resume at {item['at']})")
    for warning in figures["warnings"]:
        lines.append(f"WARNING {warning}")
    return "\n".join(lines)


def _embeddings_line(e: dict) -> str:
    """'embeddings: 3000 of 74728 (model all-MiniLM-L6-v2/...)', plus rows of an older model to redo."""
    line = f"embeddings: {e['embedded']} of {e['papers']} (model {e['model']})"
    if e["other_model"]:
        line += f"; {e['other_model']} made by another model will be re-embedded"
    return line + ("" if e["embedded"] >= e["papers"] else " (run `academichub embed` or a worker to continue)")


def _source_line(row: dict) -> str:
    """'crossref (enabled, every 1d; sources.toml): last run 2026-07-01 09:00 ok, fetched 120, …'."""
    state = ""
    if row["configured"]:
        where = ", ".join(layer for layer in row["settings_from"] if layer != "defaults") or "defaults"
        state = f" ({'enabled' if row['enabled'] else 'disabled'}, {row['every']}; settings: {where})"
    if not row["last_run"]:
        return f"{row['source']}{state}: never ran"
    return (f"{row['source']}{state}: last run {row['last_run'][:16]} {row['status']}, "
            f"fetched {row['fetched']}, new {row['new']}, updated {row['updated']} ({row['merged']} merged), "
            f"failed {row['failed']} ({row['runs']} runs)")  # fmt: skip
