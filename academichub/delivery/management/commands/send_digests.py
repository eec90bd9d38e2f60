"""``academichub manage send_digests``: the hourly digest job once, now (cron without a Huey worker, or ops)."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Send the radar email digests that are due (and due retries); safe to run any number of times."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="act as if it were this moment (ISO 8601 with a zone), e.g. to catch up")

    def handle(self, *args, at: str | None = None, **options):
        from academichub.delivery import digests

        now = None
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at {at!r} is not an ISO 8601 moment; use e.g. 2026-06-30T12:00:00+00:00")
            if now.tzinfo is None:
                raise CommandError("--at needs a time zone, e.g. 2026-06-30T12:00:00+00:00")
        run = digests.send_due(now=now)
        self.stdout.write(f"digests: {run.sent} sent, {run.empty} empty, {run.failed} failed, {run.skipped} skipped")
