"""Load what the first requests of a new web process would otherwise pay for.

A fresh gunicorn worker answers its first search only after loading the
query model (ONNX) and the vector index, its first radar feed only after
reading the feed windows' candidate blocks from the shared cache, and its
first pages only after compiling their templates: 0.2–1.3 s each under
load, which shows up as the slowest requests after every deploy or restart. `gunicorn_conf` calls
`warm_up` in each worker before it takes requests. Anything that fails here
is logged and left to the first request, as before: a missing index or a
database that is still starting must not keep the web process down.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger("academichub.web")


def warm_up() -> float:
    """Load the query model, the vector index, the feed windows and every template; returns the seconds it took."""
    began = time.perf_counter()
    for step in (_templates, _urls_and_languages, _query_model, _vector_index, _feed_windows):
        try:
            step()
        except Exception as exc:  # noqa: BLE001 — see the module docstring
            log.warning("warm-up step %s skipped: %s", step.__name__.strip("_"), exc)
    seconds = time.perf_counter() - began
    log.info("web process warmed up in %.2f s", seconds)
    return seconds


def _templates() -> int:
    """Compile every template of the hub's apps (a few hundred milliseconds, once); returns how many."""
    from django.apps import apps
    from django.template.loader import get_template

    compiled = 0
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if config.name.startswith("academichub.") and folder.is_dir():
            for path in sorted(folder.rglob("*.html")):
                get_template(path.relative_to(folder).as_posix())
                compiled += 1
    return compiled


def _urls_and_languages() -> None:
    """The URL resolver fills its tables on the first `reverse`; each language loads its catalogue on first use."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().reverse_dict  # noqa: B018 — reading it builds it
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Search")


def _query_model() -> None:
    from academichub.search.vectors import embed_texts

    embed_texts(["warm up"], kind="query")


def _vector_index() -> None:
    from academichub.search.index import local_index

    local_index()


def _feed_windows() -> None:
    from academichub.radar.feed import warm_candidates

    warm_candidates()
