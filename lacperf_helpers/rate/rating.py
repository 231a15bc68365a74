"""Red/Amber/Green, direction of travel and "how many children would change the rating".

Green: the target is met or exceeded. Amber: below target but at or above the floor. Red: below the floor.
"Above" and "below" are read through the KPI's polarity: H higher is better, L lower is better.
All functions take and return pandas Series aligned on the same index (one row per month x area x KPI).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

GREEN, AMBER, RED = "Green", "Amber", "Red"
NO_DATA = "No data"
NOT_APPLICABLE = "Not applicable"  # a percent KPI with 0 of 0: nobody was in the cohort this month
NO_AREA_STANDARD = "Not rated"  # a number or days KPI in an area without standards of its own (kpis.yaml)
RAG_ORDER = (GREEN, AMBER, RED)

IMPROVED, SAME, WORSE = "Improved", "Same", "Worse"
NOT_COMPARABLE = "Not comparable"  # no figure this month or last month
NOT_SHOWN = "Not shown"  # a figure either side is hidden by disclosure control: which way it went would narrow it

# Figures are rated at full precision, but a float such as 100 * 7 / 100 = 7.000000000000001 must still
# meet a target of 7: round away binary noise far below any displayed precision.
_NOISE_DECIMALS = 9


def percent_value(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """100 x numerator / denominator at full precision; NaN where the denominator is 0 or missing."""
    return 100 * numerator / denominator.where(denominator > 0)


def meets(value: pd.Series, threshold: pd.Series, polarity: pd.Series) -> pd.Series:
    """True where `value` is at or on the better side of `threshold` (NaN compares as False)."""
    value = value.round(_NOISE_DECIMALS)
    return (value >= threshold).where(polarity == "H", value <= threshold)


def rate(
    value: pd.Series,
    target: pd.Series,
    floor: pd.Series,
    polarity: pd.Series,
    not_applicable: pd.Series | None = None,
) -> pd.Series:
    """The RAG rating of each figure; 'No data' where the figure is missing."""
    rating = np.select(
        [value.isna(), meets(value, target, polarity), meets(value, floor, polarity)],
        [NO_DATA, GREEN, AMBER],
        default=RED,
    )
    result = pd.Series(rating, index=value.index, dtype="str")
    # no standard to rate against (a number KPI in an area without its own): the figure stands unrated
    result = result.mask(value.notna() & target.isna() & floor.isna(), NO_AREA_STANDARD)
    if not_applicable is not None:
        result = result.mask(not_applicable, NOT_APPLICABLE)
    return result


def display_round(value: pd.Series, decimals: pd.Series) -> pd.Series:
    """Each value rounded exactly as the appendix prints it (so 'Same' means the reader sees no change)."""
    return pd.Series(
        [np.nan if pd.isna(v) else float(f"{v:.{int(d)}f}") for v, d in zip(value, decimals, strict=True)],
        index=value.index,
        dtype="float64",
    )


def direction(value: pd.Series, previous_value: pd.Series, polarity: pd.Series, decimals: pd.Series) -> pd.Series:
    """Improved / Same / Worse month on month, judged by polarity at the displayed precision."""
    now = display_round(value, decimals)
    before = display_round(previous_value, decimals)
    better = (now > before).where(polarity == "H", now < before)
    result = np.select(
        [now.isna() | before.isna(), now == before, better],
        [NOT_COMPARABLE, SAME, IMPROVED],
        default=WORSE,
    )
    return pd.Series(result, index=value.index, dtype="str")


def _exact(value: float) -> Fraction:
    """A figure as the decimal it was written as (4.6 is 23/5, not 4.5999...): binary noise rounded away."""
    return Fraction(f"{value:.{_NOISE_DECIMALS}f}")


def children_to_change_rating(
    numerator: pd.Series,
    denominator: pd.Series,
    target: pd.Series,
    polarity: pd.Series,
    rating: pd.Series,
    is_percent: pd.Series,
) -> pd.Series:
    """How many children would change the rating, the denominator held.

    Green: the fewest children whose outcome turning the other way would lose Green.
    Amber or Red: the fewest more children needed (with the better outcome) to reach Green.
    Empty where it does not apply: not a percent KPI, no data, or no number of children could do it.
    Worked out in exact fractions, so figures with decimals (3.6 of 4.6 FTE posts) are not lost to float
    rounding at the boundary.
    """
    children: list[float] = []
    for num, den, tgt, pol, rag, percent in zip(
        numerator, denominator, target, polarity, rating, is_percent, strict=True
    ):
        if not (percent and rag in RAG_ORDER) or any(pd.isna(x) for x in (num, den, tgt)) or den <= 0:
            children.append(np.nan)
            continue
        gap = _exact(num) - _exact(tgt) * _exact(den) / 100  # children above the numerator at exactly the target
        higher, green = pol == "H", rag == GREEN
        # Higher is better: lose Green once the numerator falls below the target; gain it by reaching it.
        # Lower is better: lose Green once the numerator rises above the target; gain it by falling to it.
        losing, gaining = math.floor(gap if higher else -gap) + 1, math.ceil(-gap if higher else gap)
        needed = losing if green else gaining
        # A child can only move if there is one on the other side: within 0..denominator.
        room = _exact(num) if green == higher else _exact(den) - _exact(num)
        children.append(float(needed) if 1 <= needed <= room else np.nan)
    return pd.Series(children, index=numerator.index, dtype="float64").astype("Int64")
