"""Source settings: which sources run, how often, with which options.

Three layers, each overriding the one before, key by key:

1. built-in defaults (below; arXiv RSS follows ``ARXIV_CATEGORIES`` and
   ``ARXIV_SCHEDULE`` from the environment, every other source is off);
2. the file ``$ACADEMICHUB_HOME/sources.toml`` (one table per source);
3. the admin (`SourceConfig` rows), so a curator can change a running hub
   without shell access.

Within a layer only what is set counts: an admin row with an empty
interval keeps the file's interval; ``options`` are merged key by key
(the admin's ``journals`` replace the file's ``journals`` but keep its
``days_back``). Options given on the command line (``academichub ingest
--from …``) apply to that run only, over all three.

A broken file is never half-used: the error is reported (``academichub
status``, the log, a failing ``ingest``) with the line and the fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from academichub import paths
from academichub.core.schedule import ScheduleError, parse_schedule
from academichub.sources.base import ConfigError

__all__ = ["ConfigError", "KNOWN_SOURCES", "SourceSettings", "load_settings", "sources_file"]

KNOWN_SOURCES = ("arxiv-rss", "arxiv-oai", "arxiv-api", "biorxiv", "medrxiv", "crossref", "openalex",
                 "pubmed", "publisher-rss", "hf-daily")  # fmt: skip

_WINDOW = {"days_back", "from_date", "until"}
OPTIONS: dict[str, set[str]] = {
    "arxiv-rss": {"categories"},
    "arxiv-oai": {"set", "from_date", "until"},
    "arxiv-api": {"ids", "query"},
    "biorxiv": _WINDOW,
    "medrxiv": _WINDOW,
    "crossref": _WINDOW | {"journals", "rows"},
    "openalex": _WINDOW | {"sources", "topics", "institutions", "filter", "per_page"},
    "pubmed": _WINDOW | {"query", "queries", "journals", "page_size"},
    "publisher-rss": {"feeds"},
    "hf-daily": _WINDOW,
}
_LIST_OPTIONS = {"categories", "journals", "queries", "feeds", "sources", "topics", "institutions"}
_INT_OPTIONS = {"days_back", "rows", "per_page", "page_size"}
# Minutes between runs for sources that are switched on without saying how often.
DEFAULT_INTERVALS = {"arxiv-oai": 1440, "biorxiv": 1440, "medrxiv": 1440, "crossref": 1440, "openalex": 1440,
                     "pubmed": 1440, "publisher-rss": 360, "hf-daily": 360}  # fmt: skip


@dataclass
class SourceSettings:
    """The effective settings of one source, and which layers gave them."""

    name: str
    enabled: bool = False
    options: dict = field(default_factory=dict)
    interval_minutes: int | None = None
    schedule: str = ""
    layers: list[str] = field(default_factory=lambda: ["defaults"])

    @property
    def every(self) -> str:
        """How often, for people: "at 20:00 America/New_York sun-thu", "every 6h", "on demand"."""
        if self.schedule:
            return f"at {self.schedule}"
        if self.interval_minutes:
            return f"every {format_interval(self.interval_minutes)}"
        return "on demand"


@dataclass
class Loaded:
    """All sources' settings, plus errors of layers that could not be used."""

    sources: dict[str, SourceSettings]
    errors: list[str] = field(default_factory=list)

    def enabled(self) -> list[str]:
        return [name for name, conf in self.sources.items() if conf.enabled]


def sources_file() -> Path:
    return paths.home() / "sources.toml"


def load_settings(path: Path | None = None, with_admin: bool = True) -> Loaded:
    """Defaults, then the file, then the admin; a layer with errors is left out and reported."""
    loaded = Loaded({name: _default(name) for name in KNOWN_SOURCES})
    layers = []
    try:
        layers.append(("sources.toml", read_file(path or sources_file())))
    except ConfigError as exc:
        loaded.errors.append(str(exc))
    if with_admin:
        try:
            layers.append(("admin", _admin_layer()))
        except ConfigError as exc:
            loaded.errors.append(str(exc))
    for origin, layer in layers:
        for name, partial in layer.items():
            _apply(loaded.sources[name], partial, origin)
    return loaded


def _default(name: str) -> SourceSettings:
    if name == "arxiv-rss":
        return SourceSettings(name, enabled=True, schedule=settings.ARXIV_SCHEDULE)
    return SourceSettings(name, enabled=False, interval_minutes=DEFAULT_INTERVALS.get(name))


def _apply(target: SourceSettings, partial: dict, origin: str) -> None:
    if not partial:
        return
    if "enabled" in partial:
        target.enabled = partial["enabled"]
    if partial.get("interval_minutes"):
        target.interval_minutes, target.schedule = partial["interval_minutes"], ""
    if partial.get("schedule"):
        target.schedule = partial["schedule"]
    target.options = {**target.options, **partial.get("options", {})}
    target.layers.append(origin)


# -- the file ----------------------------------------------------------------------------


def read_file(path: Path) -> dict[str, dict]:
    """The file's tables as partial settings; no file is no settings, not an error."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}; fix the TOML syntax (see README, section Sources)") from exc
    layer = {}
    for name, table in data.items():
        where = f"{path} [{name}]"
        if name not in KNOWN_SOURCES:
            raise ConfigError(f"{path}: unknown source [{name}]; known: {', '.join(KNOWN_SOURCES)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected a table of settings, e.g. [{name}] enabled = true")
        layer[name] = _partial(name, dict(table), where)
    return layer


def _partial(name: str, table: dict, where: str) -> dict:
    """One source's table: enabled, interval or schedule, and its options."""
    partial: dict = {}
    if "enabled" in table:
        if not isinstance(table["enabled"], bool):
            raise ConfigError(f"{where}: enabled must be true or false")
        partial["enabled"] = table.pop("enabled")
    if "interval" in table:
        partial["interval_minutes"] = parse_interval(table.pop("interval"), where)
    if "schedule" in table:
        partial["schedule"] = check_schedule(table.pop("schedule"), where)
    partial["options"] = check_options(name, table, where)
    return partial


def parse_interval(value, where: str = "interval") -> int:
    """Minutes from 360, "30m", "6h" or "1d" (at least 5 minutes, the scheduler's tick)."""
    text = str(value).strip().lower()
    match = re.fullmatch(r"(\d+)\s*([mhd]?)", text) if not isinstance(value, bool) else None
    if not match:
        raise ConfigError(f"{where}: interval {value!r}: use minutes (360) or 30m, 6h, 1d")
    minutes = int(match.group(1)) * {"": 1, "m": 1, "h": 60, "d": 1440}[match.group(2)]
    if minutes < 5:
        raise ConfigError(f"{where}: interval {value!r} is under 5 minutes; the scheduler checks every 5")
    return minutes


def format_interval(minutes: int) -> str:
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def check_schedule(text, where: str = "schedule") -> str:
    if not isinstance(text, str):
        raise ConfigError(f"{where}: schedule must be a string like '20:00 America/New_York sun-thu'")
    try:
        parse_schedule(text)
    except ScheduleError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    return text


def check_options(name: str, options: dict, where: str = "options") -> dict:
    """Catch typos and wrong types before a run does: unknown keys, lists, numbers, feed tables."""
    if not isinstance(options, dict):
        raise ConfigError(f"{where}: options must be a table/object, e.g. {{\"days_back\": 7}}")
    allowed = OPTIONS.get(name, set())
    for key, value in options.items():
        if key not in allowed:
            raise ConfigError(f"{where}: unknown option {key!r} for {name}; known: {', '.join(sorted(allowed))}")
        if key in _LIST_OPTIONS and not isinstance(value, list):
            raise ConfigError(f"{where}: {key} must be a list, e.g. {key} = [\"…\"]")
        if key in _INT_OPTIONS and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ConfigError(f"{where}: {key} must be a whole number >= 0")
    for feed in options.get("feeds", []):
        if not isinstance(feed, dict) or not str(feed.get("url", "")).startswith(("http://", "https://")):
            raise ConfigError(f"{where}: each feed needs a url, e.g. {{url = \"https://…\", venue = \"Nature\"}}")
    return dict(options)


# -- the admin ---------------------------------------------------------------------------


def _admin_layer() -> dict[str, dict]:
    from academichub.sources.models import SourceConfig

    layer = {}
    for row in SourceConfig.objects.all():
        where = f"admin source setting {row.name!r}"
        if row.name not in KNOWN_SOURCES:
            raise ConfigError(f"{where}: unknown source; known: {', '.join(KNOWN_SOURCES)}")
        partial = {"enabled": row.enabled, "options": check_options(row.name, row.options or {}, where)}
        if row.interval_minutes:
            partial["interval_minutes"] = parse_interval(row.interval_minutes, where)
        if row.schedule:
            partial["schedule"] = check_schedule(row.schedule, where)
        layer[row.name] = partial
    return layer
