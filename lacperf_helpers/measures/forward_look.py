"""The forward look: how many reviews, visits, health assessments and dental checks fall due in the coming weeks,
by area and team, and what each month-end figure becomes if none of them is met.

From the same List 8 dates as the timescale measures (measures/timescales.py), at the month end `at`: a child
falls due before a later date H when the next one is due on `at` or after it but before H, so that, if it is
not done, the child is overdue at H. The figure at H if none is met counts the children in the measure's cohort
at H (the same children, less none: Annex A knows no one who will leave or arrive; those reaching 12 months in
care by H join the 12-month cohorts) whose next one is due on H or after. Counts only: no child's ID, name, date
of birth or postcode leaves this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from lacperf_helpers.config.vocabulary import AREA_NOT_KNOWN
from lacperf_helpers.measures.timescales import (
    dental_check_due,
    health_assessment_due,
    looked_after_at,
    looked_after_at_least_12_months,
    review_due,
    visit_due,
)

ALLOCATED_TEAM = "Allocated Team"
ALL_TEAMS = "All teams"
TEAM_NOT_RECORDED = "Team not recorded"

Rule = Callable[[pd.DataFrame, pd.Timestamp], pd.DataFrame]
Cohort = Callable[[pd.DataFrame, pd.Timestamp], pd.Series]


@dataclass(frozen=True)
class Timescale:
    """One measure of timescales the forward look projects: what falls due (`one`, `many`), the figure's name
    as a sentence says it (`figure`), the rule giving each child's due date and the cohort it counts."""

    measure: str
    one: str
    many: str
    figure: str
    rule: Rule
    cohort: Cohort


TIMESCALES = (
    Timescale("reviews_in_timescale", "review", "reviews", "reviews in timescale", review_due, looked_after_at),
    Timescale("visits_in_timescale", "visit", "visits", "visits in timescale", visit_due, looked_after_at),
    Timescale(
        "health_assessments_up_to_date", "health assessment", "health assessments",
        "health assessments up to date (looked after 12 months or more)", health_assessment_due,
        looked_after_at_least_12_months,
    ),
    Timescale(
        "dental_checks_up_to_date", "dental check", "dental checks",
        "dental checks within 12 months (looked after 12 months or more)", dental_check_due,
        looked_after_at_least_12_months,
    ),
)  # fmt: skip

COUNT_COLUMNS = (
    "children_now", "in_timescale_now", "not_known_now", "falling_due", "children_then", "in_timescale_then",
)  # fmt: skip
DUE_COLUMNS = (
    "month", "as_at", "horizon", "weeks", "measure", "area", "team", "children_now", "in_timescale_now",
    "percent_now", "not_known_now", "falling_due", "children_then", "in_timescale_then", "percent_then",
)  # fmt: skip


@dataclass(frozen=True)
class Horizon:
    """A date to look ahead to: `weeks` after the month end, or (weeks None) the next month end."""

    until: pd.Timestamp
    weeks: int | None = None


def horizons(at: pd.Timestamp, weeks: Sequence[int], *, next_month_end: bool = True) -> list[Horizon]:
    """The next month end (first, if asked for) and each number of `weeks` after `at`."""
    at = pd.Timestamp(at).normalize()
    ahead = [Horizon(at + pd.offsets.MonthEnd(1))] if next_month_end else []
    return ahead + [Horizon(at + pd.Timedelta(weeks=w), w) for w in weeks]


def child_status(list8: pd.DataFrame, at: pd.Timestamp, until: pd.Timestamp, timescale: Timescale) -> pd.DataFrame:
    """Each child's place in one measure now and at `until` if nothing is done: in the cohort, in timescale
    (<NA> not known) now and then, and falling due between (booleans, indexed like List 8)."""
    at, until = pd.Timestamp(at).normalize(), pd.Timestamp(until).normalize()
    now = timescale.rule(list8, at)
    then = timescale.rule(list8, until)
    due = now["due"]
    in_now = timescale.cohort(list8, at).fillna(False).astype(bool)
    in_then = (timescale.cohort(list8, until) & looked_after_at(list8, at)).fillna(False).astype(bool)
    known_now = now["in_timescale"].notna()
    # Not known now stays not known then: nothing recorded after `at` can be guessed
    known_then = then["in_timescale"].notna() & known_now
    return pd.DataFrame(
        {
            "children_now": in_now & known_now,
            "in_timescale_now": in_now & known_now & now["in_timescale"].fillna(False).astype(bool),
            "not_known_now": in_now & ~known_now,
            "falling_due": in_then & known_then & due.notna() & (due >= at) & (due < until),
            "children_then": in_then & known_then,
            "in_timescale_then": in_then & known_then & then["in_timescale"].fillna(False).astype(bool),
        },
        index=list8.index,
    )


def _percent(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    share = (100 * numerator / denominator.where(denominator > 0)).round(1)
    return share.astype("Float64")


def falling_due(
    list8: pd.DataFrame,
    at: pd.Timestamp,
    ahead: Sequence[Horizon],
    *,
    areas: pd.Series | None,
    authority: str,
    month: str,
) -> pd.DataFrame:
    """The forward look's counts: one row per horizon x measure x area x team (`DUE_COLUMNS`), with each area's
    teams added up ("All teams") and the authority's. `areas`: each List 8 row's area (blank: 'Area not known'),
    or None where the council names none (the teams are then the authority's). Every measure and team seen has
    its row, with zeros, so a team with nothing due is seen to have nothing due."""
    at = pd.Timestamp(at).normalize()
    if areas is None:
        area = pd.Series(authority, index=list8.index, dtype="string")
    else:
        area = areas.reindex(list8.index).astype("string").fillna(AREA_NOT_KNOWN)
    recorded = (
        list8[ALLOCATED_TEAM].astype("string").str.strip()
        if ALLOCATED_TEAM in list8
        else pd.Series(pd.NA, index=list8.index, dtype="string")
    )
    team = recorded.mask(recorded.fillna("") == "", TEAM_NOT_RECORDED)
    counts = list(COUNT_COLUMNS)
    rows = []
    for horizon in ahead:
        for timescale in TIMESCALES:
            status = child_status(list8, at, horizon.until, timescale).astype(int)
            status["area"], status["team"] = area, team
            by_team = status.groupby(["area", "team"], observed=True)[counts].sum().reset_index()
            by_area = status.groupby("area", observed=True)[counts].sum().reset_index().assign(team=ALL_TEAMS)
            whole = status[counts].sum().to_frame().T.assign(area=authority, team=ALL_TEAMS)
            block = pd.concat([whole, by_team] if areas is None else [whole, by_area, by_team], ignore_index=True)
            when = {"month": month, "as_at": at.date().isoformat(), "horizon": horizon.until.date().isoformat()}
            rows.append(block.assign(**when, weeks=horizon.weeks, measure=timescale.measure))
    if not rows:
        return pd.DataFrame(columns=list(DUE_COLUMNS))
    table = pd.concat(rows, ignore_index=True)
    table["weeks"] = table["weeks"].astype("Int64")
    table[counts] = table[counts].astype("int64")
    table["percent_now"] = _percent(table["in_timescale_now"], table["children_now"])
    table["percent_then"] = _percent(table["in_timescale_then"], table["children_then"])
    return table.loc[:, list(DUE_COLUMNS)]
