"""Huey's queue on its SQLite storage (default) and on Redis (REDIS_URL)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

SCRIPT = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "academichub.settings"
django.setup()
from huey.contrib.djhuey import HUEY
from academichub.sources.tasks import ping
result = ping()
task = HUEY.dequeue()
HUEY.execute(task)
print(type(HUEY).__name__, result.get(blocking=True, timeout=10))
"""


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_job_goes_through_the_queue(tmp_path, backend):
    env = dict(os.environ, ACADEMICHUB_HOME=str(tmp_path), DATABASE_URL="", HUEY_IMMEDIATE="0")
    env.pop("REDIS_URL", None)
    if backend == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
        env["HUEY_NAME"] = f"test-{uuid.uuid4().hex[:8]}"
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    kind = "PriorityRedisHuey" if backend == "redis" else "SqliteHuey"
    assert result.stdout.split() == [kind, "pong"]


def test_worker_start_hooks_are_registered_and_never_stop_the_worker(caplog):
    import importlib

    from huey.contrib.djhuey import HUEY

    from academichub.ops.worker_start import at_worker_start

    for app in ("radar", "search", "briefings"):
        importlib.import_module(f"academichub.{app}.tasks")  # what the consumer imports when it starts
    for name in ("academichub.radar.tasks.queue_warm_up", "academichub.search.tasks.queue_word_shares",
                 "academichub.briefings.tasks.recover_briefings_at_start"):
        assert name in HUEY._startup

    @at_worker_start("a job whose queue is down")
    def broken() -> None:
        raise ConnectionError("redis down")

    try:
        broken()  # logged, not raised
        assert "could not queue a job whose queue is down at worker start: redis down" in caplog.text
    finally:
        HUEY.unregister_on_startup(f"{__name__}.broken")
