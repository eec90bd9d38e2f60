"""Mutational fuzzing of every parser that reads outside input.

Each target is a parser, the real recorded responses it is seeded with, and the
exceptions it documents (``ParseError``, ``DumpError``…: clear errors). Any
other exception is a crash. Inputs are derived deterministically from a seed
(byte flips, truncation, splicing two seeds, inserting hostile tokens,
duplicating or deleting spans), so a crash is reproduced by its index.

Surviving is not enough: a parser that returns ``title=[...]`` or a version
numbered ``"2"`` has only moved the crash into storage or a template. So every
result is also checked against its declared types (``check_output``: each
dataclass field, ``NamedTuple`` field, list item and dict entry, recursively);
a value of the wrong type is a crash too.

Used by tests/test_fuzz.py (a short run on every CI) and bench/fuzz.py
(≥ 100,000 inputs per target, on demand).
"""

from __future__ import annotations

import copy
import dataclasses
import random
import sqlite3
import traceback
import types
import typing
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
    from academichub.core import citation_import
    from academichub.core.errors import ParseError

    clear = (ParseError,)
    citation_errors = (citation_import.CitationImportError,)
    dump_errors = tuple(getattr(dumps, name) for name in ("DumpError",) if hasattr(dumps, name)) + clear
    return [
        Target("arxiv_rss", arxiv_rss.parse_rss, _files("built_arxiv_rss_*.xml"), clear),
        Target("arxiv_oai", arxiv_oai.parse_oai, _files("arxiv_oai/*.xml"), clear),
        Target("arxiv_api", arxiv_api.parse_api, _files("arxiv_api/*.xml"), clear),
        Target("biorxiv", biorxiv.parse_details, _biorxiv_seeds(), clear),
        Target("crossref", crossref_any, _files("crossref/*.json", "crossref/decoded/*.json", "built_crossref_*.json"),
               clear),  # fmt: skip
        Target("openalex", openalex.parse_works, _files("openalex/*.json"), clear),
        Target("pubmed_efetch", pubmed.parse_efetch, _files("pubmed/*efetch*.xml"), clear),
        Target("pubmed_esearch", pubmed.parse_esearch, _files("pubmed/*esearch*"), clear),
        Target("publisher_rss", publisher_rss.parse_feed, _files("built_publisher_rss_*.xml"), clear),
        Target("hf_daily", hf_daily.parse_daily, _files("built_hf_daily_*.json"), clear),
        Target("dump_line", lambda data: dumps.parse_raw_line(1, data), _dump_seeds(), dump_errors),
        Target("search_query", search_query, _query_seeds(), ()),
        Target("paper_text", paper_text, _paper_text_seeds(), ()),
        Target("user_input", user_input, _user_input_seeds(), (_ssrf_refused(),)),
        Target("citation_bibtex", citation_import.parse_bibtex, _files("built_citations_*.bib"), citation_errors),
        Target("citation_ris", citation_import.parse_ris, _files("built_citations_*.ris"), citation_errors),
        Target("citation_any", citation_import.parse_citations, _files("built_citations_*"), citation_errors),
    ]


def _ssrf_refused() -> type[BaseException]:
    from academichub.core.ssrf import Refused

    return Refused


def paper_text(data: bytes):
    """A title, abstract or author list as a source sends it, through what every page and export does.

    TeX rendering (display and plain), title matching, name splitting and parsing,
    then BibTeX, RIS and CSL-JSON of a citation made of that text: the BibTeX must
    read back as exactly one entry (bibtexparser, as Zotero-like readers do), the
    CSL-JSON must load, and every RIS line must be a ``XX  - value`` row.
    """
    import json
    import logging
    from datetime import date

    import bibtexparser

    from academichub.core import dedup, exports, names, tex

    raw = data.decode("utf-8", "replace")
    shown, plain = tex.display_text(raw), tex.plain_text(raw)
    dedup.normalise_title(raw)
    authors = names.split_author_list(raw)
    keys = [(names.parse_name(a).display(), names.name_key(a)) for a in authors[:20]]
    citation = exports.Citation(title=shown or "untitled", authors=tuple(authors[:20]), abstract=raw,
                                journal=plain[:200], journal_ref=raw[:200], issued=date(2025, 1, 1),
                                arxiv_id="2501.00001", url=raw[:200])  # fmt: skip
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # its failures are counted below
    library = bibtexparser.parse_string(exports.render("bibtex", [citation]))
    if len(library.entries) != 1 or library.failed_blocks:
        raise Malformed(f"the BibTeX does not read back as one entry: {len(library.entries)} entries, "
                        f"{len(library.failed_blocks)} failed blocks")  # fmt: skip
    json.loads(exports.render("csl-json", [citation]))
    rows = [row for row in exports.render("ris", [citation]).split("\r\n") if row]
    bad = [row for row in rows if not _RIS_ROW.match(row)]
    if bad:
        raise Malformed(f"RIS row {bad[0][:60]!r} is not 'XX  - value'")
    return keys


def user_input(data: bytes):
    """What people type: a paper to submit, radar keywords, a Chinese query, a webhook URL."""
    from academichub.core import interests, ssrf, submissions, zh

    raw = data.decode("utf-8", "replace")
    submissions.parse_identifier(raw)
    interests.parse_keywords(raw)
    zh.translate(raw[:200])
    return ssrf.parse(raw)


def crossref_any(data: bytes):
    """A list response through ``parse_works``, a single work through ``parse_work_response``.

    Most recorded Crossref bodies are single works; fed to ``parse_works`` they
    only ever tested its "expected a 'work-list'" error, never the work parser.
    """
    from academichub.core import crossref

    single = b'"message-type": "work"' in data[:4000] or b'"message-type":"work"' in data[:4000]
    return crossref.parse_work_response(data) if single else crossref.parse_works(data)


def _biorxiv_seeds() -> list[bytes]:
    """Interval pages as they are; the by-DOI files hold a list of ``{doi, raw_response}``: their bodies."""
    import json

    seeds = []
    for data in _files("biorxiv/*.json", "medrxiv/*.json"):
        recorded = json.loads(data)
        if isinstance(recorded, list):
            seeds += [json.dumps(item["raw_response"]).encode() for item in recorded[:3] if "raw_response" in item]
        else:
            seeds.append(data)
    return seeds


_FTS = None


def search_query(data: bytes):
    """The search box end to end: parse, then run the FTS5 expression it builds in SQLite.

    ``query`` promises that no user text reaches FTS5 (or tsquery) as syntax, so an
    ``sqlite3.OperationalError`` here (a syntax error) is a crash like any other.
    """
    global _FTS
    from academichub.core import query

    if _FTS is None:
        _FTS = sqlite3.connect(":memory:")
        _FTS.execute("CREATE VIRTUAL TABLE papers USING fts5(title, authors, abstract)")
        _FTS.execute("INSERT INTO papers VALUES ('Diffusion models', 'Yann LeCun', 'attention is all')")
    parsed = query.parse(data.decode("utf-8", "replace"))
    for match in ("all", "any"):
        expression = query.to_fts5(parsed, match=match)
        if expression:
            _FTS.execute("SELECT count(*) FROM papers WHERE papers MATCH ?", (expression,)).fetchone()
        query.to_tsquery(parsed, match=match)
    parsed.semantic_text()
    return parsed


import re  # noqa: E402

_RIS_ROW = re.compile(r"^[A-Z][A-Z0-9]  -(?: |$)")


def _paper_text_seeds() -> list[bytes]:
    """Titles, abstracts and author lists from the corpus that carry TeX, accents or odd names."""
    found = []
    for line in _dump_seeds(200):
        import json

        paper = json.loads(line)
        for text in (paper.get("title"), paper.get("summary"), ", ".join(paper.get("authors") or [])):
            if isinstance(text, str) and any(mark in text for mark in ("$", "\\", "{", "&", "Jr")):
                found.append(text.encode())
    return found[:40] + [
        r'Schr\"odinger {\"u}ber $\mathcal{O}(n^{2})$ \emph{fast} --- 50\% \cite{x} \href{http://a}{b}'.encode(),
        "Müller, Jörg and van der Berg, J.-P., Jr.; 张伟; O'Neil, Ch.; \\'Etienne".encode(),
    ]


def _user_input_seeds() -> list[bytes]:
    return [text.encode() for text in (
        "2506.01234", "arXiv:2506.01234v2", "https://arxiv.org/abs/hep-th/9901001v3", "10.1155/2018/3804742",
        "https://doi.org/10.48550/arXiv.2301.00001", "diffusion OR \"flow matching\" -survey",
        "多模态 大模型 强化学习", "https://hooks.example.org:8443/path?q=1", "http://[::1]:80/", "http://user@host/",
    )]  # fmt: skip


def _dump_seeds(count: int = 20) -> list[bytes]:
    import gzip

    corpus = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
    with gzip.open(corpus, "rb") as handle:
        return [handle.readline() for _ in range(count)]


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


class Malformed(Exception):
    """A parser returned a value of the wrong type: the crash only moved downstream."""


def check_output(value, expected=object, where: str = "result") -> None:
    """Raise ``Malformed`` where ``value`` (recursively) does not match its declared types.

    ``expected`` is a type annotation (``str``, ``list[str]``, ``date | None``,
    a dataclass …); dataclass and NamedTuple fields are checked against their
    own annotations. Only what the annotations state is checked.
    """
    origin, args = typing.get_origin(expected), typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        fitting = [option for option in args if _instance(value, typing.get_origin(option) or option)]
        if not fitting:
            raise Malformed(f"{where} is {type(value).__name__} {_short(value)}, expected {expected}")
        return check_output(value, fitting[0], where)
    if expected is not object and not _instance(value, origin or expected):
        raise Malformed(f"{where} is {type(value).__name__} {_short(value)}, expected {_name(expected)}")
    if origin in (list, tuple) and args:
        for index, item in enumerate(value):
            check_output(item, args[0] if origin is list or args[-1] is Ellipsis else args[index], f"{where}[{index}]")
    elif origin is dict and args:
        for key, item in value.items():
            check_output(key, args[0], f"{where} key")
            check_output(item, args[1], f"{where}[{key!r}]")
    elif dataclasses.is_dataclass(value) or hasattr(type(value), "_fields"):
        for name, annotation in typing.get_type_hints(type(value)).items():
            if not name.startswith("_") and hasattr(value, name):
                check_output(getattr(value, name), annotation, f"{where}.{name}")
    elif isinstance(value, list):  # an undeclared list (a parser returning list[...]): check its items
        for index, item in enumerate(value):
            check_output(item, object, f"{where}[{index}]")


def _instance(value, kind) -> bool:
    if kind is None or kind is type(None):
        return value is None
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is typing.Any or not isinstance(kind, type):
        return True
    if kind.__name__ == "date":  # a datetime is a date, but not where a day is declared
        return isinstance(value, kind) and type(value).__name__ != "datetime"
    return isinstance(value, kind)


def _name(annotation) -> str:
    return getattr(annotation, "__name__", None) or str(annotation)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def run(target: Target, count: int, seed: int = 0) -> Report:
    """Feed count mutated inputs to target; crashes (and malformed results) are recorded with their index."""
    report = Report(target.name)
    rng = random.Random(f"{seed}:{target.name}")
    for index in range(count):
        data = mutate(rng, target.seeds) if index else target.seeds[0]
        report.inputs += 1
        try:
            check_output(target.parse(data))
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
