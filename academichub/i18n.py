"""Compile translations (.po → .mo) at install/run time, in pure Python.

The .mo files are build products and are not committed (they are binary, and
a stale one silently hides a fixed translation). They are compiled with polib,
so a server needs no GNU gettext: `academichub migrate`/`up` and the test suite
call `compile_messages()`, which only rewrites a .mo that is missing or older
than its .po, and writes it atomically so parallel processes never read half a
file. Extracting strings (`makemessages`) is a developer task and does need
gettext.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


def catalogues(root: Path = PACKAGE_DIR) -> list[Path]:
    """Every .po under the project's and the apps' `locale` directories."""
    patterns = ("locale/*/LC_MESSAGES/*.po", "*/locale/*/LC_MESSAGES/*.po")
    return sorted({path for pattern in patterns for path in root.glob(pattern)})


def is_stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_one(po: Path) -> Path:
    """Write po's .mo beside it (fuzzy and untranslated entries are left out)."""
    mo = po.with_suffix(".mo")
    handle, temporary = tempfile.mkstemp(dir=po.parent, prefix=".", suffix=".mo.tmp")
    os.close(handle)
    try:
        polib.pofile(str(po)).save_as_mofile(temporary)
        os.chmod(temporary, po.stat().st_mode & 0o666)  # mkstemp makes it 0600
        os.replace(temporary, mo)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return mo


def compile_messages(root: Path = PACKAGE_DIR, force: bool = False) -> list[Path]:
    """Compile the stale catalogues under root; returns the .mo files written.

    A read-only install (PermissionError) only logs a warning: pages then stay
    in English, which is better than refusing to start. A malformed .po raises."""
    written = []
    for po in catalogues(root):
        if not (force or is_stale(po)):
            continue
        try:
            written.append(compile_one(po))
        except PermissionError as exc:
            log.warning("cannot write %s (%s); translations stay as they were", po.with_suffix(".mo"), exc)
    return written
