"""The coercion helpers every JSON parser reads outside fields through (academichub.core.records)."""

from __future__ import annotations

from datetime import date

import pytest

from academichub.core.records import (as_dict, as_int, as_list, as_text, dicts, first_text, id_text, iso_day, squashed,
                                      texts)  # fmt: skip


@pytest.mark.parametrize(("value", "number"), [
    (12, 12), (" -3 ", -3), ("+4", 4), ("12", 12), (True, None), (1.5, None), ("1.5", None), ("", None),
    ("²", None), ("١٢", None), ("9" * 5000, None), ("1_000", None), (None, None), ([1], None), ("-", None),
])
def test_as_int(value, number):
    assert as_int(value) == number


def test_text_helpers_turn_other_types_into_empty_text():
    for odd in (None, 5, 1.5, True, [], ["x"], {"a": 1}):
        assert as_text(odd) == squashed(odd) == ""
    assert as_list("abc") == [] and as_list({"a": 1}) == [] and as_list([1, None]) == [1, None]
    assert as_text("  a b ") == "a b" and squashed(" a \n\t b ") == "a b"
    assert first_text([None, " ", 3, " T "]) == "T" and first_text("T") == "T" and first_text({"a": 1}) == ""
    assert texts(["a", None, " ", 5, " b "]) == ["a", "b"] and texts("ab") == []
    assert as_dict([1]) == {} and dicts([{"a": 1}, 2, None, [3]]) == [{"a": 1}] and dicts({"a": 1}) == []
    assert (id_text(2741809807), id_text(" 7 "), id_text(True), id_text(1.5)) == ("2741809807", "7", "", "")


@pytest.mark.parametrize(("value", "day"), [
    ("2026-06-29", date(2026, 6, 29)), ("2026-06-29T13:25:38Z", date(2026, 6, 29)), ("2026-13-45", None),
    ("", None), (2026, None), (None, None), (["2026-06-29"], None),
])
def test_iso_day(value, day):
    assert iso_day(value) == day
