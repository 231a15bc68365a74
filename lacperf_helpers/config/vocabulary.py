"""The words every stage shares, defined once: cohorts, breakdowns, the headline slice, and the SSDA903
measures a KPI can name (their functions are registered in measures/registry.py, which refuses a name
not listed here, and a test checks every name listed here has one)."""

from __future__ import annotations

import re

COHORTS = ("all", "excluding UASC")  # in the order pages show them
BREAKDOWNS = ("age_band", "sex", "ethnicity", "legal_status", "placement_type")
TOTAL, ALL = "total", "all"
SLICE = ("cohort", "breakdown", "group")  # headline figures: cohort all, breakdown total, group all
HEADLINE = (ALL, TOTAL, ALL)  # the headline slice's cohort, breakdown and group
# The extract's total of every area where no return names the authority (`lacperf measures` of an extract alone)
UNNAMED_AUTHORITY = "Authority"
AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16 and over")  # the DfE's, youngest first
PLACEMENT_TYPES = ("Foster care", "Placed for adoption", "Placed with parents", "Residential", "Independent living",
                   "Other")  # fmt: skip
ETHNIC_GROUPS = {"W": "White", "M": "Mixed", "A": "Asian or Asian British", "B": "Black or Black British",
                 "C": "Chinese", "O": "Other ethnic group"}  # fmt: skip
# Each breakdown's groups in the order a reader expects (age bands by age, not as text); others follow A-Z.
GROUP_ORDER: dict[str, tuple[str, ...]] = {
    "age_band": AGE_BANDS,
    "placement_type": PLACEMENT_TYPES,
    "ethnicity": (*ETHNIC_GROUPS.values(), "REFU", "NOBT"),
}
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
    "care_leavers_in_touch": "percent",
    "care_leavers_eet": "percent",
    "care_leavers_suitable_accommodation": "percent",
    "health_assessment": "percent",
    "dental_check_903": "percent",
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
