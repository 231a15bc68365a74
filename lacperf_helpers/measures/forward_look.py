"""The forward look: how many reviews, visits, health assessments and dental checks fall due in the coming weeks,
by area and team, and what each month-end figure becomes if none of them is met.

From the same List 8 dates as the timescale measures (measures/timescales.py), at the month end `at`: a child
falls due before a later date H when the next one is due on `at` or after it but before H, so that, if it is
not done, the child is overdue at H. The figure at H if none is met counts the children in the measure's cohort
at H (the same children: Annex A knows no one who will leave or come into care; those reaching 12 months in
care by H join the 12-month cohorts) whose next one is due on H or after. Counts only: no child's ID, name, date
of birth or postcode leaves this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from lacperf_helpers.config.vocabulary import AREA_NOT_KNOWN
from lacperf_helpers.ingest.annex_a_codes import ALLOCATED_TEAM, LEGAL_STATUS
from lacperf_helpers.measures.registry import SHORT_BREAKS
from lacperf_helpers.measures.timescales import (
    dental_check_due,
    health_assessment_due,
    looked_after_at,
    looked_after_at_least_12_months,
    review_due,
    visit_due,
)

ALL_TEAMS = "All teams"
TEAM_NOT_RECORDED = "Team not recorded"

Rule = Callable[[pd.DataFrame, pd.Timestamp], pd.DataFrame]
Cohort = Callable[[pd.DataFrame, pd.Timestamp], pd.Series]


def _short_breaks(list8: pd.DataFrame) -> pd.Series:
    """Short breaks (legal status V3, V4): left out of every measure, as the SSDA903 and Annex A measures do."""
    if LEGAL_STATUS not in list8:
        return pd.Series(False, index=list8.index)
    return list8[LEGAL_STATUS].isin(SHORT_BREAKS).fillna(False).astype(bool)


def in_care(list8: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Looked after at `at`, short breaks left out (measures/annex_a.py's `looked_after`)."""
    return looked_after_at(list8, at).fillna(False).astype(bool) & ~_short_breaks(list8)


def in_care_12_months(list8: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Looked after at `at` for 12 months or more, short breaks left out."""
    return looked_after_at_least_12_months(list8, at).fillna(False).astype(bool) & ~_short_breaks(list8)


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


TWELVE_MONTHS = "(looked after 12 months or more)"
# The measures of measures/annex_a.py, by their ids: the month-end figures the scorecard shows
TIMESCALES = (
    Timescale("reviews_in_timescale", "review", "reviews", "reviews in timescale", review_due, in_care),
    Timescale("visits_in_timescale", "visit", "visits", "visits in timescale", visit_due, in_care),
    Timescale(
        "health_assessment_up_to_date", "health assessment", "health assessments",
        f"health assessments up to date {TWELVE_MONTHS}", health_assessment_due, in_care_12_months,
    ),
    Timescale(
        "health_assessment_up_to_date_all", "health assessment", "health assessments",
        "health assessments up to date", health_assessment_due, in_care,
    ),
    Timescale(
        "dental_check_up_to_date", "dental check", "dental checks",
        f"dental checks within 12 months {TWELVE_MONTHS}", dental_check_due, in_care_12_months,
    ),
    Timescale(
        "dental_check_up_to_date_all", "dental check", "dental checks", "dental checks within 12 months",
        dental_check_due, in_care,
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


def child_status(
    list8: pd.DataFrame, at: pd.Timestamp, until: pd.Timestamp, timescale: Timescale, now: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each child's place in one measure now and at `until` if nothing is done (booleans, indexed like List 8):
    in the cohort, in timescale now and then, not known now, and falling due between. As the measure counts
    them (measures/annex_a.py), a child the workbook cannot say of is in the cohort and not in timescale; such a
    child never falls due (nothing known is due). `now`: the rule's result at `at`, if already worked out (a
    due date does not depend on the date asked about, so one result serves every date ahead)."""
    at, until = pd.Timestamp(at).normalize(), pd.Timestamp(until).normalize()
    now = timescale.rule(list8, at) if now is None else now
    due = now["due"]
    cohort_now = timescale.cohort(list8, at)
    # Annex A knows no one who will leave or arrive: the children then are those now, as the cohort reads them then
    cohort_then = timescale.cohort(list8, until) & in_care(list8, at)
    known_now = now["in_timescale"].notna()
    in_time_now = now["in_timescale"].fillna(False).astype(bool)
    return pd.DataFrame(
        {
            "children_now": cohort_now,
            "in_timescale_now": cohort_now & in_time_now,
            "not_known_now": cohort_now & ~known_now,
            "falling_due": cohort_then & known_now & due.notna() & (due >= at) & (due < until),
            "children_then": cohort_then,
            "in_timescale_then": cohort_then & known_now & due.notna() & (due >= until),
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
    worked_out = {timescale.measure: timescale.rule(list8, at) for timescale in TIMESCALES}
    for horizon in ahead:
        for timescale in TIMESCALES:
            now = worked_out[timescale.measure]
            status = child_status(list8, at, horizon.until, timescale, now).astype(int)
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
