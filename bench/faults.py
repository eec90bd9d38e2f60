"""Faults under load: PostgreSQL restarts, web and worker processes killed with -9.

    .venv/bin/python bench/faults.py [--seconds 60] [--no-postgres-restart]

Starts the scale-out deployment (PostgreSQL + Redis, `academichub serve` with
2 gunicorn workers, one `academichub worker`) on a fresh database holding 2,000
real papers, drives it with 8 client threads (today page, search, trending),
and meanwhile:
  1. restarts PostgreSQL (`pg_ctlcluster … restart`; skipped with --no-postgres-restart),
  2. kills a gunicorn worker with SIGKILL,
  3. kills `academichub import` with SIGKILL in the middle of 4,000 more papers, then reruns it,
  4. kills the Huey worker with SIGKILL while it works through 300 queued jobs, then starts a new one.
Afterwards the worker that ran through 1 and 2 must still run a job that reads PostgreSQL.
It reports errors per phase, how long until every request succeeds again,
whether the import stored every paper exactly once, and whether every queued
job ran after the restart. Needs root for pg_ctlcluster (as on the CI machine).
Ends with:
RESULT requests=… errors_during_faults=… errors_after_recovery=… pg_recovery_s=… web_kill_errors=… papers_lost=…
       papers_duplicated=… jobs_lost=… worker_ok=…

Other kill -9 cases are tests: an import and an OAI harvest (tests/test_kill.py),
embedding (tests/test_search_embedding.py), a digest run after the SMTP server
accepted (tests/test_radar_digests.py), a web process of a two-node deployment
(tests/test_deployment.py).
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
print(*(ping(0.05).id for _ in range(int(sys.argv[1]))))  # 50 ms each: the kill finds one running
"""
DB_JOB = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "academichub.settings"
django.setup()
from academichub.radar.tasks import warm_feed_candidates
print(",".join(warm_feed_candidates().get(blocking=True, timeout=90)))
"""
JOBS = 300
IMPORT_LINES = 4000


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
    sample, more = home / "sample.jsonl", home / "more.jsonl"
    with gzip.open(CORPUS, "rt") as source:
        sample.write_text("".join(itertools.islice(source, 2000)))
        more.write_text("".join(itertools.islice(source, IMPORT_LINES)))
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


def _recovered_after(log, start, end=float("inf")) -> float:
    """Seconds from start until the last failed request before end (0 when none failed)."""
    failures = [at for at, ok in log if start <= at < end and not ok]
    return (max(failures) - start) if failures else 0.0


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)


def _papers(env) -> tuple[int, int]:
    """(rows, distinct arXiv ids) in the deployment's catalogue."""
    out = subprocess.run(["psql", "-At", "-h", "127.0.0.1", "-U", "postgres", "-d", env["_DB_NAME"], "-c",
                          "SELECT count(*), count(DISTINCT arxiv_id) FROM papers_paper"],
                         capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    rows, distinct = out.split("|")
    return int(rows), int(distinct)


def import_killed_then_rerun(env) -> tuple[int, int]:
    """kill -9 an import of IMPORT_LINES papers half-way, rerun it: (papers lost, papers duplicated)."""
    before, _ = _papers(env)
    more = str(Path(env["ACADEMICHUB_HOME"]) / "more.jsonl")
    process = _start(env, "import", more, "--batch-size", "250")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None and _papers(env)[0] < before + IMPORT_LINES // 3:
        time.sleep(0.1)
    killed = process.poll() is None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    _cli(env, "import", more)
    rows, distinct = _papers(env)
    print(f"import kill -9 ({'mid-import' if killed else 'it had already finished'}): "
          f"{rows - before} of {IMPORT_LINES} new papers stored, {rows - distinct} duplicated")
    return max(before + IMPORT_LINES - distinct, 0), rows - distinct


def queued_jobs_survive(env) -> int:
    """Enqueue JOBS jobs, kill -9 the worker while it works through them, start another: how many never ran."""
    import redis

    out = subprocess.run([sys.executable, "-c", ENQUEUE, str(JOBS)], env=env, check=True, capture_output=True,
                         text=True, cwd=ROOT).stdout  # fmt: skip
    ids = out.split()
    connection = redis.Redis.from_url(env["REDIS_URL"])
    key = f"huey.results.{env['HUEY_NAME']}"
    done = lambda: sum(connection.hexists(key, task) for task in ids)  # noqa: E731
    worker = _start(env, "worker", "--no-periodic")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and done() < JOBS // 10:
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)
    at_kill = done()
    held = _claimed(env)  # taken by the killed worker and not finished: Huey alone would lose these
    worker = _start(env, "worker", "--no-periodic")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and done() < JOBS:
        time.sleep(0.5)
    finished = done()
    os.killpg(worker.pid, signal.SIGTERM)
    print(f"Huey worker kill -9 after {at_kill} of {JOBS} queued jobs, holding {held}: {JOBS - finished} never ran")
    return JOBS - finished


def _claimed(env) -> int:
    from academichub.ops.reliable_queue import ClaimingRedisStorage

    return ClaimingRedisStorage(name=env["HUEY_NAME"], url=env["REDIS_URL"]).claimed_count()


def kill_one_gunicorn_worker(master: int) -> None:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    os.kill(int(children[0]), signal.SIGKILL)


def run_traffic_with_faults(env, args) -> dict:
    """Web traffic while PostgreSQL restarts and a gunicorn worker is killed; returns the figures."""
    port = _free_port()
    web = _start(env, "serve", "--port", str(port), "--workers", "2")
    worker = _start(env, "worker", "--no-periodic")
    base = f"http://127.0.0.1:{port}"
    _wait_ready(base)
    stop, log, lock = threading.Event(), [], threading.Lock()
    threads = [Traffic(base, stop, log, lock) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(5)
        pg_at = time.monotonic()
        if not args.no_postgres_restart:
            restart_postgres()
        time.sleep(args.seconds / 3)
        kill_at = time.monotonic()
        kill_one_gunicorn_worker(web.pid)
        time.sleep(args.seconds / 3)
        calm_at = time.monotonic()
        time.sleep(args.seconds / 3)
        worker_ok = _worker_uses_the_database(env)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        os.killpg(web.pid, signal.SIGTERM)
        os.killpg(worker.pid, signal.SIGTERM)
    return {"worker_ok": worker_ok, "requests": len(log), "during": _errors_between(log, pg_at, calm_at),
            "after": _errors_between(log, calm_at, float("inf")), "pg_recovery": _recovered_after(log, pg_at, kill_at),
            "pg_errors": _errors_between(log, pg_at, kill_at), "web_kill": _errors_between(log, kill_at, calm_at)}  # fmt: skip


def _worker_uses_the_database(env) -> bool:
    """After the restart, the worker that was running throughout still runs a job that reads PostgreSQL."""
    done = subprocess.run([sys.executable, "-c", DB_JOB], env=env, capture_output=True, text=True, cwd=ROOT)
    print(f"worker job after the faults: {done.stdout.strip() or done.stderr.strip()[-300:]}")
    return done.returncode == 0 and "week" in done.stdout


def _wait_ready(base: str) -> None:
    for _ in range(240):
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit("the web processes did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--no-postgres-restart", action="store_true", help="leave PostgreSQL alone (shared machines)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ahfaults-"))
    env = setup(home)
    try:
        web = run_traffic_with_faults(env, args)
        lost, duplicated = import_killed_then_rerun(env)
        jobs_lost = queued_jobs_survive(env)
    finally:
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c",
                        f"DROP DATABASE IF EXISTS {env['_DB_NAME']} WITH (FORCE)"], capture_output=True)  # fmt: skip
    restart = "skipped" if args.no_postgres_restart else f"{web['pg_errors']} failed requests, the last {web['pg_recovery']:.1f} s after it began"
    print(f"requests {web['requests']}; errors during the faults: {web['during']}; after recovery: {web['after']}")
    print(f"PostgreSQL restart: {restart}")
    print(f"gunicorn worker kill -9: {web['web_kill']} failed requests")
    print(f"Huey worker running through the faults: {'runs jobs that use PostgreSQL' if web['worker_ok'] else 'FAILED'}")
    print(f"RESULT requests={web['requests']} errors_during_faults={web['during']} errors_after_recovery={web['after']} "
          f"pg_recovery_s={web['pg_recovery']:.1f} web_kill_errors={web['web_kill']} papers_lost={lost} "
          f"papers_duplicated={duplicated} jobs_lost={jobs_lost} worker_ok={int(web['worker_ok'])}")  # fmt: skip


if __name__ == "__main__":
    main()
