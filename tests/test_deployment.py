"""The scale-out topology, for real: PostgreSQL + Redis, two web processes and a worker.

Runs in the PostgreSQL pass of the suite (ACADEMICHUB_TEST_DB=postgresql). It
creates its own database, migrates and imports through the CLI, then starts
`academichub serve` (gunicorn, 2 workers) twice on two ports and one
`academichub worker`, all sharing DATABASE_URL and REDIS_URL, and checks that
both web processes serve the same catalogue, that a job enqueued by one
process is run by the worker, and that a web process killed with -9 is
replaced by gunicorn without losing requests on the other.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.skipif(os.environ.get("ACADEMICHUB_TEST_DB") != "postgresql",
                                reason="the deployment test runs in the PostgreSQL pass")  # fmt: skip

PG = "postgres://postgres@127.0.0.1:5432"
ENQUEUE = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "academichub.settings"
django.setup()
from academichub.sources.tasks import ping
print(ping().get(blocking=True, timeout=60))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True, capture_output=True)


@pytest.fixture
def deployment_env(tmp_path):
    name = f"ah_deploy_{uuid.uuid4().hex[:8]}"
    _psql(f"CREATE DATABASE {name}")
    env = dict(os.environ, DATABASE_URL=f"{PG}/{name}", REDIS_URL="redis://127.0.0.1:6379/14",
               HUEY_NAME=f"deploy-{name}", ACADEMICHUB_HOME=str(tmp_path / "home"), HUEY_IMMEDIATE="0",
               SECRET_KEY="deployment-test", HTTP_MIN_INTERVAL="0")  # fmt: skip
    yield env
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _cli(env, *args, timeout=300):
    done = subprocess.run([sys.executable, "-m", "academichub", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _wait_ready(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url} exited: {process.stderr.read()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never became ready")


def _sample(cs_corpus: Path, tmp_path: Path, n: int = 300) -> Path:
    target = tmp_path / "sample.jsonl"
    with gzip.open(cs_corpus, "rt") as src:
        target.write_text("".join(itertools.islice(src, n)))
    return target


def test_two_web_processes_and_a_worker_share_postgres_and_redis(deployment_env, cs_corpus, tmp_path):
    env = deployment_env
    _cli(env, "migrate")
    _cli(env, "import", str(_sample(cs_corpus, tmp_path)))
    ports = [_free_port(), _free_port()]
    processes = [subprocess.Popen([sys.executable, "-m", "academichub", "serve", "--port", str(port), "--workers", "2"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  start_new_session=True) for port in ports]  # fmt: skip
    processes.append(subprocess.Popen([sys.executable, "-m", "academichub", "worker", "--no-periodic"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                      start_new_session=True))  # fmt: skip
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes):
            _wait_ready(url, process)
        papers = [_papers_metric(url) for url in urls]
        assert papers == [300, 300]
        assert json.loads(_cli(env, "status", "--json"))["papers"] == 300
        assert subprocess.run([sys.executable, "-c", ENQUEUE], env=env, capture_output=True, text=True,
                              timeout=90).stdout.strip() == "pong"  # fmt: skip
        _kill_one_gunicorn_worker(processes[0].pid)
        for _ in range(20):  # the other node answers throughout; the killed worker is replaced
            assert httpx.get(urls[1] + "/", timeout=10).status_code == 200
        _wait_ready(urls[0], processes[0])
        assert httpx.get(urls[0] + "/", timeout=10).status_code == 200
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


def _papers_metric(url: str) -> int:
    for line in httpx.get(url + "/metrics", timeout=10).text.splitlines():
        if line.startswith("academichub_papers "):
            return int(float(line.split()[1]))
    raise AssertionError("no academichub_papers in /metrics")


def _kill_one_gunicorn_worker(master_pid: int) -> None:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    assert children, "gunicorn has no worker processes"
    os.kill(int(children[0]), signal.SIGKILL)
