"""XmR limits and every special-cause rule on series built by hand; the arithmetic is beside each."""

import numpy as np
import pandas as pd
import pytest

from lacperf_helpers.trend import spc
from lacperf_helpers.trend.spc import SpcRules

MONTHS = [f"2018-{m:02d}" for m in range(10, 13)] + [f"2019-{m:02d}" for m in range(1, 10)]  # 12 months
ALTERNATING = np.array([10.0, 11.0] * 6)
# The hand-worked series below have 12 points and shifts of 7: the MDC defaults (13 points, runs of 6) are
# tested on the MDC team's own data in test_spc_conformance.py.
RULES = SpcRules(min_points=12, shift_run=7)


def test_limits_are_mean_plus_minus_2_66_mean_moving_ranges() -> None:
    limits = spc.xmr_limits(np.array([10.0, 12.0, 11.0, 13.0, 12.0]))
    # mean 58 / 5 = 11.6; moving ranges 2, 1, 2, 1: mean 1.5; 2.66 x 1.5 = 3.99
    assert limits.mean == pytest.approx(11.6)
    assert limits.mean_moving_range == pytest.approx(1.5)
    assert (limits.lower, limits.upper) == (pytest.approx(7.61), pytest.approx(15.59))


def flagged(values: list[float]) -> dict[str, list[int]]:
    array = np.array(values)
    limits = spc.xmr_limits(array)
    lines = [np.full(len(array), x) for x in (limits.mean, limits.lower, limits.upper, limits.two_sigma)]
    flags = spc.special_causes(array, *lines, RULES)
    return {rule: [int(i) for i in np.flatnonzero(flags[rule].to_numpy())] for rule in spc.RULES}


def test_no_rule_fires_on_common_cause_variation() -> None:
    # mean 10.5, mean moving range 1: limits 7.84 to 13.16, two sigma 1.77 from the mean
    assert flagged(list(ALTERNATING)) == {rule: [] for rule in spc.RULES}


def test_a_point_outside_the_limits() -> None:
    # mean 156 / 12 = 13.0; moving ranges sum 36, mean 3.27; upper limit 13 + 8.71 = 21.71 < 30
    values = [10, 12, 11, 13, 12, 10, 12, 11, 13, 12, 10, 30]
    assert flagged(values) == {"outside_limits": [11], "two_of_three": [], "shift": [], "trend": []}


def test_a_shift_of_seven_points_above_the_mean() -> None:
    # mean 127 / 12 = 10.58: five points below, then seven above; limits 7.68 to 13.49, two sigma 1.93
    values = [9, 10, 9, 10, 9, 11, 12, 11, 12, 11, 12, 11]
    assert flagged(values) == {"outside_limits": [], "two_of_three": [], "shift": [5, 6, 7, 8, 9, 10, 11], "trend": []}


def test_six_points_in_a_row_rising() -> None:
    # the last six rise by 0.2 each; mean 10.5, limits 8.81 to 12.19, two sigma 1.13
    values = [10, 11, 10, 11, 10, 11, 10, 10.2, 10.4, 10.6, 10.8, 11]
    assert flagged(values) == {"outside_limits": [], "two_of_three": [], "shift": [], "trend": [6, 7, 8, 9, 10, 11]}


def test_five_rising_points_are_not_a_trend() -> None:
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10.2, 10.4, 10.6, 10.8]
    assert flagged(values)["trend"] == []


def test_two_of_three_beyond_two_sigma() -> None:
    # mean 130.3 / 12 = 10.86; mean moving range 10.7 / 11 = 0.97; two sigma 1.72: beyond 12.58
    # upper limit 13.45, so 12.6 and 12.7 are near the limit but inside it
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 12.6, 12.7]
    assert flagged(values) == {"outside_limits": [], "two_of_three": [10, 11], "shift": [], "trend": []}


@pytest.mark.parametrize(
    ("values", "polarity", "expected"),
    [
        ([9, 10, 9, 10, 9, 11, 12, 11, 12, 11, 12, 11], "H", spc.SPECIAL_IMPROVING),  # shift upwards
        ([9, 10, 9, 10, 9, 11, 12, 11, 12, 11, 12, 11], "L", spc.SPECIAL_CONCERNING),
        ([10, 12, 11, 13, 12, 10, 12, 11, 13, 12, 10, 30], "L", spc.SPECIAL_CONCERNING),
        (list(ALTERNATING), "H", spc.COMMON_CAUSE),
    ],
)
def test_variation_verdict_reads_the_latest_point(values: list[float], polarity: str, expected: str) -> None:
    result = spc.xmr_chart(MONTHS, np.array(values, dtype=float), 10.0, polarity, RULES, [])
    assert result.variation == expected


@pytest.mark.parametrize(
    ("target", "polarity", "expected"),
    [
        (7.0, "H", spc.CONSISTENTLY_MET),  # limits 7.84 to 13.16 all at or above 7
        (14.0, "H", spc.CONSISTENTLY_MISSED),  # all below 14
        (10.0, "H", spc.HIT_AND_MISS),
        (14.0, "L", spc.CONSISTENTLY_MET),
        (7.0, "L", spc.CONSISTENTLY_MISSED),
        (float("nan"), "H", spc.NO_TARGET),
    ],
)
def test_assurance_against_the_target(target: float, polarity: str, expected: str) -> None:
    assert spc.assurance(spc.xmr_limits(ALTERNATING), target, polarity) == expected


def test_too_few_points_gives_no_verdict() -> None:
    result = spc.xmr_chart(MONTHS[:11], ALTERNATING[:11], 10.0, "H", RULES, [])
    assert (result.variation, result.assurance, result.limits) == ("Too few points", "Too few points", None)


def test_limits_are_recalculated_after_a_change_point() -> None:
    values = np.array([10.0, 11.0] * 3 + [20.0, 21.0] * 3)
    result = spc.xmr_chart(MONTHS, values, 15.0, "H", SpcRules(min_points=6), ["2019-04"])
    assert result.points["segment"].tolist() == [0] * 6 + [1] * 6
    assert result.limits is not None
    limits = result.limits
    assert (limits.mean, limits.mean_moving_range) == (20.5, 1.0)
    assert (limits.lower, limits.upper) == (pytest.approx(20.5 - 2.66), pytest.approx(20.5 + 2.66))
    assert result.points["mean"].tolist() == [10.5] * 6 + [20.5] * 6
    assert result.assurance == spc.CONSISTENTLY_MET  # the new process sits wholly above 15


def test_limits_are_held_to_what_a_percentage_can_be() -> None:
    values = np.array([96.0, 100.0] * 6)  # mean 98, mean moving range 4: raw limits 87.36 to 108.64
    result = spc.xmr_chart(MONTHS, values, 95.0, "H", RULES, [], bounds=(0.0, 100.0))
    assert result.limits is not None
    assert (result.limits.lower, result.limits.upper) == (pytest.approx(87.36), 100.0)
    assert result.variation == spc.COMMON_CAUSE


def test_assurance_reads_the_limits_as_calculated_not_as_drawn() -> None:
    # A percentage, lower better, target 100: 90.4 and 94.2 in turn, mean 92.3, moving range 3.8 each time, limits
    # 92.3 -/+ 2.66 x 3.8 = 82.19 to 102.41. Drawn, the upper is held at 100; but the process can pass 100, so the
    # target is within its limits: hit and miss, not consistently met
    values = np.array([90.4, 94.2] * 6)
    result = spc.xmr_chart(MONTHS, values, 100.0, "L", RULES, [], bounds=(0.0, 100.0))
    assert (result.limits.lower, result.limits.upper) == (pytest.approx(82.192), 100.0)  # type: ignore[union-attr]
    assert result.points["upper_limit"].iloc[0] == 100.0
    assert result.assurance == spc.HIT_AND_MISS
    # higher better, target 80: the lower limit as calculated (82.19) is above it, bounds or not
    assert spc.xmr_chart(MONTHS, values, 80.0, "H", RULES, [], bounds=(0.0, 100.0)).assurance == spc.CONSISTENTLY_MET


def test_charts_points_made_together_are_each_charts_own() -> None:
    """A page's charts' points are made into one frame and cut up again (trend.series): the frame of two charts is
    the first chart's points then the second's, column for column and type for type."""
    months = [f"2018-{m:02d}" for m in range(1, 13)] + [f"2019-{m:02d}" for m in range(1, 4)]
    rising = spc.xmr_chart(months, np.arange(15.0), 10.0, "H", RULES, [], excluded=["2018-02"])
    level = spc.xmr_chart(months[:3], np.array([5.0, 5.0, 9.0]), 10.0, "L", RULES, [])  # too few points: no limits
    together = spc.points_frame([rising.columns, level.columns])
    pd.testing.assert_frame_equal(together, pd.concat([rising.points, level.points], ignore_index=True))
    # 0 to 14, February left out: mean 104 / 14 = 7.43, mean moving range 14 / 13, upper limit 10.29; November (10)
    # is within it, December (11) the first beyond; both in a run above the mean and a trend up
    assert together["rules"].tolist()[10:12] == ["shift, trend", "outside_limits, shift, trend"]
    assert together["excluded"].tolist()[:2] == [False, True] and together["month"].tolist()[15:] == months[:3]
    assert together["point_class"].tolist()[15:] == [spc.GREY] * 3  # the second chart's: no limits, no signal
