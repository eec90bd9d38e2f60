"""academichub.core.names on real author names from the shared corpora.

The CS corpus writes authors "Given Family"; the 2007-2017 OAI sample writes
"Family, Given".  Every name quoted below occurs in one of the two files.
"""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from academichub import paths
from academichub.core.names import (
    PersonName,
    display_name,
    initials_key,
    name_key,
    names_match,
    parse_name,
    split_author_list,
)

# ---------------------------------------------- the defect this module exists for

# arXiv:2504.21561 "Iterative Trajectory Exploration for Multimodal Agents"
PAPER_2504_21561 = [
    "Pengxiang Li", "Zhi Gao", "Bofei Zhang", "Yapeng Mi", "Xiaojian Ma", "Chenrui Shi",
    "Tao Yuan", "Yuwei Wu", "Yunde Jia", "Song-Chun Zhu", "Qing Li",
]


def test_chenrui_wu_never_matches_chenrui_shi_or_yuwei_wu():
    assert not names_match("Chenrui Wu", "Chenrui Shi")
    assert not names_match("Chenrui Wu", "Yuwei Wu")
    assert not names_match("Chenrui Shi", "Chenrui Wu")
    assert not names_match("Wu, Chenrui", "Shi, Chenrui")
    assert name_key("Chenrui Wu") not in {name_key("Chenrui Shi"), name_key("Yuwei Wu")}


def test_following_chenrui_wu_matches_no_author_of_a_real_paper_that_has_a_chenrui_and_a_wu():
    assert not any(names_match("Chenrui Wu", author) for author in PAPER_2504_21561)
    keys = {name_key(author) for author in PAPER_2504_21561}
    assert "wu|chenrui" not in keys and len(keys) == len(PAPER_2504_21561)
    # ...while each real author is found by their own name and by an initial
    assert all(names_match(author, author) for author in PAPER_2504_21561)
    assert names_match("C. Shi", "Chenrui Shi") and names_match("Y. Wu", "Yuwei Wu")
    assert names_match("S.-C. Zhu", "Song-Chun Zhu")


def test_names_match_refuses_author_lists():
    assert not names_match("Chenrui Shi, Yuwei Wu", "Chenrui Wu")
    assert not names_match("Chenrui Shi and Yuwei Wu", "Chenrui Wu")
    assert not names_match("Chenrui Shi; Yuwei Wu", "Chenrui Wu")
    assert not names_match(", ".join(PAPER_2504_21561), "Chenrui Wu")


def test_different_full_given_names_are_different_people():
    assert not names_match("Chen Wu", "Chenrui Wu")
    assert not names_match("Chen Rui Wu", "Chen Wu")
    assert not names_match("Philip S. Yu", "Philip T. Yu")
    assert not names_match("Wu", "Chenrui Wu")  # a bare family name is not enough


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("C. Wu", "Chenrui Wu"),
        ("J.-P. Serre", "Jean-Pierre Serre"),
        ("Wu, Chenrui", "Chenrui Wu"),
        ("Chen Rui Wu", "Chenrui Wu"),
        ("Yu-Gang Jiang", "Yugang Jiang"),  # both spellings are in the CS corpus
        ("Y.-G. Jiang", "Yu-Gang Jiang"),
        ("J. R. R. Tolkien", "John Ronald Reuel Tolkien"),
        ("J.R.R. Tolkien", "Tolkien, J. R. R."),
        ("Philip S. Yu", "Philip Yu"),  # a missing middle initial
        ("Philip S. Yu", "Yu, Philip S."),
        ("ATLAS Collaboration", "The ATLAS Collaboration"),
        ("Collaboration, for the Belle", "Belle Collaboration"),
    ],
)
def test_names_that_match(a, b):
    assert names_match(a, b) and names_match(b, a)


# ----------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("raw", "given", "family", "suffix"),
    [
        ("Chenrui Shi", "Chenrui", "Shi", ""),
        ("Sun, Shuo", "Shuo", "Sun", ""),
        ("Merino, J.", "J.", "Merino", ""),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven", ""),
        ("Juana Inés de la Cruz", "Juana Inés", "de la Cruz", ""),
        # particles, from the corpora
        ("Luc Van Gool", "Luc", "Van Gool", ""),
        ("Benjamin Van Durme", "Benjamin", "Van Durme", ""),
        ("Anton van den Hengel", "Anton", "van den Hengel", ""),
        ("Katharina von der Wense", "Katharina", "von der Wense", ""),
        ("Gerard de Melo", "Gerard", "de Melo", ""),
        ("van der Schaar, Mihaela", "Mihaela", "van der Schaar", ""),
        ("De Paula, L.", "L.", "De Paula", ""),
        ("Di Canto, A.", "A.", "Di Canto", ""),
        ("da Costa, L. N.", "L. N.", "da Costa", ""),
        ("Sueur, Hélène le", "Hélène", "le Sueur", ""),
        ("Floc'h, E. Le", "E.", "Le Floc'h", ""),
        ("Silva Jr, E. F. da", "E. F.", "da Silva", "Jr"),
        ("Blaise Agüera y Arcas", "Blaise", "Agüera y Arcas", ""),
        ("Arcas, Blaise Agüera y", "Blaise", "Agüera y Arcas", ""),
        ("Moubayed, Noura Al", "Noura", "Al Moubayed", ""),
        # ...but "Van", "Le", "Di", "Bin" are given names in Vietnamese and Chinese names
        ("Kiet Van Nguyen", "Kiet Van", "Nguyen", ""),
        ("Phi Le Nguyen", "Phi Le", "Nguyen", ""),
        ("Trung-Nghia Le", "Trung-Nghia", "Le", ""),
        ("Di Wang", "Di", "Wang", ""),
        ("Bin Li", "Bin", "Li", ""),
        ("Le Zhang", "Le", "Zhang", ""),
        ("Donglin Di", "Donglin", "Di", ""),
        # East Asian family names written first, in capitals (CS corpus)
        ("LI Miao", "Miao", "Li", ""),
        ("Bo XU", "Bo", "Xu", ""),
        ("Qi GU", "Qi", "Gu", ""),
        ("Seong-Whan Lee", "Seong-Whan", "Lee", ""),
        # ...and initials written in capitals without dots are not family names
        ("KC Santosh", "KC", "Santosh", ""),
        ("AKM Mahbubur Rahman", "AKM Mahbubur", "Rahman", ""),
        # suffixes
        ("Gates, Jr., S. James", "S. James", "Gates", "Jr."),
        ("Kennicutt, Jr., R. C.", "R. C.", "Kennicutt", "Jr."),
        ("Heath Jr, Robert W.", "Robert W.", "Heath", "Jr"),
        ("Daumé III, Hal", "Hal", "Daumé", "III"),
        ("Hal Daumé III", "Hal", "Daumé", "III"),
        ("Robert J. Webster III", "Robert J.", "Webster", "III"),
        ("Li, Jr-Shin", "Jr-Shin", "Li", ""),  # a Taiwanese given name, not "Jr."
        # hyphens and apostrophes
        ("Bland-Hawthorn, Joss", "Joss", "Bland-Hawthorn", ""),
        ("Elias Stengel-Eskin", "Elias", "Stengel-Eskin", ""),
        ("Moreno D'Incà", "Moreno", "D'Incà", ""),
        ("Nojiri, Shin'ichi", "Shin'ichi", "Nojiri", ""),
        # initials
        ("J. R. R. Tolkien", "J. R. R.", "Tolkien", ""),
        ("J.R.R. Tolkien", "J.R.R.", "Tolkien", ""),
        ("Tolkien, J. R. R.", "J. R. R.", "Tolkien", ""),
        ("C. V. Jawahar", "C. V.", "Jawahar", ""),
        # single names
        ("Plato", "", "Plato", ""),
        ("Arvind", "", "Arvind", ""),
        ("  Zhi   Gao ", "Zhi", "Gao", ""),
    ],
)
def test_parse_name(raw, given, family, suffix):
    name = parse_name(raw)
    assert (name.given, name.family, name.suffix) == (given, family, suffix)


@pytest.mark.parametrize(
    ("raw", "given", "family"),
    [
        ('Sch\\"\x7folkopf, Bernhard', "Bernhard", "Schölkopf"),  # a DEL byte inside the TeX accent
        ("Mitrovi{ć}, V. F.", "V. F.", "Mitrović"),
        ("Vavpeti\\v\\{c}, A.", "A.", "Vavpetič"),
        ('Gl{\\"}uck, M.', "M.", "Glück"),
        ("Szirmai, Jen{\\H}o", "Jenő", "Szirmai"),
        ("Mandelbrot, Beno\\^{ı}t", "Benoît", "Mandelbrot"),
        ("Cot{\\u}aescu, Ion I.", "Ion I.", "Cotăescu"),
        ("Providência, Constan{\\c}ca", "Constança", "Providência"),
        ('L"uck, H.', "H.", "Lück"),  # the backslash was lost upstream
        ("Cavagli`a, M.", "M.", "Cavaglià"),
        ("Bj\x7förkeroth, Fredrik", "Fredrik", "Björkeroth"),
        ("Holanda, P C~de", "P C", "de Holanda"),
        ("Tolúl\\d{o}pé Ògúnrèmí", "Tolúlọpé", "Ògúnrèmí"),
        ("Peter St\\ütz", "Peter", "Stütz"),
        ("\\\\Ajinkya Umesh Mulik", "Ajinkya Umesh", "Mulik"),
    ],
)
def test_parse_real_tex_and_damaged_names(raw, given, family):
    name = parse_name(raw)
    assert (name.given, name.family) == (given, family)


def test_parse_collaborations():
    for raw, group in [
        ("CMS Collaboration", "CMS Collaboration"),
        ("The BABAR Collaboration", "BABAR Collaboration"),
        ("LHCb collaboration", "LHCb Collaboration"),
        ("Collaboration, for the Belle", "Belle Collaboration"),
        ("Collaboration, The Fermi-LAT", "Fermi-LAT Collaboration"),
        ("PAN Team", "PAN Team"),
    ]:
        name = parse_name(raw)
        assert name == PersonName("", group, collective=True), raw
    assert not parse_name("Group, R. C.").collective  # a person called Group


def test_parse_affiliation_in_parentheses():
    name = parse_name("Wei Li (Tsinghua University)")
    assert (name.given, name.family, name.affiliation) == ("Wei", "Li", "Tsinghua University")
    # OAI sample: a list split at the wrong commas leaves half-affiliations behind
    name = parse_name("Univ), V. A. McBride (Southampton")
    assert (name.given, name.family, name.affiliation) == ("V. A.", "McBride", "Southampton")


def test_parse_cjk_names_are_one_family_token():
    assert parse_name("王小明") == PersonName("", "王小明")
    assert parse_name("김 철수") == PersonName("", "김철수")
    assert name_key("王小明") == "王小明|"


@pytest.mark.parametrize("raw", ["", ":", ".", ";", "Jr., \\,", "(", ")", "--", "\\", "{}", "\x7f"])
def test_garbage_gives_an_empty_name_never_an_error(raw):
    assert name_key(raw) == ""
    assert parse_name(raw).family == ""


# -------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["Müller, Jörg", 'J\\"org M\\"uller', "Jorg Muller", "Jörg Müller", "M{\\\"u}ller, J{\\\"o}rg"], "muller|jorg"),
        (["Chenrui Wu", "Wu, Chenrui", "WU Chenrui", "Chenrui WU"], "wu|chenrui"),
        # the same people in the CS corpus ("Given Family") and the OAI sample ("Family, Given")
        (["Khaled Abdel-Ghaffar", "Abdel-Ghaffar, Khaled"], "abdel ghaffar|khaled"),
        (["Özgür Akgün", "Akgun, Ozgur"], "akgun|ozgur"),
        (["Thomas Ågotnes", "Thomas Agotnes", "Ågotnes, Thomas"], "agotnes|thomas"),
        (["Noura Al-Moubayed", "Noura Al Moubayed", "Moubayed, Noura Al"], "al moubayed|noura"),
        (["Mihaela van der Schaar", "van der Schaar, Mihaela"], "van der schaar|mihaela"),
        (["Xiaodong Bai", "Bai, Xiao-Dong"], "bai|xiaodong"),
        (["Sercan Ö. Arık", "Sercan O. Arik", "Arik, Sercan O."], "arik|sercan o"),
        (["Weiss, Axel", "Weiß, Axel"], "weiss|axel"),
        (["Fevre, Olivier Le", "Fèvre, Olivier Le", "Olivier Le Fèvre"], "le fevre|olivier"),
        (["Przemysław Biecek", "Przemyslaw Biecek"], "biecek|przemyslaw"),
        (["Felix Bießmann", "Biessmann, Felix"], "biessmann|felix"),
        (["Mølmer, K.", "Molmer, K."], "molmer|k"),
        (["Jean-Baptiste Alayrac", "Alayrac, Jean-Baptiste"], "alayrac|jeanbaptiste"),
        (["Ferro-Luzzi, M.", "Ferro Luzzi, M."], "ferro luzzi|m"),
        (["D'Ambrosio, C.", "C. D’Ambrosio"], "dambrosio|c"),
        (["Hal Daumé III", "Daumé III, Hal", "Hal Daume"], "daume|hal"),
        (["J. R. R. Tolkien", "J.R.R. Tolkien", "Tolkien, J. R. R.", "Tolkien, JRR"], "tolkien|j r r"),
    ],
)
def test_name_key_spellings(spellings, key):
    assert {name_key(s) for s in spellings} == {key}


def test_initials_key():
    assert initials_key("Chenrui Wu") == initials_key("C. Wu") == initials_key("Wu, C.") == "wu|c"
    assert initials_key("Jean-Pierre Serre") == initials_key("J.-P. Serre") == "serre|j"
    assert initials_key("Plato") == "plato|"
    assert initials_key(":") == ""


def test_display_name():
    assert display_name("Müller, Jörg") == "Jörg Müller"
    assert display_name("Sch\\\"olkopf, Bernhard") == "Bernhard Schölkopf"
    assert display_name("Gates, Jr., S. James") == "S. James Gates Jr."
    assert display_name("van der Schaar, Mihaela") == "Mihaela van der Schaar"
    assert display_name("Collaboration, for the ALICE") == "ALICE Collaboration"
    assert display_name("Bo XU") == "Bo Xu"
    assert display_name("Wei Li (Tsinghua University)") == "Wei Li"
    assert display_name("Plato") == "Plato"


# ------------------------------------------------------------------- lists


@pytest.mark.parametrize(
    ("text", "sep", "names"),
    [
        ("A. One, B. Two and C. Three", None, ["A. One", "B. Two", "C. Three"]),
        ("A, B, and C", None, ["A", "B", "C"]),
        ("Daniel M. Kane, Jelani Nelson, David P. Woodruff", None, ["Daniel M. Kane", "Jelani Nelson", "David P. Woodruff"]),
        ("Smith, J., Jones, K. L. and Brown, A.", None, ["Smith, J.", "Jones, K. L.", "Brown, A."]),
        ("Robert W. Heath, Jr., John Smith", None, ["Robert W. Heath Jr.", "John Smith"]),
        ("Wu, Chenrui; Shi, Yuwei", None, ["Wu, Chenrui", "Shi, Yuwei"]),
        ("Sun, Shuo; Waks, Edo", ";", ["Sun, Shuo", "Waks, Edo"]),
        ("Merino, J.|Gunnarsson, O.|Kotliar, G.", "|", ["Merino, J.", "Gunnarsson, O.", "Kotliar, G."]),
        ("Schrauwen, Benjamin \\and Rouat, Jean", ";", ["Schrauwen, Benjamin", "Rouat, Jean"]),
        ("A. One, B. Two, et al.", None, ["A. One", "B. Two"]),
        ("", None, []),
    ],
)
def test_split_author_list(text, sep, names):
    assert split_author_list(text, sep=sep) == names


def test_split_then_match_compares_whole_names_only():
    authors = split_author_list("Chenrui Shi, Tao Yuan and Yuwei Wu")
    assert authors == ["Chenrui Shi", "Tao Yuan", "Yuwei Wu"]
    assert not any(names_match("Chenrui Wu", a) for a in authors)


# -------------------------------------------------------------- robustness

_NAMEISH = st.lists(
    st.sampled_from(list("AbCdéØ ,.-'\\{}\"`~()ř;&王") + ["Jr.", " van ", "Collaboration", "Wu", "Chenrui"]),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), _NAMEISH), st.one_of(st.text(max_size=60), _NAMEISH))
def test_never_raises(a, b):
    assert isinstance(name_key(a), str) and isinstance(initials_key(a), str)
    assert isinstance(display_name(a), str) and isinstance(parse_name(a), PersonName)
    assert isinstance(names_match(a, b), bool) and isinstance(split_author_list(a), list)
    assert names_match(a, b) == names_match(b, a)


@settings(max_examples=200, deadline=None)
@given(_NAMEISH)
def test_a_name_with_a_key_matches_itself(raw):
    if name_key(raw) and parse_name(raw).given:
        assert names_match(raw, raw) or _LIST_LIKE(raw)


def _LIST_LIKE(raw: str) -> bool:
    return any(mark in raw for mark in (";", "&", " and ")) or raw.count(",") > 1


# ------------------------------------------------------------ corpus sweep


def _authors(name: str) -> list[str]:
    path = paths.shared_dir() / "data" / name
    if not path.is_file():
        pytest.fail(f"shared corpus missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [author for line in handle for author in json.loads(line)["authors"]]


@pytest.fixture(scope="module")
def cs_authors() -> list[str]:
    return _authors("arxiv-cs-2025-2026.jsonl.gz")


def test_every_cs_author_gets_a_key(cs_authors):
    """All 433k author strings of the CS corpus: no crash, and only junk ("DeepSeek-AI" is fine) lacks a key."""
    empty = [a for a in cs_authors if not name_key(a)]
    assert len(cs_authors) > 400_000
    assert set(empty) <= {":", ".", ";", "-", "", "2", "3"}, sorted(set(empty))[:20]
    shi = [a for a in cs_authors if name_key(a) == "shi|chenrui"]
    assert shi and all(not names_match("Chenrui Wu", a) for a in shi)


def test_no_cs_author_wu_matches_chenrui_wu_unless_their_given_name_starts_with_c(cs_authors):
    wus = {a for a in cs_authors if name_key(a).startswith("wu|")}
    assert len(wus) > 200
    matched = {a for a in wus if names_match("Chenrui Wu", a)}
    assert all(parse_name(a).given[:1].lower() == "c" for a in matched)
    assert not any(names_match("Chenrui Wu", a) for a in wus if parse_name(a).given.lower() != "chenrui" and "." not in a)
