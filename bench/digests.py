"""The hourly radar digest job over the real corpus: how long a run takes, and a rerun.

    ACADEMICHUB_HOME=/tmp/x .venv/bin/academichub import ../shared/data/arxiv-cs-2025-2026.jsonl.gz  # once
    nice -n 10 .venv/bin/python bench/digests.py --home /tmp/x [--users 100]

Each user gets two radars (one daily, one weekly) with keywords from a list of
common topics, in one of four time zones, all due at the moment tested (the
corpus's latest announcement day, 12:00 UTC). The job is
``delivery.digests.send_due``: due-radar lookup, ranking with
``radar.feed.feed_for`` (keyword part; no stored vectors), rendering both parts,
and ``delivery.mail.send`` into Django's in-memory backend (SMTP time is the
server's, not the hub's). A second run at the same moment must send nothing
(idempotent). Everything is rolled back at the end: the corpus is left as it was.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, time as clock, timedelta, timezone

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("ACADEMICHUB_EMBEDDER", "hashing")

from _django import setup  # noqa: E402

TOPICS = ["diffusion", "graph neural", "reinforcement learning", "language model", "retrieval", "robot",
          "federated", "quantum", "segmentation", "theorem proving", "speech", "recommendation"]  # fmt: skip
ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin"]


class Rollback(Exception):
    pass


def make_readers(users: int, moment: datetime) -> int:
    from django.contrib.auth import get_user_model

    from academichub.accounts.models import Profile
    from academichub.radar.models import Radar

    made = 0
    for n in range(users):
        user = get_user_model().objects.create_user(f"bench{n}", f"bench{n}@example.org", "pw-bench-123456")
        Profile.objects.update_or_create(user=user, defaults={"time_zone": ZONES[n % len(ZONES)]})
        for frequency, offset in (("day", 0), ("week", 5)):
            Radar.objects.create(owner=user, name=f"{frequency} {n}", keywords=TOPICS[(n + offset) % len(TOPICS)],
                                 email_enabled=True, email_frequency=frequency)  # fmt: skip
            made += 1
    Radar.objects.update(created_at=moment - timedelta(days=60))
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True, help="an ACADEMICHUB_HOME holding the imported corpus")
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args()
    setup(args.home)
    from django.conf import settings
    from django.core import mail as outbox
    from django.db import transaction
    from django.db.models import Max

    from academichub.delivery import digests
    from academichub.papers.models import Paper

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbox.outbox = []
    latest = Paper.objects.aggregate(d=Max("announced"))["d"]
    if latest is None:
        raise SystemExit("no papers: import the corpus first (see the docstring)")
    moment = datetime.combine(latest, clock(12), tzinfo=timezone.utc)
    try:
        with transaction.atomic():
            radars = make_readers(args.users, moment)
            started = time.perf_counter()
            first = digests.send_due(now=moment)
            first_s = time.perf_counter() - started
            sizes = [len(m.body) + len(m.alternatives[0][0]) for m in outbox.outbox]
            started = time.perf_counter()
            again = digests.send_due(now=moment)
            rerun_s = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    per = first_s / max(radars, 1) * 1000
    print(f"corpus: {Paper.objects.count()} papers, latest day {latest}; {args.users} users, {radars} radars")
    print(f"first run: {first_s:.2f} s ({per:.1f} ms per radar): {first.sent} sent, {first.empty} empty, "
          f"{first.failed} failed; emails {len(sizes)}, mean size {sum(sizes) / max(len(sizes), 1) / 1024:.1f} KiB")
    print(f"rerun at the same moment: {rerun_s:.2f} s, {again.sent} sent (idempotent)")
    print(f"RESULT radars={radars} first_run_s={first_s:.2f} ms_per_radar={per:.1f} sent={first.sent} "
          f"empty={first.empty} rerun_s={rerun_s:.2f} rerun_sent={again.sent}")


if __name__ == "__main__":
    main()
