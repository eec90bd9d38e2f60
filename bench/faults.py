"""Faults under load: PostgreSQL restarts, web and worker processes killed with -9.

    .venv/bin/python bench/faults.py [--seconds 60]

Starts the scale-out deployment (PostgreSQL + Redis, `academichub serve` with
2 gunicorn workers, one `academichub worker`) on a fresh database holding 2,000
real papers, drives it with 8 client threads (today page, search, paper
pages), and meanwhile:
  1. restarts PostgreSQL (`pg_ctlcluster … restart`),
  2. kills a gunicorn worker with SIGKILL,
  3. kills the Huey worker with SIGKILL while jobs are queued, then starts a new one.
It reports errors per phase, how long until every request succeeds again, and
whether every queued job ran exactly once after the restart. Needs root for
pg_ctlcluster (as on the CI machine). Ends with:
RESULT requests=… errors_during_faults=… errors_after_recovery=… pg_recovery_s=… jobs_lost=…
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import _free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
ENQUEUE = """
import django, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "academichub.settings"
django.setup()
from academichub.sources.tasks import ping
results = [ping() for _ in range(int(sys.argv[1]))]
print("enqueued", len(results))
"""


def _cli(env, *arguments):
    done = subprocess.run([sys.executable, "-m", "academichub", *arguments], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"academichub {' '.join(arguments)} failed:\n{done.stderr[-2000:]}")


def setup(home: Path) -> dict:
    name = f"ah_faults_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"], check=True)
    env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
               REDIS_URL="redis://127.0.0.1:6379/12", HUEY_NAME=f"faults_{name}", ACADEMICHUB_HOME=str(home),
               SECRET_KEY="faults", HUEY_IMMEDIATE="0")  # fmt: skip
    sample = home / "sample.jsonl"
    with gzip.open(CORPUS, "rt") as source:
        sample.write_text("".join(itertools.islice(source, 2000)))
    _cli(env, "migrate")
    _cli(env, "import", str(sample))
    env["_DB_NAME"] = name
    return env


class Traffic(threading.Thread):
    """A client that records (time, ok) for each request."""

    def __init__(self, base: str, stop: threading.Event, log: list, lock: threading.Lock):
        super().__init__(daemon=True)
        self.base, self.stop, self.log, self.lock = base, stop, log, lock

    def run(self) -> None:
        paths = itertools.cycle(["/", "/search?q=diffusion", "/search?q=language+model", "/trending/"])
        with httpx.Client(base_url=self.base, timeout=10) as client:
            while not self.stop.is_set():
                try:
                    ok = client.get(next(paths)).status_code < 500
                except httpx.HTTPError:
                    ok = False
                with self.lock:
                    self.log.append((time.monotonic(), ok))
                time.sleep(0.05)


def _start(env, *arguments) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "academichub", *arguments], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def _errors_between(log, start, end) -> int:
    return sum(1 for at, ok in log if start <= at < end and not ok)


def _recovered_after(log, start) -> float:
    """Seconds from start until the last failed request (0 when none failed)."""
    failures = [at for at, ok in log if at >= start and not ok]
    return (max(failures) - start) if failures else 0.0


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)


def queued_jobs_survive(env) -> int:
    """Enqueue 50 jobs, kill -9 the worker mid-way, start another: how many results are missing."""
    import redis

    worker = _start(env, "worker", "--no-periodic")
    subprocess.run([sys.executable, "-c", ENQUEUE, "50"], env=env, check=True, capture_output=True)
    time.sleep(0.3)
    os.killpg(worker.pid, signal.SIGKILL)
    worker = _start(env, "worker", "--no-periodic")
    connection = redis.Redis.from_url(env["REDIS_URL"])
    deadline = time.monotonic() + 60
    key = f"huey.results.{env['HUEY_NAME']}"
    while time.monotonic() < deadline and connection.hlen(key) < 50:
        time.sleep(0.5)
    done = connection.hlen(key)
    os.killpg(worker.pid, signal.SIGTERM)
    return 50 - done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ahfaults-"))
    env = setup(home)
    port = _free_port()
    web = _start(env, "serve", "--port", str(port), "--workers", "2")
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    stop, log, lock = threading.Event(), [], threading.Lock()
    threads = [Traffic(base, stop, log, lock) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(5)
        pg_at = time.monotonic()
        restart_postgres()
        time.sleep(args.seconds / 3)
        kill_at = time.monotonic()
        children = subprocess.run(["pgrep", "-P", str(web.pid)], capture_output=True, text=True).stdout.split()
        os.kill(int(children[0]), signal.SIGKILL)
        time.sleep(args.seconds / 3)
        calm_at = time.monotonic()
        time.sleep(args.seconds / 3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        os.killpg(web.pid, signal.SIGTERM)
    lost = queued_jobs_survive(env)
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                    f"DROP DATABASE IF EXISTS {env['_DB_NAME']} WITH (FORCE)"], capture_output=True)  # fmt: skip
    during = _errors_between(log, pg_at, calm_at)
    after = _errors_between(log, calm_at, float("inf"))
    print(f"requests {len(log)}; errors during the PostgreSQL restart and the worker kill: {during}; "
          f"after recovery: {after}")
    print(f"PostgreSQL restart: last failed request {_recovered_after(log, pg_at):.1f} s after the restart began")
    print(f"gunicorn worker kill -9: {_errors_between(log, kill_at, calm_at)} failed requests")
    print(f"Huey worker kill -9 with 50 queued jobs: {lost} jobs lost")
    print(f"RESULT requests={len(log)} errors_during_faults={during} errors_after_recovery={after} "
          f"pg_recovery_s={_recovered_after(log, pg_at):.1f} jobs_lost={lost}")


if __name__ == "__main__":
    main()
