"""Fuzz every parser of outside input: ≥ 100,000 mutated inputs each.

    .venv/bin/python bench/fuzz.py [--count 100000] [--seed 1] [--target arxiv_rss ...]

Inputs are mutations of the real recorded responses (tests/fuzzing.py). A crash
is any exception other than the parser's documented clear error. Prints a
table, the first crash of each target, and one line:
RESULT inputs=… crashes=… targets=… seconds=…
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", action="append")
    args = parser.parse_args()
    _django.setup()
    from tests import fuzzing

    started = time.perf_counter()
    total_inputs = total_crashes = 0
    print(f"{'target':<16}{'inputs':>10}{'clear errors':>14}{'crashes':>9}{'seconds':>9}")
    reports = []
    for target in fuzzing.targets():
        if args.target and target.name not in args.target:
            continue
        began = time.perf_counter()
        report = fuzzing.run(target, args.count, args.seed)
        reports.append(report)
        total_inputs += report.inputs
        total_crashes += len(report.crashes)
        print(f"{report.target:<16}{report.inputs:>10}{report.clear_errors:>14}{len(report.crashes):>9}"
              f"{time.perf_counter() - began:>9.1f}", flush=True)  # fmt: skip
    for report in reports:
        if report.crashes:
            index, trace = report.crashes[0]
            print(f"\nfirst crash of {report.target} (input #{index}, seed {args.seed}):\n{trace}")
    print(f"RESULT inputs={total_inputs} crashes={total_crashes} targets={len(reports)} "
          f"seconds={time.perf_counter() - started:.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
