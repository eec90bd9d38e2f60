"""The arXiv category taxonomy (https://arxiv.org/category_taxonomy), in English and Chinese.

Every current category code maps to a ``Category`` with its English name, the
Chinese name a Chinese researcher would use, its archive and its group.  Old
codes (``solv-int``, ``cmp-lg``...) and arXiv's own aliases (``math.MP`` is
``math-ph``...) are folded into the canonical code by ``normalise_code`` so a
paper, a radar and a URL always agree on one spelling.

The OAI-PMH ``dc:subject`` field (used by the 2007-2017 sample) carries
human-readable names such as "Mathematics - Combinatorics" mixed with MSC/ACM
classes and free keywords; ``codes_from_subjects`` keeps only the names that are
arXiv categories.  The table is plain Python data: building the lookup dicts
costs well under a millisecond, so it is done at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ALIASES",
    "ARCHIVES",
    "CATEGORIES",
    "Category",
    "category",
    "codes_from_subjects",
    "is_classification_code",
    "normalise_code",
    "subject_name",
    "unknown_subjects",
]


@dataclass(frozen=True, slots=True)
class Category:
    """One arXiv category (or, for ``ARCHIVES``, a whole archive used as a category)."""

    code: str
    name_en: str
    name_zh: str
    archive: str
    group_en: str
    group_zh: str


# group key -> (English, Chinese)
_GROUPS = {
    "cs": ("Computer Science", "计算机科学"),
    "econ": ("Economics", "经济学"),
    "eess": ("Electrical Engineering and Systems Science", "电气工程与系统科学"),
    "math": ("Mathematics", "数学"),
    "physics": ("Physics", "物理学"),
    "q-bio": ("Quantitative Biology", "定量生物学"),
    "q-fin": ("Quantitative Finance", "量化金融"),
    "stat": ("Statistics", "统计学"),
}

# archive -> (English, Chinese, group key).  The order is the taxonomy page's.
_ARCHIVE_TABLE = {
    "cs": ("Computer Science", "计算机科学", "cs"),
    "econ": ("Economics", "经济学", "econ"),
    "eess": ("Electrical Engineering and Systems Science", "电气工程与系统科学", "eess"),
    "math": ("Mathematics", "数学", "math"),
    "astro-ph": ("Astrophysics", "天体物理学", "physics"),
    "cond-mat": ("Condensed Matter", "凝聚态物理", "physics"),
    "gr-qc": ("General Relativity and Quantum Cosmology", "广义相对论与量子宇宙学", "physics"),
    "hep-ex": ("High Energy Physics - Experiment", "高能物理（实验）", "physics"),
    "hep-lat": ("High Energy Physics - Lattice", "高能物理（格点）", "physics"),
    "hep-ph": ("High Energy Physics - Phenomenology", "高能物理（唯象）", "physics"),
    "hep-th": ("High Energy Physics - Theory", "高能物理（理论）", "physics"),
    "math-ph": ("Mathematical Physics", "数学物理", "physics"),
    "nlin": ("Nonlinear Sciences", "非线性科学", "physics"),
    "nucl-ex": ("Nuclear Experiment", "核物理实验", "physics"),
    "nucl-th": ("Nuclear Theory", "核物理理论", "physics"),
    "physics": ("Physics", "物理学", "physics"),
    "quant-ph": ("Quantum Physics", "量子物理", "physics"),
    "q-bio": ("Quantitative Biology", "定量生物学", "q-bio"),
    "q-fin": ("Quantitative Finance", "量化金融", "q-fin"),
    "stat": ("Statistics", "统计学", "stat"),
}

# (code, English name, Chinese name): every category on the taxonomy page, aliases included.
_TABLE = (
    ("cs.AI", "Artificial Intelligence", "人工智能"),
    ("cs.AR", "Hardware Architecture", "硬件体系结构"),
    ("cs.CC", "Computational Complexity", "计算复杂性"),
    ("cs.CE", "Computational Engineering, Finance, and Science", "计算工程、金融与科学"),
    ("cs.CG", "Computational Geometry", "计算几何"),
    ("cs.CL", "Computation and Language", "计算与语言"),
    ("cs.CR", "Cryptography and Security", "密码学与安全"),
    ("cs.CV", "Computer Vision and Pattern Recognition", "计算机视觉与模式识别"),
    ("cs.CY", "Computers and Society", "计算机与社会"),
    ("cs.DB", "Databases", "数据库"),
    ("cs.DC", "Distributed, Parallel, and Cluster Computing", "分布式、并行与集群计算"),
    ("cs.DL", "Digital Libraries", "数字图书馆"),
    ("cs.DM", "Discrete Mathematics", "离散数学"),
    ("cs.DS", "Data Structures and Algorithms", "数据结构与算法"),
    ("cs.ET", "Emerging Technologies", "新兴技术"),
    ("cs.FL", "Formal Languages and Automata Theory", "形式语言与自动机理论"),
    ("cs.GL", "General Literature", "综合文献"),
    ("cs.GR", "Graphics", "计算机图形学"),
    ("cs.GT", "Computer Science and Game Theory", "计算机科学与博弈论"),
    ("cs.HC", "Human-Computer Interaction", "人机交互"),
    ("cs.IR", "Information Retrieval", "信息检索"),
    ("cs.IT", "Information Theory", "信息论"),
    ("cs.LG", "Machine Learning", "机器学习"),
    ("cs.LO", "Logic in Computer Science", "计算机科学中的逻辑"),
    ("cs.MA", "Multiagent Systems", "多智能体系统"),
    ("cs.MM", "Multimedia", "多媒体"),
    ("cs.MS", "Mathematical Software", "数学软件"),
    ("cs.NA", "Numerical Analysis", "数值分析"),
    ("cs.NE", "Neural and Evolutionary Computing", "神经与进化计算"),
    ("cs.NI", "Networking and Internet Architecture", "网络与互联网体系结构"),
    ("cs.OH", "Other Computer Science", "其他计算机科学"),
    ("cs.OS", "Operating Systems", "操作系统"),
    ("cs.PF", "Performance", "性能评估"),
    ("cs.PL", "Programming Languages", "程序设计语言"),
    ("cs.RO", "Robotics", "机器人学"),
    ("cs.SC", "Symbolic Computation", "符号计算"),
    ("cs.SD", "Sound", "声音与音频处理"),
    ("cs.SE", "Software Engineering", "软件工程"),
    ("cs.SI", "Social and Information Networks", "社会与信息网络"),
    ("cs.SY", "Systems and Control", "系统与控制"),
    ("econ.EM", "Econometrics", "计量经济学"),
    ("econ.GN", "General Economics", "一般经济学"),
    ("econ.TH", "Theoretical Economics", "理论经济学"),
    ("eess.AS", "Audio and Speech Processing", "音频与语音处理"),
    ("eess.IV", "Image and Video Processing", "图像与视频处理"),
    ("eess.SP", "Signal Processing", "信号处理"),
    ("eess.SY", "Systems and Control", "系统与控制"),
    ("math.AC", "Commutative Algebra", "交换代数"),
    ("math.AG", "Algebraic Geometry", "代数几何"),
    ("math.AP", "Analysis of PDEs", "偏微分方程分析"),
    ("math.AT", "Algebraic Topology", "代数拓扑"),
    ("math.CA", "Classical Analysis and ODEs", "经典分析与常微分方程"),
    ("math.CO", "Combinatorics", "组合数学"),
    ("math.CT", "Category Theory", "范畴论"),
    ("math.CV", "Complex Variables", "复变函数"),
    ("math.DG", "Differential Geometry", "微分几何"),
    ("math.DS", "Dynamical Systems", "动力系统"),
    ("math.FA", "Functional Analysis", "泛函分析"),
    ("math.GM", "General Mathematics", "一般数学"),
    ("math.GN", "General Topology", "一般拓扑学"),
    ("math.GR", "Group Theory", "群论"),
    ("math.GT", "Geometric Topology", "几何拓扑"),
    ("math.HO", "History and Overview", "数学史与概论"),
    ("math.IT", "Information Theory", "信息论"),
    ("math.KT", "K-Theory and Homology", "K理论与同调"),
    ("math.LO", "Logic", "数理逻辑"),
    ("math.MG", "Metric Geometry", "度量几何"),
    ("math.MP", "Mathematical Physics", "数学物理"),
    ("math.NA", "Numerical Analysis", "数值分析"),
    ("math.NT", "Number Theory", "数论"),
    ("math.OA", "Operator Algebras", "算子代数"),
    ("math.OC", "Optimization and Control", "优化与控制"),
    ("math.PR", "Probability", "概率论"),
    ("math.QA", "Quantum Algebra", "量子代数"),
    ("math.RA", "Rings and Algebras", "环与代数"),
    ("math.RT", "Representation Theory", "表示论"),
    ("math.SG", "Symplectic Geometry", "辛几何"),
    ("math.SP", "Spectral Theory", "谱理论"),
    ("math.ST", "Statistics Theory", "统计理论"),
    ("astro-ph.CO", "Cosmology and Nongalactic Astrophysics", "宇宙学与河外天体物理"),
    ("astro-ph.EP", "Earth and Planetary Astrophysics", "地球与行星天体物理"),
    ("astro-ph.GA", "Astrophysics of Galaxies", "星系天体物理"),
    ("astro-ph.HE", "High Energy Astrophysical Phenomena", "高能天体物理现象"),
    ("astro-ph.IM", "Instrumentation and Methods for Astrophysics", "天体物理仪器与方法"),
    ("astro-ph.SR", "Solar and Stellar Astrophysics", "太阳与恒星天体物理"),
    ("cond-mat.dis-nn", "Disordered Systems and Neural Networks", "无序系统与神经网络"),
    ("cond-mat.mes-hall", "Mesoscale and Nanoscale Physics", "介观与纳米物理"),
    ("cond-mat.mtrl-sci", "Materials Science", "材料科学"),
    ("cond-mat.other", "Other Condensed Matter", "其他凝聚态物理"),
    ("cond-mat.quant-gas", "Quantum Gases", "量子气体"),
    ("cond-mat.soft", "Soft Condensed Matter", "软凝聚态物理"),
    ("cond-mat.stat-mech", "Statistical Mechanics", "统计力学"),
    ("cond-mat.str-el", "Strongly Correlated Electrons", "强关联电子系统"),
    ("cond-mat.supr-con", "Superconductivity", "超导"),
    ("gr-qc", "General Relativity and Quantum Cosmology", "广义相对论与量子宇宙学"),
    ("hep-ex", "High Energy Physics - Experiment", "高能物理（实验）"),
    ("hep-lat", "High Energy Physics - Lattice", "高能物理（格点）"),
    ("hep-ph", "High Energy Physics - Phenomenology", "高能物理（唯象）"),
    ("hep-th", "High Energy Physics - Theory", "高能物理（理论）"),
    ("math-ph", "Mathematical Physics", "数学物理"),
    ("nlin.AO", "Adaptation and Self-Organizing Systems", "适应与自组织系统"),
    ("nlin.CD", "Chaotic Dynamics", "混沌动力学"),
    ("nlin.CG", "Cellular Automata and Lattice Gases", "元胞自动机与格子气"),
    ("nlin.PS", "Pattern Formation and Solitons", "斑图形成与孤子"),
    ("nlin.SI", "Exactly Solvable and Integrable Systems", "精确可解与可积系统"),
    ("nucl-ex", "Nuclear Experiment", "核物理实验"),
    ("nucl-th", "Nuclear Theory", "核物理理论"),
    ("physics.acc-ph", "Accelerator Physics", "加速器物理"),
    ("physics.ao-ph", "Atmospheric and Oceanic Physics", "大气与海洋物理"),
    ("physics.app-ph", "Applied Physics", "应用物理"),
    ("physics.atm-clus", "Atomic and Molecular Clusters", "原子与分子团簇"),
    ("physics.atom-ph", "Atomic Physics", "原子物理"),
    ("physics.bio-ph", "Biological Physics", "生物物理"),
    ("physics.chem-ph", "Chemical Physics", "化学物理"),
    ("physics.class-ph", "Classical Physics", "经典物理"),
    ("physics.comp-ph", "Computational Physics", "计算物理"),
    ("physics.data-an", "Data Analysis, Statistics and Probability", "数据分析、统计与概率"),
    ("physics.ed-ph", "Physics Education", "物理教育"),
    ("physics.flu-dyn", "Fluid Dynamics", "流体力学"),
    ("physics.gen-ph", "General Physics", "普通物理"),
    ("physics.geo-ph", "Geophysics", "地球物理"),
    ("physics.hist-ph", "History and Philosophy of Physics", "物理学史与物理哲学"),
    ("physics.ins-det", "Instrumentation and Detectors", "仪器与探测器"),
    ("physics.med-ph", "Medical Physics", "医学物理"),
    ("physics.optics", "Optics", "光学"),
    ("physics.plasm-ph", "Plasma Physics", "等离子体物理"),
    ("physics.pop-ph", "Popular Physics", "科普物理"),
    ("physics.soc-ph", "Physics and Society", "物理与社会"),
    ("physics.space-ph", "Space Physics", "空间物理"),
    ("quant-ph", "Quantum Physics", "量子物理"),
    ("q-bio.BM", "Biomolecules", "生物分子"),
    ("q-bio.CB", "Cell Behavior", "细胞行为"),
    ("q-bio.GN", "Genomics", "基因组学"),
    ("q-bio.MN", "Molecular Networks", "分子网络"),
    ("q-bio.NC", "Neurons and Cognition", "神经元与认知"),
    ("q-bio.OT", "Other Quantitative Biology", "其他定量生物学"),
    ("q-bio.PE", "Populations and Evolution", "种群与进化"),
    ("q-bio.QM", "Quantitative Methods", "定量方法"),
    ("q-bio.SC", "Subcellular Processes", "亚细胞过程"),
    ("q-bio.TO", "Tissues and Organs", "组织与器官"),
    ("q-fin.CP", "Computational Finance", "计算金融"),
    ("q-fin.EC", "Economics", "经济学"),
    ("q-fin.GN", "General Finance", "一般金融"),
    ("q-fin.MF", "Mathematical Finance", "金融数学"),
    ("q-fin.PM", "Portfolio Management", "投资组合管理"),
    ("q-fin.PR", "Pricing of Securities", "证券定价"),
    ("q-fin.RM", "Risk Management", "风险管理"),
    ("q-fin.ST", "Statistical Finance", "统计金融"),
    ("q-fin.TR", "Trading and Market Microstructure", "交易与市场微观结构"),
    ("stat.AP", "Applications", "应用统计"),
    ("stat.CO", "Computation", "统计计算"),
    ("stat.ME", "Methodology", "统计方法论"),
    ("stat.ML", "Machine Learning", "机器学习（统计）"),
    ("stat.OT", "Other Statistics", "其他统计学"),
    ("stat.TH", "Statistics Theory", "统计理论"),
)

# arXiv's aliases: the key is the alias, the value the canonical code (arxiv-base definitions).
ALIASES = {
    "math.MP": "math-ph",
    "stat.TH": "math.ST",
    "math.IT": "cs.IT",
    "q-fin.EC": "econ.GN",
    "cs.SY": "eess.SY",
    "cs.NA": "math.NA",
}

# Archives that were merged into today's categories.
_SUBSUMED = {
    "solv-int": "nlin.SI",
    "chao-dyn": "nlin.CD",
    "adap-org": "nlin.AO",
    "patt-sol": "nlin.PS",
    "comp-gas": "nlin.CG",
    "alg-geom": "math.AG",
    "funct-an": "math.FA",
    "q-alg": "math.QA",
    "dg-ga": "math.DG",
    "cmp-lg": "cs.CL",
    "mtrl-th": "cond-mat.mtrl-sci",
    "supr-con": "cond-mat.supr-con",
    "atom-ph": "physics.atom-ph",
    "chem-ph": "physics.chem-ph",
    "plasm-ph": "physics.plasm-ph",
    "acc-phys": "physics.acc-ph",
    "ao-sci": "physics.ao-ph",
    "bayes-an": "physics.data-an",
}

# Names the OAI feed used before a category was renamed.
_OLD_SUBJECT_NAMES = {
    "Computer Science - Learning": "cs.LG",
    "Mathematics - Statistics": "math.ST",
    "Computer Science - Computational Engineering, Finance, and Science": "cs.CE",
    "Physics - Data Analysis; Statistics and Probability": "physics.data-an",
    "Nonlinear Sciences - Adaptation and Self-Organizing Systems": "nlin.AO",
}


def _archive_of(code: str) -> str:
    return code.split(".", 1)[0]


def _make(code: str, name_en: str, name_zh: str) -> Category:
    archive = _archive_of(code)
    group_en, group_zh = _GROUPS[_ARCHIVE_TABLE[archive][2]]
    return Category(code, name_en, name_zh, archive, group_en, group_zh)


CATEGORIES: dict[str, Category] = {row[0]: _make(*row) for row in _TABLE}

ARCHIVES: dict[str, Category] = {
    code: _make(code, en, zh) for code, (en, zh, _group) in _ARCHIVE_TABLE.items() if code not in CATEGORIES
}


def _build_lookup() -> dict[str, str]:
    """Lower-cased spelling -> canonical code, for every code, alias and old archive."""
    lookup = {}
    for code in (*CATEGORIES, *ARCHIVES):
        lookup[code.lower()] = ALIASES.get(code, code)
    for old, new in _SUBSUMED.items():
        lookup[old] = new
    return lookup


_LOOKUP = _build_lookup()
_SPELLING = {code.lower(): code for code in (*CATEGORIES, *ARCHIVES)}


def normalise_code(code: str | None) -> str | None:
    """'CS.cv' -> 'cs.CV', 'math.MP' -> 'math-ph', 'chao-dyn' -> 'nlin.CD'; None if unknown.

    Old-style identifiers carry the archive in the id (``solv-int/9901001``);
    anything after a slash is ignored so such an id's prefix also resolves.
    """
    if not code:
        return None
    key = code.strip().lower()
    hit = _LOOKUP.get(key)
    if hit is None and "/" in key:
        hit = _LOOKUP.get(key.split("/", 1)[0])
    return hit


def category(code: str | None) -> Category | None:
    """The ``Category`` for a code in any spelling; an alias keeps its own entry, old archives resolve."""
    if not code:
        return None
    found = CATEGORIES.get(code) or ARCHIVES.get(code)
    if found is not None:
        return found
    key = code.strip().lower()
    spelled = _SPELLING.get(key) or _LOOKUP.get(key)
    if spelled is None:
        return None
    return CATEGORIES.get(spelled) or ARCHIVES.get(spelled)


def subject_name(code: str) -> str:
    """The human-readable name the OAI feed uses for a code ("Mathematics - Combinatorics")."""
    info = CATEGORIES.get(code) or ARCHIVES.get(code)
    if info is None:
        return code
    if info.code == info.archive:  # a stand-alone archive: gr-qc, hep-th, quant-ph...
        return info.name_en
    if info.group_en == "Physics":
        prefix = _ARCHIVE_TABLE[info.archive][0]
    else:
        prefix = info.group_en
    return f"{prefix} - {info.name_en}"


def _build_subjects() -> dict[str, str]:
    """OAI subject name -> canonical code."""
    subjects = {}
    for code in (*CATEGORIES, *ARCHIVES):
        subjects[subject_name(code)] = ALIASES.get(code, code)
    subjects.update(_OLD_SUBJECT_NAMES)
    return subjects


_SUBJECTS = _build_subjects()
_SUBJECTS_FOLDED = {name.casefold(): code for name, code in _SUBJECTS.items()}
_SPACES = re.compile(r"\s+")
_CODE_LIKE = re.compile(r"^[a-z][a-z\-]*(?:\.[a-z\-]+)?$", re.IGNORECASE)


def codes_from_subjects(subjects: list[str] | tuple[str, ...]) -> list[str]:
    """Canonical category codes for OAI subject names, in order, without duplicates.

    Names that are not arXiv categories (MSC/ACM classes, free keywords) are
    skipped; ``unknown_subjects`` lists them for the caller to log.
    """
    codes: list[str] = []
    for subject in subjects:
        code = _SUBJECTS.get(subject)
        if code is None:
            code = _subject_fallback(subject) if isinstance(subject, str) else None
            if code is None:
                continue
            if isinstance(code, tuple):
                codes.extend(c for c in code if c not in codes)
                continue
        if code not in codes:
            codes.append(code)
    return codes


@lru_cache(maxsize=8192)
def _subject_fallback(subject: str) -> str | tuple[str, ...] | None:
    """Slow path: odd spacing or case, a bare code, or two names joined by a comma."""
    folded = _SPACES.sub(" ", subject).strip().casefold()
    code = _SUBJECTS_FOLDED.get(folded)
    if code is not None:
        return code
    if _CODE_LIKE.match(folded):
        return normalise_code(folded)
    if ", " in folded:
        parts = [_SUBJECTS_FOLDED.get(p.strip()) for p in folded.split(",")]
        if parts and all(parts):
            return tuple(dict.fromkeys(parts))
    return None


_MSC_ACM = re.compile(
    r"\b\d{2}[A-Z][0-9xX]{2}\b|\b\d{2}-(?:\d{2}|XX|xx)\b|\b\d{2}[A-Z](?:xx|XX|\d)?\b|"
    r"^\W*\d{2}\W*$|\b[A-K]\.(?:\d{1,2}|m)\b|\b[A-K]\.\d\.\w{1,2}\b|\b\d{2}\.\d{2}\.[\w+-]{2}"
)


def is_classification_code(subject: str) -> bool:
    """True for MSC ("05C15", "Primary 53C20"), ACM ("F.2.2") and PACS ("05.45.Yv") classes mixed into OAI subjects."""
    return bool(_MSC_ACM.search(subject))


def unknown_subjects(subjects: list[str] | tuple[str, ...]) -> list[str]:
    """Subjects that are neither arXiv categories nor MSC/ACM classes: what an importer should log."""
    return [
        s
        for s in subjects
        if isinstance(s, str)
        and s not in _SUBJECTS
        and _subject_fallback(s) is None
        and not is_classification_code(s)
    ]
