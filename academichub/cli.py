"""The `academichub` command: one subcommand per job (as arxiv-sanity-lite does).

Errors are printed as one line that names the fix, with exit status 2; a
traceback is only for bugs.
"""

from __future__ import annotations

import argparse
import os
import sys


class CommandError(Exception):
    """A problem the user can fix; the message says how."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academichub.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="academichub",
        description="Self-hosted academic intelligence hub. Data lives in $ACADEMICHUB_HOME "
        "(SQLite) or $DATABASE_URL (PostgreSQL).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    up = sub.add_parser("up", help="migrate, ingest, and run web + worker + scheduler")
    up.add_argument("--host", default=os.environ.get("ACADEMICHUB_HOST", "127.0.0.1"))
    up.add_argument("--port", type=int, default=int(os.environ.get("ACADEMICHUB_PORT", "8000")))
    up.add_argument("--offline", action="store_true", help="do not try the network; import the shared corpus")
    ingest = sub.add_parser("ingest", help="run sources once")
    ingest.add_argument("--source", action="append", help="source name (default: the configured ones)")
    ingest.add_argument("--categories", help="comma-separated arXiv categories, e.g. cs.CV,cs.CL")
    ingest.add_argument("--from", dest="from_date", help="OAI-PMH harvest start date YYYY-MM-DD")
    ingest.add_argument("--until", help="OAI-PMH harvest end date YYYY-MM-DD")
    ingest.add_argument("--ids", help="arXiv ids for the export API, comma-separated")
    ingest.add_argument("--query", help="arXiv export API search_query")
    imp = sub.add_parser("import", help="bulk-import metadata dumps (.jsonl, .jsonl.gz, Kaggle snapshot)")
    imp.add_argument("files", nargs="+")
    imp.add_argument("--batch-size", type=int, default=2000)
    serve = sub.add_parser("serve", help="run the web server only")
    serve.add_argument("--host", default=os.environ.get("ACADEMICHUB_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("ACADEMICHUB_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")),
                       help="threads per worker: a request waiting on the database does not hold up the others")
    worker = sub.add_parser("worker", help="run a background worker (Huey consumer)")
    worker.add_argument("--workers", type=int, default=1)
    worker.add_argument("--no-periodic", action="store_true", help="leave the schedule to another worker")
    user = sub.add_parser("createuser", help="create a user (add --admin for a curator)")
    user.add_argument("username")
    user.add_argument("--email", default="")
    user.add_argument("--admin", action="store_true")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    status = sub.add_parser("status", help="sources, last runs, counts, index state")
    status.add_argument("--json", action="store_true")
    embed = sub.add_parser("embed", help="compute paper embeddings for semantic search (newest first, resumable)")
    embed.add_argument("--limit", type=int, default=None, help="embed at most N papers, then stop")
    embed.add_argument("--index-only", action="store_true", help="only bring this node's vector index up to date")
    embed.add_argument("--batch-size", type=int, default=64, help="papers per transaction (default 64)")
    backup = sub.add_parser("backup", help="write a consistent backup of the database (online)")
    backup.add_argument("file", nargs="?", help="default: $ACADEMICHUB_HOME/backups/academichub-<time>.<kind>")
    restore = sub.add_parser("restore", help="replace the database's contents with a backup")
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    sub.add_parser("migrate", help="create or upgrade the database schema")
    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    from academichub import commands

    try:
        _setup_django()
        return getattr(commands, f"cmd_{args.command}")(args) or 0
    except CommandError as exc:
        print(f"academichub {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 — one place where errors become messages
        from academichub.errors import explain

        message = explain(exc)
        if message is None:
            raise
        print(f"academichub {args.command}: {message}", file=sys.stderr)
        return 2
