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
