"""Work a Huey worker queues as soon as it starts (after a deployment, or a restart after a crash).

One decorator, so every such hook behaves alike: it runs in the starting
worker, and a queue or cache that is down is logged, never raised, because
nothing may stop the worker from starting.
"""

from __future__ import annotations

import functools
import logging

from huey.contrib.djhuey import HUEY

log = logging.getLogger("academichub.worker")


def at_worker_start(what: str):
    """Register the decorated function to run when a worker starts; ``what`` names it in the log."""

    def register(function):
        @functools.wraps(function)
        def guarded() -> None:
            try:
                function()
            except Exception as exc:  # noqa: BLE001 — see the module docstring
                log.warning("could not queue %s at worker start: %s", what, exc)

        HUEY.on_startup(name=f"{function.__module__}.{function.__name__}")(guarded)
        return guarded

    return register
