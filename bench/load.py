"""Load: ≥ 32 simulated users for 2 minutes against a multi-process deployment.

    .venv/bin/python bench/load.py [--users 32] [--seconds 120] [--web-workers 4] [--think 1,3]
        [--database-url postgres://postgres@127.0.0.1:5432/academichub_load] [--papers 274728]

The deployment is the scale-out one: PostgreSQL (catalogue, users, sessions),
Redis (cache, rate limits, queue), `academichub serve` (gunicorn, N workers) and
one `academichub worker`. The first run imports both files of ../shared/data
(274,728 papers) into the load database; later runs reuse it. Each simulated
user is signed in, owns a radar, and loops over a weighted mix of: the today
page, search, the radar feed, "another batch" (POST), upvotes (POST, htmx) and
paper pages. Between two requests a user thinks for a uniform random time in
--think (seconds; default 1 to 3, a brisk reader: it clicks every two seconds
while skimming titles), and the users start spread over the first think time
rather than all in the same millisecond. `--think 0.05,0.25` is a stress run:
32 users then ask for about 140 requests a second, which measures the
deployment's capacity (req/s) rather than what 32 readers see. Ends with one line:
RESULT users=… seconds=… requests=… errors=… feed_p95_ms=… search_p95_ms=… today_p95_ms=… req_per_s=… think_s=…
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FILES = ["arxiv-cs-2025-2026.jsonl.gz", "arxiv-all-2007-2017-sample200k.jsonl.gz"]
QUERIES = ["diffusion model", "large language model agents", "graph neural network", "reinforcement learning",
           '"vision transformer" -survey', "au:Wu cat:cs.CV", "protein structure", "speech recognition",
           "retrieval augmented generation", "federated learning privacy", "多模态 大语言模型", "model",
           "learning", "deep neural network", "quantum error correction", "cat:cs.CL year:2025 translation"]  # fmt: skip
INTERESTS = ["multimodal agents with reinforcement learning", "efficient inference for large language models",
             "3D reconstruction from images", "graph learning for molecules", "robot manipulation policies"]  # fmt: skip
MIX = [("today", 25), ("search", 20), ("feed", 25), ("another_batch", 10), ("upvote", 5), ("paper", 15)]
SHOWN = re.compile(r'name="shown" value="(\d+)"')


def _env(args) -> dict:
    return dict(os.environ, DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, HUEY_NAME="academichub-load",
                ACADEMICHUB_HOME=args.home, SECRET_KEY="load-bench", ALLOWED_HOSTS="127.0.0.1,localhost",
                HUEY_IMMEDIATE="0")  # fmt: skip


def _cli(env, *arguments) -> str:
    done = subprocess.run([sys.executable, "-m", "academichub", *arguments], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"academichub {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare_database(args, env) -> None:
    name = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"],
                   capture_output=True)  # fmt: skip
    _cli(env, "migrate")
    import json

    papers = json.loads(_cli(env, "status", "--json"))["papers"]
    if papers < args.papers:
        print(f"importing {', '.join(FILES)} into {name} (once; {papers} papers there now)", flush=True)
        began = time.perf_counter()
        _cli(env, "import", *(str(DATA / file) for file in FILES))
        print(f"imported in {time.perf_counter() - began:.0f} s", flush=True)


def make_users(args, env) -> list[dict]:
    """Users with one radar each, signed in through Django's session store (no login rate limit)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academichub.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from academichub.papers.models import Paper
    from academichub.radar.models import Radar

    users = []
    for n in range(args.users):
        user, _ = get_user_model().objects.get_or_create(username=f"load{n}", defaults={"email": f"load{n}@example.org"})
        radar, _ = Radar.objects.get_or_create(owner=user, name="Load radar", defaults={
            "keywords": random.Random(n).choice(QUERIES[:10]), "interest": INTERESTS[n % len(INTERESTS)],
            "categories": ["cs.CV", "cs.CL", "cs.LG"][n % 3:n % 3 + 1]})  # fmt: skip
        client = Client()
        client.force_login(user)
        users.append({"session": client.cookies["sessionid"].value, "radar": radar.pk})
    latest = Paper.objects.exclude(announced=None).order_by("-announced", "-id").values_list("id", "arxiv_id")[:2000]
    papers = list(latest)
    for user in users:
        user["papers"] = papers
    return users


def start_deployment(args, env) -> list[subprocess.Popen]:
    port = _free_port()
    args.base = f"http://127.0.0.1:{port}"
    serve = [sys.executable, "-m", "academichub", "serve", "--port", str(port), "--workers", str(args.web_workers)]
    worker = [sys.executable, "-m", "academichub", "worker", "--no-periodic"]
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True) for command in (serve, worker)]  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(args.base + "/readyz", timeout=2).status_code == 200:
                return processes
        except httpx.HTTPError:
            time.sleep(0.5)
    sys.exit("the web processes did not become ready")


def settle(args, seconds: float = 600) -> float:
    """Wait until the worker has done what it does when it starts (radar blocks, word shares, the newest papers'
    similar lists): the figures are those of a deployment that has been up for a while. Returns the wait."""
    from academichub.ops.reliable_queue import ClaimingRedisStorage

    began = time.monotonic()
    storage = ClaimingRedisStorage(name=_env(args)["HUEY_NAME"], url=args.redis_url)
    idle_since = None
    while time.monotonic() - began < seconds:
        busy = storage.queue_size() + storage.claimed_count()
        idle_since = (idle_since or time.monotonic()) if not busy else None
        if idle_since and time.monotonic() - idle_since >= 5:
            break
        time.sleep(1)
    return time.monotonic() - began


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SimulatedUser(threading.Thread):
    def __init__(self, base: str, user: dict, until: float, seed: int, results: dict, lock: threading.Lock,
                 think: tuple[float, float]):  # fmt: skip
        super().__init__(daemon=True)
        self.base, self.user, self.until, self.results, self.lock = base, user, until, results, lock
        self.think = think
        self.rng = random.Random(seed)
        self.client = httpx.Client(base_url=base, timeout=30, cookies={"sessionid": user["session"]})
        self.shown: list[str] = []

    def run(self) -> None:
        time.sleep(self.rng.uniform(0, self.think[1]))  # readers do not all arrive in the same millisecond
        first = self._timed("feed", lambda: self._feed())  # sets the csrftoken cookie
        with self.lock:
            self.results["_first_feed"].append(first)
        names, weights = zip(*MIX)
        while time.monotonic() < self.until:
            action = self.rng.choices(names, weights)[0]
            self._timed(action, getattr(self, f"_{action}"))
            time.sleep(self.rng.uniform(*self.think))

    def _timed(self, name: str, call) -> float:
        began = time.perf_counter()
        try:
            response = call()
            failed = response.status_code >= 500 or response.status_code in (403, 404)
            detail = f"{response.status_code} {response.request.url.path}"
        except httpx.HTTPError as exc:
            failed, detail = True, f"{type(exc).__name__}"
        elapsed = (time.perf_counter() - began) * 1000
        with self.lock:
            self.results[name].append(elapsed)
            self.results["_timeline"].append((time.monotonic(), elapsed))
            if failed:
                self.results["_errors"].append(f"{name}: {detail}")
        return elapsed

    def _csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.base + "/"}

    def _today(self):
        return self.client.get("/")

    def _search(self):
        return self.client.get("/search", params={"q": self.rng.choice(QUERIES)})

    def _feed(self):
        response = self.client.get(f"/radars/{self.user['radar']}/")
        self.shown = SHOWN.findall(response.text)
        return response

    def _another_batch(self):
        return self.client.post(f"/radars/{self.user['radar']}/more/", data={"shown": self.shown or ["0"]},
                                headers=self._csrf(), follow_redirects=True)  # fmt: skip

    def _upvote(self):
        paper_id = self.rng.choice(self.user["papers"])[0]
        return self.client.post(f"/daily/vote/{paper_id}/", headers={**self._csrf(), "HX-Request": "true"})

    def _paper(self):
        return self.client.get(f"/paper/{self.rng.choice(self.user['papers'])[1]}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else 0.0


def _timeline(samples: list[tuple[float, float]], slices: int = 4) -> None:
    """p50/p95 of all requests per slice of the run: shows warm-up apart from the steady state."""
    if not samples:
        return
    start, end = min(at for at, _ in samples), max(at for at, _ in samples) + 1e-9
    width = (end - start) / slices
    for n in range(slices):
        part = [ms for at, ms in samples if start + n * width <= at < start + (n + 1) * width]
        print(f"  {n * width:5.0f}-{(n + 1) * width:4.0f} s: {len(part):5} requests, p50 {percentile(part, 50):5.0f} ms,"
              f" p95 {percentile(part, 95):5.0f} ms")  # fmt: skip


def report(results: dict, args) -> None:
    print(f"\n{'endpoint':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    total = 0
    for name, _ in MIX:
        values = results[name]
        total += len(values)
        print(f"{name:<16}{len(values):>9}{len(values) / args.seconds:>8.1f}{percentile(values, 50):>9.0f}"
              f"{percentile(values, 95):>9.0f}{percentile(values, 99):>9.0f}{max(values or [0]):>9.0f}")  # fmt: skip
    _timeline(results["_timeline"])
    first = results["_first_feed"]
    print(f"  each user's first feed page: p50 {percentile(first, 50):.0f} ms, max {max(first or [0]):.0f} ms")
    errors = results["_errors"]
    print(f"total {total} requests, {total / args.seconds:.1f} req/s, {len(errors)} errors")
    for line in sorted(set(errors))[:10]:
        print("  error:", line)
    print(f"RESULT users={args.users} seconds={args.seconds} requests={total} errors={len(errors)} "
          f"feed_p95_ms={percentile(results['feed'], 95):.0f} search_p95_ms={percentile(results['search'], 95):.0f} "
          f"today_p95_ms={percentile(results['today'], 95):.0f} req_per_s={total / args.seconds:.1f} "
          f"think_s={args.think[0]:g}-{args.think[1]:g}")  # fmt: skip


def _think(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    try:
        bounds = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--think wants MIN,MAX in seconds, e.g. 1,3 (got {text!r})") from None
    if not 0 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"--think wants 0 <= MIN <= MAX (got {text!r})")
    return bounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--papers", type=int, default=274_728)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/academichub_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--home", default="/tmp/academichub-load")
    parser.add_argument("--think", type=_think, default=(1.0, 3.0), help="MIN,MAX seconds between a user's requests")
    args = parser.parse_args()
    env = _env(args)
    prepare_database(args, env)
    users = make_users(args, env)
    processes = start_deployment(args, env)
    results, lock = defaultdict(list), threading.Lock()
    try:
        print(f"the worker settled in {settle(args):.0f} s (its start-up jobs done)", flush=True)
        until = time.monotonic() + args.seconds
        threads = [SimulatedUser(args.base, user, until, n, results, lock, args.think) for n, user in enumerate(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
    report(results, args)


if __name__ == "__main__":
    main()
