"""Sources through the real HTTP client against a local server, end to end."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from academichub.papers.models import Paper
from academichub.sources import registry
from academichub.sources.models import Checkpoint, SourceRun
from tests import oai_pages
from tests.httpserver import Reply

pytestmark = pytest.mark.django_db
BUILT = Path(__file__).parent / "fixtures"
RSS = "built_arxiv_rss_cs.CV_2026-06-30.xml"


@pytest.fixture
def arxiv(settings, local_server):
    settings.ARXIV_RSS_URL = local_server.url("/rss/")
    settings.ARXIV_OAI_URL = local_server.url("/oai")
    settings.ARXIV_API_URL = local_server.url("/api/query")
    settings.ARXIV_CATEGORIES = ["cs.CV"]
    settings.HTTP_MIN_INTERVAL = 0
    return local_server


def run(name: str, options=None):
    with registry.make_client(backoff_base=1.0, max_retries=2, timeout=1.0) as client:
        return registry.run_source(registry.build_source(name, client), options or {})


def rss_reply(name=RSS) -> Reply:
    return Reply(200, body=(BUILT / name).read_bytes(), headers={"Content-Type": "application/rss+xml"})


def test_rss_stores_new_cross_and_replace_without_duplicates(arxiv):
    arxiv.script("/rss/cs.CV", rss_reply())
    first = run("arxiv-rss")
    assert first.status == "ok" and first.fetched == 15 and first.new == 15
    assert set(Paper.objects.values_list("announce_type", flat=True)) >= {"new", "cross"}
    replaced = Paper.objects.filter(latest_version__gt=1)
    assert replaced.exists()
    for paper in Paper.objects.all():
        assert "Announce Type" not in paper.abstract and not paper.abstract.startswith("arXiv:")
    again = run("arxiv-rss")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 15)
    assert Paper.objects.count() == 15


def test_empty_feed_on_an_announcement_day_is_a_visible_warning(arxiv):
    arxiv.script("/rss/cs.CV", rss_reply("built_arxiv_rss_cs.CV_2026-06-22_empty.xml"))
    result = run("arxiv-rss")
    assert result.status == "warning"
    assert "no papers on announcement day 2026-06-22" in result.warning
    from academichub.sources.status import collect_status, format_status

    assert any("no papers on announcement day" in w for w in collect_status()["warnings"])
    assert "WARNING arxiv-rss" in format_status(collect_status())


def test_429_with_retry_after_is_retried(arxiv):
    arxiv.script("/rss/cs.CV", Reply(429, headers={"Retry-After": "1"}), rss_reply())
    result = run("arxiv-rss")
    assert result.new == 15
    times = [r.at for r in arxiv.requests_for("/rss/cs.CV")]
    assert len(times) == 2 and times[1] - times[0] >= 0.9


@pytest.mark.parametrize(
    "reply, message",
    [
        (Reply(200, body=b"<rss><channel><item><title>broken"), "arXiv RSS"),
        (Reply(200, body=(BUILT / RSS).read_bytes(), truncate=2000), ""),
        (Reply(503, headers={"Retry-After": "0"}), "503"),
        (Reply(200, body=b"", delay=5), "did not answer within"),
    ],
    ids=["malformed", "truncated", "503-forever", "timeout"],
)
def test_faults_fail_the_run_clearly_and_keep_what_was_stored(arxiv, reply, message):
    arxiv.script("/rss/cs.CV", rss_reply())
    run("arxiv-rss")
    arxiv.script("/rss/cs.CV", reply)
    with pytest.raises(Exception) as caught:
        run("arxiv-rss")
    assert message.lower() in str(caught.value).lower()
    failed = SourceRun.objects.filter(source="arxiv-rss").first()
    assert failed.status == "failed" and failed.error
    assert Paper.objects.count() == 15


def test_oai_harvest_follows_resumption_tokens(arxiv, fixtures_dir):
    arxiv.route("/oai", oai_pages.responder(fixtures_dir))
    result = run("arxiv-oai", {"from_date": "2014-01-01"})
    expected = oai_pages.distinct_ids(fixtures_dir)
    assert result.status == "ok"
    assert Paper.objects.count() == len(expected) == result.new
    tokens = [r.param("resumptionToken") for r in arxiv.requests_for("/oai")]
    assert tokens == [None, oai_pages.TOKEN1, oai_pages.TOKEN2]
    first = arxiv.requests_for("/oai")[0]
    assert first.param("metadataPrefix") == "arXivRaw" and first.param("from") == "2014-01-01"
    assert Checkpoint.objects.get(key="source:arxiv-oai").value["done"] is True


def test_oai_harvest_interrupted_resumes_from_its_token(arxiv, fixtures_dir):
    answer = oai_pages.responder(fixtures_dir)
    arxiv.route("/oai", lambda req: Reply(500) if req.param("resumptionToken") == oai_pages.TOKEN2 else answer(req))
    with pytest.raises(Exception):
        run("arxiv-oai", {"from_date": "2014-01-01"})
    stored = Paper.objects.count()
    assert stored > 1000
    arxiv.requests.clear()
    arxiv.route("/oai", answer)
    run("arxiv-oai", {"from_date": "2014-01-01"})
    assert [r.param("resumptionToken") for r in arxiv.requests_for("/oai")] == [oai_pages.TOKEN2]
    assert Paper.objects.count() == len(oai_pages.distinct_ids(fixtures_dir))


def test_export_api_pages_by_id_list(arxiv, fixtures_dir):
    import json

    wrapper = json.loads((fixtures_dir / "arxiv_api/id_1605.08386_s0_m100_199195aa31ad.json").read_text())
    arxiv.script("/api/query", Reply(200, body=wrapper["body"].encode("latin-1")))
    result = run("arxiv-api", {"ids": "1605.08386"})
    assert result.new == 1
    assert Paper.objects.get().arxiv_id == "1605.08386"
    assert arxiv.requests_for("/api/query")[0].param("id_list") == "1605.08386"


def test_export_api_400_is_a_clear_error(arxiv, fixtures_dir):
    import json

    wrapper = json.loads((fixtures_dir / "arxiv_api/id_abc_s0_m100_b79c8dcf6bc3.json").read_text())
    arxiv.script("/api/query", Reply(400, body=wrapper["body"].encode("latin-1")))
    with pytest.raises(Exception) as caught:
        run("arxiv-api", {"ids": "abc"})
    assert "400" in str(caught.value) or "incorrect" in str(caught.value).lower()


def test_schedule_fires_after_the_announcement():
    from academichub.sources.tasks import announcement_due

    assert announcement_due(datetime(2026, 6, 29, 0, 0))  # Sun 20:00 EDT = Mon 00:00 UTC
    assert not announcement_due(datetime(2026, 6, 29, 0, 1))
    assert not announcement_due(datetime(2026, 6, 27, 0, 0))  # Fri 20:00 EDT: no announcement
    assert announcement_due(datetime(2026, 1, 13, 1, 0, tzinfo=timezone.utc))  # Mon 20:00 EST
