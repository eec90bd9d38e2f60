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
    kind = "ClaimingRedisHuey" if backend == "redis" else "ClaimingSqliteHuey"
    assert result.stdout.split() == [kind, "pong"]


def test_worker_start_hooks_are_registered_and_never_stop_the_worker(caplog):
    import importlib

    from huey.contrib.djhuey import HUEY

    from academichub.ops.worker_start import at_worker_start

    for app in ("radar", "search", "briefings"):
        importlib.import_module(f"academichub.{app}.tasks")  # what the consumer imports when it starts
    for name in ("academichub.radar.tasks.queue_warm_up", "academichub.search.tasks.queue_word_shares",
                 "academichub.search.tasks.queue_similar_warm_up",
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


def _storage(backend: str, name: str, home):
    from academichub.ops.reliable_queue import ClaimingRedisStorage, ClaimingSqliteStorage

    if backend == "redis":
        return ClaimingRedisStorage(name=name, url="redis://127.0.0.1:6379/15", blocking=False, lease_seconds=30)
    return ClaimingSqliteStorage(name=name, filename=str(home / "queue.sqlite3"), lease_seconds=30)


@pytest.fixture(params=["redis", "sqlite"])
def claiming_storage(request, tmp_path):
    import redis

    storage = _storage(request.param, f"testclaims{uuid.uuid4().hex[:8]}", tmp_path)
    yield storage
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    for key in connection.scan_iter(f"huey.*.{storage.name}*"):
        connection.delete(key)


def _die(storage) -> None:
    """What a kill -9 leaves behind: the claim stays, the lease is no longer renewed."""
    if hasattr(storage, "lease_prefix"):
        storage.conn.delete(storage.lease_prefix + storage.consumer)
    else:
        storage.sql("update lease set expires = 0 where consumer = ?", (storage.consumer,), commit=True)


def test_a_claimed_job_of_a_dead_worker_goes_back_on_the_queue(claiming_storage):
    storage = claiming_storage
    storage.enqueue(b"job-1", priority=None)
    storage.enqueue(b"job-2", priority=None)
    assert storage.dequeue() == b"job-1"
    assert (storage.queue_size(), storage.claimed_count()) == (1, 1)
    assert storage.recover_dead_consumers() == 0  # its worker is alive: nothing moves
    _die(storage)
    assert storage.recover_dead_consumers() == 1
    assert (storage.queue_size(), storage.claimed_count()) == (2, 0)
    assert [storage.dequeue(), storage.dequeue()] == [b"job-1", b"job-2"]  # first in, first out still


def test_a_released_job_is_gone_and_a_job_that_keeps_killing_workers_is_dropped(claiming_storage, caplog):
    from academichub.ops.reliable_queue import MAX_RECOVERIES

    storage = claiming_storage
    storage.enqueue(b"fine", priority=None)
    assert storage.dequeue() == b"fine"
    storage.release_claim()
    _die(storage)
    assert (storage.recover_dead_consumers(), storage.queue_size(), storage.claimed_count()) == (0, 0, 0)
    storage.enqueue(b"poison", priority=None)
    for _ in range(MAX_RECOVERIES):
        assert storage.dequeue() == b"poison"
        _die(storage)
        assert storage.recover_dead_consumers() == 1
    assert storage.dequeue() == b"poison"
    _die(storage)
    assert storage.recover_dead_consumers() == 0
    assert (storage.queue_size(), storage.claimed_count()) == (0, 0)
    assert "dropped a job that stopped its worker" in caplog.text


DIE_HOLDING_A_JOB = """
import django, os, signal
os.environ["DJANGO_SETTINGS_MODULE"] = "academichub.settings"
django.setup()
from huey.contrib.djhuey import HUEY
from academichub.sources.tasks import ping
result = ping()
print(result.id, flush=True)
HUEY.dequeue()  # claimed, and then the worker dies before running it
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("backend", ["redis", "sqlite"])
def test_a_job_whose_worker_was_killed_runs_on_the_next_worker(tmp_path, backend):
    """kill -9 after the pop: a worker started afterwards runs the job once the dead one's lease expires."""
    import time

    import redis

    name = f"testkill{uuid.uuid4().hex[:8]}"  # Huey keeps only [a-z0-9] of a name
    env = dict(os.environ, ACADEMICHUB_HOME=str(tmp_path), DATABASE_URL="", HUEY_IMMEDIATE="0", HUEY_NAME=name,
               HUEY_LEASE_SECONDS="2")  # fmt: skip
    env.pop("REDIS_URL", None)
    if backend == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    subprocess.run([sys.executable, "-m", "academichub", "migrate"], env=env, check=True, capture_output=True)
    died = subprocess.run([sys.executable, "-c", DIE_HOLDING_A_JOB], env=env, capture_output=True, text=True)
    assert died.returncode == -9, died.stderr[-2000:]
    task_id = died.stdout.split()[0]
    storage = _storage(backend, name, tmp_path)
    assert (storage.queue_size(), storage.claimed_count()) == (0, 1)  # Huey's own queue would have lost it here
    worker = subprocess.Popen([sys.executable, "-m", "academichub", "worker", "--no-periodic"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not storage.has_data_for_key(task_id):
            time.sleep(0.2)
        assert storage.has_data_for_key(task_id)  # its result: the job ran
    finally:
        worker.terminate()
        log = worker.communicate(timeout=30)[1]
        connection = redis.Redis.from_url("redis://127.0.0.1:6379/15")
        for key in connection.scan_iter(f"huey.*.{name}*"):
            connection.delete(key)
    assert "requeued 1 job(s) of the stopped worker" in log
    assert storage.claimed_count() == 0
