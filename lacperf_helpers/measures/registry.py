"""KPI measures from SSDA903 data: a registry of small functions, one per measure, each with its metadata.

Every measure takes the extract and the month and returns one row per child (or per episode) in scope:
`CHILD`, `numerator` (counted), `denominator` (in the cohort measured; absent for counts) and, for a
measure of events, `as_at`: the day it happened. `measure_table` adds what is known of each child then
(else at the month end) and adds the rows up by cohort (parameters/cohorts.yaml), breakdown and area.
Dates are days; the month end is D; "the 12 months to D" runs from the day after D's date a year
earlier up to D; age is in completed years at D. Episodes of short-break series (LS V3, V4) are left
out of every measure. See docs/ssda903-measures.md for how each DfE definition is read.

Here: how a measure is registered (`@measure`) and looked up (`MEASURES`, `measure_table`), and the measures.
Their building blocks are measures/episodes.py; who each child is, measures/children.py; the adding up,
measures/adding_up.py. Those modules' names are also importable from here, as they were before the split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue
from lacperf_helpers.config.vocabulary import AREA_NOT_KNOWN, MEASURE_UNITS
from lacperf_helpers.ingest import rules
from lacperf_helpers.ingest.ssda903 import Ssda903
from lacperf_helpers.ingest.validation import ERROR, WARNING, combine, no_problems, problems_at
from lacperf_helpers.measures.adding_up import MEASURE_COLUMNS as MEASURE_COLUMNS
from lacperf_helpers.measures.adding_up import add_up_months
from lacperf_helpers.measures.children import age_at as age_at
from lacperf_helpers.measures.children import age_by_code
from lacperf_helpers.measures.children import attributes_when as attributes_when
from lacperf_helpers.measures.children import child_attributes as child_attributes
from lacperf_helpers.measures.children import completed_years as completed_years
from lacperf_helpers.measures.episodes import SHORT_BREAKS as SHORT_BREAKS
from lacperf_helpers.measures.episodes import care_periods as care_periods
from lacperf_helpers.measures.episodes import child_codes, child_names, day, episode_arrays, looked_after_codes
from lacperf_helpers.measures.episodes import episodes as episodes
from lacperf_helpers.measures.episodes import header as header
from lacperf_helpers.measures.episodes import looked_after_at as looked_after_at
from lacperf_helpers.measures.episodes import memo as _memo
from lacperf_helpers.measures.episodes import month_start as month_start
from lacperf_helpers.measures.episodes import open_at as open_at
from lacperf_helpers.measures.episodes import uasc_at as uasc_at
from lacperf_helpers.measures.episodes import year_before as year_before

PLACEMENT_MOVES = {"S", "P", "B", "T", "U"}  # RNE L changes legal status only: not a new placement
CHANGE_OF_CARER = {"P", "B"}  # RNE T and U change the placement but not the carer
TEMPORARY_PLACEMENTS = {"T0", "T1", "T2", "T3", "T4"}  # holidays, hospital, respite: not placements (DfE)
ADOPTION_PLACEMENTS = {"A3", "A4", "A5", "A6"}
ADOPTED_BY_CURRENT_CARER = {"A3", "A5"}  # placed for adoption with the current foster carer: not a new placement
ADOPTED = {"E11", "E12"}
EET = {"F1", "P1", "F2", "P2", "F3", "P3"}  # OC3 ACTIV: higher or other education, training, employment
# OC3 IN_TOUCH: died since leaving care, or returned home to parents (or someone with parental responsibility)
# for at least 6 months: the DfE leaves both out of every care-leaver figure
NOT_CARE_LEAVERS = {"DIED", "RHOM"}
# OC3 ACCOM: the DfE's list (its validator's rule 133); the second character 1 is suitable, 2 unsuitable, 0 not
# known. No fixed abode (S) and custody (X) are never suitable, so S1 and X1 are not codes at all.
ACCOMMODATION_CODES = frozenset({
    "B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2", "G1", "G2", "H1", "H2", "K1", "K2", "R1", "R2", "S2", "T1", "T2",
    "U1", "U2", "V1", "V2", "W1", "W2", "X2", "Y1", "Y2", "Z1", "Z2", "0",
})  # fmt: skip
SUITABLE_ACCOMMODATION = frozenset(code for code in ACCOMMODATION_CODES if code.endswith("1"))
RULE_ACCOMMODATION_CODE = rules.ACCOMMODATION_CODE
RULE_AREA_KNOWN = rules.AREA_KNOWN.of(area_not_known=AREA_NOT_KNOWN)


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    unit: str  # count or percent
    polarity: str  # H or L: which way is better, for whoever rates it
    definition: str
    compute: Callable[[Ssda903, pd.Timestamp], pd.DataFrame]


MEASURES: dict[str, Measure] = {}

# Counts that are the same children in two measures, in every cohort, breakdown and area: (measure, count).
# A reader who sees one sees the other, so disclosure control hides both or neither; a test checks each pair
# agrees on every row of the sample, and that no other pair always does.
SAME_CHILDREN: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("cla_count", "numerator"), ("placement_stability_short", "denominator")),  # children looked after
    (("care_leavers_in_touch", "denominator"), ("care_leavers_eet", "denominator")),  # the OC3 cohort
    (("care_leavers_in_touch", "denominator"), ("care_leavers_suitable_accommodation", "denominator")),
    (("health_assessment", "denominator"), ("dental_check_903", "denominator")),  # the OC2 cohort
    (("missing_in_month", "numerator"), ("missing_in_month_share", "numerator")),  # who went missing in the month
)


@dataclass(frozen=True)
class FlowTerm:
    """One count in a `Flow`: a measure's count (numerator or denominator) `months_back` months before the
    month the sum is formed in, with its sign."""

    measure: str
    count: str
    months_back: int
    sign: int


@dataclass(frozen=True)
class Flow:
    """Stocks and flows: a sum of counts of different measures and months that is 0 for every area, cohort and
    group (to within a child who started or ceased twice, or changed age band between the month ends). A
    reader forms it across a month's measures and from one month's tables to the next."""

    says: str
    terms: tuple[FlowTerm, ...]


IN_MONTH = FlowTerm("missing_in_month_share", "denominator", 0, 1)  # looked after at any time in the month
FLOWS: tuple[Flow, ...] = (
    Flow("looked after in the month = looked after at the last month end + started in the month",
         (IN_MONTH, FlowTerm("cla_count", "numerator", 1, -1), FlowTerm("cla_starts", "numerator", 0, -1))),
    Flow("looked after in the month = looked after at its end + ceased in it",
         (IN_MONTH, FlowTerm("cla_count", "numerator", 0, -1), FlowTerm("cla_ceased", "numerator", 0, -1))),
    Flow("started in the 12 months = started in the 12 months to last month + started this month - started in "
         "the month a year before",
         (FlowTerm("cla_starts_12_months", "numerator", 0, 1), FlowTerm("cla_starts_12_months", "numerator", 1, -1),
          FlowTerm("cla_starts", "numerator", 0, -1), FlowTerm("cla_starts", "numerator", 12, 1))),
    Flow("ceased in the 12 months (adoption's denominator) = ceased in the 12 months to last month + ceased this "
         "month - ceased in the month a year before",
         (FlowTerm("adopted_of_leavers", "denominator", 0, 1), FlowTerm("adopted_of_leavers", "denominator", 1, -1),
          FlowTerm("cla_ceased", "numerator", 0, -1), FlowTerm("cla_ceased", "numerator", 12, 1))),
)  # fmt: skip


@dataclass(frozen=True)
class RollingTotal:
    """A count that is another's added up over the `months` months to its own: a reader adds a year of monthly
    tables up (adoption's denominator, the children who ceased in the 12 months, is exactly its months'
    ceasings; the 12 months' starts to within a child who started twice, protected as exact)."""

    total: tuple[str, str]  # (measure, count)
    of: tuple[str, str]
    months: int = 12


ROLLING_TOTALS: tuple[RollingTotal, ...] = (
    RollingTotal(("cla_starts_12_months", "numerator"), ("cla_starts", "numerator")),
    RollingTotal(("adopted_of_leavers", "denominator"), ("cla_ceased", "numerator")),
)
# The flows' counts a return gives as KPIs' figures before any extract (3 or more placements, going missing,
# adoption): a month's measures table is decided as though the months before any extract showed them.
RETURNED_STOCKS = frozenset({"cla_count", "missing_in_month_share", "adopted_of_leavers"})
# Where a flow would give a hidden count back, which of the month's figures is hidden first: the flows no page
# shows (the measures table's), then going missing's denominator (a KPI's), the children looked after at the
# month end (the headline) last.
FLOW_HIDING_ORDER = (
    "cla_ceased", "cla_starts", "missing_in_month_share", "cla_starts_12_months", "adopted_of_leavers", "cla_count",
)  # fmt: skip


def measure(
    id: str, title: str, unit: str, polarity: str, definition: str
) -> Callable[[Callable[[Ssda903, pd.Timestamp], pd.DataFrame]], Callable[[Ssda903, pd.Timestamp], pd.DataFrame]]:
    """Register a measure function under `id` with what a reader needs to know about it."""

    def register(
        function: Callable[[Ssda903, pd.Timestamp], pd.DataFrame],
    ) -> Callable[[Ssda903, pd.Timestamp], pd.DataFrame]:
        if id in MEASURES:
            raise ValueError(f"measure {id!r} is registered twice")
        if MEASURE_UNITS.get(id) != unit:  # the vocabulary is what KPI definitions are checked against
            raise ValueError(f"measure {id!r} ({unit}) is not in config/vocabulary.py's MEASURE_UNITS as a {unit}")
        MEASURES[id] = Measure(id, title, unit, polarity, definition, function)
        return function

    return register


# --- rows of a measure--------------------------------------------------------------------------------


def _rows(children: pd.Series, numerator: pd.Series, denominator: pd.Series | None = None) -> pd.DataFrame:
    counted = np.ones(len(children), dtype=bool) if denominator is None else denominator.to_numpy(dtype=bool)
    return pd.DataFrame(
        {"CHILD": children.to_numpy(), "numerator": numerator.to_numpy(dtype=bool), "denominator": counted}
    )


def _once(data: Ssda903, key: object, work_out: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A measure's rows that are the same for many month ends: worked out once, a copy for each (shallow: a
    change to it copies what it changes)."""
    return _memo(data, ("rows", key), work_out).copy(deep=False)


def _count(children: pd.Series, as_at: pd.Series | None = None) -> pd.DataFrame:
    """Rows of a count; `as_at`: when each event happened (a cohort's conditions are read as they stood then)."""
    columns = {"CHILD": children.to_numpy(), "numerator": np.ones(len(children), dtype=bool)}
    columns["denominator"] = np.full(len(children), np.nan)
    return pd.DataFrame(columns if as_at is None else columns | {"as_at": as_at.to_numpy()})


# --- the measures ------------------------------------------------------------------------------------


@measure("cla_count", "Children looked after at the month end", "count", "L",
         "Children with an episode begun on or before the month end and not ended by it.")  # fmt: skip
def cla_count(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    return _count(looked_after_at(data, at).to_series())


def started_between(data: Ssda903, first: pd.Timestamp, at: pd.Timestamp) -> pd.DataFrame:
    """The episodes that started care (RNE S) from `first` to `at`: only the first occasion each child
    started to be looked after in the period counts (DfE)."""
    starts = _memo(data, "starts of care", lambda: _in_order(data, "RNE", "S", "DECOM"))
    return _once_each(starts, "DECOM", first, at, keep="first")


def _in_order(data: Ssda903, column: str, code: str, day: str) -> dict[str, np.ndarray]:
    """The episodes whose `column` is `code` (for RNE) or is not `code` (for REC), by CHILD and `day`, as arrays
    (child code, CHILD, DECOM, DEC, REC): sorted once per extract, not once per month (a month's episodes are in
    the same order whether sorted before or after the month is picked out, the sort being stable)."""
    eps = episodes(data)
    chosen = (eps[column] == code if column == "RNE" else eps[column] != code).fillna(False).to_numpy(dtype=bool)
    maybe = eps.loc[chosen].sort_values(["CHILD", day])
    out = {c: maybe[c].to_numpy() for c in ("CHILD", "DECOM", "DEC", "REC")}
    return out | {"child": child_codes(data, maybe["CHILD"])}


def _once_each(
    events: dict[str, np.ndarray], on: str, first: pd.Timestamp, at: pd.Timestamp, keep: str
) -> pd.DataFrame:
    """`events` (sorted by child, then `on`) whose `on` is from `first` to `at`: one per child, its first or last."""
    inside = np.flatnonzero((events[on] >= day(first)) & (events[on] <= day(at)))
    child = events["child"][inside]
    change = child[1:] != child[:-1]  # the children are in runs: a run's first and last are where it changes
    kept = inside[np.r_[True, change] if keep == "first" else np.r_[change, True]] if len(inside) else inside
    return pd.DataFrame({c: events[c][kept] for c in ("CHILD", "DECOM", "DEC", "REC")})


@measure("cla_starts", "Children who started to be looked after in the month", "count", "L",
         "Children who started to be looked after in the month: an episode with RNE S (a new period of care) "
         "beginning in it; a child who started twice counts once, as at the first time (age, legal "
         "status).")  # fmt: skip
def cla_starts(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    began = started_between(data, month_start(at), at)
    return _count(began["CHILD"], began["DECOM"])


@measure("cla_starts_12_months", "Children who started to be looked after in the 12 months to the month end",
         "count", "L",
         "Children who started to be looked after in the 12 months to the month end (an episode with RNE S "
         "beginning in them), each counted once, as at the first time: not the sum of the months' starts.")  # fmt: skip
def cla_starts_12_months(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    began = started_between(data, year_before(at), at)
    return _count(began["CHILD"], began["DECOM"])


def ceased_between(data: Ssda903, first: pd.Timestamp, at: pd.Timestamp) -> pd.DataFrame:
    """The episodes that ended care (REC other than X1) from `first` to `at`: only the last occasion each child
    ceased to be looked after in the period counts (DfE)."""
    ends = _memo(data, "ends of care", lambda: _in_order(data, "REC", "X1", "DEC"))
    return _once_each(ends, "DEC", first, at, keep="last")


@measure("cla_ceased", "Children who ceased to be looked after in the month", "count", "H",
         "Children whose care ended in the month: an episode ending with a reason other than X1 (a change within "
         "one period of care); a child who ceased twice counts once, as at the last time.")  # fmt: skip
def cla_ceased(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    left = ceased_between(data, month_start(at), at)
    return _count(left["CHILD"], left["DEC"])


def new_placements(data: Ssda903) -> pd.Series:
    """Per episode (aligned with `care_periods`), whether it begins a placement the DfE counts: the first
    episode of a period of care (RNE S; the full-time placement that follows a series of short breaks; the
    first episode on record), or a change of placement (RNE P, B, T or U); but not a temporary placement
    (PLACE T0-T4), nor the return from one to the placement the child left for it, nor being placed for
    adoption with the current foster carer (PLACE A3 or A5 within a period, not at its start)."""
    return _placement_starts(data)[0]


PLACED_WHERE = ("PLACE", "PLACE_PROVIDER", "URN", "PL_POST")  # the same four: the same placement


def _placement_starts(data: Ssda903) -> tuple[pd.Series, pd.Series, pd.Series]:
    """`new_placements`; whether each episode is a temporary placement; and, for a return from a run of
    temporary placements, the day that run began (NaT otherwise). Worked out once per extract."""
    return _memo(data, "placement starts", lambda: _work_out_placement_starts(data))


def _placed_where(eps: pd.DataFrame) -> pd.Series:
    """Per episode, where the child is placed: PLACE, PLACE_PROVIDER, URN and PL_POST as one number (the same
    four, the same number); NaN where any of them is blank, as their text joined by '|' would be."""
    as_text = [eps[column].astype("str") for column in PLACED_WHERE]
    key, blank = np.zeros(len(eps), dtype="int64"), np.zeros(len(eps), dtype=bool)
    for column in as_text:
        codes, values = pd.factorize(column)
        if any("|" in str(value) for value in values):  # joined text could then be the same for other values
            joined = as_text[0]
            for other in as_text[1:]:
                joined = joined + "|" + other
            return joined
        blank |= codes < 0
        key = pd.factorize(key * (len(values) + 1) + codes + 1)[0]  # numbered again: never overflows
    return pd.Series(np.where(blank, np.nan, key.astype("float64")), index=eps.index)


def _work_out_placement_starts(data: Ssda903) -> tuple[pd.Series, pd.Series, pd.Series]:
    eps = care_periods(data)
    where = _placed_where(eps)
    temporary = eps["PLACE"].isin(TEMPORARY_PLACEMENTS)
    same_child = eps["CHILD"].eq(eps["CHILD"].shift())
    by_child = eps["CHILD"]
    # where the child was before the run of temporary placements that ends just before each episode
    before = where.where(~temporary).groupby(by_child).ffill().groupby(by_child).shift()
    returning = same_child & temporary.shift(fill_value=False) & (where == before)
    # the day the run of temporary placements before each episode began (the day the child left its placement)
    run_start = eps["DECOM"].where(temporary & ~(same_child & temporary.shift(fill_value=False)))
    run_began = run_start.groupby(by_child).ffill().groupby(by_child).shift().where(returning)
    starts_period = eps["DECOM"] == eps["period_start"]
    moved = eps["RNE"].isin(PLACEMENT_MOVES) & ~returning & ~eps["PLACE"].isin(ADOPTED_BY_CURRENT_CARER)
    return (starts_period | moved) & ~temporary, temporary, run_began


@measure("placement_stability_short", "Children looked after with 3 or more placements in the last 12 months",
         "percent", "L",
         "Of children looked after at the month end, those with three or more placements in the 12 months to it: "
         "the placement open on the first day of the 12 months (unless a temporary one, T0-T4: then the placement "
         "the child returns to), and each placement begun within them (a new period of care, the full-time "
         "placement after short breaks, the first episode on record, or RNE P, B, T or U), leaving out temporary "
         "placements, returns from them, and placing for adoption with the current foster carer (A3, A5, but "
         "not when that starts a period of care).")  # fmt: skip
def placement_stability_short(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    eps = episode_arrays(data, ordered=True)
    first, on = day(year_before(at)), day(at)
    counted, temporary, run_began = _memo(data, "placement starts, arrays", lambda: _placement_starts_arrays(data))
    open_at_start = (eps["DECOM"] < first) & ~(eps["DEC"] < first) & ~temporary  # DEC NaT: still open
    # a return within the 12 months from a temporary placement open on their first day is the placement held
    returned = (run_began < first) & ~temporary
    moved_within = (eps["DECOM"] >= first) & (eps["DECOM"] <= on) & (counted | returned)
    placements = np.bincount(eps["child"][open_at_start | moved_within], minlength=len(child_names(data)))
    children = looked_after_codes(data, at)
    return _rows(pd.Series(child_names(data).take(children)), pd.Series(placements[children] >= 3))


def _placement_starts_arrays(data: Ssda903) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_placement_starts` as arrays (aligned with `care_periods`)."""
    counted, temporary, run_began = _placement_starts(data)
    return counted.to_numpy(dtype=bool), temporary.to_numpy(dtype=bool), run_began.to_numpy()


@measure("placement_stability_long",
         "Children under 16 looked after for 2.5 years or more, in the same placement for 2 years", "percent", "H",
         "Of children looked after at the month end, under 16, and looked after continuously for at least 2.5 years "
         "(their period of care, through contiguous episodes, began at least 30 months before it): those living "
         "with the same carer for at least 2 years (no change of carer, RNE P or B, in the 24 months to it; a "
         "temporary placement and the return from it are not one), or "
         "placed for adoption where the adoptive placement and the one before it together last 2 years. A period "
         "that began before the earliest episode on record began no later than that episode.")  # fmt: skip
def placement_stability_long(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    eps = episode_arrays(data, ordered=True)
    on = day(at)
    open_now = np.flatnonzero((eps["DECOM"] <= on) & ~(eps["DEC"] <= on))  # DEC NaT: still open
    child = eps["child"][open_now]
    current = open_now[np.r_[child[1:] != child[:-1], True]] if len(open_now) else open_now  # each child's latest
    children = eps["child"][current]
    ages = age_by_code(data, at)[children]
    in_scope = (eps["period_start"][current] <= day(at - pd.DateOffset(months=30))) & (ages < 16)
    window = day(at - pd.DateOffset(months=24))
    # a change of carer is a new placement the DfE counts (not a temporary one, nor the return from it)
    changed, adoptive = _memo(data, "changes of carer", lambda: _changes_of_carer(data))
    moves = np.flatnonzero(changed & (eps["DECOM"] > window) & (eps["DECOM"] <= on))
    # the move into an adoptive placement the child is still in counts with the placement before it
    current_start = np.full(len(child_names(data)), np.datetime64("NaT"), dtype=eps["DECOM"].dtype)
    current_start[children] = eps["DECOM"][current]  # NaT: no placement now
    into_adoption = adoptive[moves] & (current_start[eps["child"][moves]] == eps["DECOM"][moves])
    moved = np.zeros(len(child_names(data)), dtype=bool)
    moved[eps["child"][moves[~into_adoption]]] = True
    chosen = children[in_scope]
    return _rows(pd.Series(child_names(data).take(chosen)), pd.Series(~moved[chosen]))


def _changes_of_carer(data: Ssda903) -> tuple[np.ndarray, np.ndarray]:
    """Per episode (aligned with `care_periods`): whether it is a change of carer; whether it is an adoptive
    placement."""
    eps = care_periods(data)
    changed = eps["RNE"].isin(CHANGE_OF_CARER) & new_placements(data)
    return changed.to_numpy(dtype=bool), eps["PLACE"].isin(ADOPTION_PLACEMENTS).to_numpy(dtype=bool)


@measure("adopted_of_leavers", "Children who ceased to be looked after who were adopted", "percent", "H",
         "Of children who ceased to be looked after in the 12 months to the month end (the last occasion each "
         "ceased: an episode ending with a reason other than X1), those adopted (REC E11 or E12).")  # fmt: skip
def adopted_of_leavers(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    left = ceased_between(data, year_before(at), at)
    # a cohort as the child was when they ceased (age, legal status), as cla_ceased reads it
    return _rows(left["CHILD"], left["REC"].isin(ADOPTED)).assign(as_at=left["DEC"].to_numpy())


@measure("missing_in_month", "Children looked after who went missing in the month", "count", "L",
         "Children looked after at any time in the month with a missing episode (MISSING M) begun in it.")  # fmt: skip
def missing_in_month(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    return _memo(data, ("went missing", at), lambda: _went_missing(data, at)).copy(deep=False)  # the share reads it


def _went_missing(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    eps = episode_arrays(data)
    first, on = day(month_start(at)), day(at)
    looked_after = np.zeros(len(child_names(data)), dtype=bool)
    looked_after[eps["child"][(eps["DECOM"] <= on) & ~(eps["DEC"] < first)]] = True  # DEC NaT: still open
    went = _memo(data, "missing episodes", lambda: _missing_episodes(data))
    inside = np.flatnonzero((went["MIS_START"] >= first) & (went["MIS_START"] <= on) & looked_after[went["child"]])
    child = went["child"][inside]
    first_time = inside[np.r_[True, child[1:] != child[:-1]]] if len(inside) else inside  # as at the first in the month
    return _count(pd.Series(went["CHILD"][first_time]), pd.Series(went["MIS_START"][first_time]))


def _missing_episodes(data: Ssda903) -> dict[str, np.ndarray]:
    """The missing episodes (MISSING M, not away without authorisation: A) by CHILD and MIS_START, as arrays."""
    table = data.table("missing")
    went = table.loc[(table["MISSING"] == "M").to_numpy(dtype=bool)].sort_values(["CHILD", "MIS_START"])
    out = {c: went[c].to_numpy() for c in ("CHILD", "MIS_START")}
    return out | {"child": child_codes(data, went["CHILD"])}


@measure("missing_in_month_share", "Children looked after who went missing in the month", "percent", "L",
         "Of children looked after at any time in the month, those with a missing episode (MISSING M) begun in it: "
         "missing_in_month's children over every child looked after in the month.")  # fmt: skip
def missing_in_month_share(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    eps = episode_arrays(data)
    first, on = day(month_start(at)), day(at)
    during = (eps["DECOM"] <= on) & ~(eps["DEC"] < first)  # DEC NaT: still open
    # a child is read as they stood on the last day looked after in the month, or when they first went missing
    ended = eps["DEC"][during] <= on  # NaT: not ended
    last_day = np.where(ended, eps["DEC"][during], on).astype(eps["DECOM"].dtype)
    latest = np.full(len(child_names(data)), np.iinfo("int64").min)
    np.maximum.at(latest, eps["child"][during], last_day.view("int64"))
    children = np.flatnonzero(latest > np.iinfo("int64").min)
    went = missing_in_month(data, at)
    went_on = np.full(len(child_names(data)), np.datetime64("NaT"), dtype=last_day.dtype)
    codes = child_codes(data, went["CHILD"])
    went_on[codes] = went["as_at"].to_numpy()
    as_at = np.where(np.isnat(went_on[children]), latest[children].view(last_day.dtype), went_on[children])
    return _rows(pd.Series(child_names(data).take(children)), pd.Series(~np.isnat(went_on[children]))).assign(
        as_at=as_at
    )


def _oc3(data: Ssda903) -> pd.DataFrame:
    """OC3's care leavers as the DfE counts them: those who died, or returned home for 6 months or more, left out."""
    table = data.table("oc3")
    return _memo(data, "care leavers", lambda: table.loc[~table["IN_TOUCH"].isin(NOT_CARE_LEAVERS)])


@measure("care_leavers_in_touch", "Care leavers the authority is in touch with", "percent", "H",
         "OC3 (care leavers at their 19th to 21st birthday in the collection year), those who died or returned "
         "home to parents for 6 months or more (IN_TOUCH DIED, RHOM) left out: IN_TOUCH YES.")  # fmt: skip
def care_leavers_in_touch(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    def work_out() -> pd.DataFrame:
        table = _oc3(data)
        return _rows(table["CHILD"], table["IN_TOUCH"] == "YES")

    return _once(data, "care_leavers_in_touch", work_out)  # OC3 is the same at every month end


@measure("care_leavers_eet", "Care leavers in education, employment or training", "percent", "H",
         "OC3, those who died or returned home (DIED, RHOM) left out: ACTIV F1, P1, F2, P2, F3 or P3.")  # fmt: skip
def care_leavers_eet(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    def work_out() -> pd.DataFrame:
        table = _oc3(data)
        return _rows(table["CHILD"], table["ACTIV"].isin(EET))

    return _once(data, "care_leavers_eet", work_out)  # OC3 is the same at every month end


@measure("care_leavers_suitable_accommodation", "Care leavers in suitable accommodation", "percent", "H",
         "OC3, those who died or returned home (DIED, RHOM) left out: ACCOM one of the DfE's suitable codes (B1, "
         "C1, D1, E1, G1, H1, K1, R1, T1, U1, V1, W1, Y1, Z1); a code not in the DfE's list is not suitable, "
         "and a data-quality error.")  # fmt: skip
def care_leavers_suitable_accommodation(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    def work_out() -> pd.DataFrame:
        table = _oc3(data)
        return _rows(table["CHILD"], table["ACCOM"].isin(SUITABLE_ACCOMMODATION))

    return _once(data, "care_leavers_suitable_accommodation", work_out)  # OC3 is the same at every month end


def last_31_march(at: pd.Timestamp) -> pd.Timestamp:
    """The 31 March on or before `at`: the end of the latest collection year OC2 can describe."""
    return pd.Timestamp(year=at.year if at.month > 3 else at.year - 1, month=3, day=31)


def oc2_cohort(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    """OC2's rows for the children the DfE measures: looked after at 31 March (the last by `at`) and
    continuously for at least 12 months before it (their period of care began by 1 April the year before);
    a child of the cohort without an OC2 row is in the cohort, not counted. One row per child: CHILD and
    the OC2 columns (blank where the child has no row). No OC2 rows at all: no cohort (nothing was returned
    to measure, which is not 0%)."""

    def work_out() -> pd.DataFrame:
        march = last_31_march(at)
        eps = care_periods(data)
        table = data.table("oc2").drop_duplicates("CHILD").set_index("CHILD")
        open_then = eps.loc[open_at(eps, march) & (eps["period_start"] <= year_before(march)) & (len(table) > 0)]
        children = pd.Index(open_then["CHILD"].unique(), name="CHILD")
        return table.reindex(children).reset_index()

    return _memo(data, ("OC2 cohort", last_31_march(at)), work_out)


@measure("health_assessment", "Children looked after for 12 months with an up-to-date health assessment",
         "percent", "H",
         "Of children looked after continuously for 12 months at 31 March (the last by the month end), those "
         "with OC2 HEALTH_ASSESSMENT 1; an OC2 row of another child is left out.")  # fmt: skip
def health_assessment(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    def work_out() -> pd.DataFrame:
        table = oc2_cohort(data, at)
        return _rows(table["CHILD"], table["HEALTH_ASSESSMENT"] == "1")

    return _once(data, ("health_assessment", last_31_march(at)), work_out)  # the same until the next 31 March


@measure("dental_check_903", "Children looked after for 12 months with a dental check", "percent", "H",
         "Of children looked after continuously for 12 months at 31 March (the last by the month end), those "
         "with OC2 TEETH_CHECK 1; an OC2 row of another child is left out.")  # fmt: skip
def dental_check_903(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    def work_out() -> pd.DataFrame:
        table = oc2_cohort(data, at)
        return _rows(table["CHILD"], table["TEETH_CHECK"] == "1")

    return _once(data, ("dental_check_903", last_31_march(at)), work_out)  # the same until the next 31 March


def data_quality(data: Ssda903, at: pd.Timestamp, folder: str | Path = "903") -> pd.DataFrame:
    """What loading found, and what the measures had to leave out, as problem rows (warnings)."""
    eps = care_periods(data)
    current = eps.loc[open_at(eps, at)]
    # a period begun before the first episode on record, too recently on record to be known 2.5 years long
    unsure = current.loc[~current["start_known"] & (current["period_start"] > at - pd.DateOffset(months=30))]
    # a row per child, at the child's first episode on record (file and row find it; never which child)
    episodes = data.table("episodes")
    first = episodes.loc[episodes["CHILD"].isin(set(unsure["CHILD"]))].sort_values("DECOM", kind="stable")
    first = first.drop_duplicates("CHILD")
    where = data.sources.get("episodes")
    files = [str(folder)] * len(first) if where is None else [str(f) for f in where.loc[first.index, "_file"]]
    rows = [None] * len(first) if where is None else [int(r) for r in where.loc[first.index, "_row"]]
    found = problems_at(
        files, rows, "RNE", first["RNE"].astype("string").fillna(""),
        rules.PERIOD_START_ON_RECORD, WARNING,
    )  # fmt: skip
    return combine([data.problems, found, _area_not_known(data, at), _accommodation_not_coded(data)])


def _accommodation_not_coded(data: Ssda903) -> pd.DataFrame:
    """An error per care leaver counted whose ACCOM is not a code of the DfE's list (S1, 01, ...): the
    accommodation measure counts it as not suitable, never as suitable. Named by file, row and column."""
    if "oc3" not in data.tables:
        return no_problems()
    table = _oc3(data)
    wrong = table.loc[~table["ACCOM"].isin(ACCOMMODATION_CODES)]
    where = data.sources.get("oc3")
    files = [str(f) for f in where.loc[wrong.index, "_file"]] if where is not None else ["oc3"] * len(wrong)
    rows = [int(r) for r in where.loc[wrong.index, "_row"]] if where is not None else [None] * len(wrong)
    values = wrong["ACCOM"].astype("string").fillna("")
    return problems_at(files, rows, "ACCOM", values, RULE_ACCOMMODATION_CODE, ERROR)


def _area_not_known(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    """A warning per child looked after at `at` who is not in child_area.csv (where the extract has one):
    each is counted in 'Area not known'. Named by the child's open episode's file and row."""
    if "child_area" not in data.tables:
        return no_problems()
    eps = data.table("episodes")
    open_now = eps.loc[open_at(eps, at)].drop_duplicates("CHILD")
    lost = open_now.loc[~open_now["CHILD"].isin(set(data.table("child_area")["CHILD"]))]
    where = data.sources.get("episodes")
    files = [str(f) for f in where.loc[lost.index, "_file"]] if where is not None else ["episodes"] * len(lost)
    rows = [int(r) for r in where.loc[lost.index, "_row"]] if where is not None else [None] * len(lost)
    return problems_at(files, rows, "CHILD", [""] * len(lost), RULE_AREA_KNOWN, WARNING)


# --- looking measures up and adding them up -------------------------------------------------------------


def measure_table(
    data: Ssda903, month: str, authority: str, measures: list[str] | None = None,
    cohorts: CohortCatalogue | None = None, breakdowns: list[str] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """One row per area x measure x cohort x breakdown x group for `month`: numerator, denominator, value.

    Areas: the authority (every child) and each area of child_area.csv. Cohorts and breakdowns: those of
    `cohorts` (default parameters/cohorts.yaml); `breakdowns`: those named (default: every one, the file's
    own too). Headline rows: breakdown 'total', group 'all'. A count has no denominator; a percent's value
    is 100 x numerator / denominator.
    """
    return measure_tables(data, [month], authority, measures, cohorts, breakdowns)


def measure_tables(
    data: Ssda903, months: list[str], authority: str, measures: list[str] | None = None,
    cohorts: CohortCatalogue | None = None, breakdowns: list[str] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """`measure_table` for each of `months` from one extract (a history as the extract tells it), added up
    in one pass (measures/adding_up.py); `measures`: ids in the registry (default: every one registered)."""
    chosen = [MEASURES[m] for m in measures or MEASURES]
    return add_up_months(data, months, authority, chosen, cohorts, breakdowns)
