"""Author names: parsing, the key an Author is stored under, and "is this the same name?".

"Follow an author" rests on this module, and its one unforgivable mistake is
matching a given name from one author with a family name from another (a
paper by "Chenrui Shi" and "Yuwei Wu" is not a paper by "Chenrui Wu").  So:

* every function takes ONE author string, never a list; ``names_match``
  refuses anything that looks like a list;
* a name is parsed into given / family / suffix once, and matching compares
  the family names exactly and the given names part by part;
* different full given names never match ("Chen Wu" is not "Chenrui Wu"); an
  initial matches a full name it abbreviates ("C. Wu" is "Chenrui Wu").

Input comes in both orders ("Given Family" from the API and RSS, "Family,
Given" from OAI), with TeX accents, particles (van, de la...), suffixes (Jr.,
III), collaborations, and romanised East Asian names.  Every function here is
called for every author of every record during a bulk import, so parsing is
cached and the common case (plain ASCII "Given Family") takes the short path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from academichub.core.tex import tex_accents_to_unicode

__all__ = [
    "PersonName",
    "display_name",
    "initials_key",
    "name_key",
    "names_match",
    "parse_name",
    "split_author_list",
]


@dataclass(frozen=True, slots=True)
class PersonName:
    """A parsed author: Unicode text in the source's spelling, never lower-cased."""

    given: str
    family: str
    suffix: str = ""
    affiliation: str = ""
    collective: bool = False  # "ATLAS Collaboration": a group, not a person

    def display(self) -> str:
        """"Given Family Suffix" (the group name for a collaboration)."""
        return " ".join(part for part in (self.given, self.family, self.suffix) if part)


# ------------------------------------------------------------------ tables

# Lower-case particles are part of the family name wherever they appear.
_PARTICLES = frozenset(
    "van von der den de del della delle dello degli dei des du da das dos di la le lo ter ten "
    "te zu zum zur vom op bin binti binte ibn bint ben al el st st. saint y".split()
)
# Capitalised, only these are particles, and never before an East Asian family name
# ("Luc Van Gool" but "Kiet Van Nguyen"; "Maria Di Rosa" but "Di Wang").
_CAPITAL_PARTICLES = frozenset("Van Von Der Den De Del Della Du Da Das Dos Di La Le Ter Ten El Al".split())

# Common Chinese (pinyin, Wade-Giles, Cantonese, Hokkien), Korean and Vietnamese family
# names.  Used to read "WU Chenrui" as family-first and to keep "Van"/"Le"/"Di" in
# "Kiet Van Nguyen" as given names.
_EAST_ASIAN = frozenset(
    """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng
    Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang Cai Jia Ding
    Wei Xue Ye Yan Lu Du Dai Xia Zhong Fu Qiu Fang Bai Zou Meng Shi Xiong Qin Hou Jin Shao Kong Wan
    Duan Lei Qian Yin Yi Chang Qiao Lai Gong Wen Pang Fan Lan Tao Hong Zhai An Ni Yao Mao Qi Xing
    Gu Niu Hao Kang Ji Ou Tan Shen Shu Cui Tong Rao Liao Chu Ren Gan Huo Hua Yue Bao Shang Ge Mo
    Sheng Bian Lv Lyu Lou Zuo Ai Ning Mu Ruan Geng Ke Cheng Che Lian Chai Gou Zhan Quan Xin Dou
    Rong Ling Pei Jian Jing Min Miao Mei Nie Ran Sha Sui Tu Zang Zhen Zhuang Zhuo Guan Gui Huan Bi
    Cen Chi Cong Fei Jiao Ju Kou Kuang Lang Leng Long Mi Mou Nan Piao Pu Qu Rui Sang Sima Situ
    Shan Su Tai Teng Xiang Xuan Yun Zha Zhi Zhuge Ouyang Shangguan Chan Cheung Chiu Chow Chou
    Chung Fong Fung Ho Hsu Hsieh Hsiao Hui Hung Kwok Kwan Kuo Lam Lau Lee Leung Lo Lui Mak Mok Ng
    Ngai Poon Shiu Siu Sze Tam Tsang Tsai Tse Tso Tsui Tung Wong Yau Yeung Yip Yiu Yuen Cheng
    Chiang Chien Chin Ching Chuang Hsia Jen Kao Kung Shih Sung Tsao Tseng Yeh Yen Teo Lim Goh Ong
    Koh Chua Ang Chia Foo Heng Khoo Kok Low Neo Ooi Quek Seah Tay Toh Yap Yeo Chee Kim Park Choi
    Jung Jeong Kang Cho Jo Yoon Jang Im Oh Seo Shin Kwon Hwang Ahn Yoo Ryu Jeon Jun Ko Go Moon Mun
    Son Bae Baek Heo Huh Nam Noh Roh Ha Kwak Cha Joo Woo Na Um Eom Chae Won Chun Bang Hyun Byun
    Sim Shim Pyo Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ngo Duong Ly Dinh Truong
    Doan Mai Trinh Ta Luu Thai Cao Quach Kieu Chau Giang Hua Luong Mac Phung Quang Trieu Vuong""".split()
)

_SUFFIX = re.compile(r"^(?:jr|sr|jnr|snr|junior|senior|ii|iii|iv|2nd|3rd)\.?$", re.IGNORECASE)
_COLLECTIVE = re.compile(r"\b(?:collaborations?|consortium|collab\.)(?!\w)", re.IGNORECASE)
_TEAM = re.compile(r"\b(?:team|group)\b", re.IGNORECASE)
# group(1) set: "team"/"group", a group only if it looks like one ("PAN Team", not "Group, R. C.").
_GROUP_WORD = re.compile(r"\b(?:collaborations?\b|consortium\b|collab\.|(team|group)\b)", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_HAS_INITIAL = re.compile(r"\b[A-Z]\.")
_AFFILIATION_WORD = re.compile(
    r"\b(?:univ|university|universit[äéà]t?|institut[eo]?|college|department|dept|laboratory|lab"
    r"|school|academy|center|centre|hospital|inc|corp|ltd|gmbh)\b",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


# ---------------------------------------------------------------- cleaning

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200d\ufeff]")
_BARE_UMLAUT = re.compile(r'(?<=[A-Za-z])"([AOUaeiouy])')  # 'L"uck' lost its backslash
_BARE_GRAVE = re.compile(r"(?<=[A-Za-z])`([AEIOUaeiou])")  # 'Cavagli`a'
# What TeX leaves once accents are done: unknown macros, a backslash and the ASCII
# symbol after it, braces.  "St\\ütz" keeps its ü.
_TEX_LEFTOVER = re.compile(r"\\[A-Za-z]+|\\[!-/:-@\[-`{-~]?|[{}]")
_NAME_PUNCT = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-",
                         "’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "~": " ", '"': ""})
_PARENS = re.compile(r"\s*\(([^()]*)\)")
_SPACES = re.compile(r"\s+")


def _clean(raw: str) -> tuple[str, str]:
    """Unicode text with TeX resolved and the parenthesised affiliation split off."""
    text = raw
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    if "\\" in text or "{" in text or "}" in text:
        text = _TEX_LEFTOVER.sub("", tex_accents_to_unicode(text.replace("\\and", " ")))
    if '"' in text:
        text = _BARE_UMLAUT.sub(lambda m: unicodedata.normalize("NFC", m.group(1) + "\u0308"), text)
    if "`" in text:
        text = _BARE_GRAVE.sub(lambda m: unicodedata.normalize("NFC", m.group(1) + "\u0300"), text)
    if not text.isascii() or "`" in text or "~" in text or '"' in text:
        text = unicodedata.normalize("NFC", text.translate(_NAME_PUNCT))
    affiliation = ""
    if "(" in text or ")" in text:
        text, affiliation = _split_affiliation(text)
    return " ".join(text.split()).strip(" ,;:"), affiliation


def _split_affiliation(text: str) -> tuple[str, str]:
    """'Wei Li (Tsinghua University)' -> ('Wei Li', 'Tsinghua University'); tolerates unbalanced parens."""
    found = [m.strip() for m in _PARENS.findall(text)]
    text = _PARENS.sub(" ", text)
    if ")" in text:  # 'Univ), V. A. McBride': the tail of someone else's affiliation
        text = text[text.rindex(")") + 1 :]
    if "(" in text:  # 'McBride (Southampton': an affiliation cut short
        text, _, tail = text.partition("(")
        found.append(tail.strip())
    return text, "; ".join(f for f in found if f)


# ----------------------------------------------------------------- parsing


# The shapes most authors have ("Chenrui Shi", "Song-Chun Zhu", "Merino, J.", "Sun, Shuo"):
# parsed by one regex.  Anything else, or a word below, takes the general path.
_SIMPLE = re.compile(r"(?P<given>[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?) (?P<family>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)")
_SIMPLE_INVERTED = re.compile(
    r"(?P<family>[A-Z][a-z]+(?:-[A-Z][a-z]+)?), (?P<given>[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?|[A-Z]\.(?: ?-?[A-Z]\.)*)"
)
_NOT_SIMPLE = frozenset(
    "Jr Sr Jnr Snr Junior Senior Ii Iii Iv Collaboration Collaborations Consortium Team Group".split()
)


@lru_cache(maxsize=1 << 17)
def parse_name(raw: str) -> PersonName:
    """Parse one author name in any of the forms arXiv uses.

    "Given Family", "Family, Given", "Family, Given, Jr.", "Family Jr, Given",
    particles ("Ludwig van Beethoven" -> family "van Beethoven"), initials,
    single names ("Plato"), collaborations, Han/Hangul names (one token, all
    family) and a trailing "(affiliation)".  Garbage gives an empty name, never
    an exception.
    """
    if not isinstance(raw, str):
        return PersonName("", "")
    simple = _SIMPLE.fullmatch(raw) or _SIMPLE_INVERTED.fullmatch(raw)
    if simple and simple.group("family") not in _NOT_SIMPLE and simple.group("given") not in _NOT_SIMPLE:
        return PersonName(simple.group("given"), simple.group("family"))
    text, affiliation = _clean(raw)
    if not text or not _LETTER.search(text):
        return PersonName("", "", affiliation=affiliation)
    group = _GROUP_WORD.search(text)
    if group and (group.group(1) is None or _looks_like_group(text)):
        return PersonName("", _group_name(text), affiliation=affiliation, collective=True)
    if not text.isascii() and _CJK.search(text) and not _LATIN.search(text):
        return PersonName("", text.replace(" ", ""), affiliation=affiliation)
    if "," in text:
        return _parse_inverted(text, affiliation)
    return _parse_direct(text.split(), [], affiliation)


def _looks_like_group(text: str) -> bool:
    """'PAN Team', 'the Spitzer/MIPS GTO team' are groups; 'Group, R. C.' is a person."""
    if _HAS_INITIAL.search(text):
        return False
    return text.lower().startswith("the ") or any(len(t) > 1 and t.isupper() for t in text.split())


_GROUP_LEAD = re.compile(r"^(?:.*\bon behalf of\s+)?(?:for\s+)?(?:the\s+)?", re.IGNORECASE)


def _group_name(text: str) -> str:
    """'Collaboration, for the Belle' -> 'Belle Collaboration'; 'The ATLAS Collaboration' -> 'ATLAS Collaboration'."""
    if "," in text:
        head, _, tail = text.partition(",")
        if _COLLECTIVE.fullmatch(head.strip()) or _TEAM.fullmatch(head.strip()):
            text = "%s %s" % (tail.strip(), head.strip())
        else:
            text = "%s %s" % (head.strip(), tail.strip())
    text = _GROUP_LEAD.sub("", text.strip())
    text = re.sub(r"\bcollaboration", "Collaboration", text)
    return _SPACES.sub(" ", text).strip(" ,")


def _parse_direct(tokens: list[str], suffix: list[str], affiliation: str) -> PersonName:
    """'Given [Given] [particles] Family [Jr.]', or 'WU Chenrui' with an all-caps family first."""
    while len(tokens) > 1 and _SUFFIX.match(tokens[-1]):
        suffix.insert(0, tokens.pop())
    if not tokens:
        return PersonName("", "", " ".join(suffix), affiliation)
    if len(tokens) == 1:
        if _SUFFIX.match(tokens[0]):  # "Jr., \\,": a suffix that lost its name
            return PersonName("", "", " ".join([tokens[0], *suffix]), affiliation)
        return PersonName("", _family_case(tokens[0]), " ".join(suffix), affiliation)
    first = tokens[0]
    if first.isupper() and len(first) > 1 and first.title() in _EAST_ASIAN and not tokens[-1].isupper():
        return PersonName(" ".join(tokens[1:]), first.title(), " ".join(suffix), affiliation)
    start = len(tokens) - 1
    capital_ok = tokens[-1].title() not in _EAST_ASIAN
    while start > 1 and _is_particle(tokens[start - 1], capital_ok):
        start -= 1
        if tokens[start] == "y" and start > 1:  # "Agüera y Arcas": both names are the family
            start -= 1
    family = " ".join(tokens[start:])
    return PersonName(" ".join(tokens[:start]), _family_case(family), " ".join(suffix), affiliation)


def _parse_inverted(text: str, affiliation: str) -> PersonName:
    """'Family, Given', 'Family, Jr., Given', 'Family Jr, Given', 'Beethoven, Ludwig van'."""
    parts = [p.strip() for p in text.split(",")]
    suffix = [p for p in parts if _SUFFIX.match(p)]
    rest = [p for p in parts if p and not _SUFFIX.match(p)] if suffix else [p for p in parts if p]
    if len(rest) > 2 or (len(rest) == 2 and " " in rest[1]):
        extra = [p for p in rest[1:] if _AFFILIATION_WORD.search(p)]  # "Wei Li, Tsinghua University"
        if extra:
            rest = [p for p in rest if p not in extra]
            affiliation = "; ".join(filter(None, [affiliation, *extra]))
    if len(rest) < 2:
        return _parse_direct(rest[0].split() if rest else [], suffix, affiliation)
    family_tokens, given_tokens = rest[0].split(), rest[1].split()
    if len(family_tokens) > 1:
        while len(family_tokens) > 1 and _SUFFIX.match(family_tokens[-1]):
            suffix.insert(0, family_tokens.pop())
    if len(given_tokens) > 1:
        while len(given_tokens) > 1 and _SUFFIX.match(given_tokens[-1]):
            suffix.append(given_tokens.pop())
        capital_ok = family_tokens[-1].title() not in _EAST_ASIAN
        while len(given_tokens) > 1 and _is_particle(given_tokens[-1], capital_ok):
            family_tokens.insert(0, given_tokens.pop())
            if family_tokens[0] == "y" and len(given_tokens) > 1:  # "Arcas, Blaise Agüera y"
                family_tokens.insert(0, given_tokens.pop())
    family = _family_case(" ".join(family_tokens))
    return PersonName(" ".join(given_tokens), family, " ".join(suffix), affiliation)


def _is_particle(token: str, capital_ok: bool) -> bool:
    if token in _PARTICLES:
        return True
    return capital_ok and token in _CAPITAL_PARTICLES


def _family_case(family: str) -> str:
    """'XU' -> 'Xu' for a known East Asian family name written in capitals; others unchanged."""
    if len(family) > 1 and family.isupper() and family.title() in _EAST_ASIAN:
        return family.title()
    return family


# -------------------------------------------------------------------- keys

_FOLD = str.maketrans({
    "ß": "ss", "ẞ": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae",
    "œ": "oe", "Œ": "oe", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
    "ı": "i", "ȷ": "j", "ŋ": "n", "Ŋ": "n", "ħ": "h", "Ħ": "h", "ŀ": "l", "Ŀ": "l",
})
_KEY_DROP = re.compile(r"['.]")
_KEY_OTHER = re.compile(r"[^\w\s-]")
_PART_SPLIT = re.compile(r"[-\s.]+")


def _fold(text: str) -> str:
    """Lower-case ASCII-ish spelling: accents stripped (NFKD), ß ss, ø o, ł l, æ ae."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_FOLD))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower()


def _family_key(family: str) -> str:
    """Hyphens and spaces are the same ('Ferro-Luzzi' = 'Ferro Luzzi'); apostrophes vanish."""
    if family.isalpha() and family.isascii():
        return family.lower()
    folded = _KEY_OTHER.sub("", _KEY_DROP.sub("", _fold(family)))
    return " ".join(folded.replace("-", " ").replace("_", " ").split())


def _given_parts(given: str, family_upper: bool) -> list[tuple[str, bool]]:
    """Given names as (folded part, is_initial): 'Jean-Pierre' two parts, 'J.R.R.' three initials.

    An all-capital token of two or three letters ('JG Yao', 'Tolkien, JRR') is a run
    of initials unless the whole name is in capitals.
    """
    parts: list[tuple[str, bool]] = []
    for token in given.split():
        if not family_upper and 1 < len(token) <= 3 and token.isalpha() and token.isupper() and token.isascii():
            parts.extend((ch.lower(), True) for ch in token)
            continue
        for piece in _PART_SPLIT.split(_fold(token)):
            piece = _KEY_OTHER.sub("", piece.replace("'", ""))
            if piece:
                parts.append((piece, len(piece) == 1))
    return parts


def _given_key(name: PersonName) -> str:
    """Full given names with their hyphens closed up ('yu-gang' = 'yugang'); initials one letter each."""
    given = name.given
    if given.isascii():  # the common cases: "Chenrui", "Song-Chun" -> "songchun"
        if given.isalpha() and (len(given) > 3 or not given.isupper()):
            return given.lower()
        if "-" in given and given.replace("-", "").isalpha() and all(len(p) > 1 for p in given.split("-")):
            return given.replace("-", "").lower()
        if "." in given:  # "J.", "J. R.", "J.-P.": initials only
            letters = given.replace(".", " ").replace("-", " ").split()
            if all(len(p) == 1 and p.isalpha() for p in letters):
                return " ".join(letters).lower()
    words = []
    for token in name.given.split():
        parts = _given_parts(token, name.family.isupper())
        if parts and all(not initial for _, initial in parts):
            words.append("".join(p for p, _ in parts))
        else:
            words.extend(p for p, _ in parts)
    return " ".join(words)


@lru_cache(maxsize=1 << 17)
def name_key(raw: str) -> str:
    """The key an Author is stored and matched under: "family|given", folded.

    "Müller, Jörg", "J\\"org M\\"uller" and "Jorg Muller" all give "muller|jorg".
    Full given names are kept ("wu|chenrui"), so two people who share a family
    name and an initial get two keys.  The suffix (Jr., III) is not part of the
    key, as it is often left out.  Empty when the input holds no name.
    """
    name = parse_name(raw)
    family = _family_key(name.family)
    if not family:
        return ""
    return "%s|%s" % (family, _given_key(name))


def initials_key(raw: str) -> str:
    """"family|first initial" ("wu|c"): the bucket to look in for initials-only spellings."""
    name = parse_name(raw)
    family = _family_key(name.family)
    if not family:
        return ""
    parts = _given_parts(name.given, name.family.isupper())
    return "%s|%s" % (family, parts[0][0][0] if parts else "")


# ---------------------------------------------------------------- matching

_LIST_MARKERS = re.compile(r";|&|\s(?:and|und|et)\s|\\and\b", re.IGNORECASE)


def _single_name(value: str | PersonName) -> PersonName | None:
    """The parsed name, or None when the string holds several authors."""
    if isinstance(value, PersonName):
        return value
    if not isinstance(value, str) or _LIST_MARKERS.search(value):
        return None
    if value.count(",") > 1:
        parts = [p.strip() for p in value.split(",")]
        if sum(1 for p in parts if p and not _SUFFIX.match(p)) > 2:
            return None
    return parse_name(value)


def names_match(a: str | PersonName, b: str | PersonName) -> bool:
    """Could these two author strings name the same person?  Whole names only.

    True for the same key, and for an initial against the full name it
    abbreviates ("C. Wu" / "Chenrui Wu", "J.-P. Serre" / "Jean-Pierre Serre").
    False for a different family ("Chenrui Shi"), a different full given name
    ("Yuwei Wu", and "Chen Wu" vs "Chenrui Wu"), a bare family name, and for
    anything that is a list of authors rather than one.
    """
    first, second = _single_name(a), _single_name(b)
    if first is None or second is None:
        return False
    family = _family_key(first.family)
    if not family or family.replace(" ", "") != _family_key(second.family).replace(" ", ""):
        return False
    if first.collective or second.collective:
        return first.collective and second.collective
    if _given_key(first) == _given_key(second):
        return True  # the same key ("Plato" and "Plato" too)
    return _given_compatible(
        _given_parts(first.given, first.family.isupper()),
        _given_parts(second.given, second.family.isupper()),
    )


def _given_compatible(a: list[tuple[str, bool]], b: list[tuple[str, bool]]) -> bool:
    """Part-by-part comparison; an initial matches any name it starts."""
    if not a or not b:
        return False
    if not any(i for _, i in a) and not any(i for _, i in b):
        return "".join(p for p, _ in a) == "".join(p for p, _ in b)  # "Yu Gang" = "Yugang"
    for (x, x_initial), (y, y_initial) in zip(a, b):
        if x_initial or y_initial:
            if x[0] != y[0]:
                return False
        elif x != y:
            return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    extra = longer[len(shorter) :]
    # "Philip S. Yu" ~ "Philip Yu": only initials may be missing; "C. Wu" may omit anything.
    return all(i for _, i in extra) or all(i for _, i in shorter)


# ------------------------------------------------------------ author lists

_LIST_SPLIT = re.compile(r"\s*(?:,\s*(?:and|&)\s+|,|\s+and\s+|\s*&\s*|\\and\b|;)\s*", re.IGNORECASE)
_AND_SPLIT = re.compile(r"\s+(?:and|&)\s+|\s*\\and\b\s*", re.IGNORECASE)
_ONLY_INITIALS = re.compile(r"^(?:[A-Z]\.?[\s-]*){1,4}$")
_NOT_A_NAME = frozenset({"et al", "et al.", "others", "and others", "et. al."})


def split_author_list(s: str | None, sep: str | None = None) -> list[str]:
    """'A. One, B. Two and C. Three' -> ['A. One', 'B. Two', 'C. Three'].

    With ``sep`` (e.g. ";" for "Family, Given; Family, Given" lists) only that
    separator and a final "and" split.  Without it, commas split too, but a
    piece that is only initials ("Smith, J., Jones, K.") or only a suffix
    ("Heath, Jr.") is joined back to the name before it.
    """
    if not s:
        return []
    if sep is None and ";" in s:
        sep = ";"
    if sep is not None:
        pieces = [p for chunk in s.split(sep) for p in _AND_SPLIT.split(chunk)]
    else:
        pieces = _merge_pieces(_LIST_SPLIT.split(s))
    names = [_SPACES.sub(" ", p).strip(" ,;") for p in pieces]
    return [n for n in names if n and n.lower() not in _NOT_A_NAME]


def _merge_pieces(pieces: list[str]) -> list[str]:
    """Re-join 'Family' + 'Initials' and 'Name' + 'Jr.' pieces that a comma split apart."""
    merged: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if merged and _SUFFIX.match(piece):
            merged[-1] = "%s %s" % (merged[-1], piece)
        elif (
            merged
            and _ONLY_INITIALS.match(piece)
            and " " not in merged[-1]
            and "," not in merged[-1]
            and not _ONLY_INITIALS.match(merged[-1])
        ):
            merged[-1] = "%s, %s" % (merged[-1], piece)
        else:
            merged.append(piece)
    return merged


def display_name(raw: str) -> str:
    """"Given Family" with Unicode accents: "Müller, Jörg" -> "Jörg Müller"; "" for no name."""
    return parse_name(raw).display()
