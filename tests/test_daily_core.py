"""Pure logic of the daily page: the trending formula (fixed clock), TL;DRs, organisations, identifiers, periods."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from academichub.core import orgs, tldr, trending
from academichub.core.submissions import Identifier, announcement_day, parse_identifier
from academichub.daily import periods

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)  # a Wednesday, noon UTC


# -- trending -----------------------------------------------------------------------------


def test_score_is_points_over_age_plus_two_to_the_gravity():
    day = date(2026, 7, 1)  # announced today: 12 hours old at NOW
    assert trending.age_hours(day, NOW) == 12.0
    assert trending.score(10, day, NOW) == pytest.approx(10 / (12 + 2) ** 1.8)
    assert trending.score(10, date(2026, 6, 30), NOW) == pytest.approx(10 / (36 + 2) ** 1.8)


def test_no_points_or_no_day_scores_zero():
    assert trending.score(0, date(2026, 7, 1), NOW) == 0.0
    assert trending.score(5, None, NOW) == 0.0


def test_older_papers_need_more_votes_and_fresh_ones_overtake():
    today, last_week = date(2026, 7, 1), date(2026, 6, 26)
    assert trending.score(3, today, NOW) > trending.score(30, last_week, NOW)
    assert trending.score(30, today, NOW) > trending.score(3, today, NOW)
    # the same paper falls as the clock advances
    scores = [trending.score(10, today, NOW + timedelta(hours=h)) for h in range(0, 100, 10)]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_papers_fall_off_after_the_window():
    formula = trending.Formula(window_days=7)
    assert formula.window_start(NOW) == date(2026, 6, 25)
    assert trending.score(100, date(2026, 6, 25), NOW, formula) > 0  # 6.5 days old: still in
    assert trending.score(100, date(2026, 6, 24), NOW, formula) == 0.0  # 7.5 days old: out
    assert trending.score(100, date(2026, 6, 25), NOW + timedelta(hours=12), formula) == 0.0  # exactly 7 days


def test_future_days_and_naive_clocks():
    assert trending.age_hours(date(2026, 7, 2), NOW) == 0.0
    assert trending.score(1, date(2026, 7, 1), NOW.replace(tzinfo=None)) == trending.score(1, date(2026, 7, 1), NOW)
    assert trending.score(4, date(2026, 7, 1), NOW, trending.Formula(gravity=1.0)) == pytest.approx(4 / 14)


# -- TL;DR ----------------------------------------------------------------------------------

ABSTRACT = (
    "Multimodal agents, which integrate a controller (e.g. a vision language model) with external tools, "
    "have demonstrated remarkable capabilities. Existing approaches depend on 3.5 million annotated pairs. "
    "In this paper, we propose an iterative tool usage exploration method for multimodal agents, namely SPORT. "
    "Evaluation in the GTA and GAIA benchmarks shows gains of 6.41%."
)


def test_tldr_is_the_contribution_sentence():
    assert tldr.extract(ABSTRACT) == ("In this paper, we propose an iterative tool usage exploration method for "
                                      "multimodal agents, namely SPORT.")  # fmt: skip


def test_sentences_do_not_split_after_abbreviations_or_in_numbers():
    found = tldr.sentences(ABSTRACT)
    assert len(found) == 4 and found[0].endswith("remarkable capabilities.") and "3.5 million" in found[1]


def test_tldr_falls_back_to_the_first_sentence_and_shortens_safely():
    assert tldr.extract("Graphs are studied. They are nice.") == "Graphs are studied."
    long = "We show that " + "the bound $O(n \\log n)$ holds " * 20 + "always."
    short = tldr.extract(long, limit=100)
    assert len(short) <= 101 and short.endswith("…") and short.count("$") % 2 == 0
    assert tldr.extract("") == "" and tldr.extract("   ") == ""


# -- organisations --------------------------------------------------------------------------


@pytest.mark.parametrize("affiliation, expected", [
    ("DIA, Università di Trieste, 34127 Trieste, Italy", "Università di Trieste"),
    ("Department of Computer Science, Tsinghua University, Beijing 100084, China", "Tsinghua University"),
    ("Google DeepMind", "Google DeepMind"),
    ("Some Place, 12345 Town", "Some Place"),
    ("", ""),
])  # fmt: skip
def test_organisation_from_an_affiliation(affiliation, expected):
    assert orgs.organisation_name(affiliation) == expected


def test_slugs_are_ascii_and_never_empty():
    assert orgs.slug("Università di Trieste") == "universita-di-trieste"
    assert orgs.slug("清华大学").startswith("org-") and orgs.slug("清华大学") != orgs.slug("北京大学")


# -- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("2506.01234", Identifier("arxiv", "2506.01234")),
    ("arXiv:2506.01234v3", Identifier("arxiv", "2506.01234")),
    ("https://arxiv.org/abs/2506.01234v2", Identifier("arxiv", "2506.01234")),
    ("https://arxiv.org/pdf/2506.01234", Identifier("arxiv", "2506.01234")),
    ("hep-th/9901001", Identifier("arxiv", "hep-th/9901001")),
    ("10.1155/2018/3804742", Identifier("doi", "10.1155/2018/3804742")),
    ("https://doi.org/10.1155/2018/3804742", Identifier("doi", "10.1155/2018/3804742")),
    ("doi:10.48550/arXiv.2506.01234", Identifier("arxiv", "2506.01234")),
    ("not an id", None), ("", None), ("<script>", None),
])  # fmt: skip
def test_parse_identifier(text, expected):
    assert parse_identifier(text) == expected


def test_announcement_day_is_the_next_weekday():
    assert announcement_day(date(2026, 6, 29), date(2026, 7, 1)) == date(2026, 6, 30)  # Mon -> Tue
    assert announcement_day(date(2026, 7, 3), date(2026, 7, 5)) == date(2026, 7, 6)  # Fri -> Mon
    assert announcement_day(date(2026, 7, 4), date(2026, 7, 5)) == date(2026, 7, 6)  # Sat -> Mon
    assert announcement_day(None, date(2026, 7, 5)) == date(2026, 7, 5)


# -- periods ----------------------------------------------------------------------------------


def test_periods_parse_step_and_name_themselves():
    week = periods.parse("week", "2026-W27")
    assert (week.start, week.end, week.slug) == (date(2026, 6, 29), date(2026, 7, 5), "2026-W27")
    assert week.previous().slug == "2026-W26" and week.next().slug == "2026-W28"
    month = periods.parse("month", "2026-02")
    assert (month.start, month.end, month.days()) == (date(2026, 2, 1), date(2026, 2, 28), 28)
    assert month.previous().slug == "2026-01" and periods.parse("month", "2025-12").next().slug == "2026-01"
    assert periods.parse("day", "2026-06-30").next().start == date(2026, 7, 1)
    for kind, text in [("day", "2026-6-3"), ("day", "tomorrow"), ("week", "2026-W54"), ("month", "2026-13"),
                       ("month", "June")]:  # fmt: skip
        with pytest.raises(ValueError):
            periods.parse(kind, text)


def test_month_grid_starts_on_monday():
    grid = periods.month_grid(2026, 6)
    assert grid[0][0] == date(2026, 6, 1)  # June 2026 begins on a Monday
    assert all(len(week) == 7 for week in grid) and grid[-1][2] is None
