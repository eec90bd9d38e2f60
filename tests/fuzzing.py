"""Mutational fuzzing of every parser that reads outside input.

Each target is a parser, the real recorded responses it is seeded with, and the
exceptions it documents (``ParseError``, ``DumpError``…: clear errors). Any
other exception is a crash. Inputs are derived deterministically from a seed
(byte flips, truncation, splicing two seeds, inserting hostile tokens,
duplicating or deleting spans), so a crash is reproduced by its index.

Used by tests/test_fuzz.py (a short run on every CI) and bench/fuzz.py
(≥ 100,000 inputs per target, on demand).
"""

from __future__ import annotations

import copy
import random
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
LOCAL_FIXTURES = Path(__file__).resolve().parent / "fixtures"

TOKENS = [
    b"<", b">", b"</", b"/>", b"<![CDATA[", b"]]>", b"&", b"&amp;", b"&#0;", b"&#xFFFF;", b"&lt;",
    b'"', b"'", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\\", b"{", b"}", b"[", b"]", b":", b",", b"null",
    b"true", b"-1", b"1e999", b"NaN", b"\n", b"\r\n", b"\t", b"<script>alert(1)</script>", b"\xe4\xb8\xad",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b"&a;", b"<?xml version='1.0'?>", b"9999-99-99",
    b"0000.00000", b"arXiv:", b"v0", b"*", b"OR", b"-", b"au:", b"cat:", b'"', b"year:", b"(", b")",
]


@dataclass
class Target:
    name: str
    parse: Callable[[bytes], object]
    seeds: list[bytes]
    expected: tuple[type[BaseException], ...]


@dataclass
class Report:
    target: str
    inputs: int = 0
    clear_errors: int = 0
    crashes: list[tuple[int, str]] = field(default_factory=list)


def _files(*patterns: str) -> list[bytes]:
    """The recorded responses, shrunk to a few records each so that one input
    costs milliseconds: the mutations, not the fixture's length, find bugs."""
    found = []
    for pattern in patterns:
        for root in (SHARED_FIXTURES, LOCAL_FIXTURES):
            found += [shrink(path.read_bytes()) for path in sorted(root.glob(pattern)) if path.is_file()]
    return found


def shrink(data: bytes, keep: int = 3) -> bytes:
    """Cut every list (JSON) or run of same-named siblings (XML) to `keep` items."""
    import json

    from lxml import etree

    try:
        return json.dumps(_shrink_json(json.loads(data), keep)).encode()
    except ValueError:
        pass
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=False))
    except etree.XMLSyntaxError:
        return data[:20_000]
    for parent in root.iter():
        seen: dict[str, int] = {}
        for child in list(parent):
            seen[child.tag] = seen.get(child.tag, 0) + 1
            if seen[child.tag] > keep and isinstance(child.tag, str):
                parent.remove(child)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _shrink_json(value, keep: int):
    if isinstance(value, list):
        return [_shrink_json(item, keep) for item in value[:keep]]
    if isinstance(value, dict):
        return {key: _shrink_json(item, keep) for key, item in value.items()}
    return value


def targets() -> list[Target]:
    """Every parser of outside input, with its seeds and its documented errors."""
    from academichub.core import (arxiv_api, arxiv_oai, arxiv_rss, biorxiv, crossref, dumps, hf_daily, openalex,
                                  publisher_rss, pubmed, query)  # fmt: skip
    from academichub.core.errors import ParseError

    clear = (ParseError,)
    dump_errors = tuple(getattr(dumps, name) for name in ("DumpError",) if hasattr(dumps, name)) + clear
    return [
        Target("arxiv_rss", arxiv_rss.parse_rss, _files("built_arxiv_rss_*.xml"), clear),
        Target("arxiv_oai", arxiv_oai.parse_oai, _files("arxiv_oai/*.xml"), clear),
        Target("arxiv_api", arxiv_api.parse_api, _files("arxiv_api/*.xml"), clear),
        Target("biorxiv", biorxiv.parse_details, _files("biorxiv/*.json", "medrxiv/*.json"), clear),
        Target("crossref", crossref.parse_works, _files("crossref/*.json", "built_crossref_*.json"), clear),
        Target("openalex", openalex.parse_works, _files("openalex/*.json"), clear),
        Target("pubmed_efetch", pubmed.parse_efetch, _files("pubmed/*efetch*.xml"), clear),
        Target("pubmed_esearch", pubmed.parse_esearch, _files("pubmed/*esearch*"), clear),
        Target("publisher_rss", publisher_rss.parse_feed, _files("built_publisher_rss_*.xml"), clear),
        Target("hf_daily", hf_daily.parse_daily, _files("built_hf_daily_*.json"), clear),
        Target("dump_line", lambda data: dumps.parse_raw_line(1, data), _dump_seeds(), dump_errors),
        Target("search_query", lambda data: query.parse(data.decode("utf-8", "replace")), _query_seeds(), ()),
    ]


def _dump_seeds() -> list[bytes]:
    import gzip

    corpus = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
    with gzip.open(corpus, "rb") as handle:
        return [handle.readline() for _ in range(20)]


def _query_seeds() -> list[bytes]:
    return [text.encode() for text in (
        '"diffusion model" -survey au:LeCun cat:cs.CV year:2025', "ti:transformer OR abs:attention",
        "after:2025-03 before:2026-01-15 venue:NeurIPS", 'au:"Yann LeCun" -cat:cs.RO source:arxiv',
        "多模态智能体 强化学习", "year:2020-2023 year:>=2021 llm*", "a OR OR b", '"unbalanced', "NEAR(a b)",
    )]  # fmt: skip


def mutate(rng: random.Random, seeds: list[bytes]) -> bytes:
    seed = rng.choice(seeds)
    if seed[:1] in (b"{", b"[") and rng.random() < 0.5:
        return _mutate_json(rng, seed)
    data = bytearray(seed)
    for _ in range(rng.randint(1, 6)):
        _MUTATIONS[rng.randrange(len(_MUTATIONS))](rng, data, seeds)
    return bytes(data)


def _flip(rng, data, seeds):
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)


def _truncate(rng, data, seeds):
    del data[rng.randint(0, len(data)):]


def _insert_token(rng, data, seeds):
    position = rng.randint(0, len(data))
    data[position:position] = rng.choice(TOKENS)


def _delete_span(rng, data, seeds):
    if data:
        start = rng.randrange(len(data))
        del data[start:start + rng.randint(1, 64)]


def _duplicate_span(rng, data, seeds):
    if data:
        start = rng.randrange(len(data))
        span = data[start:start + rng.randint(1, 256)]
        position = rng.randint(0, len(data))
        data[position:position] = span * rng.randint(1, 4)


def _splice(rng, data, seeds):
    other = rng.choice(seeds)
    cut, other_cut = rng.randint(0, len(data)), rng.randint(0, len(other))
    data[cut:] = other[other_cut:]


ODD_VALUES = [None, "", " ", 0, -1, 2**63, 1.5, True, [], {}, [None], {"": None}, "<b>x</b>", "\u0000",
              "9999-99-99", "2026-13-45", "x" * 5000, ["a", 1, None], {"date-parts": [[None]]}]


def _mutate_json(rng: random.Random, seed: bytes) -> bytes:
    """Type confusion: replace, drop or duplicate values deep inside valid JSON."""
    import json

    document = json.loads(seed)
    for _ in range(rng.randint(1, 5)):
        document = _mutate_value(rng, document, depth=0)
    return json.dumps(document).encode()


def _mutate_value(rng, value, depth: int):
    if depth > 12 or not isinstance(value, (dict, list)) or not value or rng.random() < 0.15:
        return copy.deepcopy(rng.choice(ODD_VALUES)) if rng.random() < 0.7 else value
    if isinstance(value, dict):
        key = rng.choice(list(value))
        if rng.random() < 0.1:
            value.pop(key)
        else:
            value[key] = _mutate_value(rng, value[key], depth + 1)
        return value
    index = rng.randrange(len(value))
    value[index] = _mutate_value(rng, value[index], depth + 1)
    return value


_MUTATIONS = [_flip, _truncate, _insert_token, _delete_span, _duplicate_span, _splice]


def run(target: Target, count: int, seed: int = 0) -> Report:
    """Feed count mutated inputs to target; crashes are recorded with their index."""
    report = Report(target.name)
    rng = random.Random(f"{seed}:{target.name}")
    for index in range(count):
        data = mutate(rng, target.seeds) if index else target.seeds[0]
        report.inputs += 1
        try:
            target.parse(data)
        except target.expected:
            report.clear_errors += 1
        except RecursionError as exc:
            report.crashes.append((index, f"RecursionError: {exc}"))
        except Exception:  # noqa: BLE001 — anything undocumented is a crash
            report.crashes.append((index, traceback.format_exc(limit=6)))
    return report


def run_all(count: int, seed: int = 0, names: Iterable[str] | None = None) -> list[Report]:
    wanted = set(names or [])
    return [run(target, count, seed) for target in targets() if not wanted or target.name in wanted]
