"""The single place where known failures become messages that name the fix."""

from __future__ import annotations


def explain(exc: BaseException) -> str | None:
    """A one-line explanation for errors a user can fix, else None (a bug)."""
    from django.db.utils import OperationalError, ProgrammingError

    text = str(exc)
    if isinstance(exc, FileNotFoundError):
        return text
    if isinstance(exc, (OperationalError, ProgrammingError)):
        if "no such table" in text or "does not exist" in text and "relation" in text:
            return f"the database has no schema yet ({text}); run `academichub migrate`"
        if "no such column" in text or "column" in text and "does not exist" in text:
            return f"the database schema is older than this version ({text.splitlines()[0]}); run `academichub migrate`"
        if "could not connect" in text or "Connection refused" in text:
            return (f"cannot reach the database ({text.splitlines()[0]}); check DATABASE_URL "
                    "or start PostgreSQL (`pg_ctlcluster 15 main start`)")  # fmt: skip
        if "database is locked" in text:
            return "the SQLite database is busy (another writer); try again in a moment"
    from academichub.core.http import FetchError
    from academichub.core.errors import ParseError
    from academichub.sources.base import ConfigError

    if isinstance(exc, (FetchError, ParseError, ConfigError)):
        return text
    return None
