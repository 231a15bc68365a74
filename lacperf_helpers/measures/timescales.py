"""Statutory timescales read from Annex A's List 8: when each child's next review, social work visit, health
assessment and dental check falls due, and whether it is in timescale on a date.

One pure, vectorised function per rule, over a canonical List 8 frame (the LIIA column names; dates as
datetime64, blank NaT) and a date `at`. Each returns a frame indexed like List 8 with

- `due`: the last day on which the next review (visit, assessment, check) is still in time, worked out from
  the latest one recorded: the day the regulation's period ends ("within 20 working days", "not more than
  six months after"), so a review held on its due date is in time and one due yesterday is late;
- `in_timescale` (nullable boolean): whether, at the end of `at`, nothing is overdue: `due` is `at` or later.
  It is <NA> where the workbook cannot say: it records the event after `at` (the earlier one it replaced is
  not kept), or a date the rule needs is blank (a dental check never recorded is not <NA> but overdue).

The rules, their sources and each reading of them are set out in docs/annex-a-measures.md ("Timescales").
Months are calendar months by the corresponding-date rule (Dodds v Walker [1981]): 31 January plus one month is
28 February (29 in a leap year); 29 February plus 12 months is 28 February. Weeks are 7 days. Working days are
Monday to Friday except Christmas Day, Good Friday and England's bank holidays (the `holidays` package, which
keeps the substitute days and the one-off days proclaimed, such as 19 September 2022).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from lacperf_helpers.ingest.annex_a_codes import (  # List 8's columns by their LIIA canonical names
    CEASED_LOOKED_AFTER,
    DATE_OF_BIRTH,
    LAST_DENTAL_CHECK,
    LAST_HEALTH_ASSESSMENT,
    LATEST_REVIEW,
    PERMANENCE_PLAN,
    PLACEMENT_START,
    PLACEMENT_TYPE,
    STARTED_LOOKED_AFTER,
)
from lacperf_helpers.ingest.annex_a_codes import LAST_SOCIAL_WORK_VISIT as LAST_VISIT

FIRST_REVIEW_WORKING_DAYS = 20  # reg. 33(1)
SECOND_REVIEW_MONTHS = 3  # reg. 33(2)
LATER_REVIEW_MONTHS = 6  # reg. 33(2)
FIRST_VISIT_DAYS = 7  # reg. 28(2)(a): within one week of the start of any placement
VISIT_WEEKS = 6  # reg. 28(2)(b), (c)(ii)
LONG_TERM_VISIT_MONTHS = 3  # reg. 28(2)(c)(i)
INITIAL_HEALTH_WORKING_DAYS = 20  # statutory guidance (2015): the initial health assessment
ASSESSED_BEFORE_CARE_MONTHS = 3  # reg. 7: an assessment in the 3 months before care began stands as the initial one
UNDER_FIVE_HEALTH_MONTHS = 6
HEALTH_MONTHS = 12
DENTAL_MONTHS = 12
LONG_LOOKED_AFTER_MONTHS = 12

# Long-term foster placements (reg. 2(1), since SI 2015/495), coded as such in Annex A and the SSDA903
LONG_TERM_FOSTER_PLACEMENTS = frozenset({"U1", "U4"})
# Residential placements a plan of long-term residential care is made in: children's homes, residential care
# homes, residential schools (K1 secure homes and the rest are never a placement intended to last until 18)
RESIDENTIAL_PLACEMENTS = frozenset({"K2", "R1", "S1"})
# Annex A's permanence plan "e) Long-term residential placement", written with or without its letter
LONG_TERM_RESIDENTIAL_PLAN = re.compile(r"^\s*(?:e\)|e$|long[\s-]*term\s+residential)", re.IGNORECASE)

RESULT_COLUMNS = ("due", "in_timescale")


# --- dates ---------------------------------------------------------------------------------------------------


def add_months(dates: pd.Series, months: int) -> pd.Series:
    """`dates` plus calendar months, the corresponding date or the month's last day (31 Jan + 1 = 28/29 Feb)."""
    return dates + pd.DateOffset(months=months)


@lru_cache(maxsize=16)
def _bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    import holidays  # here: every process that reads a month imports this module, few count working days

    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def working_days_after(dates: pd.Series, days: int) -> pd.Series:
    """The `days`-th working day after each date (a Saturday's first is the Monday after, not the one after that).

    Working days are those the regulations count (reg. 2(1)): not a Saturday, a Sunday, Christmas Day, Good
    Friday or a bank holiday in England.
    """
    result = pd.Series(pd.NaT, index=dates.index, dtype=dates.dtype)
    known = dates.notna()
    if not known.any():
        return result
    start = dates[known].dt.normalize().to_numpy().astype("datetime64[D]")
    years = pd.DatetimeIndex(dates[known]).year
    bank_holidays = _bank_holidays(int(years.min()) - 1, int(years.max()) + 2)
    # From the day itself if it is a working day, else the working day before it: the count starts the day after
    counted_from = np.busday_offset(start, 0, roll="backward", holidays=bank_holidays)
    result[known] = np.busday_offset(counted_from, days, holidays=bank_holidays).astype(dates.dtype)
    return result


def _date(list8: pd.DataFrame, column: str) -> pd.Series:
    """A date column as datetime64 (a column of blanks read as objects is NaT throughout)."""
    values = list8[column]
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values)
    normalised: pd.Series = values.dt.normalize()
    return normalised


def _result(due: pd.Series, at: pd.Timestamp, unknown: pd.Series) -> pd.DataFrame:
    """`due` and whether it is `at` or later; <NA> where `unknown` or `due` is blank."""
    in_timescale = pd.Series(due >= pd.Timestamp(at).normalize(), dtype="boolean")
    in_timescale = in_timescale.mask(unknown | due.isna())
    return pd.DataFrame({"due": due, "in_timescale": in_timescale}, index=due.index)


def _recorded_after(event: pd.Series, at: pd.Timestamp) -> pd.Series:
    return event.notna() & (event > pd.Timestamp(at).normalize())


# --- who is looked after -----------------------------------------------------------------------------------


def looked_after_at(list8: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Children looked after at the end of `at`: started on or before it, not ceased on or before it."""
    at = pd.Timestamp(at).normalize()
    started = _date(list8, STARTED_LOOKED_AFTER)
    ceased = _date(list8, CEASED_LOOKED_AFTER) if CEASED_LOOKED_AFTER in list8 else pd.Series(pd.NaT, list8.index)
    return (started <= at) & (ceased.isna() | (ceased > at))


def looked_after_at_least_12_months(list8: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Looked after at `at` and continuously for at least 12 months: since the date 12 months before, or earlier.

    "Date Started to be Looked After" is the start of the current period of care, so the period is unbroken.
    A child who started on 29 February 2024 has been looked after 12 months on 28 February 2025.
    """
    at = pd.Timestamp(at).normalize()
    twelve_months_on = add_months(_date(list8, STARTED_LOOKED_AFTER), LONG_LOOKED_AFTER_MONTHS)
    return looked_after_at(list8, at) & (twelve_months_on <= at)


# --- the rules -----------------------------------------------------------------------------------------------


def review_due(list8: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """The next statutory review (reg. 33): the first within 20 working days of becoming looked after, the second
    not more than 3 months after the first, then not more than 6 months after the one before.

    Annex A keeps only the latest review, so which one it was is read from when it was held: a review in the
    child's first 3 months of care is taken as the first (the next within 3 months of it), a later one as the
    second or after (6 months). A review dated before the current period of care began belongs to an earlier
    one and is no review of this period: the first is then due 20 working days from the start.
    """
    started = _date(list8, STARTED_LOOKED_AFTER)
    review = _date(list8, LATEST_REVIEW)
    this_period = review.notna() & (review >= started)
    first = this_period & (review <= add_months(started, SECOND_REVIEW_MONTHS))
    due = working_days_after(started, FIRST_REVIEW_WORKING_DAYS)
    due = due.mask(first, add_months(review, SECOND_REVIEW_MONTHS))
    due = due.mask(this_period & ~first, add_months(review, LATER_REVIEW_MONTHS))
    return _result(due, at, _recorded_after(review, at) | started.isna())


def long_term_placement(list8: pd.DataFrame) -> pd.Series:
    """The placement is long term for visits after its first year (reg. 28(2)(c)(i)): a long-term foster placement
    (placement type U1 or U4), or a residential placement (K2, R1, S1) made under a permanence plan of long-term
    residential care, so intended to last until the child is 18. A plan of long-term fostering alone does not make
    the present placement one: until it is confirmed as long term it is coded U3 or U6.
    """
    placement_type = list8[PLACEMENT_TYPE].astype("string").str.strip().str.upper()
    long_term_foster = placement_type.isin(LONG_TERM_FOSTER_PLACEMENTS).fillna(False)
    plan = list8[PERMANENCE_PLAN].astype("string") if PERMANENCE_PLAN in list8 else pd.Series(pd.NA, list8.index)
    residential_plan = plan.str.contains(LONG_TERM_RESIDENTIAL_PLAN, na=False).astype(bool)
    residential = placement_type.isin(RESIDENTIAL_PLACEMENTS).fillna(False).astype(bool)
    return (long_term_foster.astype(bool) | (residential_plan & residential)).astype(bool)


def visit_due(list8: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """The next social work visit (reg. 28(2)): within one week of the start of the placement, then at intervals of
    not more than 6 weeks in its first year, and after it not more than 3 months where the placement is long term
    (`long_term_placement`), 6 weeks otherwise.

    A visit before the present placement began does not count for it. The interval after a visit is set by when
    the visit was: one in the placement's first year (before its first anniversary) is followed within 6 weeks.
    With no placement start, every visit is followed within 6 weeks (never wrong).
    """
    placed = _date(list8, PLACEMENT_START)
    visit = _date(list8, LAST_VISIT)
    this_placement = visit.notna() & (placed.isna() | (visit >= placed))
    after_first_year = placed.notna() & (visit >= add_months(placed, 12))
    three_monthly = this_placement & after_first_year & long_term_placement(list8)
    due = placed + pd.Timedelta(days=FIRST_VISIT_DAYS)
    due = due.mask(this_placement, visit + pd.Timedelta(weeks=VISIT_WEEKS))
    due = due.mask(three_monthly, add_months(visit, LONG_TERM_VISIT_MONTHS))
    return _result(due, at, _recorded_after(visit, at) | _recorded_after(placed, at))


def health_assessment_due(list8: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """The next health assessment: the initial one within 20 working days of becoming looked after, then a review
    within 6 months while the child is under 5 and 12 months from 5 (statutory guidance, 2015).

    Age is taken on the date 6 months after the last assessment: a child 5 by then is due 12 months after it. A
    child whose date of birth is blank is held to 6 months. An assessment in the 3 months before the current
    period of care began stands as its initial one (reg. 7: none is needed where the child's health was assessed
    in the 3 months before); one earlier is not this period's, and the initial assessment is due.
    """
    started = _date(list8, STARTED_LOOKED_AFTER)
    born = _date(list8, DATE_OF_BIRTH)
    assessed = _date(list8, LAST_HEALTH_ASSESSMENT)
    this_period = assessed.notna() & (assessed >= add_months(started, -ASSESSED_BEFORE_CARE_MONTHS))
    six_months_on = add_months(assessed, UNDER_FIVE_HEALTH_MONTHS)
    five_by_then = born.notna() & (add_months(born, 60) <= six_months_on)
    due = working_days_after(started, INITIAL_HEALTH_WORKING_DAYS)
    due = due.mask(this_period, six_months_on)
    due = due.mask(this_period & five_by_then, add_months(assessed, HEALTH_MONTHS))
    return _result(due, at, _recorded_after(assessed, at) | started.isna())


def dental_check_due(list8: pd.DataFrame, at: pd.Timestamp) -> pd.DataFrame:
    """The next dental check: within 12 months of the last (the DfE's SSDA903 OC2 reading: teeth checked by a
    dentist in the 12 months). A check before care began counts; a child with none recorded is overdue (`due`
    blank, `in_timescale` False), not unknown.
    """
    checked = _date(list8, LAST_DENTAL_CHECK)
    result = _result(add_months(checked, DENTAL_MONTHS), at, _recorded_after(checked, at))
    result.loc[checked.isna(), "in_timescale"] = False
    return result


TIMESCALES = {
    "review": review_due,
    "visit": visit_due,
    "health_assessment": health_assessment_due,
    "dental_check": dental_check_due,
}
