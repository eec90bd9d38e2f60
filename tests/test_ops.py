"""Operations: backup/restore round trip, readiness, metrics, JSON logs."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
from django.db import connection, connections

from academichub.cli import main
from academichub.ops import metrics
from academichub.ops.backup import BackupError, Database, kind_of, restore
from academichub.ops.logs import JsonFormatter
from academichub.papers.models import Paper
from academichub.sources.runs import recorded_run
from tests.factories import make_papers


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_exactly_what_was_stored(tmp_path, capsys):
    make_papers(date(2026, 3, 2), count=5)
    target = tmp_path / "hub.backup"
    assert main(["backup", str(target)]) == 0
    assert kind_of(target) == connection.vendor
    Paper.objects.filter(arxiv_id__endswith="1").delete()
    make_papers(date(2026, 3, 3), count=2, start=50)
    assert Paper.objects.count() == 6
    assert main(["restore", "--yes", str(target)]) == 0
    connections.close_all()
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [f"2603.{n:05d}" for n in range(1, 6)]
    assert "restored" in capsys.readouterr().out


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_the_other_kind(tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" + b"\0" * 64 if connection.vendor == "sqlite" else b"SQLite format 3\x00" + b"\0" * 100)
    db = Database.from_settings(connection.settings_dict, connection.vendor)
    with pytest.raises(BackupError, match="set DATABASE_URL"):
        restore(db, other)


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, capsys):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(BackupError, match="not an AcademicHub backup"):
        kind_of(junk)


@pytest.mark.django_db
def test_cli_restore_of_a_missing_file_names_the_problem(tmp_path, capsys):
    assert main(["restore", "--yes", str(tmp_path / "missing.backup")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.django_db
def test_readiness_reports_database_and_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "checks": {"database": "ok", "queue": "ok"}}


@pytest.mark.django_db
def test_metrics_are_in_prometheus_format(client):
    make_papers(date(2026, 3, 2), count=4)
    with recorded_run("arxiv-rss") as run:
        run.fetched = run.new = 4
    metrics.observe("search", 0.03)
    metrics.observe("search", 3.0)
    body = client.get("/metrics").content.decode()
    samples = _parse(body)
    assert samples[("academichub_papers", "")] == 4
    assert samples[("academichub_source_papers_new", 'source="arxiv-rss"')] == 4
    assert samples[("academichub_source_runs", 'source="arxiv-rss",status="ok"')] == 1
    assert 0 <= samples[("academichub_source_lag_seconds", 'source="arxiv-rss"')] < 60
    assert ("academichub_queue_depth", "") in samples
    assert samples[("academichub_search_latency_seconds_bucket", 'le="0.05"')] >= 1
    assert samples[("academichub_search_latency_seconds_bucket", 'le="+Inf"')] >= 2
    assert "# TYPE academichub_search_latency_seconds histogram" in body


@pytest.mark.django_db
def test_metrics_token_is_required_when_set(client, monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", "s3cret")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200


def test_json_log_lines_carry_extra_fields():
    record = logging.makeLogRecord({"name": "academichub.sources", "levelname": "INFO", "levelno": 20,
                                    "msg": "run %s done", "args": ("arxiv",), "source": "arxiv"})  # fmt: skip
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "run arxiv done"
    assert line["source"] == "arxiv" and line["level"] == "INFO"


def _parse(body: str) -> dict:
    samples = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, value = line.rsplit(" ", 1)
        name, _, labels = name_labels.partition("{")
        samples[(name, labels.rstrip("}"))] = float(value)
    return samples


@pytest.mark.django_db
def test_searches_feed_the_latency_histogram(client):
    make_papers(date(2026, 3, 2), count=2)
    before = _parse(client.get("/metrics").content.decode()).get(("academichub_search_latency_seconds_count", ""), 0)
    assert client.get("/search", {"q": "sorting"}).status_code == 200
    after = _parse(client.get("/metrics").content.decode())[("academichub_search_latency_seconds_count", "")]
    assert after == before + 1


def test_a_web_process_warms_up_before_its_first_request(db, caplog):
    import logging

    from academichub import gunicorn_conf
    from academichub.ops import warmup

    with caplog.at_level(logging.INFO, logger="academichub.web"):
        gunicorn_conf.post_worker_init(worker=None)
    assert "web process warmed up" in caplog.text and "skipped" not in caplog.text
    assert warmup._templates() > 50  # every page and fragment of every app
