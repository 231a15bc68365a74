"""Statistical process control in the NHS "Making Data Count" (MDC) way: XmR charts and their special-cause rules.

Conformance is tested against the MDC team's own test data for their Single Chart Tool v5.0
(tests/data/mdc-spc-tests); docs/trend-and-spc.md quotes their rule for each behaviour. In short:
  - 12 points or fewer (`min_points` 13): no limits, no special cause and no icons; "Too few points".
  - Process limits at mean +/- 2.66 x mean moving range; the two-sigma lines two-thirds of the way to them.
  - Special causes, each point judged against its own segment's mean and limits:
      a point outside the process limits;
      a shift: `shift_run` (6) or more points in a row on the same side of the mean (a point on the mean ends it);
      a trend: `trend_run` (6) or more points in a row each higher (or each lower) than the one before, no pauses;
      two of three: within three points in a row all on one side of the mean, two or three beyond the two-sigma
      line; a point beyond the process limit does not count towards it.
    The shift, trend and two-of-three rules cross recalculations; a point flagged both ways shows as improving.
  - The variation icon reads the latest point; the assurance icon compares the target with the latest limits,
    as calculated: limits held to what a measure can be (0-100 for a percentage) are for drawing only.
  - A change point starts a new segment with its own limits (MDC "recalculation"); a baseline fixes the limits
    from the first N points and extends them (MDC "baseline": it overrides recalculations).
  - Gaps are skipped (MDC asks that empty dates be left out); excluded points ("ghosted", which the MDC tool
    does not support) stay on the chart but take no part in the limits or the rules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from lacperf_helpers.config.definitions import SpcRules
from lacperf_helpers.config.vocabulary import TOO_FEW_POINTS

# Improvement direction: H higher is better, L lower is better, N neither (MDC: purple, no assurance icon).
Direction = Literal["H", "L", "N"]

COMMON_CAUSE = "Common cause"
SPECIAL_IMPROVING = "Special cause improving"
SPECIAL_CONCERNING = "Special cause concerning"
SPECIAL_HIGHER = "Special cause higher"  # direction N: neither improving nor concerning
SPECIAL_LOWER = "Special cause lower"
CONSISTENTLY_MET = "Consistently met"
CONSISTENTLY_MISSED = "Consistently missed"
HIT_AND_MISS = "Hit and miss"
NO_TARGET = "No target"  # also where neither direction is better: a target then says nothing (MDC)

# Each point's class, as the MDC tool colours it.
GREY, BLUE, ORANGE, PURPLE = "common cause", "improving", "concerning", "neither"

RULES = ("outside_limits", "two_of_three", "shift", "trend")


@dataclass(frozen=True)
class Limits:
    mean: float
    mean_moving_range: float
    lower: float
    upper: float
    two_sigma: float = field(default=np.nan)  # distance of the two-sigma lines from the mean

    def __post_init__(self) -> None:
        if np.isnan(self.two_sigma):
            object.__setattr__(self, "two_sigma", (self.upper - self.mean) * 2 / 3)


def xmr_limits(values: np.ndarray, factor: float = 2.66) -> Limits:
    """Mean, mean moving range and process limits of a series (at least one point)."""
    mean = float(np.mean(values))
    mean_range = float(np.mean(np.abs(np.diff(values)))) if len(values) > 1 else 0.0
    return Limits(mean, mean_range, mean - factor * mean_range, mean + factor * mean_range, 2 / 3 * factor * mean_range)


def within(limits: Limits, bounds: tuple[float, float]) -> Limits:
    """Limits held to what the measure can be (a percentage cannot pass 100 or a count fall below 0).

    The rules are unchanged by this: no point can lie beyond such a bound, and the two-sigma lines keep
    their distance from the mean.
    """
    low, high = bounds
    return replace(limits, lower=float(np.clip(limits.lower, low, high)), upper=float(np.clip(limits.upper, low, high)))


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


def special_causes(
    values: np.ndarray, mean: np.ndarray, lower: np.ndarray, upper: np.ndarray, two_sigma: np.ndarray, rules: SpcRules
) -> pd.DataFrame:
    """Per point, which rules flag it and on which side (1 high, -1 low, 0 not flagged).

    Every argument but `rules` has one entry per point, in order: each point is judged against its own
    segment's mean and lines (NaN where its segment has too few points), so the rules cross recalculations.
    """
    return pd.DataFrame(_rule_sides(values, mean, lower, upper, two_sigma, rules), columns=list(RULES))


def _rule_sides(
    values: np.ndarray, mean: np.ndarray, lower: np.ndarray, upper: np.ndarray, two_sigma: np.ndarray, rules: SpcRules
) -> np.ndarray:
    """`special_causes` as an array: a row per point, a column per rule (in RULES' order)."""
    n = len(values)
    side = np.zeros((n, len(RULES)), dtype="int64")
    column = {rule: i for i, rule in enumerate(RULES)}
    with np.errstate(invalid="ignore"):
        side[:, column["outside_limits"]] = np.where(values > upper, 1, np.where(values < lower, -1, 0))
        about_mean = np.nan_to_num(np.sign(values - mean)).astype(int)
        side[:, column["shift"]] = np.where(_runs(about_mean, rules.shift_run), about_mean, 0)

        # A trend of k points is k - 1 steps one way; each step flags both points it joins.
        steps = np.sign(np.diff(values)).astype(int)
        trend = np.zeros(n, dtype=int)
        for i in np.flatnonzero(_runs(steps, rules.trend_run - 1)):
            trend[i] = trend[i + 1] = steps[i]
        side[:, column["trend"]] = trend

        if rules.two_of_three:
            high = (values > mean + two_sigma) & (values <= upper)  # beyond the process limit does not count
            low = (values < mean - two_sigma) & (values >= lower)
            beyond = np.where(high, 1, np.where(low, -1, 0))
            flagged = np.zeros(n, dtype=int)
            for start in range(max(n - 2, 0)):
                window = slice(start, start + 3)
                for direction in (1, -1):
                    same_side = (about_mean[window] == direction).all()
                    if same_side and (beyond[window] == direction).sum() >= 2:
                        hits = start + np.flatnonzero(beyond[window] == direction)
                        flagged[hits] = direction
            side[:, column["two_of_three"]] = flagged
    return side


def point_side(flags: pd.DataFrame, direction: Direction) -> np.ndarray:
    """Each point's special-cause side. Where rules disagree the improving side wins, as the MDC tool
    shows it; where neither direction is better, a point flagged both ways takes the first rule's side."""
    return _side_of(flags[list(RULES)].to_numpy(), direction)


def _side_of(sides: np.ndarray, direction: Direction) -> np.ndarray:
    """`point_side` of an array of sides (a row per point, a column per rule in RULES' order)."""
    high = (sides == 1).any(axis=1)
    low = (sides == -1).any(axis=1)
    if direction == "L":
        return np.where(low, -1, np.where(high, 1, 0))
    if direction == "H":
        return np.where(high, 1, np.where(low, -1, 0))
    first = np.zeros(len(sides), dtype=int)
    for rule in reversed(range(len(RULES))):
        column = sides[:, rule]
        first = np.where(column != 0, column, first)
    return first


def point_class(side: int, direction: Direction) -> str:
    """A point's class as the MDC tool colours it: common cause, improving, concerning or neither."""
    if side == 0:
        return GREY
    if direction == "N":
        return PURPLE
    better = 1 if direction == "H" else -1
    return BLUE if side == better else ORANGE


def variation(side_of_latest: int, direction: Direction) -> str:
    """The verdict on the latest point: common cause, or special cause improving / concerning (or, with
    neither direction better, higher / lower)."""
    if side_of_latest == 0:
        return COMMON_CAUSE
    if direction == "N":
        return SPECIAL_HIGHER if side_of_latest == 1 else SPECIAL_LOWER
    return SPECIAL_IMPROVING if point_class(side_of_latest, direction) == BLUE else SPECIAL_CONCERNING


def assurance(limits: Limits, target: float, direction: Direction) -> str:
    """Will the process meet the target? Only if its limits sit wholly on the target's right side."""
    if np.isnan(target) or direction == "N":
        return NO_TARGET
    if direction == "H":
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
class SpcPoints:
    """A chart's points, a column each: what an analysis reads of them, and what many charts' points are made
    into one frame from (`points_frame`: a frame a chart cost a series a third of a millisecond)."""

    month: list[str]
    value: np.ndarray
    excluded: np.ndarray  # shown, but in no calculation
    segment: np.ndarray
    mean: np.ndarray
    lower_limit: np.ndarray
    upper_limit: np.ndarray
    special_cause: np.ndarray  # the side: 1 high, -1 low, 0 none
    rules: list[str]  # the rules that flag it, by name
    point_class: list[str]


def points_frame(charts: list[SpcPoints]) -> pd.DataFrame:
    """The points of these charts, one after another, as the frame of one chart's points (`SpcResult.points`)."""

    def column(name: str) -> Any:
        parts = [getattr(chart, name) for chart in charts]
        if len(parts) == 1:
            return parts[0]
        return [item for part in parts for item in part] if isinstance(parts[0], list) else np.concatenate(parts)

    return pd.DataFrame(
        {
            "month": column("month"), "value": column("value"), "excluded": column("excluded"),
            "segment": column("segment").astype("int64"), "mean": column("mean"),
            "lower_limit": column("lower_limit"), "upper_limit": column("upper_limit"),
            "special_cause": column("special_cause"), "rules": pd.Series(column("rules"), dtype=str),
            "point_class": column("point_class"),
        }
    )  # fmt: skip


@dataclass(frozen=True)
class SpcResult:
    columns: SpcPoints  # each point's month, value, segment, limits, special cause, rules and class
    limits: Limits | None  # of the latest segment (or the baseline); None when it has too few points
    variation: str
    assurance: str

    @functools.cached_property
    def points(self) -> pd.DataFrame:
        """month, value, excluded, segment, mean, lower_limit, upper_limit, special_cause (side), rules, point_class:
        a row per point."""
        return points_frame([self.columns])


def xmr_chart(
    months: list[str],
    values: np.ndarray,
    target: float,
    direction: Direction,
    rules: SpcRules,
    change_points: list[str],
    bounds: tuple[float, float] = (-np.inf, np.inf),
    *,
    baseline_points: int | None = None,
    excluded: list[str] | None = None,
) -> SpcResult:
    """The XmR chart of a series: segmented at change points, or with limits fixed from a baseline of the
    first `baseline_points` points; months in `excluded` are shown but left out of every calculation, and
    months without a value are skipped. Verdicts come from the latest segment and the latest point."""
    values = np.array(values, dtype=float)  # a copy: the chart's points are made when asked, from what it was given
    ghosted = np.isin(np.array(months, dtype=object), list(excluded or []))
    used = ~ghosted & ~np.isnan(values)
    # the chart's frame is made once, from arrays worked out here (a column set at a time cost a series 5 ms)
    segment = np.zeros(len(months), dtype=int) if baseline_points else segment_of(months, change_points)
    lines = {name: np.full(len(months), np.nan) for name in ("mean", "lower_limit", "upper_limit", "two_sigma")}
    latest: Limits | None = None
    calculated: Limits | None = None  # the latest limits before they are held within bounds: assurance reads these
    if baseline_points:
        groups = [(np.flatnonzero(used), np.flatnonzero(used)[:baseline_points])]
    else:
        groups = [(np.flatnonzero(used & (segment == s)),) * 2 for s in np.unique(segment)]
    for members, basis in groups:
        limits = unbounded = None
        if len(basis) >= rules.min_points:
            unbounded = xmr_limits(values[basis], rules.limit_factor)
            limits = within(unbounded, bounds)
            for name, number in zip(lines, (limits.mean, limits.lower, limits.upper, limits.two_sigma), strict=True):
                lines[name][members] = number
        latest, calculated = limits, unbounded
    special = np.zeros(len(months), dtype="int64")
    fired_rules = [""] * len(months)
    rows = np.flatnonzero(used)
    if len(rows):
        mean, lower, upper, two_sigma = (lines[name][rows] for name in lines)
        sides = _rule_sides(values[rows], mean, lower, upper, two_sigma, rules)
        sides[np.isnan(lines["mean"][rows])] = 0  # a segment too short for limits shows no special cause
        special[rows] = _side_of(sides, direction)
        names = np.array(RULES)
        for row, marks in zip(rows, sides != 0, strict=True):  # a row per point, a column per rule
            fired_rules[row] = ", ".join(names[marks])
    columns = SpcPoints(
        month=[str(m) if isinstance(m, str) else m for m in months], value=values, excluded=ghosted,
        segment=segment, mean=lines["mean"],
        lower_limit=lines["lower_limit"], upper_limit=lines["upper_limit"], special_cause=special,
        rules=fired_rules, point_class=[point_class(int(s), direction) for s in special],
    )  # fmt: skip
    if latest is None or calculated is None:
        return SpcResult(columns, None, TOO_FEW_POINTS, TOO_FEW_POINTS)
    side_of_latest = int(special[rows[-1]])
    return SpcResult(columns, latest, variation(side_of_latest, direction), assurance(calculated, target, direction))
