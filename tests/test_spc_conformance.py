"""Every dataset of the NHS Making Data Count team's SPC test data, with the settings their test document
gives it, point by point: each point's class must be the colour their Single Chart Tool v5.0 shows.

Source and licence: tests/data/README.md. Settings not in the CSV come from SPC-Charts-XmR-Testing.md:
high is good unless the name says otherwise, shift and trend at 6 points; "Recalculations - Recalculated"
and the three "crossing recalculations" charts recalculate from point 16 (their second table starts there);
"Baselines - Recalculated" fixes the limits from the first 15 points, with the same recalculation also set,
which the document says the baseline overrides.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from lacperf_helpers.trend import spc
from lacperf_helpers.trend.spc import SpcRules

DATA = Path(__file__).parent / "data" / "mdc-spc-tests"
COLOURS = {"grey": spc.GREY, "blue": spc.BLUE, "orange": spc.ORANGE, "purple": spc.PURPLE}
RECALCULATED_AT = 16  # the first point of the new segment, counting from 1
CHECKED: Counter[str] = Counter()
# Points where lacperf differs from the tool, each with why. The document explains every other coloured point
# of "Special cause conflict - High is good" ("p1 to p2 ... single points above the upper process limit, p3 to
# p4 ... above the upper two-sigma line and p8 to p14 ... an increasing trend"), but the tool also colours p15
# (27, after 36) blue, and no rule it describes flags that point: it is 4th of 4 above the mean, the only one
# of p13-p15 beyond two sigma is p14, and it falls from p14. With the same flags and low is good, the tool shows
# p15 grey. lacperf shows it as common cause, as NHSRplotthedots would (its rules are the same four).
EXCEPTIONS = {
    ("Special cause conflict - High is good", 15): spc.GREY
}  # read by conftest's summary: datasets and points checked and agreeing


def datasets() -> dict[str, list[tuple[float, str]]]:
    """Each named dataset's points in date order. One row of "High is good 2" is misspelt "High is good2" in
    the CSV; its dates place it as the 14th of that dataset's 18 points, so names are read with the space."""
    found: dict[str, list[tuple[str, float, str]]] = {}
    with (DATA / "test-data.csv").open(encoding="utf-8-sig", newline="") as file:
        for row in csv.DictReader(file):
            name = re.sub(r"(?<=good)(\d)$", r" \1", row["Metric"].strip())
            day, month, year = row["Date"].split("/")
            found.setdefault(name, []).append((f"{year}-{month}-{day}", float(row["Value"]), row["Colour"]))
    return {name: [(v, c) for _, v, c in sorted(points)] for name, points in found.items()}


DATASETS = datasets()


def direction(name: str) -> spc.Direction:
    lowered = name.lower()
    return "L" if "low is good" in lowered else "N" if "neither" in lowered else "H"


def chart(name: str, values: list[float], target: float = np.nan) -> spc.SpcResult:
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]  # one point a month
    recalculated = name == "Recalculations - Recalculated" or "crossing recalculations" in name
    baseline = 15 if name == "Baselines - Recalculated" else None
    change_points = [months[RECALCULATED_AT - 1]] if recalculated or baseline else []
    return spc.xmr_chart(
        months, np.array(values), target, direction(name), SpcRules(), change_points, baseline_points=baseline
    )


def test_the_test_data_is_all_there() -> None:
    assert len(DATASETS) == 35
    assert len(DATASETS["Summary icons - variation - High is good 2"]) == 18
    assert sum(len(points) for points in DATASETS.values()) == 765


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_point_is_classed_as_the_mdc_tool_colours_it(name: str) -> None:
    values, colours = zip(*DATASETS[name], strict=True)
    result = chart(name, list(values))
    expected = [COLOURS[c] for c in colours]
    got = result.points["point_class"].tolist()
    agreeing = sum(e == g for e, g in zip(expected, got, strict=True))
    CHECKED.update(datasets=1, points=len(expected), points_agreeing=agreeing, datasets_agreeing=int(got == expected))
    for (dataset, point), ours in EXCEPTIONS.items():
        if dataset == name:
            assert got[point - 1] == ours and expected[point - 1] != ours, "a documented exception no longer holds"
            expected[point - 1] = ours
    wrong = [
        f"p{i + 1} {values[i]:g}: {g}, MDC {e}" for i, (e, g) in enumerate(zip(expected, got, strict=True)) if e != g
    ]
    assert not wrong, f"{name}: " + "; ".join(wrong)


def test_process_limits_as_the_document_works_them_out() -> None:
    # "Process limits - 15": mean 23.20, mean moving range 5.43, upper 37.64, lower 8.76 (the document's figures)
    values = [v for v, _ in DATASETS["Process limits - 15"]]
    limits = chart("Process limits - 15", values).limits
    assert limits is not None
    assert (round(limits.mean, 2), round(limits.mean_moving_range, 2)) == (23.20, 5.43)
    assert (round(limits.upper, 2), round(limits.lower, 2)) == (37.64, 8.76)


@pytest.mark.parametrize(("name", "points"), [("Number of points - 12", 12), ("Process limits - 10", 10)])
def test_twelve_points_or_fewer_have_no_limits_and_no_icons(name: str, points: int) -> None:
    result = chart(name, [v for v, _ in DATASETS[name]], target=25)
    assert len(result.points) == points
    assert (result.limits, result.variation, result.assurance) == (None, spc.TOO_FEW_POINTS, spc.TOO_FEW_POINTS)
    assert result.points["mean"].isna().all()


def test_thirteen_points_have_limits() -> None:
    result = chart("Number of points - 13", [v for v, _ in DATASETS["Number of points - 13"]])
    assert result.limits is not None and result.variation == spc.COMMON_CAUSE


# "Summary icons - variation": the icon follows the last point, high or low.
@pytest.mark.parametrize(
    ("name", "icon"),
    [
        ("Summary icons - variation - High is good", spc.SPECIAL_IMPROVING),  # last point 45, above the limit
        ("Summary icons - variation - Low is good", spc.SPECIAL_CONCERNING),
        ("Summary icons - variation - High is good 2", spc.COMMON_CAUSE),  # last point 25
        ("Summary icons - variation - High is good 3", spc.SPECIAL_CONCERNING),  # last point 5, below the limit
        ("Summary icons - variation - Low is good 3", spc.SPECIAL_IMPROVING),
        ("Summary icons - variation - Neither", spc.SPECIAL_HIGHER),
        ("Summary icons - variation - Neither2", spc.COMMON_CAUSE),
        ("Summary icons - variation - Too few points", spc.TOO_FEW_POINTS),
    ],
)
def test_the_variation_icon_reads_the_last_point(name: str, icon: str) -> None:
    assert chart(name, [v for v, _ in DATASETS[name]]).variation == icon


# "Summary icons - assurance": the 30 points without recalculation have mean 755 / 30 = 25.17 and mean moving
# range 129 / 29 = 4.448, so limits 25.17 -/+ 11.83: 13.33 to 37.00. A target of 40 lies above them, 10 below,
# 30 between. With a recalculation at point 16 the latest limits are 455 / 15 = 30.33 -/+ 2.66 x 52 / 14, that
# is 20.45 to 40.21: 40 now lies between them, 20 below.
@pytest.mark.parametrize(
    ("direction_", "target", "recalculated", "icon"),
    [
        ("H", np.nan, False, spc.NO_TARGET),
        ("H", 40, False, spc.CONSISTENTLY_MISSED),
        ("H", 30, False, spc.HIT_AND_MISS),
        ("H", 10, False, spc.CONSISTENTLY_MET),
        ("L", 40, False, spc.CONSISTENTLY_MET),
        ("L", 30, False, spc.HIT_AND_MISS),
        ("L", 10, False, spc.CONSISTENTLY_MISSED),
        ("N", 40, False, spc.NO_TARGET),  # neither direction is better: no assurance icon, whatever the target
        ("H", 40, True, spc.HIT_AND_MISS),  # only the latest limits count
        ("H", 20, True, spc.CONSISTENTLY_MET),
    ],
)
def test_the_assurance_icon_compares_the_target_with_the_latest_limits(
    direction_: spc.Direction, target: float, recalculated: bool, icon: str
) -> None:
    values = np.array([v for v, _ in DATASETS["Summary icons - assurance - high is good"]])
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    change_points = [months[RECALCULATED_AT - 1]] if recalculated else []
    result = spc.xmr_chart(months, values, target, direction_, SpcRules(), change_points)
    assert result.limits is not None
    expected_limits = (20.45, 40.21) if recalculated else (13.33, 37.0)
    assert (round(result.limits.lower, 2), round(result.limits.upper, 2)) == expected_limits
    assert result.assurance == icon


def test_a_gap_is_skipped_as_the_document_asks() -> None:
    # "If a date has no value ... the dates in the table must be manually entered to ensure empty dates are
    # skipped": a missing value leaves the moving ranges and every verdict as if the date were not there.
    values = [v for v, _ in DATASETS["Special cause - shift - middle"]]
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values) + 1)]
    with_gap = np.array([*values[:10], np.nan, *values[10:]])
    gapped = spc.xmr_chart(months, with_gap, np.nan, "H", SpcRules(), [])
    plain = chart("Special cause - shift - middle", values)
    assert gapped.limits == plain.limits
    kept = gapped.points.drop(index=10)["point_class"].tolist()
    assert kept == plain.points["point_class"].tolist()
    assert gapped.points.at[10, "point_class"] == spc.GREY


def test_an_excluded_point_is_shown_but_takes_no_part() -> None:
    # Ghosting is not in the MDC tool; lacperf's excluded point behaves as a gap in the arithmetic and keeps
    # its place on the chart (NHSRplotthedots has no ghosting either, so this follows the gap rule above).
    values = [v for v, _ in DATASETS["Special cause - single point - middle"]]
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    result = spc.xmr_chart(months, np.array(values), np.nan, "H", SpcRules(), [], excluded=[months[3]])
    kept = np.delete(np.array(values), 3)
    assert result.limits == spc.xmr_limits(kept)
    assert bool(result.points.at[3, "excluded"]) and result.points.at[3, "point_class"] == spc.GREY
