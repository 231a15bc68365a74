"""KPI measures from Ofsted's Annex A (List 8, children in care; List 9, care leavers): a registry of small
functions, one per measure, each with its rule, as the SSDA903 measures are (measures/registry.py).

Every measure takes the Annex A and the month end D and returns one row per child in scope: `CHILD`,
`numerator` (counted) and `denominator` (in the cohort measured). `annex_a_measure_table` adds what is known of
each child at D (age in completed years from the date of birth, sex, ethnicity group, legal status,
placement type, UASC, area by child_area.csv or the allocated team's in team_area.csv) and adds the rows up
by cohort, breakdown and area exactly as the SSDA903 measures are added up. "The 12 months to D" runs from
the day after D's date a year earlier. Each rule and its source: docs/annex-a-measures.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.periods import month_end, parse_month
from lacperf_helpers.config.vocabulary import ANNEX_A_MEASURE_UNITS, AREA_NOT_KNOWN
from lacperf_helpers.ingest import rules
from lacperf_helpers.ingest.annex_a import (
    ACCOMMODATION,
    ACTIVITY,
    AGE,
    ALLOCATED_TEAM,
    ALLOCATED_WORKER,
    CEASED_LOOKED_AFTER,
    CHILD_ID,
    DATE_OF_BIRTH,
    DISABILITY,
    ELIGIBILITY,
    ETHNICITY,
    GENDER,
    IN_TOUCH,
    LATEST_PATHWAY_PLAN_REVIEW,
    LEGAL_STATUS,
    LIST_8,
    LIST_9,
    MISSING_12_MONTHS,
    PLACEMENT_LOCATION,
    PLACEMENT_PROVIDER,
    PLACEMENT_TYPE,
    PLACEMENTS_12_MONTHS,
    RETURN_INTERVIEW_ACCEPTED,
    RETURN_INTERVIEW_OFFERED,
    STARTED_LOOKED_AFTER,
    SUITABILITY,
    UASC,
    UASC_LEAVER,
    AnnexA,
    area_of,
)
from lacperf_helpers.ingest.validation import WARNING, combine, problems_at
from lacperf_helpers.measures import timescales
from lacperf_helpers.measures.adding_up import add_up_children
from lacperf_helpers.measures.children import age_band, completed_years, ethnicity_group, placement_type
from lacperf_helpers.measures.episodes import SHORT_BREAKS, year_before
from lacperf_helpers.measures.registry import EET, NOT_CARE_LEAVERS

# care leavers the DfE measures (SSDA903 OC3): former relevant children aged 17 to 21
DFE_CARE_LEAVERS = "Former relevant child"
CARE_LEAVER_AGES = (17, 21)
OLDER_CARE_LEAVER_AGES = (19, 21)  # the DfE's published figures split them: 17 and 18, and 19 to 21
# who must have a pathway plan (Children Act 1989 s.23E, Care Leavers (England) Regulations 2010 reg. 6)
PATHWAY_PLAN_LEAVERS = frozenset({"Eligible child", "Relevant child", "Former relevant child"})
PATHWAY_PLAN_REVIEW_MONTHS = 6  # Care Leavers (England) Regulations 2010, reg. 7(2)
PRIVATE_PROVIDER = "PR4"
OWN_PROVISION = "PR1"  # the authority's own: for a foster placement, its own foster carers
FOSTER_PLACEMENTS = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
# a worker's cell that says no one is allocated (blank is the same)
UNALLOCATED = frozenset({"unallocated", "not allocated", "none", "no worker", "vacant", "n/a", "na", "-"})
SEXES = {"M": "M", "F": "F"}  # others (not stated, neither) are 'U', as SSDA903's SEX 9


@dataclass(frozen=True)
class AnnexAMeasure:
    id: str
    title: str
    unit: str  # count or percent
    polarity: str  # H or L: which way is better
    definition: str
    compute: Callable[[AnnexA, pd.Timestamp], pd.DataFrame]
    source: str = "annex_a"


MEASURES: dict[str, AnnexAMeasure] = {}

# Counts that are the same children in two measures, in every cohort, breakdown and area: disclosure control
# hides both or neither. The last pairs link Annex A to SSDA903 where both count the children looked after.
SAME_CHILDREN: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("placements_3plus_12m", "denominator"), ("looked_after_annex_a", "numerator")),
    (("placements_3plus_12m", "denominator"), ("placed_out_of_area", "denominator")),
    (("placements_3plus_12m", "denominator"), ("no_allocated_worker", "denominator")),
    (("placements_3plus_12m", "denominator"), ("placed_with_private_provider", "denominator")),
    (("placements_3plus_12m", "denominator"), ("placed_in_foster_care", "denominator")),
    (("placements_3plus_12m", "denominator"), ("reviews_in_timescale", "denominator")),
    (("placements_3plus_12m", "denominator"), ("visits_in_timescale", "denominator")),
    (("placements_3plus_12m", "denominator"), ("health_assessment_up_to_date_all", "denominator")),
    (("placements_3plus_12m", "denominator"), ("dental_check_up_to_date_all", "denominator")),
    (("health_assessment_up_to_date", "denominator"), ("dental_check_up_to_date", "denominator")),
    (("placed_in_foster_care", "numerator"), ("foster_care_in_house", "denominator")),
    (("missing_12m", "numerator"), ("return_interview_offered", "denominator")),
    (("return_interview_offered", "numerator"), ("return_interview_accepted", "denominator")),
    (("leavers_in_touch", "denominator"), ("leavers_eet", "denominator")),
    (("leavers_in_touch", "denominator"), ("leavers_suitable_accommodation", "denominator")),
    (("leavers_19_21_in_touch", "denominator"), ("leavers_19_21_eet", "denominator")),
    (("leavers_19_21_in_touch", "denominator"), ("leavers_19_21_suitable_accommodation", "denominator")),
    (("placements_3plus_12m", "denominator"), ("cla_count", "numerator")),
)

# Measures whose children are among another's, as (narrower, wider): one less the other is a count neither
# shows (the care leavers aged 17 and 18; the children looked after under 12 months), which no sum disclosure
# control forms holds. The public edition of `lacperf measures` shows the narrower (the DfE's definition, the
# one a KPI names); the wider is the internal edition's.
# A group of one measure that is the whole of another's count, in every area and cohort: the children looked
# after in foster care are cla_count's placement type "Foster care" and placed_in_foster_care's numerator. As
# SAME_CHILDREN's twins, disclosure control hides both or neither (a reader's attack on 78d3d71 found the measures
# table showing the group where it hid the other, undoing its secondary suppression).
GROUP_IS_TOTAL: tuple[tuple[tuple[str, str, str, str], tuple[str, str]], ...] = (
    (("cla_count", "numerator", "placement_type", "Foster care"), ("placed_in_foster_care", "numerator")),
)

NESTED: tuple[tuple[str, str], ...] = (
    ("health_assessment_up_to_date", "health_assessment_up_to_date_all"),
    ("dental_check_up_to_date", "dental_check_up_to_date_all"),
    ("leavers_19_21_in_touch", "leavers_in_touch"),
    ("leavers_19_21_eet", "leavers_eet"),
    ("leavers_19_21_suitable_accommodation", "leavers_suitable_accommodation"),
)


def measure(
    id: str, title: str, unit: str, polarity: str, definition: str
) -> Callable[[Callable[[AnnexA, pd.Timestamp], pd.DataFrame]], Callable[[AnnexA, pd.Timestamp], pd.DataFrame]]:
    """Register an Annex A measure under `id` with what a reader needs to know about it."""

    def register(
        function: Callable[[AnnexA, pd.Timestamp], pd.DataFrame],
    ) -> Callable[[AnnexA, pd.Timestamp], pd.DataFrame]:
        if id in MEASURES:
            raise ValueError(f"measure {id!r} is registered twice")
        if ANNEX_A_MEASURE_UNITS.get(id) != unit:
            raise ValueError(f"measure {id!r} ({unit}) is not in config/vocabulary.py's ANNEX_A_MEASURE_UNITS")
        MEASURES[id] = AnnexAMeasure(id, title, unit, polarity, definition, function)
        return function

    return register


# --- the building blocks -------------------------------------------------------------------------------------


def looked_after(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    """List 8's children looked after at D by their own dates (started on or before it, not ceased by it),
    short breaks (legal status V3, V4) left out, as every SSDA903 measure leaves them out."""
    key = ("looked after", at)
    if key not in annex.memo:
        table = annex.list(LIST_8)
        inside = timescales.looked_after_at(table, at).fillna(False).astype(bool)
        inside &= ~table[LEGAL_STATUS].isin(SHORT_BREAKS).to_numpy()
        annex.memo[key] = table.loc[inside.to_numpy()]
    frame: pd.DataFrame = annex.memo[key]
    return frame


def looked_after_in_year(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    """List 8's children looked after at any time in the 12 months to D (the DfE's 'during the year')."""
    table = annex.list(LIST_8)
    started, ceased = table[STARTED_LOOKED_AFTER], table[CEASED_LOOKED_AFTER]
    inside = (started <= at) & (ceased.isna() | (ceased >= year_before(at)))
    inside &= ~table[LEGAL_STATUS].isin(SHORT_BREAKS)
    return table.loc[inside.to_numpy()]


def age_at_month_end(table: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Completed years at D from the date of birth; where it is blank, the workbook's age (as it states it)."""
    years = completed_years(table[DATE_OF_BIRTH], at)
    return years.where(years.notna(), table[AGE].astype("float64"))


def care_leavers(annex: AnnexA, at: pd.Timestamp, ages: tuple[int, int] = CARE_LEAVER_AGES) -> pd.DataFrame:
    """List 9's care leavers the DfE measures: former relevant children aged 17 to 21 (or `ages`) at D, those
    who died or returned home to parents for 6 months or more (LA in Touch Died, Rhom) left out."""
    table = annex.list(LIST_9)
    age = age_at_month_end(table, at)
    inside = (table[ELIGIBILITY] == DFE_CARE_LEAVERS) & age.between(*ages)
    inside &= ~table[IN_TOUCH].isin(NOT_CARE_LEAVERS)
    return table.loc[inside.fillna(False).to_numpy(dtype=bool)]


def _rows(table: pd.DataFrame, numerator: pd.Series | np.ndarray, denominator: float = 1.0) -> pd.DataFrame:
    """One row per child of `table`: counted or not; denominator 1 (in the cohort), or NaN for a count."""
    out = pd.DataFrame({
        "CHILD": table[CHILD_ID].to_numpy(dtype=object),
        "numerator": pd.Series(numerator).fillna(False).to_numpy(dtype=bool),
    })  # fmt: skip
    out["denominator"] = denominator
    out["_row"] = table.index.to_numpy()  # which list row: attributes are read from it
    return out


def _yes(values: pd.Series) -> pd.Series:
    return values.fillna(False).astype(bool)


# --- the measures ---------------------------------------------------------------------------------------------


@measure("looked_after_annex_a", "Children looked after at the month end (Annex A)", "count", "L",
         "List 8's children looked after at the month end by their own dates: Date Started to be Looked After on "
         "or before it, Date Ceased blank or after it; short breaks (V3, V4) left out.")  # fmt: skip
def looked_after_annex_a(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after(annex, at)
    return _rows(table, np.ones(len(table), dtype=bool), np.nan)


def _timescale(annex: AnnexA, at: pd.Timestamp, rule: str, cohort: pd.DataFrame) -> pd.DataFrame:
    """Of `cohort`, those in timescale at D by the rule's due date (timescales.py); a child the workbook cannot
    say of (the event recorded after D, a date blank) is in the cohort and not counted."""
    result = timescales.TIMESCALES[rule](cohort, at)
    return _rows(cohort, result["in_timescale"].fillna(False).astype(bool))


@measure("reviews_in_timescale", "Children looked after whose statutory review is in timescale", "percent", "H",
         "Of children looked after at the month end, those whose next review is not overdue: the first within "
         "20 working days of becoming looked after, the second within 3 months of it, then every 6 months (Care "
         "Planning, Placement and Case Review (England) Regulations 2010, reg. 33).")  # fmt: skip
def reviews_in_timescale(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    return _timescale(annex, at, "review", looked_after(annex, at))


@measure("visits_in_timescale", "Children looked after whose social work visit is in timescale", "percent", "H",
         "Of children looked after at the month end, those whose next social work visit is not overdue: within a "
         "week of a placement starting, then every 6 weeks in its first year, then every 6 weeks or, in a "
         "long-term placement, every 3 months (2010 Regulations, reg. 28).")  # fmt: skip
def visits_in_timescale(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    return _timescale(annex, at, "visit", looked_after(annex, at))


def _long_looked_after(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after(annex, at)
    return table.loc[timescales.looked_after_at_least_12_months(table, at).fillna(False).to_numpy(dtype=bool)]


@measure("health_assessment_up_to_date",
         "Children looked after for 12 months or more whose health assessment is up to date", "percent", "H",
         "Of children looked after at the month end and continuously for at least 12 months, those whose next "
         "health assessment is not overdue: within 6 months of the last for a child under 5, 12 months from 5 "
         "(Promoting the health and well-being of looked-after children, statutory guidance, 2015).")  # fmt: skip
def health_assessment_up_to_date(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    return _timescale(annex, at, "health_assessment", _long_looked_after(annex, at))


@measure("health_assessment_up_to_date_all", "Children looked after whose health assessment is up to date",
         "percent", "H",
         "As health_assessment_up_to_date, of every child looked after at the month end (the initial assessment "
         "due within 20 working days of becoming looked after).")  # fmt: skip
def health_assessment_up_to_date_all(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    return _timescale(annex, at, "health_assessment", looked_after(annex, at))


@measure("dental_check_up_to_date", "Children looked after for 12 months or more with a dental check in 12 months",
         "percent", "H",
         "Of children looked after at the month end and continuously for at least 12 months, those whose last "
         "dental check was within the 12 months to it (OC2 of the children looked after return to the DfE, "
         "SSDA903); none recorded is not up to date.")  # fmt: skip
def dental_check_up_to_date(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    return _timescale(annex, at, "dental_check", _long_looked_after(annex, at))


@measure("dental_check_up_to_date_all", "Children looked after with a dental check in 12 months", "percent", "H",
         "As dental_check_up_to_date, of every child looked after at the month end.")  # fmt: skip
def dental_check_up_to_date_all(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    return _timescale(annex, at, "dental_check", looked_after(annex, at))


@measure("placements_3plus_12m", "Children looked after with 3 or more placements in the last 12 months",
         "percent", "L",
         "Of children looked after at the month end, those whose Number of Placements in the Last 12 months is 3 "
         "or more (as the council's system counts them for Ofsted); a blank is not counted.")  # fmt: skip
def placements_3plus_12m(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after(annex, at)
    return _rows(table, (table[PLACEMENTS_12_MONTHS] >= 3).fillna(False))


@measure("placed_out_of_area", "Children looked after placed outside the authority's area", "percent", "L",
         "Of children looked after at the month end, those whose Placement Location is Out (of the authority's "
         "boundary); a blank is not counted.")  # fmt: skip
def placed_out_of_area(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after(annex, at)
    return _rows(table, table[PLACEMENT_LOCATION] == "Out")


@measure("placed_with_private_provider", "Children looked after placed with a private provider", "percent", "L",
         "Of children looked after at the month end, those whose Placement Provider is PR4 (private "
         "provision).")  # fmt: skip
def placed_with_private_provider(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after(annex, at)
    return _rows(table, table[PLACEMENT_PROVIDER] == PRIVATE_PROVIDER)


@measure("placed_in_foster_care", "Children looked after in foster care", "percent", "H",
         "Of children looked after at the month end, those whose Placement Type is a foster placement "
         "(U1-U6).")  # fmt: skip
def placed_in_foster_care(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after(annex, at)
    return _rows(table, table[PLACEMENT_TYPE].isin(FOSTER_PLACEMENTS))


@measure("foster_care_in_house", "Children in foster care placed with the authority's own foster carers", "percent",
         "H",
         "Of children looked after at the month end in a foster placement (Placement Type U1-U6: "
         "placed_in_foster_care's children), those whose Placement Provider is PR1 (the authority's own "
         "provision), rather than another authority (PR2), the private sector (PR4: independent fostering "
         "agencies) or the voluntary sector (PR5).")  # fmt: skip
def foster_care_in_house(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after(annex, at)
    table = table.loc[table[PLACEMENT_TYPE].isin(FOSTER_PLACEMENTS).to_numpy(dtype=bool)]
    return _rows(table, table[PLACEMENT_PROVIDER] == OWN_PROVISION)


@measure("missing_12m", "Children looked after who went missing in the last 12 months", "percent", "L",
         "Of children looked after at any time in the 12 months to the month end (List 8: started on or before "
         "it, not ceased before the 12 months began), those with one or more episodes missing from their "
         "placement in them.")  # fmt: skip
def missing_12m(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after_in_year(annex, at)
    return _rows(table, (table[MISSING_12_MONTHS] >= 1).fillna(False))


def _went_missing(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after_in_year(annex, at)
    return table.loc[(table[MISSING_12_MONTHS] >= 1).fillna(False).to_numpy(dtype=bool)]


@measure("return_interview_offered", "Children who went missing offered a return interview", "percent", "H",
         "Of children looked after who went missing in the 12 months to the month end (missing_12m), those "
         "offered a return interview after their last missing episode.")  # fmt: skip
def return_interview_offered(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = _went_missing(annex, at)
    return _rows(table, _yes(table[RETURN_INTERVIEW_OFFERED]))


@measure("return_interview_accepted", "Children offered a return interview who accepted it", "percent", "H",
         "Of children who went missing and were offered a return interview after their last missing episode "
         "(return_interview_offered), those who accepted it.")  # fmt: skip
def return_interview_accepted(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = _went_missing(annex, at)
    table = table.loc[_yes(table[RETURN_INTERVIEW_OFFERED]).to_numpy()]
    return _rows(table, _yes(table[RETURN_INTERVIEW_ACCEPTED]))


@measure("leavers_in_touch", "Care leavers the authority is in touch with", "percent", "H",
         "List 9's former relevant care leavers aged 17 to 21 at the month end, those who died or returned home "
         "(LA in Touch Died, Rhom) left out: LA in Touch Yes (OC3 of the children looked after return to the "
         "DfE, SSDA903).")  # fmt: skip
def leavers_in_touch(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = care_leavers(annex, at)
    return _rows(table, table[IN_TOUCH] == "YES")


@measure("leavers_eet", "Care leavers in education, employment or training", "percent", "H",
         "The care leavers of leavers_in_touch whose Activity Status is F1, P1, F2, P2, F3 or P3.")  # fmt: skip
def leavers_eet(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = care_leavers(annex, at)
    return _rows(table, table[ACTIVITY].isin(EET))


@measure("leavers_suitable_accommodation", "Care leavers in suitable accommodation", "percent", "H",
         "The care leavers of leavers_in_touch whose accommodation is suitable (Suitability of Accommodation "
         "Suitable); no fixed abode (S) and custody (X) are never suitable, as the DfE's codes have it.")  # fmt: skip
def leavers_suitable_accommodation(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = care_leavers(annex, at)
    return _rows(table, _suitable(table))


def _suitable(table: pd.DataFrame) -> pd.Series:
    return (table[SUITABILITY] == "Suitable") & ~table[ACCOMMODATION].isin(["S", "X"])


@measure("leavers_19_21_in_touch", "Care leavers aged 19 to 21 the authority is in touch with", "percent", "H",
         "As leavers_in_touch, of the care leavers aged 19 to 21 at the month end (the DfE publishes them apart "
         "from those aged 17 and 18).")  # fmt: skip
def leavers_19_21_in_touch(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = care_leavers(annex, at, OLDER_CARE_LEAVER_AGES)
    return _rows(table, table[IN_TOUCH] == "YES")


@measure("leavers_19_21_eet", "Care leavers aged 19 to 21 in education, employment or training", "percent", "H",
         "As leavers_eet, of the care leavers aged 19 to 21 at the month end.")  # fmt: skip
def leavers_19_21_eet(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = care_leavers(annex, at, OLDER_CARE_LEAVER_AGES)
    return _rows(table, table[ACTIVITY].isin(EET))


@measure("leavers_19_21_suitable_accommodation", "Care leavers aged 19 to 21 in suitable accommodation", "percent",
         "H", "As leavers_suitable_accommodation, of the care leavers aged 19 to 21 at the month end.")  # fmt: skip
def leavers_19_21_suitable_accommodation(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = care_leavers(annex, at, OLDER_CARE_LEAVER_AGES)
    return _rows(table, _suitable(table))


@measure("pathway_plan_up_to_date", "Care leavers with a pathway plan reviewed in the last 6 months", "percent", "H",
         "List 9's eligible, relevant and former relevant care leavers (who must have a pathway plan), those who "
         "died or returned home (Died, Rhom) left out: Latest Pathway Plan Review Date within the 6 months to the "
         "month end (Care Leavers (England) Regulations 2010, reg. 7(2)). Not measured where the list has no "
         "such column.")  # fmt: skip
def pathway_plan_up_to_date(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    if LATEST_PATHWAY_PLAN_REVIEW in annex.absent.get(LIST_9, frozenset()):
        return _rows(annex.list(LIST_9).iloc[0:0], np.zeros(0, dtype=bool))
    table = annex.list(LIST_9)
    inside = table[ELIGIBILITY].isin(PATHWAY_PLAN_LEAVERS) & ~table[IN_TOUCH].isin(NOT_CARE_LEAVERS)
    table = table.loc[inside.to_numpy(dtype=bool)]
    reviewed = table[LATEST_PATHWAY_PLAN_REVIEW]
    next_due = timescales.add_months(reviewed, PATHWAY_PLAN_REVIEW_MONTHS)  # counted forward, as Timescales counts
    return _rows(table, (next_due >= at) & (reviewed <= at))


@measure("no_allocated_worker", "Children looked after without an allocated social worker", "percent", "L",
         "Of children looked after at the month end, those whose Allocated Worker is blank or says none is "
         "allocated (Unallocated, Not allocated, None, Vacant, N/A).")  # fmt: skip
def no_allocated_worker(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    table = looked_after(annex, at)
    worker = table[ALLOCATED_WORKER].fillna("").astype(str).str.strip().str.casefold()
    return _rows(table, (worker == "") | worker.isin(UNALLOCATED))


# --- who each child is ------------------------------------------------------------------------------------------


def attributes(annex: AnnexA, number: int, rows: np.ndarray, at: pd.Timestamp) -> pd.DataFrame:
    """For each of `rows` of list `number`: age and age band at D, sex, ethnicity group, legal status, placement
    type (List 9: 'unknown'), UASC, disability (nullable) and area, as the cohorts and breakdowns read them."""
    key = ("who each child is", number, at)
    if key not in annex.memo:  # every measure of the month asks: worked out once per list
        annex.memo[key] = _attributes(annex, number, at)
    every: pd.DataFrame = annex.memo[key]
    return every.iloc[np.asarray(rows, dtype="int64")].reset_index(drop=True)


def _attributes(annex: AnnexA, number: int, at: pd.Timestamp) -> pd.DataFrame:
    table = annex.list(number)
    age = age_at_month_end(table, at)
    out = pd.DataFrame(index=range(len(table)))
    out["age"] = age.to_numpy(dtype="float64")
    out["age_band"] = age_band(age).to_numpy(dtype=object)
    out["sex"] = table[GENDER].map(SEXES).fillna("U").to_numpy(dtype=object)
    out["ethnicity"] = ethnicity_group(table[ETHNICITY].fillna("")).to_numpy(dtype=object)
    if number == LIST_8:
        out["legal_status"] = table[LEGAL_STATUS].fillna("unknown").to_numpy(dtype=object)
        out["placement_type"] = placement_type(table[PLACEMENT_TYPE]).to_numpy(dtype=object)
        out["uasc"] = _yes(table[UASC]).to_numpy(dtype=bool)
    else:
        out["legal_status"] = "unknown"
        out["placement_type"] = "unknown"
        out["uasc"] = _yes(table[UASC_LEAVER]).to_numpy(dtype=bool)
    out["disability"] = pd.array(table[DISABILITY].to_numpy(), dtype="boolean")
    out["area"] = area_of(annex, table[CHILD_ID], table[ALLOCATED_TEAM]).to_numpy(dtype=object)
    return out


LIST_OF: dict[str, int] = {
    "leavers_in_touch": LIST_9,
    "leavers_eet": LIST_9,
    "leavers_suitable_accommodation": LIST_9,
    "leavers_19_21_in_touch": LIST_9,
    "leavers_19_21_eet": LIST_9,
    "leavers_19_21_suitable_accommodation": LIST_9,
    "pathway_plan_up_to_date": LIST_9,
}  # fmt: skip  (every other measure counts List 8's children)


def child_rows(annex: AnnexA, at: pd.Timestamp, measures: list[str]) -> pd.DataFrame:
    """Every measure's child-level rows at D, each with who the child is (no child's ID leaves this)."""
    frames = []
    for name in measures:
        rows = MEASURES[name].compute(annex, at)
        who = attributes(annex, LIST_OF.get(name, LIST_8), rows["_row"].to_numpy(), at)
        frames.append(pd.concat([rows.drop(columns=["_row", "CHILD"]).reset_index(drop=True), who], axis=1)
                      .assign(measure=name))  # fmt: skip
    joined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return joined


def annex_a_measure_table(
    annex: AnnexA, month: str, authority: str, measures: list[str] | None = None,
    cohorts: CohortCatalogue | None = None, breakdowns: list[str] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """One row per area x measure x cohort x breakdown x group for `month`, as registry.measure_table's."""
    parse_month(month)
    at = pd.Timestamp(month_end(month))
    chosen = measures or list(MEASURES)
    cohorts = cohorts or load_cohorts()
    breakdowns = cohorts.breakdown_names if breakdowns is None else breakdowns
    joined = child_rows(annex, at, chosen)
    areas = sorted({*annex.child_areas.dropna().unique(), *annex.team_areas.dropna().unique()})
    units = {m.id: m.unit for m in MEASURES.values()}
    return add_up_children(joined, month, authority, areas, chosen, units, cohorts, breakdowns)


def data_quality(annex: AnnexA, at: pd.Timestamp) -> pd.DataFrame:
    """What reading found, and what the measures could not place: a child looked after at D in no area (where
    the Annex A has area files), counted in 'Area not known'."""
    if not len(annex.child_areas) and not len(annex.team_areas):
        return annex.problems
    table = looked_after(annex, at)
    area = area_of(annex, table[CHILD_ID], table[ALLOCATED_TEAM])
    lost = table.index[area.isna().to_numpy()]
    where = annex.sources.get(LIST_8)
    if where is None or not len(lost):
        return annex.problems
    rows = where.loc[lost]
    found = problems_at(list(rows["_file"]), list(rows["_row"]), ALLOCATED_TEAM, [""] * len(rows),
                        RULE_AREA_KNOWN, WARNING)  # fmt: skip
    return combine([annex.problems, found])


RULE_AREA_KNOWN = rules.ANNEX_A_AREA_KNOWN.of(area_not_known=AREA_NOT_KNOWN)
