"""Prometheus text exposition of the hub's health figures.

Gauges are read from the database at scrape time (papers, source runs, lag,
queue depth), so every web process reports the same numbers. Latencies are
recorded with :func:`observe` into Django's cache as histogram buckets: with
``REDIS_URL`` set the cache is shared and the histogram covers every process;
on the embedded default it covers the process that serves the scrape.

Other apps contribute samples by adding a ``"module:function"`` to
:data:`COLLECTORS`; each function returns an iterable of :class:`Sample`.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HISTOGRAMS = {"search": "academichub_search_latency_seconds"}
COLLECTORS = [
    "academichub.ops.metrics:catalogue_samples",
    "academichub.ops.metrics:source_samples",
    "academichub.ops.metrics:queue_samples",
    "academichub.ops.metrics:latency_samples",
    "academichub.ops.metrics:email_samples",
]
HELP = {
    "academichub_papers": ("gauge", "Papers in the catalogue."),
    "academichub_source_runs": ("gauge", "Source runs recorded, by source and status."),
    "academichub_source_papers_new": ("gauge", "Papers created by each source, over all runs."),
    "academichub_source_failed_items": ("gauge", "Records a source could not store, over all runs."),
    "academichub_source_lag_seconds": ("gauge", "Seconds since each source's last successful run ended."),
    "academichub_queue_depth": ("gauge", "Jobs waiting in the background queue."),
    "academichub_queue_claimed": ("gauge", "Jobs taken by a worker and not finished yet."),
    "academichub_search_latency_seconds": ("histogram", "Search latency."),
    "academichub_email_failures": ("gauge", "Emails whose sending failed (waiting for a retry or given up)."),
}


@dataclass(frozen=True)
class Sample:
    name: str
    value: float
    labels: dict = field(default_factory=dict)


def observe(kind: str, seconds: float) -> None:
    """Count one latency into the cache-held histogram for kind (e.g. "search")."""
    from django.core.cache import cache

    name = HISTOGRAMS[kind]
    keys = [f"metrics:{name}:le:{bound}" for bound in BUCKETS if seconds <= bound]
    keys += [f"metrics:{name}:count", f"metrics:{name}:sum_us"]
    amounts = {key: int(seconds * 1e6) if key.endswith("sum_us") else 1 for key in keys}
    try:
        if not _increment_in_redis(cache, amounts):
            for key, amount in amounts.items():
                _increment(cache, key, amount)
    except Exception:  # noqa: BLE001 — a cache outage must not fail the request being measured
        log.warning("could not record a %s latency (cache unavailable)", kind, exc_info=True)


def _increment_in_redis(cache, amounts: dict[str, int]) -> bool:
    """All the buckets in one round trip (INCRBY in a pipeline) when the cache is Redis; False otherwise.

    Up to 13 sequential round trips per search cost more wall time under load
    than the cached search itself. Django's Redis cache stores integers as
    plain numbers, so ``cache.get`` reads what INCRBY wrote."""
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(cache, RedisCache):
        return False
    names = {cache.make_and_validate_key(key): amount for key, amount in amounts.items()}
    pipeline = cache._cache.get_client(next(iter(names)), write=True).pipeline(transaction=False)
    for name, amount in names.items():
        pipeline.incrby(name, amount)
    pipeline.execute()
    return True


def _increment(cache, key: str, amount: int) -> None:
    try:
        cache.incr(key, amount)
    except ValueError:  # not there yet
        if not cache.add(key, amount, timeout=None):
            cache.incr(key, amount)


def catalogue_samples():
    from academichub.papers.models import Paper

    yield Sample("academichub_papers", Paper.objects.count())


def source_samples():
    from django.db.models import Count, Max, Sum
    from django.utils import timezone

    from academichub.sources.models import SourceRun

    for row in SourceRun.objects.values("source", "status").annotate(n=Count("id")):
        yield Sample("academichub_source_runs", row["n"], {"source": row["source"], "status": row["status"]})
    totals = SourceRun.objects.values("source").annotate(new=Sum("new"), failed=Sum("failed"))
    for row in totals:
        yield Sample("academichub_source_papers_new", row["new"] or 0, {"source": row["source"]})
        yield Sample("academichub_source_failed_items", row["failed"] or 0, {"source": row["source"]})
    done = SourceRun.objects.filter(status__in=("ok", "warning")).values("source").annotate(last=Max("finished"))
    now = timezone.now()
    for row in done:
        if row["last"]:
            yield Sample("academichub_source_lag_seconds", (now - row["last"]).total_seconds(), {"source": row["source"]})


def queue_samples():
    from huey.contrib.djhuey import HUEY

    yield Sample("academichub_queue_depth", HUEY.pending_count())
    if hasattr(HUEY.storage, "claimed_count"):
        yield Sample("academichub_queue_claimed", HUEY.storage.claimed_count())


def latency_samples():
    from django.core.cache import cache

    for name in HISTOGRAMS.values():
        keys = [f"metrics:{name}:le:{bound}" for bound in BUCKETS] + [f"metrics:{name}:count", f"metrics:{name}:sum_us"]
        found = cache.get_many(keys)
        for bound in BUCKETS:
            yield Sample(f"{name}_bucket", found.get(f"metrics:{name}:le:{bound}", 0), {"le": str(bound)})
        count = found.get(f"metrics:{name}:count", 0)
        yield Sample(f"{name}_bucket", count, {"le": "+Inf"})
        yield Sample(f"{name}_count", count)
        yield Sample(f"{name}_sum", found.get(f"metrics:{name}:sum_us", 0) / 1e6)


def email_samples():
    """Failed sends, read from whichever outbox model the delivery app keeps."""
    from django.apps import apps

    for model in apps.get_models():
        counter = getattr(model, "failed_count_for_metrics", None)
        if callable(counter):
            yield Sample("academichub_email_failures", counter(), {"kind": model._meta.model_name})


def collect() -> list[Sample]:
    """Every collector's samples; a failing collector is logged and skipped."""
    samples: list[Sample] = []
    for target in COLLECTORS:
        module_name, attribute = target.split(":")
        try:
            samples.extend(getattr(importlib.import_module(module_name), attribute)())
        except Exception:  # noqa: BLE001 — one broken collector must not hide the rest
            log.exception("metrics collector %s failed", target)
    return samples


def render(samples: list[Sample]) -> str:
    """The Prometheus text format (version 0.0.4)."""
    lines, described = [], set()
    for sample in samples:
        family = _family(sample.name)
        if family not in described and family in HELP:
            kind, text = HELP[family]
            lines += [f"# HELP {family} {text}", f"# TYPE {family} {kind}"]
            described.add(family)
        lines.append(f"{sample.name}{_labels(sample.labels)} {_number(sample.value)}")
    return "\n".join(lines) + "\n"


def _family(name: str) -> str:
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix) and name[: -len(suffix)] in HELP:
            return name[: -len(suffix)]
    return name


def _labels(labels: dict) -> str:
    if not labels:
        return ""
    escaped = (f'{key}="{str(value).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34)).replace(chr(10), " ")}"'
               for key, value in sorted(labels.items()))  # fmt: skip
    return "{" + ",".join(escaped) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
