"""Where AcademicHub keeps its data, and where the shared corpus lives.

Everything lives under one data directory (``ACADEMICHUB_HOME``), so a laptop
install is a folder you can back up or delete. Nothing here touches the disk
at import time; callers ask for a path when they need it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def home() -> Path:
    """The data directory: ``$ACADEMICHUB_HOME`` or ``./var`` beside the repo."""
    value = os.environ.get("ACADEMICHUB_HOME")
    return Path(value).expanduser().resolve() if value else REPO_ROOT / "var"


def ensure_home() -> Path:
    path = home()
    path.mkdir(parents=True, exist_ok=True)
    return path


def shared_dir() -> Path:
    """The shared data folder (``$ACADEMICHUB_SHARED`` or ``../shared``)."""
    value = os.environ.get("ACADEMICHUB_SHARED")
    return Path(value).expanduser().resolve() if value else REPO_ROOT.parent / "shared"


def default_corpus() -> Path:
    """The real arXiv CS corpus used when there is no network."""
    return shared_dir() / "data" / "arxiv-cs-2025-2026.jsonl.gz"


def assets_dir() -> Path:
    """Front-end packages (KaTeX, htmx) fetched from npm by the install step."""
    value = os.environ.get("ACADEMICHUB_ASSETS")
    return Path(value).resolve() if value else REPO_ROOT / "node_modules"
