"""A short fuzz run of every parser on each CI (bench/fuzz.py runs ≥ 100,000 per parser)."""

from __future__ import annotations

import pytest

from tests import fuzzing

TARGETS = {target.name: target for target in fuzzing.targets()}


def test_every_target_has_real_seeds():
    assert all(target.seeds for target in TARGETS.values()), [n for n, t in TARGETS.items() if not t.seeds]


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_parser_survives_mutated_input(name):
    report = fuzzing.run(TARGETS[name], count=400, seed=20261201)
    assert report.inputs == 400
    assert report.crashes == [], f"{name}: {len(report.crashes)} crashes; first:\n{report.crashes[0][1]}"


def test_a_result_of_the_wrong_type_is_a_crash():
    """Surviving is not enough: a list in ``title`` would only crash later, in storage or a template."""
    from academichub.core.records import PaperRecord, Version

    def parse(data: bytes):
        return [PaperRecord(title="ok"), PaperRecord(title=[data[:1]], versions=[Version(1, "2025")])]

    report = fuzzing.run(fuzzing.Target("typed", parse, [b"x"], ()), count=3)
    assert len(report.crashes) == 3 and "result[1].title is list" in report.crashes[0][1]
    fuzzing.check_output([PaperRecord(title="ok", versions=[Version(2, None)], source_ids={"pmid": "1"})])
