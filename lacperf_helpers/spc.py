"""Statistical process control in the NHS "Making Data Count" way: XmR charts and their special-cause rules.

XmR: the mean of the points, the moving ranges between consecutive points, and process limits at
mean +/- 2.66 x mean moving range. Special causes (rule lengths are parameters, NHS defaults):
  - a point outside the process limits;
  - a shift: `shift_run` (7) or more points in a row on the same side of the mean (a point on the mean
    ends a run);
  - a trend: `trend_run` (6) or more points in a row each higher (or each lower) than the one before;
  - two of three points in a row beyond two sigma (two-thirds of the way to a limit) on the same side.
The variation verdict is read from the latest point, as the NHS icons are; the assurance verdict asks
whether the process limits sit wholly on one side of the target.
Limits are recalculated from each change point (e.g. a new recording system): points before it belong
to an earlier segment with its own mean and limits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from pydantic import ConfigDict

COMMON_CAUSE = "Common cause"
SPECIAL_IMPROVING = "Special cause improving"
SPECIAL_CONCERNING = "Special cause concerning"
CONSISTENTLY_MET = "Consistently met"
CONSISTENTLY_MISSED = "Consistently missed"
HIT_AND_MISS = "Hit and miss"
TOO_FEW_POINTS = "Too few points"
NO_TARGET = "No target"

RULES = ("outside_limits", "two_of_three", "shift", "trend")  # precedence when a point's rules disagree
SIGMA_PER_MEAN_RANGE = 1 / 1.128  # d2 for moving ranges of two points


@dataclass(frozen=True)
class SpcRules:
    __pydantic_config__ = ConfigDict(extra="forbid")  # a misspelt rule in trend.yaml is an error

    min_points: int = 12
    shift_run: int = 7
    trend_run: int = 6
    two_of_three: bool = True
    limit_factor: float = 2.66


@dataclass(frozen=True)
class Limits:
    mean: float
    mean_moving_range: float
    lower: float
    upper: float

    @property
    def two_sigma(self) -> float:
        return 2 * self.mean_moving_range * SIGMA_PER_MEAN_RANGE


def xmr_limits(values: np.ndarray, factor: float = 2.66) -> Limits:
    """Mean, mean moving range and process limits of a series (at least one point)."""
    mean = float(np.mean(values))
    mean_range = float(np.mean(np.abs(np.diff(values)))) if len(values) > 1 else 0.0
    return Limits(mean, mean_range, mean - factor * mean_range, mean + factor * mean_range)


def _runs(signs: np.ndarray, length: int) -> np.ndarray:
    """True for every point inside a run of at least `length` equal non-zero signs."""
    flagged = np.zeros(len(signs), dtype=bool)
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start] != 0 and i - start >= length:
                flagged[start:i] = True
            start = i
    return flagged


def special_causes(values: np.ndarray, limits: Limits, rules: SpcRules) -> pd.DataFrame:
    """Per point, which rules flag it and on which side: 1 high, -1 low, 0 not flagged."""
    n = len(values)
    side = pd.DataFrame(0, index=range(n), columns=list(RULES), dtype="int64")
    high, low = values > limits.upper, values < limits.lower
    side["outside_limits"] = np.where(high, 1, np.where(low, -1, 0))

    about_mean = np.sign(values - limits.mean).astype(int)
    side["shift"] = np.where(_runs(about_mean, rules.shift_run), about_mean, 0)

    # A trend of k points is k - 1 steps in one direction; each step belongs to the point it ends on.
    steps = np.sign(np.diff(values)).astype(int)
    in_trend = _runs(steps, rules.trend_run - 1)
    trend = np.zeros(n, dtype=int)
    for i in np.flatnonzero(in_trend):
        trend[i] = trend[i + 1] = steps[i]
    side["trend"] = trend

    if rules.two_of_three and limits.mean_moving_range > 0:
        beyond = np.where(
            values > limits.mean + limits.two_sigma, 1, np.where(values < limits.mean - limits.two_sigma, -1, 0)
        )
        flagged = np.zeros(n, dtype=int)
        for start in range(max(n - 2, 0)):
            window = beyond[start : start + 3]
            for direction in (1, -1):
                if (window == direction).sum() >= 2:
                    hits = start + np.flatnonzero(window == direction)
                    flagged[hits] = direction
        side["two_of_three"] = flagged
    return side


def point_side(flags: pd.DataFrame) -> np.ndarray:
    """Each point's special-cause side, the first rule in RULES deciding where rules disagree."""
    result = np.zeros(len(flags), dtype=int)
    for rule in reversed(RULES):
        column = flags[rule].to_numpy()
        result = np.where(column != 0, column, result)
    return result


def variation(side_of_latest: int, polarity: str) -> str:
    """The verdict on the latest point: common cause, or special cause improving / concerning."""
    if side_of_latest == 0:
        return COMMON_CAUSE
    better = 1 if polarity == "H" else -1
    return SPECIAL_IMPROVING if side_of_latest == better else SPECIAL_CONCERNING


def assurance(limits: Limits, target: float, polarity: str) -> str:
    """Will the process meet the target? Only if its limits sit wholly on the target's right side."""
    if np.isnan(target):
        return NO_TARGET
    if polarity == "H":
        if limits.lower >= target:
            return CONSISTENTLY_MET
        if limits.upper < target:
            return CONSISTENTLY_MISSED
    else:
        if limits.upper <= target:
            return CONSISTENTLY_MET
        if limits.lower > target:
            return CONSISTENTLY_MISSED
    return HIT_AND_MISS


def segment_of(months: list[str], change_points: list[str]) -> np.ndarray:
    """Which segment each month falls in: a change point starts a new one (months are 'YYYY-MM')."""
    return np.array([sum(month >= point for point in change_points) for month in months], dtype=int)


@dataclass(frozen=True)
class SpcResult:
    points: pd.DataFrame  # month, value, segment, mean, lower_limit, upper_limit, special_cause (side), rules
    limits: Limits | None  # of the latest segment; None when it has too few points
    variation: str
    assurance: str


def within(limits: Limits, bounds: tuple[float, float]) -> Limits:
    """Limits held to what the measure can be (a percentage cannot pass 100 or a count fall below 0).

    The rules are unchanged by this: no point can lie beyond such a bound.
    """
    low, high = bounds
    return replace(limits, lower=float(np.clip(limits.lower, low, high)), upper=float(np.clip(limits.upper, low, high)))


def xmr_chart(
    months: list[str],
    values: np.ndarray,
    target: float,
    polarity: str,
    rules: SpcRules,
    change_points: list[str],
    bounds: tuple[float, float] = (-np.inf, np.inf),
) -> SpcResult:
    """The XmR chart of a series, segmented at change points; verdicts from the latest segment."""
    segments = segment_of(months, change_points)
    frames = []
    latest_limits: Limits | None = None
    for segment in np.unique(segments):
        mask = segments == segment
        seg_values = values[mask]
        frame = pd.DataFrame({"month": np.array(months)[mask], "value": seg_values, "segment": segment})
        enough = len(seg_values) >= rules.min_points
        limits = within(xmr_limits(seg_values, rules.limit_factor), bounds) if enough else None
        if limits is not None:
            flags = special_causes(seg_values, limits, rules)
            frame["mean"], frame["lower_limit"], frame["upper_limit"] = limits.mean, limits.lower, limits.upper
            frame["special_cause"] = point_side(flags)
            frame["rules"] = [", ".join(r for r in RULES if flags.at[i, r] != 0) for i in range(len(frame))]
        else:
            frame["mean"] = frame["lower_limit"] = frame["upper_limit"] = np.nan
            frame["special_cause"], frame["rules"] = 0, ""
        frames.append(frame)
        latest_limits = limits
    points = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if latest_limits is None:
        return SpcResult(points, None, TOO_FEW_POINTS, TOO_FEW_POINTS)
    return SpcResult(
        points,
        latest_limits,
        variation(int(points["special_cause"].iloc[-1]), polarity),
        assurance(latest_limits, target, polarity),
    )
