"""The words every stage shares, defined once: breakdowns, the headline slice, the DfE's code lists and
groups (legal status, sex, ethnicity, age bands, placement types), and the SSDA903 measures a KPI can name
(their functions are registered in measures/registry.py, which refuses a name not listed here, and a test
checks every name listed here has one)."""

from __future__ import annotations

import re

BREAKDOWNS = ("age_band", "sex", "ethnicity", "legal_status", "placement_type")
TOTAL, ALL = "total", "all"
COHORTS = (ALL, "excluding UASC")  # the cohorts every return may give, in the order pages show them
SLICE = ("cohort", "breakdown", "group")  # headline figures: cohort all, breakdown total, group all
HEADLINE = (ALL, TOTAL, ALL)  # the headline slice's cohort, breakdown and group
# The DfE's age bands, youngest first, each with the age (completed years) it starts at; each ends where the
# next starts, the last has no end. Measures, cohorts' conditions and pages all read them from here.
AGE_BAND_STARTS = {"under 1": 0, "1-4": 1, "5-9": 5, "10-15": 10, "16 and over": 16}
AGE_BANDS = tuple(AGE_BAND_STARTS)
# SSDA903 legal statuses (LS); V3 and V4 are short breaks, which no measure counts
LEGAL_STATUSES = ("C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4")
SEX_CODES = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U", "9": "U"}  # SSDA903 SEX, read as M, F or U
# SSDA903 ETHNIC: the first letter names the group; REFU (refused) and NOBT (not obtained) stand as they are
ETHNIC_CODES = ("WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
                "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT")  # fmt: skip
# The authority as a whole when nothing names it: the extract's total of every area where no return names it
# (`lacperf measures` of an extract alone), and a synthetic Annex A's
UNNAMED_AUTHORITY = "Authority"
ETHNIC_GROUPS = {"W": "White", "M": "Mixed", "A": "Asian or Asian British", "B": "Black or Black British",
                 "C": "Chinese", "O": "Other ethnic group"}  # fmt: skip
ETHNICITIES = (*ETHNIC_GROUPS.values(), "REFU", "NOBT")  # the ethnicity breakdown's groups
# Placement types in the order pages show them, and each SSDA903 PLACE code's type: mapped by code, so
# re-ordering the types relabels no child. A code not in the DfE's list is 'Other' (and warned about).
PLACEMENT_TYPES = ("Foster care", "Placed for adoption", "Placed with parents", "Residential", "Independent living",
                   "Other")  # fmt: skip
OTHER_PLACEMENT = "Other"
PLACEMENT_TYPE_OF: dict[str, str] = {
    **dict.fromkeys(("U1", "U2", "U3", "U4", "U5", "U6"), "Foster care"),
    **dict.fromkeys(("A3", "A4", "A5", "A6"), "Placed for adoption"),
    "P1": "Placed with parents",
    **dict.fromkeys(("K1", "K2", "R1", "R2", "R3", "R5", "S1"), "Residential"),
    "P2": "Independent living",
    **dict.fromkeys(("H5", "P3", "T0", "T1", "T2", "T3", "T4", "Z1"), OTHER_PLACEMENT),
}
# Each breakdown's groups in the order a reader expects (age bands by age, not as text); others follow A-Z.
GROUP_ORDER: dict[str, tuple[str, ...]] = {
    "age_band": AGE_BANDS,
    "placement_type": PLACEMENT_TYPES,
    "ethnicity": ETHNICITIES,
}
TOO_FEW_POINTS = "Too few points"  # a trend or SPC verdict where the months shown are too few for one
# A child counted in a measure but not in child_area.csv: in the authority, and in this area rather than none
# (else the areas would add up to fewer children than the authority, without a word)
AREA_NOT_KNOWN = "Area not known"

# SSDA903 measures by id, with what each counts: a count of children, or a percent of a cohort.
MEASURE_UNITS: dict[str, str] = {
    "cla_count": "count",
    "cla_starts": "count",
    "cla_starts_12_months": "count",
    "cla_ceased": "count",
    "placement_stability_short": "percent",
    "placement_stability_long": "percent",
    "adopted_of_leavers": "percent",
    "missing_in_month": "count",
    "missing_in_month_share": "percent",
    "care_leavers_in_touch": "percent",
    "care_leavers_eet": "percent",
    "care_leavers_suitable_accommodation": "percent",
    "health_assessment": "percent",
    "dental_check_903": "percent",
}

# Annex A measures by id (measures/annex_a.py), with what each counts: a KPI with source annex_a names one.
ANNEX_A_MEASURE_UNITS: dict[str, str] = {
    "looked_after_annex_a": "count",
    "reviews_in_timescale": "percent",
    "visits_in_timescale": "percent",
    "health_assessment_up_to_date": "percent",
    "health_assessment_up_to_date_all": "percent",
    "dental_check_up_to_date": "percent",
    "dental_check_up_to_date_all": "percent",
    "placements_3plus_12m": "percent",
    "placed_out_of_area": "percent",
    "placed_with_private_provider": "percent",
    "placed_in_foster_care": "percent",
    "foster_care_in_house": "percent",
    "missing_12m": "percent",
    "return_interview_offered": "percent",
    "return_interview_accepted": "percent",
    "leavers_in_touch": "percent",
    "pathway_plan_up_to_date": "percent",
    "leavers_suitable_accommodation": "percent",
    "leavers_eet": "percent",
    "leavers_19_21_in_touch": "percent",
    "leavers_19_21_suitable_accommodation": "percent",
    "leavers_19_21_eet": "percent",
    "no_allocated_worker": "percent",
}


def in_natural_order(groups: list[str], breakdown: str) -> list[str]:
    """Each breakdown's groups as a reader expects them (age bands youngest first, '5-13' before '14-17'),
    others A-Z, 'unknown' last; two crossed ('10-15 / V2') by the first, then the second."""
    known = {g: i for i, g in enumerate(GROUP_ORDER.get(breakdown, ()))}
    anywhere = {g: i for order in GROUP_ORDER.values() for i, g in enumerate(order)}

    def part(group: str) -> tuple[bool, int, float, str]:
        leading = re.match(r"\d+", group)
        place = known.get(group, anywhere.get(group, len(anywhere)))
        return (group in ("unknown", "other ages"), place, float(leading[0]) if leading else float("inf"), group)

    return sorted(groups, key=lambda g: tuple(part(p) for p in str(g).split(" / ")))
