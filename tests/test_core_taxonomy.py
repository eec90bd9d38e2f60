"""academichub.core.taxonomy: the arXiv category table and the OAI subject names.

The coverage test reads every record of the 2007-2017 OAI sample
(``$ACADEMICHUB_SHARED/data``) and fails loudly if the file is missing.
"""

from __future__ import annotations

import collections
import gzip
import json
import re

import pytest

from academichub import paths
from academichub.core import taxonomy
from academichub.core.taxonomy import (
    ALIASES,
    ARCHIVES,
    CATEGORIES,
    Category,
    category,
    codes_from_subjects,
    is_classification_code,
    normalise_code,
    unknown_subjects,
)

_HAN = re.compile(r"[\u4e00-\u9fff]")


# ------------------------------------------------------------------- table


def test_every_current_category_is_there():
    assert len(CATEGORIES) == 155
    counts = collections.Counter(info.group_en for info in CATEGORIES.values())
    assert counts == {
        "Computer Science": 40,
        "Economics": 3,
        "Electrical Engineering and Systems Science": 4,
        "Mathematics": 32,
        "Physics": 51,
        "Quantitative Biology": 10,
        "Quantitative Finance": 9,
        "Statistics": 6,
    }
    for code in ["gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nucl-ex", "nucl-th", "quant-ph",
                 "cond-mat.quant-gas", "physics.app-ph", "astro-ph.EP", "eess.IV", "econ.TH", "q-bio.QM"]:
        assert code in CATEGORIES, code


def test_every_category_has_english_and_real_chinese_names():
    for code, info in CATEGORIES.items():
        assert isinstance(info, Category) and info.code == code
        assert info.name_en.strip() and info.name_zh.strip(), code
        assert _HAN.search(info.name_zh), f"{code}: {info.name_zh!r} is not Chinese"
        assert _HAN.search(info.group_zh) and info.group_en
        assert info.archive == code.split(".")[0]


def test_no_duplicate_codes_in_the_source_table():
    codes = [row[0] for row in taxonomy._TABLE]
    assert len(codes) == len(set(codes)) == len(CATEGORIES)
    assert len({c.lower() for c in codes}) == len(codes)  # case-insensitive lookup stays unambiguous


@pytest.mark.parametrize(
    ("code", "zh"),
    [
        ("cs.CV", "计算机视觉与模式识别"),
        ("cs.CL", "计算与语言"),
        ("cs.LG", "机器学习"),
        ("cs.AI", "人工智能"),
        ("quant-ph", "量子物理"),
        ("math.CO", "组合数学"),
        ("hep-th", "高能物理（理论）"),
        ("cond-mat.str-el", "强关联电子系统"),
    ],
)
def test_chinese_names(code, zh):
    assert CATEGORIES[code].name_zh == zh


def test_category_record():
    assert category("cs.CV") == Category(
        "cs.CV", "Computer Vision and Pattern Recognition", "计算机视觉与模式识别", "cs", "Computer Science", "计算机科学"
    )
    assert category("hep-th").group_zh == "物理学" and category("hep-th").archive == "hep-th"
    assert category("astro-ph.CO").archive == "astro-ph"


def test_category_lookup_in_any_spelling():
    assert category("CS.cv") is CATEGORIES["cs.CV"]
    assert category(" cs.lg ") is CATEGORIES["cs.LG"]
    assert category("cs.NA") is CATEGORIES["cs.NA"]  # an alias keeps its own names
    assert category("chao-dyn") is CATEGORIES["nlin.CD"]  # an old archive resolves
    assert category("astro-ph") is ARCHIVES["astro-ph"]  # pre-2009 astro-ph had no subcategories
    assert category("cs.XX") is None and category("") is None and category(None) is None


# ------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("CS.cv", "cs.CV"),
        ("cs.CV", "cs.CV"),
        ("Q-BIO.nc", "q-bio.NC"),
        ("COND-MAT.STR-EL", "cond-mat.str-el"),
        ("physics.OPTICS", "physics.optics"),
        # arXiv's aliases go to the canonical code
        ("math.MP", "math-ph"),
        ("cs.NA", "math.NA"),
        ("cs.SY", "eess.SY"),
        ("q-fin.EC", "econ.GN"),
        ("stat.TH", "math.ST"),
        ("math.IT", "cs.IT"),
        # archives that were folded into today's categories
        ("solv-int", "nlin.SI"),
        ("chao-dyn", "nlin.CD"),
        ("adap-org", "nlin.AO"),
        ("patt-sol", "nlin.PS"),
        ("comp-gas", "nlin.CG"),
        ("alg-geom", "math.AG"),
        ("funct-an", "math.FA"),
        ("q-alg", "math.QA"),
        ("dg-ga", "math.DG"),
        ("cmp-lg", "cs.CL"),
        ("mtrl-th", "cond-mat.mtrl-sci"),
        ("supr-con", "cond-mat.supr-con"),
        ("atom-ph", "physics.atom-ph"),
        ("chem-ph", "physics.chem-ph"),
        ("plasm-ph", "physics.plasm-ph"),
        ("acc-phys", "physics.acc-ph"),
        ("ao-sci", "physics.ao-ph"),
        ("bayes-an", "physics.data-an"),
        ("solv-int/9901001", "nlin.SI"),
        ("astro-ph", "astro-ph"),
    ],
)
def test_normalise_code(raw, code):
    assert normalise_code(raw) == code


@pytest.mark.parametrize("raw", ["", None, "cs.XX", "68T07", "I.2.7", "na", "Computer Science"])
def test_normalise_unknown_is_none(raw):
    assert normalise_code(raw) is None


def test_every_alias_target_exists():
    for alias, canonical in [*ALIASES.items(), *taxonomy._SUBSUMED.items()]:
        assert canonical in CATEGORIES, (alias, canonical)


def test_cs_corpus_category_codes_all_normalise():
    """Every arXiv-looking code in the CS corpus resolves (the rest are MSC/ACM classes)."""
    path = _shared("arxiv-cs-2025-2026.jsonl.gz")
    seen = collections.Counter()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            seen.update(json.loads(line)["categories"])
    codes = [c for c in seen if re.fullmatch(r"[a-z][a-z-]*(\.[A-Za-z-]+)?", c) and c != "na"]
    assert len(codes) > 140
    assert [c for c in codes if normalise_code(c) is None] == []


# ---------------------------------------------------------------- subjects


@pytest.mark.parametrize(
    ("subject", "code"),
    [
        ("Computer Science - Learning", "cs.LG"),
        ("Computer Science - Machine Learning", "cs.LG"),
        ("Mathematics - Combinatorics", "math.CO"),
        ("Quantum Physics", "quant-ph"),
        ("Physics - Optics", "physics.optics"),
        ("Astrophysics - Cosmology and Nongalactic Astrophysics", "astro-ph.CO"),
        ("Condensed Matter - Strongly Correlated Electrons", "cond-mat.str-el"),
        ("High Energy Physics - Theory", "hep-th"),
        ("Statistics - Machine Learning", "stat.ML"),
        ("Astrophysics", "astro-ph"),
        ("Condensed Matter", "cond-mat"),
        ("Quantitative Biology", "q-bio"),
        ("Computer Science - Computation and Language", "cs.CL"),
        ("Mathematical Physics", "math-ph"),
        ("Mathematics - Mathematical Physics", "math-ph"),
        ("Computer Science - Numerical Analysis", "math.NA"),
        ("Quantitative Finance - Economics", "econ.GN"),
        ("Nonlinear Sciences - Exactly Solvable and Integrable Systems", "nlin.SI"),
        ("Physics - Data Analysis, Statistics and Probability", "physics.data-an"),
        ("Electrical Engineering and Systems Science - Image and Video Processing", "eess.IV"),
        ("Economics - Econometrics", "econ.EM"),
        ("  mathematics  -  combinatorics ", "math.CO"),
        ("math.CA", "math.CA"),
    ],
)
def test_subject_names(subject, code):
    assert codes_from_subjects([subject]) == [code]


def test_subjects_keep_order_drop_duplicates_and_skip_classes():
    subjects = ["Mathematics - Differential Geometry", "Differential Geometry", "53C44", "F.2.2",
                "Mathematics - Analysis of PDEs", "Mathematics - Differential Geometry", "High Energy Physics - Theory, Mathematical Physics"]
    assert codes_from_subjects(subjects) == ["math.DG", "math.AP", "hep-th", "math-ph"]
    assert unknown_subjects(subjects) == ["Differential Geometry"]
    assert codes_from_subjects([]) == [] and codes_from_subjects([None, 3]) == []


def test_classification_codes():
    for value in ["57M25", "05C15, 05C80", "Primary 53C20, Secondary 83C99", "F.2.2", "I.2.6; I.2.7",
                  "68T07 (Primary)", "PACS: 05.45.Yv", "35", "20-XX"]:
        assert is_classification_code(value), value
    for value in ["Quantum Physics", "Differential Geometry", "latex"]:
        assert not is_classification_code(value), value


def _shared(name: str):
    path = paths.shared_dir() / "data" / name
    if not path.is_file():
        pytest.fail(f"shared corpus missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return path


@pytest.fixture(scope="module")
def sample_subjects() -> list[list[str]]:
    with gzip.open(_shared("arxiv-all-2007-2017-sample200k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        return [json.loads(line).get("subjects") or [] for line in handle]


_SUBJECT_NAME = re.compile(
    r"^(?:Computer Science|Mathematics|Physics|Astrophysics|Condensed Matter|High Energy Physics|Nonlinear Sciences"
    r"|Quantitative Biology|Quantitative Finance|Statistics|Economics|Electrical Engineering and Systems Science)"
    r" - [A-Z]|^(?:Quantum Physics|General Relativity and Quantum Cosmology|Mathematical Physics|Nuclear Theory"
    r"|Nuclear Experiment|Astrophysics|Condensed Matter|Quantitative Biology|Physics)$"
)


def test_every_subject_name_in_the_oai_sample_maps(sample_subjects):
    """All 200,000 records: every arXiv subject name maps, and every record gets a category.

    The OAI ``subjects`` also carry MSC/ACM/PACS classes and free keywords; those
    are not categories.  None of them may be frequent (a frequent one would be a
    category name we missed), and all must be reported by ``unknown_subjects`` or
    recognised as a classification code.
    """
    assert len(sample_subjects) == 200_000
    counts = collections.Counter(s for subjects in sample_subjects for s in subjects)
    names = [s for s in counts if _SUBJECT_NAME.match(s)]
    assert len(names) >= 145  # 148 distinct category names in this sample
    assert [s for s in names if not codes_from_subjects([s])] == []
    assert [r for r in sample_subjects if not codes_from_subjects(r)] == []  # 100% of records
    unmapped = [s for s in counts if not codes_from_subjects([s])]
    assert all(counts[s] < 50 or is_classification_code(s) for s in unmapped)
    keywords = [s for s in unmapped if not is_classification_code(s)]
    assert unknown_subjects(keywords) == keywords
    assert len(keywords) < 0.02 * len(counts)
