"""Chinese queries (academichub.core.zh): detection, table + jieba translation, syntax kept."""

from __future__ import annotations

import numpy as np
import pytest

from academichub.core import zh
from academichub.core.embeddings import HashingEmbedderForTests
from academichub.core.query import parse, to_fts5


def test_detects_cjk():
    assert zh.has_cjk("多模态 agents")
    assert not zh.has_cjk("multimodal agents") and not zh.has_cjk("") and not zh.has_cjk("Ünïcode ½")


def test_the_issue_example():
    result = zh.translate("多模态智能体 强化学习")
    assert result.query == "multimodal agent reinforcement learning"
    assert result.terms == ["multimodal | multi-modal", "agent | agents | agentic", "reinforcement learning"]
    assert result.unknown == [] and result.translated


@pytest.mark.parametrize("chinese, english", [
    ("大语言模型 幻觉检测", "large language model hallucination detection"),
    ("扩散模型", "diffusion model"),
    ("图神经网络", "graph neural network"),
    ("目标检测", "object detection"),
    ("基于扩散模型的图像编辑方法", "diffusion model image editing"),   # 基于/的/方法 dropped
    ("联邦学习中的隐私保护", "federated learning privacy-preserving"),
    ("多模态大语言模型", "multimodal large language model"),           # the compound beats its parts
    ("量子纠错", "quantum error correction"),
    ("蛋白质结构预测", "protein structure prediction"),
])
def test_research_terms(chinese, english):
    assert zh.translate(chinese).query == english


def test_table_size_and_category_names():
    terms, categories = zh.term_count()
    assert terms >= 300 and categories >= 150
    result = zh.translate("计算机视觉 机器人学")
    assert result.query == "computer vision robotics"
    assert result.categories == ["cs.CV", "cs.RO"]


def test_query_syntax_around_chinese_is_kept():
    assert zh.translate("强化学习 cat:cs.LG year:2025").query == "reinforcement learning cat:cs.LG year:2025"
    assert zh.translate('"强化学习" -机器人').query == '"reinforcement learning" -robot'
    assert zh.translate("ti:多模态智能体").query == 'ti:"multimodal agent"'
    assert zh.translate("-多模态智能体 扩散模型").query == '-"multimodal agent" diffusion model'
    assert zh.translate("-机器人 扩散模型").query == "-robot diffusion model"
    assert zh.translate("GPT强化学习").query == "GPT reinforcement learning"
    parsed = parse(zh.translate('ti:扩散模型 "知识蒸馏" -机器人学习 cat:cs.CV').query)
    assert parsed.errors == []
    assert to_fts5(parsed) == ('(title : "diffusion model" AND "knowledge distillation") '
                               'NOT ("robot learning")')  # fmt: skip


def test_english_and_empty_queries_pass_through():
    for text in ("graph neural networks", "", "   "):
        result = zh.translate(text)
        assert result.query == text and not result.translated
    assert zh.translate(None).query == ""


def test_unknown_words_are_reported_not_invented():
    result = zh.translate("强化学习 葡萄酒")
    assert result.query == "reinforcement learning"
    assert result.unknown == ["葡萄酒"]


def test_fallback_embedder_maps_unknown_words_to_nearest_table_term():
    class Echo(HashingEmbedderForTests):
        """Test double: embeds the unknown Chinese word like the English term "diffusion model"."""

        def embed(self, texts, kind="passage"):
            return super().embed(["diffusion model" if t == "葡萄酒" else t for t in texts], kind)

    result = zh.translate("葡萄酒", fallback=Echo(dim=256))
    assert result.query == "diffusion model" and result.unknown == []
    assert zh.translate("葡萄酒", fallback=HashingEmbedderForTests(dim=256)).unknown == ["葡萄酒"]


def test_never_raises_on_odd_input():
    for text in ('"强化学习', "强化学习\x00", "的的的", "（多模态）", "强化学习" * 500, "ti:", "-", "多*"):
        result = zh.translate(text)
        assert isinstance(result.query, str)
        parse(result.query)


def test_translation_is_fast_after_loading():
    zh.translate("强化学习")
    import time

    started = time.perf_counter()
    for _ in range(100):
        zh.translate("多模态大语言模型 视频理解 具身智能")
    assert (time.perf_counter() - started) / 100 < 0.01
    assert np.isfinite(1.0)
