"""pytest plugin exposing ``local_server``: a scripted HTTP server on 127.0.0.1.

Loaded from the main conftest (``pytest_plugins = ["tests.conftest_http"]``).
Needs neither Django nor the network.
"""

from __future__ import annotations

import pytest

from tests.httpserver import Reply, ScriptedServer

__all__ = ["Reply", "local_server"]


@pytest.fixture
def local_server():
    """A started ``ScriptedServer``; script replies with ``local_server.script(path, Reply(...))``."""
    with ScriptedServer() as server:
        yield server
