"""Direction of travel over a set period: the fitted change, a stated test, and the run of months.

The test: Mann-Kendall (two-sided, no assumption about the shape of the change or the spread of the
figures). A trend is reported only where p < alpha (default 0.05) over at least `min_points` months,
so a wobble of one child is not sold as a trend; its direction is the sign of the test's statistic S
(even where many ties leave the Theil-Sen slope at 0). The size of the change is fitted two ways:
ordinary least squares, and Theil-Sen (the median of the slopes between every pair of months, which
one odd month cannot drag). The test and the slope agree with pymannkendall and scipy (tested).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from lacperf_helpers.config.definitions import TrendTest
from lacperf_helpers.config.periods import month_label, parse_month
from lacperf_helpers.config.vocabulary import TOO_FEW_POINTS

IMPROVING, DETERIORATING = "Improving", "Deteriorating"
NO_CLEAR_CHANGE = "No clear change"
NO_RUN = "No run"


@dataclass(frozen=True)
class TrendFit:
    points: int
    slope_per_month: float  # least squares
    theil_sen_slope: float  # robust
    p_value: float  # Mann-Kendall, two-sided
    mann_kendall_s: float = 0.0  # pairs rising less pairs falling: its sign is the trend's direction


def month_index(months: list[str]) -> np.ndarray:
    """Months as numbers one apart, so a missing month leaves a gap rather than closing it up."""
    return np.array([year * 12 + number for year, number in map(parse_month, months)], dtype=float)


def least_squares_slope(t: np.ndarray, y: np.ndarray) -> float:
    if len(y) < 2:
        return math.nan
    dt = t - t.mean()
    return float((dt * (y - y.mean())).sum() / (dt * dt).sum())


@functools.lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of n points (i < j), by position: the same few lengths come back for every KPI of every page."""
    i, j = np.triu_indices(n, k=1)
    i.setflags(write=False)
    j.setflags(write=False)
    return i, j


def theil_sen_slope(t: np.ndarray, y: np.ndarray) -> float:
    if len(y) < 2:
        return math.nan
    i, j = _pairs(len(y))
    return float(np.median((y[j] - y[i]) / (t[j] - t[i])))


def mann_kendall_s(y: np.ndarray) -> float:
    """The Mann-Kendall statistic S: over every pair of points, those rising less those falling."""
    i, j = _pairs(len(y))
    return float(np.sign(y[j] - y[i]).sum())


def mann_kendall_p(y: np.ndarray) -> float:
    """Two-sided p-value of the Mann-Kendall test (normal approximation, ties corrected)."""
    n = len(y)
    if n < 3:
        return math.nan
    s = mann_kendall_s(y)
    _, ties = np.unique(y, return_counts=True)
    variance = (n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())) / 18
    if variance <= 0:
        return 1.0
    z = (s - np.sign(s)) / math.sqrt(variance)  # continuity correction
    return math.erfc(abs(z) / math.sqrt(2))


def fit(months: list[str], values: np.ndarray) -> TrendFit:
    t = month_index(months)
    return TrendFit(
        len(values),
        least_squares_slope(t, values),
        theil_sen_slope(t, values),
        mann_kendall_p(values),
        mann_kendall_s(values),
    )


def verdict(trend: TrendFit, polarity: str, test: TrendTest) -> str:
    """Improving / Deteriorating only where the test finds a trend; otherwise No clear change."""
    if trend.points < test.min_points:
        return TOO_FEW_POINTS
    if math.isnan(trend.p_value) or trend.p_value >= test.alpha or trend.mann_kendall_s == 0:
        return NO_CLEAR_CHANGE
    rising = trend.mann_kendall_s > 0
    return IMPROVING if rising == (polarity == "H") else DETERIORATING


@dataclass(frozen=True)
class Run:
    direction: str  # Improving, Deteriorating or No run
    since: str | None  # the month the run started from ('YYYY-MM')
    since_value: float
    length: int  # month-on-month moves in the run


def current_run(months: list[str], values: np.ndarray, polarity: str, decimals: int) -> Run:
    """The run of consecutive month-on-month moves the same way up to the latest month.

    Moves are judged as printed (a change too small to show ends the run), and a missing month ends it.
    """
    shown = np.array([float(f"{v:.{decimals}f}") for v in values])
    t = month_index(months)
    better = 1 if polarity == "H" else -1
    latest_move = 0
    length = 0
    for k in range(len(shown) - 1, 0, -1):
        if t[k] - t[k - 1] != 1:
            break
        move = int(np.sign(shown[k] - shown[k - 1])) * better
        if move == 0 or (latest_move and move != latest_move):
            break
        latest_move, length = move, length + 1
    if length == 0:
        return Run(NO_RUN, None, math.nan, 0)
    start = len(shown) - 1 - length
    return Run(IMPROVING if latest_move > 0 else DETERIORATING, months[start], float(values[start]), length)


def since_when(run: Run, shown_value: str) -> str:
    """'month-on-month improvement since March 2018 when it was 23.0%' ('' without a run)."""
    if run.since is None:
        return ""
    way = "improvement" if run.direction == IMPROVING else "decline"
    return f"month-on-month {way} since {month_label(run.since)} when it was {shown_value}"


# Wheeler's upper limit for a moving range: 3.267 x the mean moving range (D4 for ranges of two points). A change
# beyond it is not a month's ordinary wobble.
MOVING_RANGE_LIMIT = 3.267


@dataclass(frozen=True)
class Step:
    """A one-month step: the figure moved to `month` by `change` (signed), the largest month-on-month change of
    the `compared` changes on the chart since `first_month`, beyond the moving ranges' upper limit, and the
    months after it stayed at least half way to the new level."""

    month: str
    change: float
    before: int  # points on the chart before the step
    compared: int
    first_month: str


def find_step(months: list[str], values: np.ndarray, min_points: int) -> Step | None:
    """The one-month step on a chart's points (gaps and excluded months already left out), or None.

    A step is the single largest month-on-month change, beyond MOVING_RANGE_LIMIT x the mean of the moving
    ranges, with at least `min_points` points (as SPC needs for limits) to judge it by, and the level it moved
    to held: the mean of the months from the step on is at least half the step away from the mean before it,
    on the step's side (a lone spike that came straight back is an unusual month, not a step).
    """
    values = np.asarray(values, dtype=float)
    if len(values) < max(min_points, 3):
        return None
    changes = np.diff(values)
    ranges = np.abs(changes)
    largest = int(np.argmax(ranges))
    if ranges[largest] == 0 or int((ranges == ranges[largest]).sum()) > 1:
        return None  # no change at all, or no single largest one
    if ranges[largest] <= MOVING_RANGE_LIMIT * float(ranges.mean()):
        return None
    k = largest + 1  # the step's month
    if month_index([months[k]])[0] - month_index([months[k - 1]])[0] != 1:
        return None  # a change across a missing month is not a month's step
    change = float(changes[largest])
    held = float(values[k:].mean() - values[:k].mean())
    if held * np.sign(change) < abs(change) / 2:
        return None
    return Step(months[k], change, k, len(changes), months[0])
