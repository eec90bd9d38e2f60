"""TeX in arXiv titles, abstracts and names: text for web pages, plain text for search.

arXiv metadata is LaTeX source: hard-wrapped lines, TeX accents (``Schr\\"odinger``),
text macros (``\\emph{x}``) and math (``$\\alpha$``).  Two renderings are derived:

* ``display_text`` is what a page shows.  Text-mode TeX is turned into Unicode,
  but math is left byte for byte so KaTeX renders it in the browser.  Which
  spans are math is decided as KaTeX's auto-render decides it (see
  ``_segments``; the one difference, ``\\$``, is explained in ``_next_opener``),
  so the two agree about where math starts and ends.
* ``plain_text`` is for search indexing, e-mail and TL;DRs: the same, plus math
  spelled in Unicode (``$\\alpha \\leq 2^{n}$`` -> ``α ≤ 2ⁿ``) and no ``$``.

These run on every record of a bulk import, and a Python regex that cannot
start from a literal costs ~10 ns per character scanned while ``str.find`` and
``in`` cost well under 1 ns.  So strings are scanned with str methods where
possible, all text-mode macros are resolved in one regex pass that jumps from
backslash to backslash, each step is skipped when its trigger characters are
absent, and recent renderings are cached because importers call
``display_text`` and then ``plain_text`` on the same title and abstract.
Nothing here raises on malformed TeX: unbalanced ``$`` or braces stay text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["display_text", "plain_text", "tex_accents_to_unicode", "unwrap"]

# ---------------------------------------------------------------- unwrapping

_BLANK_LINE = re.compile(r"\n[ ]*\n")
_INDENTED_LINE = re.compile(r"\n ")
_SENTENCE_END = frozenset(".!?:")
_CLOSING = frozenset("\"')”")
_PARAGRAPH_START = frozenset("\\$“\"(")


def unwrap(s: str | None) -> str:
    """Join arXiv's hard-wrapped lines into flowing text; paragraph breaks become "\\n\\n".

    A blank line is a paragraph break.  arXiv abstracts also start a paragraph
    with an indented line after a sentence end, but some submitters indent every
    line; indentation only counts when some lines are indented and others not.
    Runs of spaces are folded and the ends stripped.
    """
    if not s:
        return ""
    if "\r" in s or "\x00" in s or "\t" in s:  # NUL: PostgreSQL text cannot hold it
        s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\t", " ")
    s = s.strip()
    if "\n" in s:
        if _BLANK_LINE.search(s) or _INDENTED_LINE.search(s):
            return _unwrap_lines(s.split("\n"))
        s = s.replace("\n", " ")
    if "  " in s:
        s = _fold_spaces(s)
    return s


def _fold_spaces(s: str) -> str:
    return " ".join(part for part in s.split(" ") if part)


def _unwrap_lines(lines: list[str]) -> str:
    """The slow path: blank lines and (when meaningful) indentation start paragraphs."""
    indented = sum(1 for line in lines if line[:1] == " ")
    by_indent = 0 < indented < len(lines) - 1
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        text = line.strip()
        if not text:
            if current:
                paragraphs.append(current)
                current = []
        elif by_indent and current and line[0] == " " and _starts_paragraph(current[-1], text):
            paragraphs.append(current)
            current = [text]
        else:
            current.append(text)
    if current:
        paragraphs.append(current)
    joined = (" ".join(p) for p in paragraphs)
    return "\n\n".join(_fold_spaces(p) if "  " in p else p for p in joined)


def _starts_paragraph(previous: str, line: str) -> bool:
    """An indented line begins a paragraph when the previous line ended a sentence."""
    end = previous[-1]
    if end in _CLOSING and len(previous) > 1:
        end = previous[-2]
    first = line[0]
    return end in _SENTENCE_END and (first.isupper() or first.isdigit() or first in _PARAGRAPH_START)


# ------------------------------------------------------------- math segments

_MATH_ENV = re.compile(r"\\begin\{(equation|align|alignat|gather|multline|eqnarray|displaymath|math)(\*?)\}")
_SCAN_DOLLAR = re.compile(r"[\\{}$]")
_SCAN_OTHER = re.compile(r"[\\{}]")


def _find_end(s: str, pos: int, right: str) -> int:
    """Where ``right`` closes the math opened before ``pos``; -1 if it never does.

    A line-for-line port of KaTeX auto-render's ``findEndOfMath``: a closer only
    counts outside braces, and a backslash hides the character after it.
    """
    scan = _SCAN_DOLLAR if right[0] == "$" else _SCAN_OTHER
    depth = 0
    while True:
        found = scan.search(s, pos)
        if found is None:
            return -1
        i = found.start()
        if depth <= 0 and s.startswith(right, i):
            return i
        char = s[i]
        if char == "\\":
            pos = i + 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        pos = i + 1


def _next_opener(s: str, pos: int) -> tuple[int, str, str] | None:
    """The first math opener at or after ``pos``: (index, left, right).

    One deliberate difference from KaTeX: an escaped dollar ("\\$148K") opens
    nothing.  KaTeX would open math there, but ``display_text`` turns it into a
    full-width "＄" that KaTeX never sees as a delimiter, so the two still agree.
    """
    dollar = _unescaped_dollar(s, pos)
    slash = s.find("\\", pos)
    while slash != -1 and (dollar == -1 or slash < dollar):
        after = s[slash + 1 : slash + 2]
        if after == "(":
            return slash, "\\(", "\\)"
        if after == "[":
            return slash, "\\[", "\\]"
        if after == "b":
            env = _MATH_ENV.match(s, slash)
            if env:
                return slash, env.group(), "\\end{%s%s}" % (env.group(1), env.group(2))
        slash = s.find("\\", slash + 1)
    if dollar == -1:
        return None
    return (dollar, "$$", "$$") if s.startswith("$$", dollar) else (dollar, "$", "$")


def _unescaped_dollar(s: str, pos: int) -> int:
    """The next "$" not written as "\\$" (an even run of backslashes escapes itself)."""
    dollar = s.find("$", pos)
    while dollar > 0 and s[dollar - 1] == "\\":
        before = dollar - 1
        while before > 0 and s[before - 1] == "\\":
            before -= 1
        if (dollar - before) % 2 == 0:
            break
        dollar = s.find("$", dollar + 1)
    return dollar


def _segments(s: str) -> list[tuple[bool, str, str]]:
    """Split into (is_math, raw, inner) pieces the way KaTeX auto-render does.

    As in KaTeX, an opener that is never closed ends the search: the rest is
    text.  ``inner`` is the math without its delimiters (environments keep theirs).
    """
    pieces: list[tuple[bool, str, str]] = []
    pos = 0
    while True:
        opener = _next_opener(s, pos)
        if opener is None:
            break
        start, left, right = opener
        end = _find_end(s, start + len(left), right)
        if end < 0:
            break
        if start > pos:
            pieces.append((False, s[pos:start], ""))
        stop = end + len(right)
        inner = s[start:stop] if left.startswith("\\begin") else s[start + len(left) : end]
        pieces.append((True, s[start:stop], inner))
        pos = stop
    if pos < len(s):
        pieces.append((False, s[pos:], ""))
    return pieces


# ------------------------------------------------------- accents and letters

_COMBINING = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}
_LETTERS = {
    "ss": "ß", "SS": "SS", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
}
_S = r"[\"'`^~=.]"
_W = r"[uvHckrdb]"
_L = r"(?:\\[ij](?![A-Za-z])|[^\W\d_])"
_SPECIALS = r"ss|SS|ae|AE|oe|OE|aa|AA|dh|DH|th|TH|ng|NG|dj|DJ|o|O|l|L|i|j"
_LETTER_PATTERN = (
    rf"\{{\\(?P<a1>{_S})\s*(?:\{{\s*(?P<l1>{_L})\s*\}}|(?P<m1>{_L}))\s*\}}"  # {\"o}  {\"{o}}
    rf"|\{{\\(?P<a2>{_W})(?:\s*\{{\s*(?P<l2>{_L})\s*\}}|\s+(?P<m2>{_L}))\s*\}}"  # {\v{s}}  {\v s}
    rf"|\{{\\(?P<a3>{_S}|{_W})\}}(?P<l3>{_L})"  # {\"}u  {\H}o: seen in OAI author names
    rf"|\\(?P<a4>{_S})\s*(?:\{{\s*(?P<l4>{_L})\s*\}}|(?P<m4>{_L}))"  # \"o  \"{o}
    rf"|\\(?P<a5>{_W})(?:\s*\\?\{{\s*(?P<l5>{_L})\s*\}}|\s+(?P<m5>{_L}))"  # \v{s}  \v s
    rf"|\{{\\(?P<s1>{_SPECIALS})\s*\}}"  # {\ss} {\o}
    rf"|\\(?P<s2>{_SPECIALS})(?![A-Za-z])(?:\{{\}}|[ ](?=[a-z]))?"  # \ss \o{} "Stra\ss e"
)
_TEX_LETTER = re.compile(_LETTER_PATTERN)


def _letter(match: re.Match) -> str:
    special = match.group("s1") or match.group("s2")
    if special:
        return _LETTERS[special]
    groups = match.groupdict()
    accent = next(groups[k] for k in ("a1", "a2", "a3", "a4", "a5") if groups[k])
    base = next(groups[k] for k in ("l1", "m1", "l2", "m2", "l3", "l4", "m4", "l5", "m5") if groups[k])
    if base[0] == "\\":  # \i, \j under an accent are plain i, j
        base = base[1]
    elif base == "ı":  # "\^{ı}": a dotless i someone already converted
        base = "i"
    return unicodedata.normalize("NFC", base + _COMBINING[accent])


_PUNCT = re.compile(r"---|--|``|''")
_PUNCT_MAP = {"---": "—", "--": "–", "``": "“", "''": "”"}
_SINGLE_QUOTES = re.compile(r"`([^`'\n]{1,80}?)'")


def _punct(match: re.Match) -> str:
    return _PUNCT_MAP[match.group()]


def _accents_chunk(text: str) -> str:
    """Accents, special letters, dashes and TeX quotes in a stretch of text (not math)."""
    if "\\" in text:
        text = _TEX_LETTER.sub(_letter, text)
    if "--" in text or "`" in text or "''" in text:
        text = _PUNCT.sub(_punct, text)
        if "`" in text:
            text = _SINGLE_QUOTES.sub("‘\\1’", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def tex_accents_to_unicode(s: str | None) -> str:
    """TeX accents and letters to Unicode (``\\"o`` ö, ``{\\ss}`` ß, ``\\v{s}`` š); ``--`` –, ````x''`` “x”.

    Math spans are left alone: ``--`` and ``''`` mean minus-minus and a double
    prime there.  The result is NFC, so ``\\'e`` is one code point.
    """
    if not s:
        return ""
    if "\\" not in s and "-" not in s and "`" not in s and "'" not in s:
        return s if s.isascii() else unicodedata.normalize("NFC", s)
    if "$" not in s and "\\" not in s:
        return _accents_chunk(s)
    return "".join(raw if is_math else _accents_chunk(raw) for is_math, raw, _ in _segments(s))


# ------------------------------------------------------------------ symbols

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "varkappa": "ϰ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π",
    "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
    "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "digamma": "ϝ", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "varGamma": "Γ", "varDelta": "Δ", "varTheta": "Θ", "varLambda": "Λ", "varPi": "Π",
    "varSigma": "Σ", "varPhi": "Φ", "varPsi": "Ψ", "varOmega": "Ω",
}
_SYMBOLS = {
    **_GREEK,
    "times": "×", "div": "÷", "cdot": "·", "pm": "±", "mp": "∓", "leq": "≤", "le": "≤",
    "leqslant": "≤", "geq": "≥", "ge": "≥", "geqslant": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "simeq": "≃", "sim": "~", "cong": "≅", "equiv": "≡", "propto": "∝",
    "ll": "≪", "gg": "≫", "lesssim": "≲", "gtrsim": "≳", "prec": "≺", "succ": "≻",
    "preceq": "⪯", "succeq": "⪰", "subset": "⊂", "subseteq": "⊆", "subsetneq": "⊊",
    "supset": "⊃", "supseteq": "⊇", "in": "∈", "notin": "∉", "ni": "∋", "cup": "∪",
    "cap": "∩", "setminus": "∖", "emptyset": "∅", "varnothing": "∅", "infty": "∞",
    "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬",
    "not": "¬", "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "oplus": "⊕",
    "otimes": "⊗", "odot": "⊙", "ominus": "⊖", "circ": "∘", "bullet": "•", "star": "⋆",
    "ast": "∗", "dagger": "†", "dag": "†", "ddagger": "‡", "ddag": "‡", "ell": "ℓ",
    "hbar": "ħ", "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ", "wp": "℘", "perp": "⊥", "parallel": "∥",
    "mid": "|", "vert": "|", "lvert": "|", "rvert": "|", "Vert": "‖", "lVert": "‖",
    "rVert": "‖", "langle": "⟨", "rangle": "⟩", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊",
    "rfloor": "⌋", "lbrace": "{", "rbrace": "}", "ldots": "…", "cdots": "⋯", "dots": "…",
    "dotsc": "…", "dotsb": "⋯", "vdots": "⋮", "ddots": "⋱", "rightarrow": "→", "to": "→",
    "leftarrow": "←", "gets": "←", "leftrightarrow": "↔", "Rightarrow": "⇒", "Leftarrow": "⇐",
    "Leftrightarrow": "⇔", "implies": "⟹", "iff": "⟺", "longrightarrow": "⟶",
    "longleftarrow": "⟵", "Longrightarrow": "⟹", "mapsto": "↦", "uparrow": "↑",
    "downarrow": "↓", "hookrightarrow": "↪", "sum": "Σ", "prod": "∏", "coprod": "∐",
    "int": "∫", "oint": "∮", "iint": "∬", "bigcup": "⋃", "bigcap": "⋂", "bigoplus": "⨁",
    "bigotimes": "⨂", "angle": "∠", "triangle": "△", "square": "□", "Box": "□",
    "Diamond": "◇", "checkmark": "✓", "prime": "′", "colon": ":", "backslash": "∖",
    "over": "/", "textdegree": "°", "degree": "°", "circledR": "®", "textregistered": "®",
    "texttrademark": "™", "copyright": "©", "textcopyright": "©", "textemdash": "—",
    "textendash": "–", "textasciitilde": "~", "textasciicircum": "^", "textbar": "|",
    "textless": "<", "textgreater": ">", "textbullet": "•", "textbackslash": "\\",
    "textunderscore": "_", "textquotedblleft": "“", "textquotedblright": "”",
    "textquoteleft": "‘", "textquoteright": "’", "pounds": "£", "euro": "€", "textmu": "µ",
    "quad": " ", "qquad": " ", "enspace": " ", "thinspace": " ", "space": " ", "newline": " ",
    "linebreak": " ", "par": " ", "item": " ", "AA": "Å",
}
# Not \\o, \\O, \\l, \\i here: they are text-mode letters, and in math they are
# always someone's macro (\\O for big-O is common), so math keeps the bare name.
# Size, spacing and font switches: they carry no text.
_SILENT = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr middle displaystyle "
    "textstyle scriptstyle scriptscriptstyle limits nolimits em bf it sc rm tt sf sl up md "
    "normalfont small large Large LARGE huge Huge tiny scriptsize footnotesize normalsize noindent "
    "indent centering boldmath unboldmath smallskip medskip bigskip maketitle relax protect "
    "nobreak allowbreak hfill vfill hfil clearpage newpage mathstrut strut phantom nonumber "
    "notag cal frak mit bm mathnormal".split()
)

# -------------------------------------------------------------- text macros

# Macros whose argument is the text: the name goes, the braces go, the words stay.
_TEXT_WRAPPERS = frozenset(
    "emph textit textbf texttt textsc textrm textsf textmd textup textsl textnormal underline "
    "uline textsuperscript textsubscript mbox hbox text footnote caption section subsection "
    "paragraph textcolor keywords highlight hl sout st mathrm mathbf mathit mathsf mathtt "
    "mathcal mathscr mathfrak mathbb operatorname boldsymbol".split()
)
# Every text-mode macro starts with a backslash; a regex that begins with a
# literal lets the engine jump between backslashes instead of trying each
# alternative at every character.  The group that matched names the handler.
_LETTER_AFTER_BACKSLASH = (
    rf"{_S}\s*(?:\{{\s*{_L}\s*\}}|{_L})"
    rf"|{_W}(?:\s*\\?\{{\s*{_L}\s*\}}|\s+{_L})"
    rf"|(?:{_SPECIALS})(?![A-Za-z])(?:\{{\}}|[ ](?=[a-z]))?"
)
_BACKSLASH_TOKEN = re.compile(
    r"\\(?:"
    r"(?P<href>href\s*\{(?P<href_url>[^{}]*)\}(?:\s*\{(?P<href_text>(?:[^{}]|\{[^{}]*\})*)\})?)"
    r"|(?P<url>(?:url|nolinkurl|path)\s*\{(?P<url_text>[^{}]*)\})"
    r"|(?P<gone>(?:cite[a-zA-Z]*|[cC]?ref|eqref|autoref|pageref|label|footnotemark|[hv]space|color"
    r"|pagecolor|includegraphics|bibliographystyle|bibliography|ding|index|begin|end)\*?"
    r"\s*(?:\[[^\]]*\]\s*)*\{[^{}]*\})"
    r"|(?P<first>(?:textcolor|colorbox|hyperlink|hypertarget)\s*\{[^{}]*\})"
    r"|(?P<letter>" + _LETTER_AFTER_BACKSLASH + r")"
    r"|(?P<word>(?P<word_name>[A-Za-z]+)\*?(?P<word_space>[ ]*)(?P<word_arg>\{\}?)?)"
    r"|(?P<sym>[^A-Za-z]|$)"
    r")",
    re.DOTALL,
)
_TEXT_SYMBOL = {
    "%": "%", "&": "&", "_": "_", "#": "#", "{": "\x01", "}": "\x02", " ": " ", "\n": " ",
    "\\": " ", ",": " ", ";": " ", ":": " ", ">": " ", "!": "", "-": "", "/": "", "@": "",
    "|": "‖", "": "",
}
# A dollar written as ``\\$`` must not reach KaTeX as "$": it would pair with the
# next one and typeset the words between.  The full-width sign reads the same.
_SAFE_DOLLAR = "＄"
_GONE = "\x05"  # marks a dropped \\cite{...} so the space before it can go too
_GONE_SPACE = re.compile(r" *\x05(?=[.,;:!?)])|\x05")
_MULTISPACE = re.compile(r"  +")
_TIE = re.compile(r"~")
_DASH = re.compile(r"--(-?)")
_CLOSE_QUOTES = re.compile(r"''")
_OPEN_SINGLE = re.compile(r"`([^`'\n]{1,80}?)'(?!')")


def _on_word(match: re.Match) -> str:
    """A control word: known symbol, silent switch, wrapper, or an unknown name kept as a word."""
    word = match.group("word_name")
    symbol = _SYMBOLS.get(word)
    if symbol is not None:
        return symbol + match.group("word_space")
    if word in _SILENT:
        return ""
    if match.group("word_arg") == "{":
        # A wrapper, known or not: its braces are dropped separately, its words stay.
        # "\\ours{}" (an empty group) is a name, not a wrapper, and falls through.
        return ""
    return word + match.group("word_space")


def _on_sym(match: re.Match) -> str:
    char = match.group()[1:]
    return _SAFE_DOLLAR if char == "$" else _TEXT_SYMBOL.get(char, char)


def _on_tie(match: re.Match) -> str:
    """"Fig.~3" is a tie (a space); "~50%" means "about" and "/~user" is a URL: both stay."""
    start = match.start()
    if not start:
        return "~"
    before = match.string[start - 1]
    return " " if before.isalnum() or before in _TIE_AFTER else "~"


_TIE_AFTER = frozenset(".,;:)]}'\"")
_URL_ESCAPE = re.compile(r"\\([_%#&~$])")


def _url(text: str) -> str:
    """A URL keeps its characters; only TeX's escapes (``\\_``, ``\\%``) are undone."""
    return _URL_ESCAPE.sub(r"\1", text) if "\\" in text else text


def _on_href(match: re.Match) -> str:
    label = match.group("href_text")
    if label is None:
        return _url(match.group("href_url"))
    return _text_pass(label)  # "\\href{u}{\\texttt{u}}": the label is TeX too


_TEXT_HANDLERS = {
    "href": _on_href,
    "url": lambda m: _url(m.group("url_text")),
    "gone": lambda m: _GONE,
    "first": lambda m: "",
    "letter": lambda m: _letter(_TEX_LETTER.match(m.group())),
    "word": _on_word,
    "sym": _on_sym,
}


def _on_token(match: re.Match) -> str:
    return _TEXT_HANDLERS[match.lastgroup](match)


def _dash(match: re.Match) -> str:
    return "—" if match.group(1) else "–"


def _text_pass(text: str) -> str:
    """Text-mode TeX (no math in it) to Unicode text.

    Macros go in one regex pass over the backslashes; braces, ties, dashes and
    quotes are then plain string replacements, each skipped when absent.
    Escaped braces travel as \\x01/\\x02 so the brace removal spares them.
    """
    removed = "\\" in text
    if removed:
        text = _BACKSLASH_TOKEN.sub(_on_token, text)
        if _GONE in text:
            text = _GONE_SPACE.sub("", text)
    if "{" in text or "}" in text:
        text = text.replace("{", "").replace("}", "")
        removed = True
    if "\x01" in text or "\x02" in text:
        text = text.replace("\x01", "{").replace("\x02", "}")
    if "~" in text:
        text = _TIE.sub(_on_tie, text)
        removed = True  # "at~ https": a tie next to a space makes two
    if "-" in text:
        text = _DASH.sub(_dash, text)
    if "`" in text:
        text = _OPEN_SINGLE.sub("‘\\1’", text.replace("``", "“"))
    if "'" in text:
        text = _CLOSE_QUOTES.sub("”", text)
    if removed and "  " in text:
        text = _MULTISPACE.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def _has_tex(s: str) -> bool:
    """Could ``s`` hold anything the text pass would change?"""
    return (
        "\\" in s or "$" in s or "{" in s or "}" in s or "~" in s or "`" in s
        or ("-" in s and _DASH.search(s) is not None)
        or ("'" in s and _CLOSE_QUOTES.search(s) is not None)
    )


@lru_cache(maxsize=2048)
def _render(s: str) -> tuple[str, tuple | None]:
    """(display text, pieces): pieces is None without math, else (is_math, shown, inner) triples.

    Cached because importers call ``display_text`` and later ``plain_text`` on
    the same title and abstract; the second call then only spells out the math.
    A str caches its own hash, so a hit costs a dict lookup.
    """
    return _render_uncached(s)


def _render_uncached(s: str) -> tuple[str, tuple | None]:
    text = unwrap(s)
    if not _has_tex(text):
        return (text if text.isascii() else unicodedata.normalize("NFC", text)), None
    pieces = _segments(text) if ("$" in text or "\\" in text) else [(False, text, "")]
    if len(pieces) == 1 and not pieces[0][0]:
        return _text_pass(text).strip(), None
    shown = tuple((is_math, raw if is_math else _text_pass(raw), inner) for is_math, raw, inner in pieces)
    return "".join(part for _, part, _ in shown).strip(), shown


def display_text(s: str | None) -> str:
    """What a web page shows: unwrapped, accents and text macros resolved, math left for KaTeX.

    Math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``) is copied exactly.  The
    result is plain text, never HTML: escaping is the template's job.
    """
    return _render(s or "")[0]


# -------------------------------------------------------------- math to text

_DOUBLE_STRUCK = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"}
_MATH_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
    "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "check": "\u030c",
    "breve": "\u0306", "acute": "\u0301", "grave": "\u0300", "mathring": "\u030a",
}
_TWO_ARGS = frozenset("frac dfrac tfrac cfrac binom dbinom tbinom stackrel overset underset".split())
_STRUCTURAL = (
    _TWO_ARGS
    | _TEXT_WRAPPERS
    | set(_MATH_ACCENTS)
    | {"sqrt", "unicode", "label", "tag", "boxed", "underbrace", "overbrace", "mathop", "mathbin",
       "mathrel", "mathord", "textcolor", "color", "begin", "end", "hspace", "mkern", "kern", "mbox", "Bbb"}
)
_MATH_WORD = re.compile(r"\\([A-Za-z]+)|\\(.)", re.DOTALL)
_MATH_ESCAPES = {
    "{": "\x01", "}": "\x02", ",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "\n": " ",
    "!": "", "\\": " ", "|": "‖", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$",
}
_ARG = r"(?:\{([^{}]*)\}|([^\s{}\\^_]))"
_MATH_CALL = re.compile(
    r"\\(" + "|".join(sorted(_STRUCTURAL, key=len, reverse=True)) + r")(?![A-Za-z])\*?\s*"
    r"(?:\[([^\[\]{}]*)\])?\s*" + _ARG + r"(?:\s*" + _ARG + r")?"
)
_SCRIPT = re.compile(r"([\^_])\s*(?:\{([^{}]*)\}|([^\s{}]))")
_SUPERSCRIPT = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUPERSCRIPTABLE = frozenset("0123456789+-−=()ni")
_SPECIAL_SUPERSCRIPT = {"∘": "°", "′": "′", "″": "″", "*": "*", "∗": "*", "†": "†", "⋆": "*"}
_SCRIPT_MARK = {"^": "\x03", "_": "\x04"}
_BRACES = re.compile(r"[{}]")
_MATH_SPACES = re.compile(r"\s+")


def _math_word(match: re.Match) -> str:
    """Pass 1 over math: symbols to Unicode, switches dropped, unknown macros keep their name."""
    word = match.group(1)
    if word is None:
        return _MATH_ESCAPES.get(match.group(2), match.group(2))
    if word in _STRUCTURAL:
        return match.group()
    symbol = _SYMBOLS.get(word)
    if symbol is not None:
        return symbol
    if word in _SILENT:
        return ""
    if match.string.startswith("{", match.end()) and word[0].islower():
        return ""  # "\\mathds{1}", "\\pmb{x}": an unknown wrapper; its argument stays
    return word + " " if match.string.startswith("{", match.end()) else word  # "\\Tr{A}" -> "Tr A"


def _math_call(match: re.Match) -> str:
    """Pass 2: an innermost structural macro (``\\frac{a}{b}``, ``\\mathbb{R}``, ``\\hat{x}``)."""
    name, option = match.group(1), match.group(2)
    first = match.group(3) if match.group(3) is not None else match.group(4)
    second = match.group(5) if match.group(5) is not None else match.group(6)
    if name in _TWO_ARGS:
        if second is None:
            return "(%s)/" % first if name.endswith("frac") else first
        if name.endswith("frac"):
            return "%s/%s" % (_group(first), _group(second))
        if name.endswith("binom"):
            return "C(%s, %s)" % (first.strip(), second.strip())
        return second  # \stackrel{a}{=} reads as its base
    rest = "" if second is None else "{%s}" % second
    return _one_arg(name, option, first) + rest


def _one_arg(name: str, option: str | None, arg: str) -> str:
    if name == "sqrt":
        root = "√" + _group(arg)
        return (option.strip() + root) if option else root
    if name == "mathbb" or name == "Bbb":
        return "".join(_DOUBLE_STRUCK.get(ch, ch) for ch in arg)
    if name in _MATH_ACCENTS:
        arg = arg.strip()
        if len(arg) == 1:
            return unicodedata.normalize("NFC", arg + _MATH_ACCENTS[name])
        return arg
    if name == "unicode":
        return _unicode_char(arg)
    if name in ("label", "tag", "color", "begin", "end", "hspace", "mkern", "kern"):
        return ""
    return arg


def _unicode_char(arg: str) -> str:
    """``\\unicode{x00b0}`` or ``\\unicode{176}`` to the character, or nothing if malformed."""
    arg = arg.strip().lower()
    try:
        value = int(arg[1:], 16) if arg.startswith("x") else int(arg)
        return chr(value) if 0 < value < 0x110000 and value != 0x24 else ""
    except ValueError:
        return ""


_PARENTHESISED = re.compile(r"^√?\([^()]*\)$")


def _group(text: str) -> str:
    """Parenthesise a fraction part unless it is a single number or name."""
    text = text.strip()
    if len(text) <= 1 or text.isalnum() or _PARENTHESISED.match(text):
        return text
    return "(%s)" % text


def _script(match: re.Match) -> str:
    """Pass 3: ``^{2}`` -> ², ``^{ab}`` -> ^(ab), ``_{i}`` -> _i."""
    mark = match.group(1)
    body = (match.group(2) if match.group(2) is not None else match.group(3)).strip()
    if not body:
        return ""
    if mark == "^":
        special = _SPECIAL_SUPERSCRIPT.get(body)
        if special:
            return special
        if all(ch in _SUPERSCRIPTABLE for ch in body):
            return body.translate(_SUPERSCRIPT)
    mark = _SCRIPT_MARK[mark]  # a placeholder, so the next round does not rewrite the result
    if len(body) == 1 or body.isalnum() or _PARENTHESISED.match(body):
        return mark + body
    return "%s(%s)" % (mark, body)


def _math_plain(math: str) -> str:
    """Math source (no delimiters) as readable Unicode text."""
    if "\\" in math:
        math = _MATH_WORD.sub(_math_word, math)
        if "\\" in math:
            math = _innermost(_MATH_CALL, _math_call, math)
    if "^" in math or "_" in math:
        math = _innermost(_SCRIPT, _script, math)
    if "{" in math or "}" in math:
        math = _BRACES.sub("", math)
    if "\\" in math:
        math = math.replace("\\", "")
    if "&" in math:
        math = math.replace("&", " ")
    if "\x01" in math or "\x02" in math:
        math = math.replace("\x01", "{").replace("\x02", "}")
    if "\x03" in math or "\x04" in math:
        math = math.replace("\x03", "^").replace("\x04", "_")
    return _MATH_SPACES.sub(" ", math).strip()


def _innermost(pattern: re.Pattern, replace, text: str, rounds: int = 8) -> str:
    """Apply an innermost-group rewrite until nothing changes (bounded, so it always ends)."""
    for _ in range(rounds):
        new = pattern.sub(replace, text)
        if new == text:
            break
        text = new
    return text


def plain_text(s: str | None) -> str:
    """Display text with math spelled out in Unicode and no ``$`` delimiters.

    For search indexing, e-mail bodies and TL;DRs.  ``$\\alpha \\leq 10^{3}$``
    becomes ``α ≤ 10³``; an unknown macro keeps its name (``\\ours`` -> ``ours``)
    so no word is lost.  Never raises, whatever the input.
    """
    shown, pieces = _render(s or "")
    if pieces is None:
        return shown.replace(_SAFE_DOLLAR, "$") if _SAFE_DOLLAR in shown else shown
    text = "".join(_math_plain(inner) if is_math else part for is_math, part, inner in pieces)
    if _SAFE_DOLLAR in text:
        text = text.replace(_SAFE_DOLLAR, "$")
    if "  " in text:
        text = _MULTISPACE.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.strip()
