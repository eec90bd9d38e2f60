"""`kill -9` at a random point of an import, then a rerun: every record once."""

from __future__ import annotations

import random
import time

import pytest

from tests.external import external_hub, hub, hub_popen, query
from tests.test_import import slice_of

LINES = 12_000


def wait_until_some_stored(env, process, minimum: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        rows = query(env, "SELECT count(*) FROM papers_paper")
        if rows and rows[0][0] >= minimum:
            return rows[0][0]
        time.sleep(0.05)
    return -1


def test_kill_9_during_import_then_rerun_stores_each_record_once(cs_corpus, tmp_path, expected_vendor):
    dump = slice_of(cs_corpus, tmp_path / "kill.jsonl.gz", LINES)
    rng = random.Random()
    seed = rng.randrange(1_000_000)
    rng.seed(seed)
    with external_hub(tmp_path, expected_vendor) as env:
        process = hub_popen(env, "import", str(dump), "--batch-size", "500")
        stored = wait_until_some_stored(env, process, minimum=rng.choice([500, 1500, 3000, 6000]))
        time.sleep(rng.uniform(0, 0.5))
        process.kill()  # SIGKILL: no cleanup, no rollback handler, mid-transaction
        process.wait()
        assert stored > 0, f"import ended before it could be killed (seed {seed}): {process.stderr.read()[-2000:]}"
        assert process.returncode == -9
        done = hub(env, "import", str(dump), "--batch-size", "500")
        assert "resumed after line" in done.stdout, done.stdout
        papers, distinct = query(env, "SELECT count(*), count(DISTINCT arxiv_id) FROM papers_paper")[0]
        assert papers == distinct == LINES, f"seed {seed}"
        again = hub(env, "import", str(dump))
        assert "0 new, 0 changed" in again.stdout, again.stdout
        table = "paper_fts" if expected_vendor == "sqlite" else "paper_search"
        assert query(env, f"SELECT count(*) FROM {table}")[0][0] == LINES


def test_kill_9_during_oai_harvest_then_rerun_stores_each_record_once(fixtures_dir, tmp_path, expected_vendor):
    """A harvest killed between (or during) pages resumes at its token."""
    from tests import oai_pages
    from tests.httpserver import ScriptedServer

    expected = oai_pages.distinct_ids(fixtures_dir)
    rng = random.Random()
    with ScriptedServer() as server, external_hub(tmp_path, expected_vendor) as env:
        # The middle page is slow, so the kill lands inside the harvest.
        server.route("/oai", oai_pages.responder(fixtures_dir, delays={oai_pages.TOKEN1: 5.0}))
        env.update(ARXIV_OAI_URL=server.url("/oai"), HTTP_MIN_INTERVAL="0")
        process = hub_popen(env, "ingest", "--source", "arxiv-oai", "--from", "2014-01-01")
        stored = wait_until_some_stored(env, process, minimum=1)
        time.sleep(rng.uniform(0, 1.0))
        process.kill()
        process.wait()
        assert stored > 0, f"harvest ended before it could be killed: {process.stderr.read()[-2000:]}"
        assert process.returncode == -9
        server.requests.clear()
        done = hub(env, "ingest", "--source", "arxiv-oai", "--from", "2014-01-01")
        assert "arxiv-oai: ok" in done.stdout, done.stdout + done.stderr
        resumed_with = server.requests_for("/oai")[0].param("resumptionToken")
        assert resumed_with == oai_pages.TOKEN1  # not from the start
        papers, distinct = query(env, "SELECT count(*), count(DISTINCT arxiv_id) FROM papers_paper")[0]
        assert papers == distinct == len(expected)
