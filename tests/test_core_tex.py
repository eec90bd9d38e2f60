"""academichub.core.tex on real arXiv titles and abstracts.

The strings below are copied from the shared corpora (the arXiv id is given for
each); the corpus sweep at the end runs every title and abstract of the CS
corpus through both renderings.
"""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from academichub import paths
from academichub.core.tex import display_text, plain_text, tex_accents_to_unicode, unwrap

# ------------------------------------------------------------------ unwrap


def test_unwrap_joins_arxiv_hard_wrapped_lines():
    # 2503.11742
    raw = (
        "Vision-language models (VLMs) often inherit the biases and unsafe\n"
        "associations present within their large-scale training dataset. While recent\n"
        "approaches mitigate unsafe behaviors"
    )
    assert unwrap(raw) == (
        "Vision-language models (VLMs) often inherit the biases and unsafe associations present "
        "within their large-scale training dataset. While recent approaches mitigate unsafe behaviors"
    )


def test_unwrap_keeps_blank_line_paragraphs_and_folds_spaces():
    assert unwrap("  First   paragraph\nwraps here.\n\n  \n Second\tone.  ") == (
        "First paragraph wraps here.\n\nSecond one."
    )


def test_unwrap_indented_line_after_a_sentence_is_a_paragraph():
    # 2503.12868 starts its second paragraph with an indented line, as arXiv abstracts do.
    raw = "effectiveness in self-supervised settings.\n  To this end, we explore an efficient\nmethod."
    assert unwrap(raw) == "effectiveness in self-supervised settings.\n\nTo this end, we explore an efficient method."


def test_unwrap_ignores_indentation_when_every_line_is_indented():
    raw = "next surviving player in a fixed cyclic ordering. Under full\n  compliance every player.\n  Then more."
    assert unwrap(raw) == "next surviving player in a fixed cyclic ordering. Under full compliance every player. Then more."


def test_unwrap_empty_and_none():
    assert unwrap("") == "" and unwrap(None) == "" and unwrap(" \n ") == ""


def test_unwrap_drops_nul_which_postgres_rejects():
    assert unwrap("a\x00b\r\nc") == "ab c"


# --------------------------------------------------------- accents, letters


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ('Schr\\"odinger bridges', "Schrödinger bridges"),  # 2503.15056
        ("B\\'ezier Gaussian Triangle", "Bézier Gaussian Triangle"),  # 2503.13961
        ("F\\`ux\\`i, a comprehensive", "Fùxì, a comprehensive"),  # 2503.15837
        ("Bj{\\o}ntegaard delta rates", "Bjøntegaard delta rates"),  # 2503.17467
        ("Bokm{\\aa}l and Nynorsk", "Bokmål and Nynorsk"),  # 2504.07749
        ('na\\"{\\i}ve fine-tuning', "naïve fine-tuning"),  # 2504.02612
        ("(Toma\\v{s}ev et al., 2020)", "(Tomašev et al., 2020)"),  # 2505.22327
        ("the Szeg\\H{o} projection", "the Szegő projection"),  # 1504.00287
        ("Ho\\v{r}ava Gravity", "Hořava Gravity"),  # 1009.3677
        ("Gukov and Su{\\l}kowski", "Gukov and Sułkowski"),  # 1207.0598
        ("the D{\\AE}Alembert principle", "the DÆAlembert principle"),  # 1011.0814
        ('H\\"{o}lder continuous', "Hölder continuous"),  # 1607.05397
        ("large P\\'eclet numbers", "large Péclet numbers"),  # 1503.00479
        ('Reissner-Nordstr\\"om-de Sitter', "Reissner-Nordström-de Sitter"),  # 1103.5912
        ("Tolúl\\d{o}pé", "Tolúlọpé"),  # an author in the CS corpus
        ("Nguy\\~ên", "Nguyễn"),  # an author in the CS corpus
    ],
)
def test_real_tex_accents(tex, text):
    assert tex_accents_to_unicode(tex) == text
    assert display_text(tex) == text


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ('\\"o {\\"o} \\"{o} \\" o', "ö ö ö ö"),
        ("\\'e \\`e \\^o \\~n \\=a \\.z", "é è ô ñ ā ż"),
        ("\\u{g} \\v{s} \\H{o} \\c{c} \\k{a} \\r{a} \\d{o}", "ğ š ő ç ą å ọ"),
        ("{\\v s} \\v s \\c c \\v\\{c}", "š š ç č"),
        ("{\\ss} \\ss{} Stra\\ss e", "ß ß Straße"),
        ("\\o \\O \\ae \\AE \\oe \\OE \\l \\L \\aa \\AA \\i \\j", "ø Ø æ Æ œ Œ ł Ł å Å ı ȷ"),
        ("\\'{\\i} \\\"\\i", "í ï"),
    ],
)
def test_every_accent_form(tex, text):
    assert tex_accents_to_unicode(tex) == text


def test_accents_are_nfc_composed():
    result = tex_accents_to_unicode("Erd\\H{o}s M\\\"uller")
    assert result == "Erdős Müller" and len(result) == len("Erdos Muller")


def test_macro_names_that_start_like_accents_are_not_accents():
    kept = "$\\omega \\in \\leq \\Lambda \\cdot \\vec{x} \\bar{y}$ \\url{x} \\cite{y}"
    assert tex_accents_to_unicode(kept) == kept


def test_dashes_and_quotes_outside_math_only():
    # 2503.12496 and 1509.04609
    assert tex_accents_to_unicode("the ``Sampling Dilemma'': low-density") == "the “Sampling Dilemma”: low-density"
    assert tex_accents_to_unicode("(SBDA)---a novel class") == "(SBDA)—a novel class"
    assert tex_accents_to_unicode("the oriented 3--manifold") == "the oriented 3–manifold"
    assert tex_accents_to_unicode("a `quoted' word") == "a ‘quoted’ word"
    assert tex_accents_to_unicode("$f''(x) -- y$ and x -- y") == "$f''(x) -- y$ and x – y"


def test_accents_fast_path_returns_plain_text_unchanged():
    assert tex_accents_to_unicode("Gaussian Splatting") == "Gaussian Splatting"
    assert tex_accents_to_unicode("") == "" and tex_accents_to_unicode(None) == ""


# ------------------------------------------------------------- display_text


def test_display_keeps_math_exactly_for_katex():
    # 1504.00287: math with braces, \{ \}, and an apostrophe that is a prime
    raw = "the Szeg\\H{o} kernel $K_{D'_\\beta}$ on $D'_\\beta=\\{(z_1,z_2)\\in\\mathbb{C}^2\\}$ --- done"
    assert display_text(raw) == (
        "the Szegő kernel $K_{D'_\\beta}$ on $D'_\\beta=\\{(z_1,z_2)\\in\\mathbb{C}^2\\}$ — done"
    )


@pytest.mark.parametrize(
    "math",
    [
        "$\\mathbb{Z}_{(p)}$",  # 1605.04444
        "$$ - \\Delta u(x) + \\left(\\omega + \\frac{h^2(|x|)}{|x|^2}\\right) u(x), $$",  # 1306.2051
        "\\(\\mathcal{J}\\&\\mathcal{F}\\)",  # 2503.23509
        "\\[ dR_t= (\\theta +\\sigma \\alpha(R_t, t))R_t dt +\\sigma R_t dB_t \\]",  # 1305.1868
        "$\\alpha$$\\beta$",  # 1508.07901
    ],
)
def test_display_leaves_each_math_form_alone(math):
    assert display_text("before " + math + " after--x") == "before " + math + " after–x"


def test_display_resolves_text_macros():
    # 2503.12590, 2503.12868, 2503.12981, 2511.16681
    assert display_text("we propose \\textbf{Personalize\nAnything}, a training-free framework") == (
        "we propose Personalize Anything, a training-free framework"
    )
    assert display_text("achieving ~50\\% reduction") == "achieving ~50% reduction"
    assert display_text("0.3 seconds and 0.35~m/s for stroke") == "0.3 seconds and 0.35 m/s for stroke"
    assert display_text(
        "Code is availabe at \\href{https://github.com/FastLM/SPI_VecDB}{https://github.com/FastLM/SPI\\_VecDB}."
    ) == "Code is availabe at https://github.com/FastLM/SPI_VecDB."


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("\\emph{x} \\textit{y} \\textbf{z} \\texttt{t} \\textsc{s}", "x y z t s"),
        ("see \\url{https://a.org/x\\_y} now", "see https://a.org/x_y now"),
        ("\\href{https://g.com/p}{\\texttt{our code}}", "our code"),
        ("\\href{https://g.com/p}{\\textcolor{blue}{here}}", "here"),
        ("Q\\&A, 20\\%, a\\_b, \\#1, \\{x\\}", "Q&A, 20%, a_b, #1, {x}"),
        ("Fig.~3 and Mkn~501", "Fig. 3 and Mkn 501"),  # 1602.03533
        ("http://www.x.edu/~name and ~20% more", "http://www.x.edu/~name and ~20% more"),
        ("as shown \\cite{foo}. Next", "as shown. Next"),
        ("{\\em important} and {\\bf bold}", "important and bold"),
        ("\\ours{} beats \\ours.", "ours beats ours."),
        ("10\\times faster, \\alpha-helix", "10× faster, α-helix"),
    ],
)
def test_display_text_macros(tex, text):
    assert display_text(tex) == text


def test_display_escaped_dollar_cannot_open_math():
    # 2504.15431: "\$148K" must not become a "$" that KaTeX pairs with a later one.
    shown = display_text("59.4K H100 GPU hours (\\$148K) and $x$ later")
    assert shown == "59.4K H100 GPU hours (＄148K) and $x$ later"
    assert plain_text("59.4K H100 GPU hours (\\$148K)") == "59.4K H100 GPU hours ($148K)"


def test_display_unbalanced_dollar_stays_text_like_katex():
    # 2503.12329: a price, not math
    raw = "correlation with human rankings at just $4 per test. Data"
    assert display_text(raw) == "correlation with human rankings at just $4 per test. Data"
    assert plain_text(raw) == raw


def test_display_never_produces_html():
    assert display_text("a < b & c > d \\emph{<i>}") == "a < b & c > d <i>"


# --------------------------------------------------------------- plain_text


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("$\\alpha$, $\\beta$, $\\Gamma$, $\\omega$", "α, β, Γ, ω"),
        ("$a \\times b \\leq c \\geq d \\neq e \\approx f$", "a × b ≤ c ≥ d ≠ e ≈ f"),
        ("$\\infty$ $x \\rightarrow y \\to z$ $\\pm1$ $a \\cdot b$", "∞ x → y → z ±1 a · b"),
        ("$x \\sim y$, $x \\in A$, $\\sum_i x_i$", "x ~ y, x ∈ A, Σ_i x_i"),
        ("$\\mathbb{R}^n$ and $\\mathcal{O}(n^2 \\log n)$", "ℝⁿ and O(n² log n)"),
        ("$\\sqrt{x}$, $\\sqrt{x+1}$, $\\frac{a}{b}$, $\\frac{a+1}{2}$", "√x, √(x+1), a/b, (a+1)/2"),
        ("$x^{2}$ $x^2$ $10^{-6}$ $x^{ab}$ $x^{a+b}$", "x² x² 10⁻⁶ x^ab x^(a+b)"),
        ("$x_{i}$ $x_{ij}$ $x_{n+1}$", "x_i x_ij x_(n+1)"),
        ("$\\text{TC}^0$ $\\mathrm{d}x$ $\\mathbf{v}$", "TC⁰ dx v"),
        ("$90^{\\circ}$ $f^{\\prime}$ $\\{1, \\dots, m\\}$", "90° f′ {1, …, m}"),
        ("$\\hat{x}$ $\\bar{y}$", "x̂ ȳ"),
    ],
)
def test_plain_text_math(tex, text):
    assert plain_text(tex) == text


def test_plain_text_real_abstract():
    # 1605.04444 (first sentence)
    raw = (
        "We describe all (possibly non-additive) operations from algebraic Morava K-theory K(n) "
        "to Chow groups with $\\mathbb{Z}_{(p)}$-coefficients."
    )
    assert plain_text(raw) == (
        "We describe all (possibly non-additive) operations from algebraic Morava K-theory K(n) "
        "to Chow groups with ℤ_(p)-coefficients."
    )


def test_plain_text_unknown_macros_keep_their_name():
    # 2503.14329-style custom macros: the name is a word of the sentence
    assert plain_text("we introduce \\(\\projectname\\), a novel \\method") == "we introduce projectname, a novel method"
    assert plain_text("$\\ours + \\foo$") == "ours + foo"
    # An unknown lower-case macro with an argument is a wrapper (\\mathds{1}); a capitalised one an operator.
    assert plain_text("$\\mathds{1}_A$ and $\\Tr{A}$") == "1_A and Tr A"


def test_plain_text_environments_and_display_math():
    # 1201.3729 (shortened)
    raw = "operators of the form $$\\mathbf{A}=-{1\\over \\mathbf{b}(x)}\\sum\\limits_{k=1}^n x_k$$ here"
    assert plain_text(raw) == "operators of the form A=-1/ b(x)Σ_(k=1)ⁿ x_k here"
    assert plain_text("so \\begin{equation} u_t+u_x=0 \\end{equation} holds") == "so u_t+u_x=0 holds"


def test_plain_text_unbalanced_input_never_crashes():
    for raw in ["$x^{2 and { brace", "}{", "$$", "$", "\\", "\\(", "\\frac{", "$\\frac{a}$", "$\\sqrt$", "^_^"]:
        assert isinstance(plain_text(raw), str)
        assert isinstance(display_text(raw), str)


def test_plain_text_keeps_paragraphs():
    assert plain_text("First $\\alpha$.\n\nSecond.") == "First α.\n\nSecond."


# ------------------------------------------------------------- properties

_TEXT = st.text(alphabet=st.characters(blacklist_characters="$\\", blacklist_categories=("Cs",)), max_size=40)
_ATOM = st.sampled_from(
    ["x", "y", "2", "+", "-", "=", "(", ")", ",", "\\alpha", "\\leq", "\\infty", "\\sum", "\\mathbb{R}", " ",
     "\\frac{a}{b}", "\\sqrt{x}", "^{2}", "_{i}", "\\unknown", "\\text{if }", "\\{", "\\}", "'", "&", "\\\\"]
)
_MATH = st.recursive(
    st.lists(_ATOM, max_size=6).map("".join),
    lambda inner: st.tuples(st.sampled_from(["{%s}", "x^{%s}", "\\frac{%s}{2}", "\\sqrt{%s}", "\\text{%s}"]), inner).map(
        lambda pair: pair[0] % pair[1]
    ),
    max_leaves=8,
)
_DELIMITED = st.tuples(
    st.sampled_from([("$", "$"), ("$$", "$$"), ("\\(", "\\)"), ("\\[", "\\]")]),
    _MATH.filter(lambda math: math.strip() != ""),  # "$" + "" + "$" is an unclosed "$$"
).map(lambda pair: pair[0][0] + pair[1] + pair[0][1])
_BALANCED = st.lists(st.one_of(_TEXT, _DELIMITED), max_size=6).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_on_any_input(raw):
    assert isinstance(plain_text(raw), str)
    assert isinstance(display_text(raw), str)
    assert isinstance(tex_accents_to_unicode(raw), str)
    assert isinstance(unwrap(raw), str)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="$\\{}^_ab~`'-\n ", max_size=60))
def test_never_raises_on_tex_soup(raw):
    assert isinstance(plain_text(raw), str) and isinstance(display_text(raw), str)


@settings(max_examples=400, deadline=None)
@given(_BALANCED)
def test_balanced_math_leaves_no_dollar_in_plain_text(raw):
    assert "$" not in plain_text(raw)


@settings(max_examples=200, deadline=None)
@given(_BALANCED)
def test_display_keeps_every_math_span(raw):
    shown = display_text(raw)
    for piece in raw.split(" "):
        if piece.startswith(("$", "\\(", "\\[")) and piece.strip():
            assert piece in shown


# ----------------------------------------------------------- corpus sweep


@pytest.fixture(scope="module")
def cs_texts() -> list[str]:
    path = paths.shared_dir() / "data" / "arxiv-cs-2025-2026.jsonl.gz"
    if not path.is_file():
        pytest.fail(f"shared corpus missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts.append(record["title"])
            texts.append(record["summary"])
    return texts


def test_corpus_sweep(cs_texts):
    """Every title and abstract of the CS corpus: no crash, no leftover TeX in the text parts."""
    assert len(cs_texts) == 2 * 74728
    leftovers = []
    for raw in cs_texts:
        shown, plain = display_text(raw), plain_text(raw)
        if "\n" in shown.replace("\n\n", "") or "  " in shown:
            leftovers.append(("whitespace", raw))
        if "\\" in plain:
            leftovers.append(("backslash", raw))
    # A handful of abstracts spell a backslash on purpose ("\textbackslash boxed").
    assert len(leftovers) < 5, leftovers[:5]
