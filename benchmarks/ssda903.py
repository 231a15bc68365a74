"""Benchmark: every SSDA903 measure x cohort x breakdown for 60 month ends.

    .venv/bin/python benchmarks/ssda903.py [--children 2000] [--national 100000]

Builds a synthetic authority (2,000 children looked after, 10 years of episodes) and, unless
--national 0, a national-size one (100,000), then times `measure_tables` for 60 month ends on one core
(each month's rows are found on their own, then added up a few months at a time).
Targets (issue #28): the authority in under 2 s; the national size in at most 10 s and 640 MiB peak memory.
Prints both.
"""

from __future__ import annotations

import argparse
import resource
import time

from lacperf_helpers.config.periods import shift_month
from lacperf_helpers.config.vocabulary import UNNAMED_AUTHORITY
from lacperf_helpers.ingest.ssda903 import Ssda903
from lacperf_helpers.ingest.synthetic import synthetic_903
from lacperf_helpers.measures.registry import measure_tables

PEAK_MIB = 640  # the national size's peak memory (the process's, so the synthetic data's too)


def time_months(data: Ssda903, months: int) -> tuple[float, float]:
    """Seconds taken, and seconds of this process's CPU (on a shared machine, the first counts others' work)."""
    started, used = time.perf_counter(), time.process_time()
    measure_tables(data, [shift_month("2019-12", -i) for i in range(months)], UNNAMED_AUTHORITY)
    return time.perf_counter() - started, time.process_time() - used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--national", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=60)
    args = parser.parse_args()
    for label, size, target in (("authority", args.children, 2.0), ("national", args.national, 10.0)):
        if size <= 0:
            continue
        data = synthetic_903(size)
        seconds, cpu = time_months(data, args.months)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        verdict = "met" if (seconds <= target if label == "national" else seconds < target) else "missed"
        memory = "" if label == "authority" else f" (target {PEAK_MIB} MiB: {'met' if peak <= PEAK_MIB else 'missed'})"
        print(f"{label:10} {size:>7} children, {len(data.tables['episodes']):>7} episodes: {args.months} month ends "
              f"in {seconds:6.1f} s (CPU {cpu:.1f} s; target {target:.0f} s: {verdict}), "
              f"peak {peak:.0f} MiB{memory}")  # fmt: skip


if __name__ == "__main__":
    main()
