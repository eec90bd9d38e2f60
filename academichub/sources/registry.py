"""Which sources exist, and the runner that stores what they yield."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

from academichub import paths
from academichub.core.http import PoliteClient
from academichub.papers.models import Paper
from academichub.papers.storage import CatalogueWriter
from academichub.sources import journals
from academichub.sources.arxiv import ArxivApi, ArxivOai, ArxivRss
from academichub.sources.base import ConfigError, RunContext, Source
from academichub.sources.config import KNOWN_SOURCES, load_settings
from academichub.sources.models import Checkpoint, SourceRun
from academichub.sources.runs import add_stats, recorded_run

log = logging.getLogger("academichub.sources")

DEFAULT_SOURCES = ["arxiv-rss"]  # what a hub without sources.toml or admin settings runs


def make_client(**overrides) -> PoliteClient:
    options = {"min_interval": settings.HTTP_MIN_INTERVAL, "user_agent": user_agent()}
    options.update(overrides)
    return PoliteClient(**options)


def user_agent() -> str:
    from academichub import __version__

    contact = getattr(settings, "CONTACT_EMAIL", "") or "no contact configured"
    return f"AcademicHub/{__version__} (self-hosted; {contact})"


def setting(name: str, default: str = "") -> str:
    """A Django setting, else the environment variable of that name, else `default`.

    The new sources' keys (CONTACT_EMAIL, OPENALEX_API_KEY, NCBI_API_KEY and
    the service URLs) work from the environment without a settings change.
    """
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return value or default


def build_source(name: str, client: PoliteClient) -> Source:
    if name == "arxiv-rss":
        return ArxivRss(client, settings.ARXIV_RSS_URL, settings.ARXIV_CATEGORIES)
    if name == "arxiv-oai":
        return ArxivOai(client, settings.ARXIV_OAI_URL)
    if name == "arxiv-api":
        return ArxivApi(client, settings.ARXIV_API_URL)
    if name in ("biorxiv", "medrxiv"):
        return journals.BiorxivDetails(client, setting("BIORXIV_API_URL", "https://api.biorxiv.org"), name)
    if name == "crossref":
        return journals.CrossrefWorks(client, setting("CROSSREF_API_URL", "https://api.crossref.org"),
                                      setting("CONTACT_EMAIL"))  # fmt: skip
    if name == "openalex":
        return journals.OpenAlexWorks(client, setting("OPENALEX_API_URL", "https://api.openalex.org"),
                                      setting("OPENALEX_API_KEY"), setting("CONTACT_EMAIL"))  # fmt: skip
    if name == "pubmed":
        return journals.PubmedSearch(client, setting("PUBMED_EUTILS_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"),
                                     setting("NCBI_API_KEY"), setting("CONTACT_EMAIL"))  # fmt: skip
    if name == "publisher-rss":
        return journals.PublisherRss(client)
    if name == "hf-daily":
        return journals.HfDailyPapers(client, setting("HF_API_URL", "https://huggingface.co"))
    raise ConfigError(f"unknown source {name!r}; known: {', '.join(KNOWN_SOURCES)}")


def run_source(source: Source, options: dict | None = None, scheduled: bool = False) -> SourceRun:
    """Run one source to the end, committing each batch with its checkpoint."""
    key = f"source:{source.name}"
    saved = Checkpoint.objects.filter(key=key).first()
    ctx = RunContext(options=options or {}, now=timezone.now(),
                     checkpoint=saved.value if saved else {}, scheduled=scheduled)  # fmt: skip
    with recorded_run(source.name, scheduled=scheduled) as run:
        writer = CatalogueWriter(source.name, run_id=run.pk)
        try:
            for batch in source.batches(ctx):
                save = (lambda cp=batch.checkpoint: _save_checkpoint(key, cp)) if batch.checkpoint else None
                if batch.signals is not None:
                    stats = writer.write_signals(batch.signals, extra=save)
                    fetched = len(batch.signals)
                else:
                    stats = writer.write(batch.records, extra=save)
                    fetched = len(batch.records) + len(batch.failures)
                stats.failed += len(batch.failures)
                stats.failures.extend(batch.failures)
                add_stats(run, stats, fetched=fetched)
        finally:
            run.warning = "; ".join(ctx.warnings)  # warnings count on failed runs too
    return run


def _save_checkpoint(key: str, value: dict) -> None:
    Checkpoint.objects.update_or_create(key=key, defaults={"value": value})


def run_sources(names: list[str] | None, options: dict, scheduled: bool = False) -> list[SourceRun]:
    """Run each named source (default: the enabled ones); one failing source does not stop the others.

    Each source runs with its effective settings (defaults < sources.toml <
    admin, see `config`), overridden for this run by the non-empty `options`
    (the command line's --from, --until, --categories …), and with a client
    of its own, so each service gets its own spacing.
    """
    loaded = load_settings()
    if loaded.errors:
        raise ConfigError("; ".join(loaded.errors))
    names = names or loaded.enabled()
    if not names:
        raise ConfigError("no source is enabled; enable one in sources.toml or the admin, or name one with --source")
    given = {key: value for key, value in (options or {}).items() if value not in (None, "", [])}
    runs = []
    for name in names:
        conf = loaded.sources.get(name)
        if conf is None:
            raise ConfigError(f"unknown source {name!r}; known: {', '.join(KNOWN_SOURCES)}")
        with make_client() as client:
            source = build_source(name, client)
            try:
                runs.append(run_source(source, {**conf.options, **given}, scheduled))
            except Exception:  # noqa: BLE001 — recorded on the run, reported by the caller
                runs.append(SourceRun.objects.filter(source=name).first())
    return runs


def first_fill(offline: bool) -> Iterator[str]:
    """Give a new hub papers: today's arXiv if the network answers, else the shared corpus."""
    count = Paper.objects.count()
    if count:
        yield f"catalogue: {count} papers"
        return
    if not offline:
        yield "fetching today's arXiv announcements…"
        with make_client(max_retries=1, timeout=15.0) as client:
            try:
                run = run_source(build_source("arxiv-rss", client))
                if run.new:
                    yield f"arXiv: {run.new} papers"
                    return
            except Exception as exc:  # noqa: BLE001 — no network is the normal offline case
                yield f"arXiv is not reachable ({type(exc).__name__}); using the offline corpus"
    yield from _import_offline_corpus()


def _import_offline_corpus() -> Iterator[str]:
    from academichub.commands import _progress_bar
    from academichub.sources.importer import import_dump

    corpus = paths.default_corpus()
    if not corpus.is_file():
        yield f"no offline corpus at {corpus}; the hub starts empty (run `academichub import FILE`)"
        return
    bar, update = _progress_bar(corpus.name)
    result = import_dump(corpus, progress=update)
    bar.close()
    yield f"imported {result.run.new} papers from {corpus.name}"
