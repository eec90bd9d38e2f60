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
