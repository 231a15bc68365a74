"""Fitted change, the Mann-Kendall test and the run of months, on series worked by hand."""

import math

import numpy as np
import pytest

from lacperf_helpers.trend import trend
from lacperf_helpers.trend.trend import TrendFit, TrendTest

MONTHS = [f"2019-{m:02d}" for m in range(1, 13)]


def test_least_squares_and_theil_sen_differ_where_one_month_is_odd() -> None:
    t, y = np.arange(5.0), np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    # least squares: sum (t - 2)(y - 4) = 20 over sum (t - 2)^2 = 10 -> 2.0
    assert trend.least_squares_slope(t, y) == pytest.approx(2.0)
    # pairwise slopes 1,1,1,1,1,1,2.25,2.67,3.5,6: median 1.0
    assert trend.theil_sen_slope(t, y) == pytest.approx(1.0)


def test_mann_kendall_p_values() -> None:
    # 1..6: S = 15, var = 6 x 5 x 17 / 18 = 28.33, z = 14 / 5.32 = 2.630, p = 0.00854
    assert trend.mann_kendall_p(np.arange(1.0, 7.0)) == pytest.approx(0.00854, abs=1e-5)
    # 1,1,2,2: S = 4, var = (156 - 36) / 18 = 6.67, z = 3 / 2.58 = 1.162, p = 0.245
    assert trend.mann_kendall_p(np.array([1.0, 1.0, 2.0, 2.0])) == pytest.approx(0.2453, abs=1e-4)
    assert trend.mann_kendall_p(np.array([5.0, 5.0, 5.0, 5.0])) == 1.0


def test_a_missing_month_leaves_a_gap_in_the_fit() -> None:
    fitted = trend.fit(["2019-01", "2019-02", "2019-04"], np.array([10.0, 11.0, 13.0]))
    assert fitted.slope_per_month == pytest.approx(1.0)
    assert fitted.theil_sen_slope == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("values", "polarity", "expected"),
    [
        (np.arange(12) * 0.5 + 70, "H", "Improving"),
        (np.arange(12) * 0.5 + 70, "L", "Deteriorating"),
        (np.array([70.0, 71.0] * 6), "H", "No clear change"),  # a wobble, not a trend
        (np.arange(5) * 0.5 + 70, "H", "Too few points"),
    ],
)
def test_verdicts(values: np.ndarray, polarity: str, expected: str) -> None:
    assert trend.verdict(trend.fit(MONTHS[: len(values)], values), polarity, TrendTest()) == expected


def test_a_trend_must_pass_the_stated_test() -> None:
    almost = TrendFit(points=12, slope_per_month=0.3, theil_sen_slope=0.3, p_value=0.06, mann_kendall_s=20)
    assert trend.verdict(almost, "H", TrendTest(alpha=0.05)) == "No clear change"
    assert trend.verdict(almost, "H", TrendTest(alpha=0.10)) == "Improving"


def test_the_direction_is_the_sign_of_s_even_where_ties_leave_the_slope_at_0() -> None:
    values = np.array([1.0] * 8 + [2.0] * 4)
    # 66 pairs: 8 x 4 = 32 rise, 34 are level, so the median pairwise slope (Theil-Sen) is 0; S = 32.
    # var = (12 x 11 x 29 - 8 x 7 x 21 - 4 x 3 x 13) / 18 = 2496 / 18 = 138.67; z = 31 / 11.776 = 2.632; p = 0.0085
    fitted = trend.fit(MONTHS, values)
    assert (fitted.theil_sen_slope, fitted.mann_kendall_s) == (0.0, 32.0)
    assert fitted.p_value == pytest.approx(0.0085, abs=1e-4)
    assert trend.verdict(fitted, "H", TrendTest()) == "Improving"
    assert trend.verdict(fitted, "L", TrendTest()) == "Deteriorating"


def test_since_when() -> None:
    months = ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06"]
    run = trend.current_run(months, np.array([23.0, 22.0, 23.0, 24.0, 25.5, 26.0]), "H", 1)
    assert (run.direction, run.since, run.since_value, run.length) == ("Improving", "2018-02", 22.0, 4)
    assert trend.since_when(run, "22.0%") == "month-on-month improvement since February 2018 when it was 22.0%"
    falling_is_good = trend.current_run(months, np.array([23.0, 22.0, 23.0, 24.0, 25.5, 26.0]), "L", 1)
    assert (falling_is_good.direction, falling_is_good.length) == ("Deteriorating", 4)


def test_a_change_too_small_to_show_or_a_missing_month_ends_the_run() -> None:
    same = trend.current_run(["2018-01", "2018-02", "2018-03"], np.array([20.0, 21.0, 21.04]), "H", 1)
    assert (same.direction, same.since, same.length) == ("No run", None, 0)
    assert math.isnan(same.since_value)
    gap = trend.current_run(["2018-01", "2018-02", "2018-04"], np.array([20.0, 21.0, 22.0]), "H", 1)
    assert (gap.direction, gap.length) == ("No run", 0)
    assert (
        trend.current_run(["2018-02", "2018-03", "2018-05", "2018-06"], np.array([1.0, 2.0, 3.0, 4.0]), "H", 0).length
        == 1
    )


# A one-month step (issue 29): a council's children in care, flat at about 1,389 for 23 months, then 1,544.
STEP_MONTHS = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]
FLAT = [1384, 1391, 1386, 1389, 1383, 1390, 1387, 1385, 1392, 1388, 1386, 1390,
        1385, 1389, 1387, 1391, 1386, 1390, 1388, 1392, 1389, 1391, 1389]  # fmt: skip


def test_a_one_month_step_is_found_and_a_spike_or_a_wobble_is_not() -> None:
    step = trend.find_step(STEP_MONTHS, np.array([*FLAT, 1544.0]), 13)
    # the largest change (155) is beyond 3.267 x the mean moving range (the other 22 are 2 to 7)
    assert step == trend.Step("2023-12", 155.0, 23, 23, "2022-01")
    assert trend.find_step(STEP_MONTHS, np.array([*FLAT, 1391.0]), 13) is None  # a wobble
    spike = np.array([*FLAT[:12], 1544.0, *FLAT[13:], 1389.0])  # up 155 and straight back: an odd month
    assert trend.find_step(STEP_MONTHS, spike, 13) is None
    assert trend.find_step(STEP_MONTHS[:12], np.array([*FLAT[:11], 1544.0]), 13) is None  # too few months to judge
    gap = [*STEP_MONTHS[:-2], "2023-12"]  # November missing: a change over two months is not a month's step
    assert trend.find_step(gap, np.array([*FLAT[:-1], 1544.0]), 13) is None


def test_a_step_is_not_a_steady_trend_and_leaves_the_months_before_it_unmarked() -> None:
    import pandas as pd

    from lacperf_helpers.config.definitions import KpiDefinition, TrendSettings
    from lacperf_helpers.trend import spc
    from lacperf_helpers.trend.series import analyse_series

    kpi = KpiDefinition(
        id="cic", title="Children in care", polarity="L", unit="number", target=1450, floor=1500, source="return"
    )
    one = pd.DataFrame({"month": STEP_MONTHS, "value": [*FLAT, 1544.0]})
    analysis = analyse_series(one, kpi, TrendSettings(), "2023-12")
    row = analysis.row
    # Mann-Kendall over the 12 months says "Deteriorating" (S = 30, p = 0.044): all of it is the step
    assert row.trend == trend.DETERIORATING and row.steady_trend == trend.NO_CLEAR_CHANGE
    assert (row.step_month, row.step_change) == ("2023-12", 155.0)
    points = analysis.points
    # the months before it are judged against their own mean (1,388.2), not one the step dragged up to 1,394.6,
    # where all 23 sat below it and read as an unusual improvement; the step is an unusual concern
    assert points["mean"].iloc[0] == pytest.approx(np.mean(FLAT))
    assert (points["special_cause"].iloc[:-1] == 0).all()
    assert row.variation == spc.SPECIAL_CONCERNING
    without = spc.xmr_chart(STEP_MONTHS, np.array([*FLAT, 1544.0]), 1450, "L", TrendSettings().spc, [])
    assert (without.points["special_cause"].iloc[:-1] != 0).sum() >= 6  # what the step did without the baseline
