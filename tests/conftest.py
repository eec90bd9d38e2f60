"""Shared fixtures. Tests that need ../shared fail loudly when it is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from academichub import paths

pytest_plugins = ["tests.conftest_http"]


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """The .mo files are build products (not committed): compile stale ones once per run."""
    from academichub.i18n import compile_messages

    compile_messages()


@pytest.fixture(scope="session")
def shared() -> Path:
    directory = paths.shared_dir()
    if not (directory / "data").is_dir():
        pytest.fail(f"shared data not found at {directory}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return directory


@pytest.fixture(scope="session")
def cs_corpus(shared) -> Path:
    return shared / "data" / "arxiv-cs-2025-2026.jsonl.gz"


@pytest.fixture(scope="session")
def all_sample(shared) -> Path:
    return shared / "data" / "arxiv-all-2007-2017-sample200k.jsonl.gz"


@pytest.fixture(scope="session")
def fixtures_dir(shared) -> Path:
    return shared / "fixtures"


@pytest.fixture
def expected_vendor() -> str:
    return os.environ.get("ACADEMICHUB_TEST_DB", "sqlite")


@pytest.fixture(autouse=True)
def api_rate_limits_out_of_the_way(settings):
    """Every API call counts against its caller (academichub.api.auth.ApiThrottle), and a test
    process makes thousands from 127.0.0.1 into one cache: lift the limits unless a test sets
    its own (tests/test_api_papers.py does, to check them)."""
    settings.API_RATE_LIMIT = settings.API_RATE_LIMIT_ANON = 10**9


@pytest.fixture(autouse=True)
def search_cache_cleared():
    """Cached search rankings are keyed by the catalogue's newest ids, which a rolled-back test can
    hand to the next test with other papers behind them (SQLite reuses rowids): start each test
    with an empty cache, as a fresh deployment does."""
    from django.core.cache import cache

    cache.clear()
