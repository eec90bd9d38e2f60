"""Reading and writing Django's cache (Redis in a scale-out deployment) where it is only an optimisation.

Search rankings, similar papers, the daily pages and the radar's candidate
blocks are kept there so that one process's work serves every process. A
cache that is down must then cost only that work, never the request: these
helpers log the outage and carry on, so every caller behaves alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache, caches

log = logging.getLogger("academichub.cache")
T = TypeVar("T")


def is_shared() -> bool:
    """Whether other processes see what this one caches (Redis), so work done ahead of a reader pays off."""
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches["default"], LocMemCache)


def cache_get(key: str, what: str):
    """The cached value, or ``None`` when there is none or the cache is unavailable."""
    try:
        return cache.get(key)
    except Exception as exc:  # noqa: BLE001 — see the module docstring
        log.warning("%s cache unavailable: %s", what, exc)
        return None


def cache_set(key: str, value, timeout: int | None, what: str) -> None:
    """Store ``value``; an unavailable cache only means the next reader builds it again."""
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 — see the module docstring
        log.warning("%s cache unavailable: %s", what, exc)


def cached(key: str, build: Callable[[], T], timeout: int | None, what: str) -> T:
    """The cached value of ``key``, else ``build()``, stored for ``timeout`` seconds."""
    found = cache_get(key, what)
    if found is None:
        found = build()
        cache_set(key, found, timeout, what)
    return found


def cache_delete(key: str, what: str) -> None:
    try:
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001 — see the module docstring
        log.warning("%s cache unavailable: %s", what, exc)
