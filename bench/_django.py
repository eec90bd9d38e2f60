"""Bench helpers: a throwaway data directory and a Django set up on it."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def setup(home: str | None = None) -> Path:
    """Point ACADEMICHUB_HOME at `home` (or a new temp dir), set up Django, migrate."""
    path = Path(home or tempfile.mkdtemp(prefix="ahbench-"))
    os.environ["ACADEMICHUB_HOME"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academichub.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    return path


def rss_mb() -> float:
    """Peak resident memory of this process image, in MB.

    VmHWM from /proc (Linux), not ``ru_maxrss``: the latter survives execve,
    so a process started by a large one (the 1M builder forking the
    measuring run) reports its parent's peak (11 GB instead of 0.6 GB)."""
    import resource

    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
