"""Implementations of the `academichub` subcommands (Django is set up)."""

from __future__ import annotations

import getpass
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from academichub import paths
from academichub.cli import CommandError


def cmd_migrate(args) -> int:
    from django.core.management import call_command

    from academichub.i18n import compile_messages

    compile_messages()  # .mo files are not committed; build them before any page is served
    call_command("migrate", interactive=False, verbosity=0)
    print("database schema is up to date")
    return 0


def cmd_manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["academichub manage", *args.args])
    return 0


def _progress_bar(label: str):
    """A tqdm bar over bytes read; quiet when stderr is not a terminal."""
    from tqdm import tqdm

    bar = tqdm(total=0, unit="B", unit_scale=True, desc=label, disable=None, leave=True)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def cmd_import(args) -> int:
    from academichub.sources.importer import import_dump

    for name in args.files:
        path = Path(name).expanduser()
        if not path.is_file():
            raise CommandError(f"{name}: no such file. Offline corpus: {paths.default_corpus()}")
        bar, update = _progress_bar(path.name)
        started = time.monotonic()
        result = import_dump(path, progress=update, batch_size=args.batch_size)
        bar.close()
        run = result.run
        resumed = f", resumed after line {result.resumed_from}" if result.resumed_from else ""
        print(f"{path.name}: {run.fetched} read, {run.new} new, {run.updated} changed, "
              f"{run.unchanged} unchanged, {run.failed} failed{resumed} "
              f"in {time.monotonic() - started:.1f}s")  # fmt: skip
        for failure in run.failures[:5]:
            print(f"  failed: {failure['item']}: {failure['reason']}")
    return 0


def cmd_status(args) -> int:
    from academichub.sources.status import collect_status, format_status

    figures = collect_status()
    print(json.dumps(figures, indent=2, default=str) if args.json else format_status(figures))
    return 0


def cmd_embed(args) -> int:
    """Embed papers that lack a vector of the configured model; Ctrl-C or kill keeps finished batches."""
    from academichub.search.commands import run_embed

    return run_embed(args)


def cmd_ingest(args) -> int:
    from academichub.sources.registry import run_sources

    categories = [c.strip() for c in (args.categories or "").split(",") if c.strip()] or None
    options = {"categories": categories, "from_date": args.from_date, "until": args.until,
               "ids": args.ids, "query": args.query}  # fmt: skip
    runs = run_sources(args.source, options)
    for run in runs:
        line = f"{run.source}: {run.status} — fetched {run.fetched}, new {run.new}, updated {run.updated}"
        print(line + (f" — {run.warning or run.error}" if (run.warning or run.error) else ""))
    return 0 if all(run.status != "failed" for run in runs) else 1


def cmd_createuser(args) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    User = get_user_model()
    if User.objects.filter(username=args.username).exists():
        raise CommandError(f"user {args.username!r} exists already; choose another name")
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    try:
        validate_password(password)
    except ValidationError as exc:
        raise CommandError("password refused: " + " ".join(exc.messages)) from exc
    User.objects.create_user(args.username, args.email, password,
                             is_staff=args.admin, is_superuser=args.admin)  # fmt: skip
    print(f"created {'curator' if args.admin else 'user'} {args.username}")
    return 0


def _static_ready() -> None:
    from django.conf import settings

    if not settings.STATICFILES_DIRS:
        print("note: KaTeX/htmx assets not found; run `npm ci` in the repository "
              "(the ./hub script does) to render math", file=sys.stderr)  # fmt: skip


def cmd_serve(args) -> int:
    """gunicorn with threaded workers; keep-alive 5 s, above its 2 s default, so that under load a
    connection is not closed by the server just as a client reuses it (the client sees a ReadError)."""
    from academichub.i18n import compile_messages

    compile_messages()
    _static_ready()
    _limit_statements()
    command = [sys.executable, "-m", "gunicorn", "academichub.wsgi:application",
               "--config", "python:academichub.gunicorn_conf",
               "--bind", f"{args.host}:{args.port}", "--workers", str(args.workers),
               "--threads", str(max(args.threads, 1)), "--keep-alive", "5",
               "--access-logfile", "-", "--timeout", "120"]  # fmt: skip
    os.execv(sys.executable, command)


def _limit_statements() -> None:
    """No web request may keep a PostgreSQL backend busy for more than WEB_STATEMENT_TIMEOUT seconds
    (default 15; 0: no limit). Under load, a few pathological queries otherwise take every core of the
    database and every request waits behind them; cut off, a page leaves out the part that failed
    (e.g. similar papers). Set for the web processes only (libpq reads PGOPTIONS): imports,
    embedding and backups in the worker or the CLI keep no limit."""
    seconds = float(os.environ.get("WEB_STATEMENT_TIMEOUT", "15") or 0)
    if seconds > 0:
        options = f"{os.environ.get('PGOPTIONS', '')} -c statement_timeout={int(seconds * 1000)}"
        os.environ["PGOPTIONS"] = options.strip()


def cmd_worker(args) -> int:
    from django.core.management import call_command

    options = {"workers": args.workers}
    if args.no_periodic:
        options["periodic"] = False
    call_command("run_huey", **options)
    return 0


def cmd_up(args) -> int:
    """Everything on one machine: schema, first data, web, worker, schedule."""
    from academichub.sources.registry import first_fill

    cmd_migrate(args)
    for line in first_fill(offline=args.offline):
        print(line)
    print(f"AcademicHub is running at http://{args.host}:{args.port}/  (Ctrl-C stops it)")
    return _run_group([
        [sys.executable, "-m", "academichub", "serve", "--host", args.host, "--port", str(args.port)],
        [sys.executable, "-m", "academichub", "worker"],
    ])


def _run_group(commands: list[list[str]]) -> int:
    """Run processes together; when one exits or we are stopped, stop them all."""
    children = [subprocess.Popen(cmd) for cmd in commands]

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    return max((child.returncode or 0) for child in children)


def _backup_database():
    from django.db import connection

    from academichub.ops.backup import Database

    return Database.from_settings(connection.settings_dict, connection.vendor)


def cmd_backup(args) -> int:
    from django.db import connection
    from django.utils import timezone

    from academichub.ops.backup import BackupError, backup

    suffix = "sqlite3" if connection.vendor == "sqlite" else "pgdump"
    target = Path(args.file) if args.file else (
        paths.home() / "backups" / f"academichub-{timezone.now():%Y%m%d-%H%M%S}.{suffix}")  # fmt: skip
    try:
        written = backup(_backup_database(), target)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"backup written: {written} ({written.stat().st_size / 1e6:.1f} MB)")
    return 0


def cmd_restore(args) -> int:
    from django.db import connections

    from academichub.ops.backup import BackupError, restore

    db = _backup_database()
    if not args.yes and input(f"replace everything in {db.vendor} database {db.name} with {args.file}? [y/N] ").lower() != "y":
        print("restore cancelled")
        return 1
    connections.close_all()
    try:
        restore(db, Path(args.file))
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"restored {args.file}; run `academichub embed --index-only` to rebuild this node's vector index")
    return 0
