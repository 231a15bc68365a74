"""Headline SSDA903 figures on two synthetic data sets written by others, against an independent reading.

tests/ssda903_reference.py reads the DfE's definitions child by child, apart from the registry; every headline
figure (each measure's count, or numerator and denominator, for every child in the authority) must agree at
each month end. `make test` prints how many were checked.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lacperf_helpers.config.periods import month_end
from lacperf_helpers.config.vocabulary import UNNAMED_AUTHORITY
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.measures.registry import MEASURES, measure_tables
from tests import ssda903_reference as reference

DATA = Path(__file__).parent / "data"
SETS = {
    "the DfE validator's fake tables": (DATA / "903-validator-fake", [f"2017-{m:02d}" for m in range(9, 13)]
                                        + ["2018-01", "2018-02", "2018-03"]),
    "csc-data-synthesizer's census": (DATA / "csc-data-synthesizer", ["2019-11", "2019-12", "2020-01", "2020-02",
                                                                      "2020-03"]),
}  # fmt: skip
CHECKED: dict[str, dict[str, int]] = {}  # data set -> month ends, figures, agreeing (for conftest's summary)


@pytest.mark.parametrize("name", list(SETS))
def test_headline_figures_agree_with_an_independent_reading(name: str) -> None:
    folder, months = SETS[name]
    table = measure_tables(load_903(folder), months, UNNAMED_AUTHORITY, cohorts=None, breakdowns=[])
    headline = table.loc[
        (table["area"] == UNNAMED_AUTHORITY) & (table["cohort"] == "all") & (table["breakdown"] == "total")
    ]
    ours = headline.set_index(["month", "measure"])[["numerator", "denominator"]]
    theirs = reference.read(folder)
    differ = []
    count = agreeing = 0
    for month in months:
        expected = reference.figures(theirs, pd.Timestamp(month_end(month)).date())
        for measure, (numerator, denominator) in expected.items():
            got = ours.loc[(month, measure)] if (month, measure) in ours.index else None
            found = None if got is None else (
                int(got["numerator"]), None if pd.isna(got["denominator"]) else int(got["denominator"])
            )  # fmt: skip
            count += 1
            if found == (numerator, denominator):
                agreeing += 1
            else:
                differ.append(f"{month} {measure}: lacperf {found}, the reference {(numerator, denominator)}")
    CHECKED[name] = {"months": len(months), "figures": count, "agreeing": agreeing}
    assert set(MEASURES) <= set(expected)  # every measure is read independently
    assert differ == [], "\n".join(differ)
