"""KPI measures from SSDA903 data: a registry of small functions, one per measure, each with its metadata.

Every measure takes the extract and the month and returns one row per child (or per episode) in scope:
`CHILD`, `numerator` (counted), `denominator` (in the cohort measured; absent for counts) and, for a
measure of events, `as_at`: the day it happened. `measure_table` adds what is known of each child then
(else at the month end) and adds the rows up by cohort (parameters/cohorts.yaml), breakdown and area.
Dates are days; the month end is D; "the 12 months to D" runs from the day after D's date a year
earlier up to D; age is in completed years at D. Episodes of short-break series (LS V3, V4) are left
out of every measure. See docs/ssda903-measures.md for how each DfE definition is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.periods import month_end, parse_month
from lacperf_helpers.config.vocabulary import (
    AGE_BANDS,
    ALL,
    AREA_NOT_KNOWN,
    ETHNIC_GROUPS,
    MEASURE_UNITS,
    PLACEMENT_TYPES,
    TOTAL,
)
from lacperf_helpers.ingest.ssda903 import TABLES, Ssda903
from lacperf_helpers.ingest.validation import ERROR, WARNING, combine, no_problems, problems_at

SHORT_BREAKS = {"V3", "V4"}
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
RULE_ACCOMMODATION_CODE = "OC3 ACCOM is a code in the DfE's list (an invalid code is never counted as suitable)"
RULE_AREA_KNOWN = f"a looked-after child is in child_area.csv (else counted in '{AREA_NOT_KNOWN}')"
MEASURE_COLUMNS = (
    "month", "area", "measure", "cohort", "breakdown", "group", "numerator", "denominator", "value",
)  # fmt: skip


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
)


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


# --- the building blocks -------------------------------------------------------------------------------


def _memo(data: Ssda903, key: object, work_out: Callable[[], Any]) -> Any:
    """What `work_out` gives for this extract, worked out once (every measure of every month shares it)."""
    if key not in data.memo:
        data.memo[key] = work_out()
    return data.memo[key]


def episodes(data: Ssda903) -> pd.DataFrame:
    """Episodes, short-break series left out."""
    table = data.table("episodes")
    return _memo(data, "episodes", lambda: table.loc[~table["LS"].isin(SHORT_BREAKS)])


def header(data: Ssda903) -> pd.DataFrame:
    """One header row per CHILD, indexed by CHILD."""
    return _memo(data, "header", lambda: data.table("header").drop_duplicates("CHILD").set_index("CHILD"))


def open_at(frame: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Episodes open at `at`: begun on or before it, not ended by it (ending on `at` is not open)."""
    return (frame["DECOM"] <= at) & (frame["DEC"].isna() | (frame["DEC"] > at))


def year_before(at: pd.Timestamp) -> pd.Timestamp:
    """The first day of the 12 months to `at`: the day after `at`'s date a year earlier."""
    return at - pd.DateOffset(years=1) + pd.Timedelta(days=1)


def month_start(at: pd.Timestamp) -> pd.Timestamp:
    return at.replace(day=1)


def looked_after_at(data: Ssda903, at: pd.Timestamp) -> pd.Index:
    eps = episodes(data)
    return _memo(
        data, ("looked after", at), lambda: pd.Index(eps.loc[open_at(eps, at), "CHILD"].unique(), name="CHILD")
    )


def care_periods(data: Ssda903) -> pd.DataFrame:
    """Each episode (short breaks left out) with the start of the period of care it belongs to, by CHILD and DECOM.

    A period runs through contiguous episodes: a new one begins at a child's first episode on record, after an
    episode that ended care (REC other than X1), or after a gap. A period whose first episode on record is not
    RNE S began no later than that episode: `start_known` says whether the start itself is on record.
    """

    def work_out() -> pd.DataFrame:
        eps = episodes(data).sort_values(["CHILD", "DECOM"]).reset_index(drop=True)
        same_child = eps["CHILD"].eq(eps["CHILD"].shift())
        previous_end, previous_reason = eps["DEC"].shift(), eps["REC"].shift()
        continues = same_child & (previous_reason == "X1") & ~(previous_end < eps["DECOM"])
        period = (~continues).cumsum()
        first = eps.groupby(period)["DECOM"].transform("first")
        known = eps.groupby(period)["RNE"].transform("first") == "S"
        return eps.assign(period_start=first, start_known=known)

    return _memo(data, "care periods", work_out)


def uasc_at(data: Ssda903, at: pd.Timestamp) -> pd.Index:
    """Children who are unaccompanied asylum seekers at `at`: in the UASC table with DUC blank or later,
    or flagged in the header's UASC column where the extract has one."""
    uasc = data.table("uasc")
    children = set(uasc.loc[uasc["DUC"].isna() | (uasc["DUC"] > at), "CHILD"])
    flagged = data.table("header")
    if "UASC" in flagged.columns:
        children |= set(flagged.loc[flagged["UASC"].astype("str").isin(["1", "Y", "YES"]), "CHILD"])
    return pd.Index(sorted(children), name="CHILD")


def _rows(children: pd.Series, numerator: pd.Series, denominator: pd.Series | None = None) -> pd.DataFrame:
    out = pd.DataFrame({"CHILD": children.to_numpy(), "numerator": numerator.to_numpy(dtype=bool)})
    out["denominator"] = True if denominator is None else denominator.to_numpy(dtype=bool)
    return out


def _lookup(children: pd.Series, by_child: pd.Series) -> pd.Series:
    """`by_child`'s value for each child (NaN where it has none)."""
    return pd.Series(by_child.reindex(children.to_numpy()).to_numpy(), index=children.index)


def _count(children: pd.Series, as_at: pd.Series | None = None) -> pd.DataFrame:
    """Rows of a count; `as_at`: when each event happened (a cohort's conditions are read as they stood then)."""
    out = pd.DataFrame({"CHILD": children.to_numpy(), "numerator": True, "denominator": np.nan})
    if as_at is not None:
        out["as_at"] = as_at.to_numpy()
    return out


# --- the measures ------------------------------------------------------------------------------------


@measure("cla_count", "Children looked after at the month end", "count", "L",
         "Children with an episode begun on or before the month end and not ended by it.")  # fmt: skip
def cla_count(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    return _count(looked_after_at(data, at).to_series())


def started_between(data: Ssda903, first: pd.Timestamp, at: pd.Timestamp) -> pd.DataFrame:
    """The episodes that started care (RNE S) from `first` to `at`: only the first occasion each child
    started to be looked after in the period counts (DfE)."""
    eps = episodes(data)
    began = eps.loc[(eps["RNE"] == "S") & (eps["DECOM"] >= first) & (eps["DECOM"] <= at)]
    return began.sort_values(["CHILD", "DECOM"]).drop_duplicates("CHILD", keep="first")


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
    eps = episodes(data)
    left = eps.loc[(eps["DEC"] >= first) & (eps["DEC"] <= at) & (eps["REC"] != "X1")]
    return left.sort_values(["CHILD", "DEC"]).drop_duplicates("CHILD", keep="last")


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
    return _memo(data, "new placements", lambda: _placement_starts(data)[0])


def _placement_starts(data: Ssda903) -> tuple[pd.Series, pd.Series, pd.Series]:
    """`new_placements`; whether each episode is a temporary placement; and, for a return from a run of
    temporary placements, the day that run began (NaT otherwise)."""
    eps = care_periods(data)
    where = eps["PLACE"].astype("str")
    for column in ("PLACE_PROVIDER", "URN", "PL_POST"):
        where = where + "|" + eps[column].astype("str")
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
    eps = care_periods(data)
    first = year_before(at)
    counted, temporary, run_began = _memo(data, "placement starts", lambda: _placement_starts(data))
    open_at_start = (eps["DECOM"] < first) & (eps["DEC"].isna() | (eps["DEC"] >= first)) & ~temporary
    # a return within the 12 months from a temporary placement open on their first day is the placement held
    returned = (run_began < first) & ~eps["PLACE"].isin(TEMPORARY_PLACEMENTS)
    moved_within = (eps["DECOM"] >= first) & (eps["DECOM"] <= at) & (counted | returned)
    placements = eps.loc[open_at_start | moved_within].groupby("CHILD").size()
    children = looked_after_at(data, at).to_series()
    return _rows(children, _lookup(children, placements).fillna(0) >= 3)


@measure("placement_stability_long",
         "Children under 16 looked after for 2.5 years or more, in the same placement for 2 years", "percent", "H",
         "Of children looked after at the month end, under 16, and looked after continuously for at least 2.5 years "
         "(their period of care, through contiguous episodes, began at least 30 months before it): those living "
         "with the same carer for at least 2 years (no change of carer, RNE P or B, in the 24 months to it; a "
         "temporary placement and the return from it are not one), or "
         "placed for adoption where the adoptive placement and the one before it together last 2 years. A period "
         "that began before the earliest episode on record began no later than that episode.")  # fmt: skip
def placement_stability_long(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    eps = care_periods(data)
    current = eps.loc[open_at(eps, at)].drop_duplicates("CHILD", keep="last").set_index("CHILD")
    children = current.index.to_series()
    ages = _lookup(children, age_at(data, at))
    in_scope = (current["period_start"] <= at - pd.DateOffset(months=30)) & (ages < 16)
    window = at - pd.DateOffset(months=24)
    # a change of carer is a new placement the DfE counts (not a temporary one, nor the return from it)
    changed = _memo(data, "changes of carer", lambda: eps["RNE"].isin(CHANGE_OF_CARER) & new_placements(data))
    moves = eps.loc[changed & (eps["DECOM"] > window) & (eps["DECOM"] <= at)]
    # the move into an adoptive placement the child is still in counts with the placement before it
    current_start = current["DECOM"].reindex(moves["CHILD"]).to_numpy()  # NaT: no placement now
    into_adoption = moves["PLACE"].isin(ADOPTION_PLACEMENTS) & (current_start == moves["DECOM"].to_numpy())
    moved = set(moves.loc[~into_adoption, "CHILD"])
    chosen = children.loc[in_scope.to_numpy()]
    return _rows(chosen, ~chosen.isin(moved))


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
    eps = episodes(data)
    first = month_start(at)
    during = (eps["DECOM"] <= at) & (eps["DEC"].isna() | (eps["DEC"] >= first))
    looked_after = set(eps.loc[during, "CHILD"])
    table = data.table("missing")
    went = table.loc[(table["MISSING"] == "M") & (table["MIS_START"] >= first) & (table["MIS_START"] <= at)]
    went = went.loc[went["CHILD"].isin(looked_after)].sort_values(["CHILD", "MIS_START"]).drop_duplicates("CHILD")
    return _count(went["CHILD"], went["MIS_START"])  # as at the first time in the month


def _oc3(data: Ssda903) -> pd.DataFrame:
    """OC3's care leavers as the DfE counts them: those who died, or returned home for 6 months or more, left out."""
    table = data.table("oc3")
    return table.loc[~table["IN_TOUCH"].isin(NOT_CARE_LEAVERS)]


@measure("care_leavers_in_touch", "Care leavers the authority is in touch with", "percent", "H",
         "OC3 (care leavers at their 19th to 21st birthday in the collection year), those who died or returned "
         "home to parents for 6 months or more (IN_TOUCH DIED, RHOM) left out: IN_TOUCH YES.")  # fmt: skip
def care_leavers_in_touch(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    table = _oc3(data)
    return _rows(table["CHILD"], table["IN_TOUCH"] == "YES")


@measure("care_leavers_eet", "Care leavers in education, employment or training", "percent", "H",
         "OC3, those who died or returned home (DIED, RHOM) left out: ACTIV F1, P1, F2, P2, F3 or P3.")  # fmt: skip
def care_leavers_eet(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    table = _oc3(data)
    return _rows(table["CHILD"], table["ACTIV"].isin(EET))


@measure("care_leavers_suitable_accommodation", "Care leavers in suitable accommodation", "percent", "H",
         "OC3, those who died or returned home (DIED, RHOM) left out: ACCOM one of the DfE's suitable codes (B1, "
         "C1, D1, E1, G1, H1, K1, R1, T1, U1, V1, W1, Y1, Z1); a code not in the DfE's list is not suitable, "
         "and a data-quality error.")  # fmt: skip
def care_leavers_suitable_accommodation(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    table = _oc3(data)
    return _rows(table["CHILD"], table["ACCOM"].isin(SUITABLE_ACCOMMODATION))


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
    table = oc2_cohort(data, at)
    return _rows(table["CHILD"], table["HEALTH_ASSESSMENT"] == "1")


@measure("dental_check_903", "Children looked after for 12 months with a dental check", "percent", "H",
         "Of children looked after continuously for 12 months at 31 March (the last by the month end), those "
         "with OC2 TEETH_CHECK 1; an OC2 row of another child is left out.")  # fmt: skip
def dental_check_903(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    table = oc2_cohort(data, at)
    return _rows(table["CHILD"], table["TEETH_CHECK"] == "1")


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
        "a child's period of care starts on record (RNE S), or 30 months before the month end (else long-term "
        "stability may leave them out)", WARNING,
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


# --- who each child is, at the month end or when an event happened ---------------------------------------


def completed_years(dob: pd.Series, when: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole years from `dob` to `when` (a child whose birthday is that day has just turned); NaN unknown."""
    if isinstance(when, pd.Timestamp):
        year, month_day = when.year, when.month * 100 + when.day
    else:
        year, month_day = when.dt.year.to_numpy(), (when.dt.month * 100 + when.dt.day).to_numpy()
    born_year, birthday = dob.dt.year.to_numpy(dtype="float64"), (dob.dt.month * 100 + dob.dt.day).to_numpy()
    before_birthday = birthday > month_day  # an unknown birthday compares False: its year is NaN anyway
    return pd.Series(year - born_year - before_birthday, index=dob.index, dtype="float64")


def age_at(data: Ssda903, at: pd.Timestamp) -> pd.Series:
    """Completed years at `at`, by CHILD."""
    dob = header(data)["DOB"]
    if dob.empty:
        return pd.Series(dtype="float64", index=dob.index)
    return _memo(data, ("age", at), lambda: completed_years(dob, at))  # several measures ask, each month


AGE_BAND_STARTS = np.array([1, 5, 10, 16])  # where each AGE_BANDS band after the first begins, in years


def age_band(age: pd.Series) -> pd.Series:
    """Each age's band of AGE_BANDS ('unknown' without an age)."""
    labels = np.array([*AGE_BANDS, "unknown"], dtype=object)
    years = age.to_numpy(dtype="float64")
    band = np.where(np.isnan(years), len(AGE_BANDS), np.searchsorted(AGE_BAND_STARTS, years, side="right"))
    return pd.Series(labels[band], index=age.index)


def ethnicity_group(ethnic: pd.Series) -> pd.Series:
    """The first letter of ETHNIC names the group; REFU (refused) and NOBT (not obtained) stand as they are."""
    code = ethnic.astype("str").str.upper()
    grouped = code.str[0].map(ETHNIC_GROUPS)
    return grouped.mask(code.isin(["REFU", "NOBT"]), code).fillna("unknown")


def placement_type(place: pd.Series) -> pd.Series:
    code = place.astype("str").str.upper()
    return pd.Series(
        np.select(
            [code.str.match(r"^U[1-6]$"), code.str.match(r"^A[3-6]$"), code == "P1", code.str[0].isin(["K", "R", "S"]),
             code == "P2"],
            list(PLACEMENT_TYPES[:-1]),
            default=PLACEMENT_TYPES[-1],
        ),
        index=place.index,
    ).where(place.notna() & (code != "") & (code != "NAN"), "unknown")  # fmt: skip


def _who_each_child_is(data: Ssda903) -> pd.DataFrame:
    """Per CHILD, what does not change from month to month: sex, ethnicity group and area."""

    def work_out() -> pd.DataFrame:
        by_child = header(data)
        children = by_child.index.union(pd.Index(episodes(data)["CHILD"].unique()))
        children = children.union(pd.Index(data.table("oc3")["CHILD"]))
        fixed = pd.DataFrame(index=pd.Index(children, name="CHILD"))
        fixed["sex"] = by_child["SEX"].reindex(children).fillna("unknown").astype("str").to_numpy(dtype=object)
        fixed["ethnicity"] = ethnicity_group(by_child["ETHNIC"].reindex(children)).to_numpy(dtype=object)
        areas = data.table("child_area").drop_duplicates("CHILD").set_index("CHILD")["AREA"]
        fixed["area"] = areas.reindex(children).to_numpy(dtype=object)
        # categories: each month looks these up for every child; codes are taken, text is not copied
        return fixed.astype({"sex": "category", "ethnicity": "category", "area": "category"})

    return _memo(data, "who each child is", work_out)


def _episodes_in_order(data: Ssda903) -> pd.DataFrame:
    """Care episodes by CHILD and DECOM, each with its legal status and placement type."""

    def work_out() -> pd.DataFrame:
        eps = episodes(data).sort_values(["CHILD", "DECOM"])
        return pd.DataFrame({
            "CHILD": eps["CHILD"].to_numpy(dtype=object),
            "DECOM": eps["DECOM"].to_numpy(),
            "legal_status": pd.Categorical(eps["LS"].fillna("unknown").to_numpy(dtype=object)),
            "placement_type": pd.Categorical(placement_type(eps["PLACE"]).to_numpy(dtype=object)),
        })  # fmt: skip

    return _memo(data, "episodes in order", work_out)


def child_attributes(data: Ssda903, at: pd.Timestamp) -> pd.DataFrame:
    """Per CHILD at `at`: age and age band, sex, ethnicity group, legal status and placement type (of the
    episode open at `at`, else the latest begun by then), area, and whether the child is UASC."""
    attributes = _who_each_child_is(data).copy()
    children = attributes.index
    attributes["age"] = age_at(data, at).reindex(children).to_numpy(dtype="float64")
    attributes["age_band"] = age_band(attributes["age"]).to_numpy(dtype=object)
    latest = _latest_episodes(data, pd.Series(children), pd.Series(at, index=range(len(children))))
    for column in ("legal_status", "placement_type"):
        attributes[column] = latest[column]
    attributes["uasc"] = children.isin(uasc_at(data, at))
    return attributes


def attributes_when(data: Ssda903, children: pd.Series, when: pd.Series) -> pd.DataFrame:
    """`child_attributes` of each child as they stood on its own day (a start, an end of care, a missing
    episode), one row per row of `children`, in its order: the legal status and placement of the child's
    latest episode begun by that day."""
    probe = pd.Series(children.to_numpy(dtype=object))
    latest = _latest_episodes(data, probe, pd.Series(pd.to_datetime(when).to_numpy()))
    out = _who_each_child_is(data).reindex(probe).reset_index(drop=True)
    dob = header(data)["DOB"].reindex(probe).reset_index(drop=True)
    out["age"] = completed_years(dob, pd.Series(pd.to_datetime(when).to_numpy())).to_numpy(dtype="float64")
    out["age_band"] = age_band(out["age"]).to_numpy(dtype=object)
    for column in ("legal_status", "placement_type"):
        out[column] = latest[column]
    out["uasc"] = _uasc_when(data, probe, pd.Series(pd.to_datetime(when).to_numpy()))
    return out.set_axis(children.index)


def _latest_episodes(data: Ssda903, children: pd.Series, when: pd.Series) -> dict[str, np.ndarray]:
    """Per row, the legal status and placement type of the child's latest episode begun by `when` (else
    'unknown')."""
    eps, keys, known = _episodes_keyed(data)
    codes = known.get_indexer(pd.Index(children))
    at = np.searchsorted(keys, codes * DAY_SPAN + _days(when), side="right") - 1
    found = (codes >= 0) & (at >= 0) & (keys[np.maximum(at, 0)] // DAY_SPAN == codes)
    out = {}
    for column in ("legal_status", "placement_type"):  # by the categories' codes: per month, text was slow
        values = eps[column].cat
        categories = list(values.categories)
        unknown = categories.index("unknown") if "unknown" in categories else len(categories)
        codes = values.codes.to_numpy()[np.maximum(at, 0)].astype("int64")
        codes[~found | (codes < 0)] = unknown
        labels = categories if unknown < len(categories) else [*categories, "unknown"]
        out[column] = np.asarray(pd.Categorical.from_codes(codes, pd.Index(labels)))
    return out


DAY_SPAN = 1 << 20  # more days than any date's (1970 +- 1,400 years): child code x span + day sorts by both


def _days(dates: pd.Series) -> np.ndarray:
    """Days since 1970, shifted to be positive (a DECOM before 1970 is a date of birth's era, still kept)."""
    return np.asarray(dates.to_numpy(dtype="datetime64[D]").astype("int64") + DAY_SPAN // 2, dtype="int64")


def _episodes_keyed(data: Ssda903) -> tuple[pd.DataFrame, np.ndarray, pd.Index]:
    """Episodes in order of child and start, each keyed child code x DAY_SPAN + start day, with the children
    coded: the latest episode begun by a day is one binary search (not a join by text per month)."""

    def work_out() -> tuple[pd.DataFrame, np.ndarray, pd.Index]:
        eps = _episodes_in_order(data)
        codes, known = pd.factorize(eps["CHILD"])
        keys = codes.astype("int64") * DAY_SPAN + _days(eps["DECOM"])
        order = np.argsort(keys, kind="stable")
        return eps.iloc[order].reset_index(drop=True), keys[order], pd.Index(known)

    return _memo(data, "episodes keyed", work_out)


def _uasc_when(data: Ssda903, children: pd.Series, when: pd.Series) -> np.ndarray:
    """Per row, whether the child was an unaccompanied asylum seeker on that day (as `uasc_at` reads it)."""
    uasc = data.table("uasc")
    until = uasc["DUC"].fillna(pd.Timestamp.max).groupby(uasc["CHILD"]).max()
    ceased = until.reindex(children).to_numpy()
    out = ~pd.isna(ceased) & (pd.to_datetime(ceased) > when.to_numpy())
    flagged = data.table("header")
    if "UASC" in flagged.columns:
        out |= children.isin(set(flagged.loc[flagged["UASC"].astype("str").isin(["1", "Y", "YES"]), "CHILD"]))
    return np.asarray(out, dtype=bool)


# --- adding up -----------------------------------------------------------------------------------------


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
    in one pass: each month's rows are found on their own, the adding up is done once for them all."""
    chosen = measures or list(MEASURES)
    data = _children_coded(data)
    cohorts = cohorts or load_cohorts()
    breakdowns = cohorts.breakdown_names if breakdowns is None else breakdowns
    for name in breakdowns:
        if name not in cohorts.breakdown_names:
            raise ValueError(f"no breakdown {name!r}; the breakdowns are: {', '.join(cohorts.breakdown_names)}")
    found = []
    for month in months:  # each month's child-level rows are added up at once: only the sums are kept
        parse_month(month)
        at = pd.Timestamp(month_end(month))
        rows = pd.concat([MEASURES[m].compute(data, at).assign(measure=m) for m in chosen], ignore_index=True)
        if "as_at" not in rows:  # no measure of events asked for
            rows["as_at"] = pd.NaT
        dated = rows["as_at"].notna().to_numpy()
        at_end = rows.loc[~dated].join(child_attributes(data, at), on="CHILD")
        events = rows.loc[dated]
        at_event = events.join(attributes_when(data, events["CHILD"], events["as_at"]))
        joined = pd.concat([at_end, at_event]).assign(month=month)
        joined["uasc"] = joined["uasc"].fillna(False).astype(bool)
        found.append(_area_sums(joined, cohorts, breakdowns))
    areas = [authority, *sorted(_who_each_child_is(data)["area"].dropna().unique())]
    table = _add_up(pd.concat(found, ignore_index=True), authority, areas, chosen, months, cohorts, breakdowns)
    units = table["measure"].map({m.id: m.unit for m in MEASURES.values()})
    percent = 100 * table["numerator"] / table["denominator"].where(table["denominator"] > 0)
    table["value"] = percent.where(units == "percent", table["numerator"])
    table["denominator"] = table["denominator"].where(units == "percent")
    return table.loc[:, list(MEASURE_COLUMNS)]


def _children_coded(data: Ssda903) -> Ssda903:
    """The extract with CHILD as an integer per child (the same in every table): at 100,000 children, joins
    and look-ups on text were most of a month's time. Only sums leave measure_tables, so no code is seen."""

    def work_out() -> Ssda903:
        names = pd.Index(sorted({c for t in data.tables.values() if "CHILD" in t for c in t["CHILD"]}))
        tables = {
            name: data.table(name).assign(CHILD=names.get_indexer(data.table(name)["CHILD"]).astype("int64"))
            for name in TABLES
        }  # every table, an absent one empty: its CHILD an integer too, so no join falls back to text
        return Ssda903(tables, data.problems)

    return _memo(data, "children coded", work_out)


def _area_sums(joined: pd.DataFrame, cohorts: CohortCatalogue, breakdowns: list[str]) -> pd.DataFrame:
    """Child-level rows added up by month, measure, area, cohort, breakdown and group: a few thousand sums,
    however many children. Keys are counted as integer codes (np.bincount), not grouped as text: at
    100,000 children x 60 months, grouping strings was most of the time."""
    in_cohort = joined["denominator"].fillna(0).astype(bool).to_numpy()  # a count's rows have no denominator
    counted = joined["numerator"].to_numpy(dtype=bool) & (in_cohort | joined["denominator"].isna().to_numpy())
    measure_code, measures = pd.factorize(joined["measure"])
    area_code, areas = pd.factorize(joined["area"])  # no area: -1
    groups_of = {TOTAL: (np.zeros(len(joined), dtype="int64"), pd.Index([ALL]))}
    for breakdown in breakdowns:  # categorical: its codes are the keys (a group no child is in is no row)
        grouped = cohorts.groups(joined, breakdown).cat
        groups_of[breakdown] = (grouped.codes.to_numpy().astype("int64"), pd.Index(grouped.categories.astype(str)))
    parts: list[tuple[np.ndarray, ...]] = []  # per cohort x breakdown: measure, area, group, cohort, counts
    area_names = np.asarray([None, *areas], dtype=object)  # code 0: no area
    for n, cohort in enumerate(cohorts.cohorts):
        inside = np.flatnonzero(cohort.holds(joined))
        # the cohort's rows once: measure and area as one code, what each row adds
        place = measure_code[inside].astype("int64") * (len(areas) + 1) + area_code[inside] + 1
        adds, in_it = counted[inside], in_cohort[inside]
        for b, (group_code, groups) in enumerate(groups_of.values()):
            shape = (len(measures), len(areas) + 1, len(groups))
            key = place * len(groups) + group_code[inside]
            size = int(np.prod(shape))
            present = np.flatnonzero(np.bincount(key, minlength=size))
            numerator = np.bincount(key, weights=adds, minlength=size)[present]
            denominator = np.bincount(key, weights=in_it, minlength=size)[present]
            m, a, g = np.unravel_index(present, shape)
            labels = np.asarray(groups, dtype=object)[g]
            parts.append((m, a, labels, np.full(len(m), n), np.full(len(m), b), numerator, denominator))
    m, a, labels, cohort_codes, breakdown_codes, numerator, denominator = (
        np.concatenate(c) for c in zip(*parts, strict=True)
    )
    return pd.DataFrame({
        "month": joined["month"].iloc[0] if len(joined) else "",
        "measure": measures.to_numpy(dtype=object)[m],
        "area": area_names[a],
        "cohort": np.asarray(cohorts.names, dtype=object)[cohort_codes],
        "group": labels,
        "numerator": numerator.astype("int64"),
        "denominator": denominator.astype("int64"),
        "breakdown": np.asarray(list(groups_of), dtype=object)[breakdown_codes],
    })  # fmt: skip


def _add_up(
    by_area: pd.DataFrame, authority: str, areas: list[str], measure_ids: list[str], months: list[str],
    cohorts: CohortCatalogue, breakdowns: list[str],
) -> pd.DataFrame:  # fmt: skip
    """Numerators and denominators by month x area x cohort x breakdown x group, from `_area_sums`; every
    headline row is there, with 0 where no child is counted. The authority (every area together) is the
    sum of the areas' sums."""
    keys = ["month", "area", "measure", "cohort", "breakdown", "group"]
    known = by_area["area"].notna()
    counted = (by_area["numerator"] > 0) | (by_area["denominator"] > 0)
    unknown = by_area.loc[~known & counted].assign(area=AREA_NOT_KNOWN) if len(areas) > 1 else by_area.iloc[0:0]
    scoped = pd.concat([by_area.assign(area=authority), by_area.loc[known], unknown], ignore_index=True)
    summed = scoped.groupby(keys, sort=False, as_index=False)[["numerator", "denominator"]].sum()
    headline = pd.MultiIndex.from_product(
        [months, areas, measure_ids, cohorts.names, [TOTAL], [ALL]], names=keys
    ).to_frame(index=False)
    missing = headline.merge(summed[keys], how="left", indicator=True)
    zeros = missing.loc[missing["_merge"] == "left_only", keys].assign(numerator=0, denominator=0)
    added = pd.concat([summed, zeros], ignore_index=True).astype({"numerator": "float64", "denominator": "float64"})
    order = {  # months and measures in the order asked; headline first, the cohorts, the authority first, groups A-Z
        "month": months,
        "measure": measure_ids,
        "breakdown": [TOTAL, *breakdowns],
        "cohort": list(cohorts.names),
        "area": [*areas, AREA_NOT_KNOWN],
    }

    def position(column: pd.Series) -> pd.Series:  # as categories' codes: mapping text row by row was slow
        if column.name not in order:
            return column
        return pd.Series(pd.Categorical(column, categories=order[str(column.name)]).codes, index=column.index)

    return added.sort_values(
        ["month", "measure", "breakdown", "cohort", "area", "group"], key=position, ignore_index=True
    ).loc[:, [*keys, "numerator", "denominator"]]


def add_up_children(
    joined: pd.DataFrame, month: str, authority: str, areas: list[str], measure_ids: list[str],
    units: dict[str, str], cohorts: CohortCatalogue, breakdowns: list[str],
) -> pd.DataFrame:  # fmt: skip
    """Another source's child-level rows (Annex A's), each with who the child is (age, age_band, sex, ethnicity,
    legal_status, placement_type, uasc, area), added up as `measure_tables` adds up the SSDA903 measures'."""
    summed = _area_sums(joined.assign(month=month), cohorts, breakdowns)
    table = _add_up(summed, authority, [authority, *areas], measure_ids, [month], cohorts, breakdowns)
    unit = table["measure"].map(units)
    percent = 100 * table["numerator"] / table["denominator"].where(table["denominator"] > 0)
    table["value"] = percent.where(unit == "percent", table["numerator"])
    table["denominator"] = table["denominator"].where(unit == "percent")
    return table.loc[:, list(MEASURE_COLUMNS)]
