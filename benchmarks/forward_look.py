"""How long the forward look takes (measures/forward_look.py): every timescale rule for every child of a List 8,
for the next month end and 4 and 8 weeks ahead, by area and team. Prints its figures; times nothing in tests.

    .venv/bin/python benchmarks/forward_look.py --children 100000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from lacperf_helpers.measures.forward_look import falling_due, horizons

AT = pd.Timestamp("2024-01-31")
DATES = (
    "Date Started to be Looked After", "Date of Latest Statutory Review", "Date of Last Social Work Visit",
    "Date of Last Health Assessment", "Date of Last Dental Check", "Start Date of Most Recent Placement",
)  # fmt: skip


def synthetic_list8(children: int, seed: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """Made-up children: dates before the month end, teams and areas at random (no real child)."""
    rng = np.random.default_rng(seed)
    days = lambda most: AT - pd.to_timedelta(rng.integers(0, most, children), unit="D")  # noqa: E731
    frame = pd.DataFrame({
        "Child Unique ID": [f"S{i:07d}" for i in range(children)],
        "Date of Birth": days(6500),
        "Date Started to be Looked After": days(3000),
        "Date Ceased to be Looked After": pd.NaT,
        "Date of Latest Statutory Review": days(250),
        "Date of Last Social Work Visit": days(60),
        "Date of Last Health Assessment": days(450),
        "Date of Last Dental Check": days(450),
        "Start Date of Most Recent Placement": days(1500),
        "Placement Type": pd.Series(rng.choice(["U4", "U6", "K2", "U1"], children), dtype="string"),
        "What is the permanence plan for this child?": pd.Series(pd.NA, index=range(children), dtype="string"),
        "Child's Legal Status": pd.Series(rng.choice(["C2", "V2", "E1"], children), dtype="string"),
        "Allocated Team": pd.Series(rng.choice([f"Team {i}" for i in range(40)], children), dtype="string"),
    })  # fmt: skip
    areas = pd.Series(rng.choice(["North", "South", "East", "West"], children))
    return frame, areas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    args = parser.parse_args()
    list8, areas = synthetic_list8(args.children)
    started = time.perf_counter()
    table = falling_due(list8, AT, horizons(AT, [4, 8]), areas=areas, authority="Authority", month="2024-01")
    took = time.perf_counter() - started
    print(f"forward look: {args.children:,} children, 3 dates ahead x 6 measures, {len(table):,} rows in {took:.2f} s")


if __name__ == "__main__":
    main()
