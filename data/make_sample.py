"""Make the synthetic sample returns in data/sample/ (fixed seed: the same files every time).

    python data/make_sample.py [OUT_DIR]

Twenty-four months (October 2017 to September 2019) of the monthly KPI return for a made-up authority
and four areas, one of them small, for every KPI in parameters/kpis.yaml. Nothing here describes a real
child or a real authority's performance: the area names only give the appendices a familiar shape.
Areas' figures add up to the authority's, as they would in a real return. Two KPIs are also given for the
children excluding UASC (the return's `cohort` column).

The last twelve months also hold a child-level SSDA903 extract (`<month>/903/`): synthetic care histories
of the authority's children (about 1,500 in care at each month end, as the return counts), cut as an
extract taken at each month end, with child_area.csv naming each child's area. The last six months hold
the month's Annex A too (`<month>/annex_a/`: one CSV per list in the first quarter, a workbook in the second), cut from
the same histories, with team_area.csv mapping each allocated team to its area. The return's figures of
the KPIs the extract also gives (3+ placements, long-term stability, adopted of leavers, missing in the month)
are the extract's, in all 24 months, except where a late-recorded move makes the two differ (reconciled on the
internal edition's page); those of the KPIs Annex A gives (reviews, health assessments, dental checks, return
interviews, in-house foster care, care leavers aged 19 to 21 in touch, in education, employment or training and
in suitable accommodation, pathway plans) are the Annex A's the generator makes for each of the 24 months,
computed in memory (files are written for six only).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.config.vocabulary import AREA_NOT_KNOWN
from lacperf_helpers.ingest.annex_a import annex_a_of_lists
from lacperf_helpers.ingest.ssda903 import Ssda903
from lacperf_helpers.ingest.synthetic import extract_at, synthetic_903, write_903
from lacperf_helpers.ingest.synthetic_annex_a import CODES, TEMPLATE, WORDS, synthetic_annex_a, teams_of, write_annex_a
from lacperf_helpers.measures.annex_a import annex_a_measure_table
from lacperf_helpers.measures.registry import measure_table, year_before

SEED = 903
FIRST_MONTH, MONTHS = (2017, 10), 24
AUTHORITY = "Kent"
# Share of the authority's children in each area; West Kent is small, so one child moves it a lot.
AREA_SHARE = {"East Kent": 0.33, "North Kent": 0.27, "South Kent": 0.34, "West Kent": 0.06}

# Percent KPIs: (authority denominator a month, rate in the first month, rate in the last month).
# Rates are set around each KPI's target and floor so that every RAG band and both directions occur.
PERCENT_KPIS: dict[str, tuple[float, float, float]] = {
    "health_history_18": (14, 0.86, 0.97),
    "same_social_worker_12m": (900, 0.52, 0.61),
    "iha_20_working_days": (45, 0.62, 0.82),
    "rha_in_timescale": (110, 0.86, 0.93),
    "dental_check": (950, 0.78, 0.86),
    "sdq_completed": (700, 0.83, 0.79),
    "return_interviews": (60, 0.72, 0.79),
    "missing_in_month": (1500, 0.095, 0.085),
    "reviews_in_timescale": (160, 0.96, 0.985),
    "review_participation": (130, 0.88, 0.93),
    "placement_stability_short": (1500, 0.105, 0.125),
    "placement_stability_long": (420, 0.66, 0.71),
    "placed_within_20_miles": (1300, 0.80, 0.78),
    "in_house_foster_care": (1050, 0.62, 0.58),
    "pep_up_to_date": (1000, 0.90, 0.96),
    "adopted_of_leavers": (520, 0.11, 0.135),
    "care_leavers_eet": (800, 0.57, 0.52),
    "care_leavers_suitable_accommodation": (800, 0.88, 0.91),
    "care_leavers_in_touch": (800, 0.93, 0.955),
    "pathway_plans": (1100, 0.84, 0.79),
}
# Averages in days: (children adopted in 12 months, mean days first month, last month, spread).
DAYS_KPIS: dict[str, tuple[int, float, float, float]] = {
    "adoption_a1_days": (70, 470, 420, 120),
    "adoption_a2_days": (70, 150, 190, 60),
}
SOCIAL_WORKER_FTE, CASELOAD_FIRST, CASELOAD_LAST = 95.0, 16.5, 15.2
PERMANENT_FIRST, PERMANENT_LAST = 0.78, 0.84


def months() -> list[str]:
    year, month = FIRST_MONTH
    out = []
    for i in range(MONTHS):
        index = year * 12 + month - 1 + i
        out.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return out


def _path(first: float, last: float, step: int) -> float:
    return first + (last - first) * step / (MONTHS - 1)


def make_rows(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    offsets = {(kpi, area): rng.normal(0, 0.03) for kpi in PERCENT_KPIS for area in AREA_SHARE}
    for step, month in enumerate(months()):
        for kpi, (size, first, last) in PERCENT_KPIS.items():
            rate = _path(first, last, step)
            for area, share in AREA_SHARE.items():
                den = max(0, round(size * share * rng.normal(1, 0.06)))
                p = float(np.clip(rate + offsets[kpi, area] + rng.normal(0, 0.01), 0, 1))
                rows.append((month, area, kpi, int(rng.binomial(den, p)), den, None))
        for kpi, (adopted, first, last, spread) in DAYS_KPIS.items():
            for area, share in AREA_SHARE.items():
                n = max(1, round(adopted * share * rng.normal(1, 0.1)))
                mean = _path(first, last, step) + rng.normal(0, spread / np.sqrt(n))
                rows.append((month, area, kpi, None, n, round(mean)))
        for area, share in AREA_SHARE.items():
            fte = round(SOCIAL_WORKER_FTE * share * rng.normal(1, 0.04), 1)
            children = round(fte * (_path(CASELOAD_FIRST, CASELOAD_LAST, step) + rng.normal(0, 0.6)))
            rows.append((month, area, "social_worker_caseload", children, fte, round(children / fte, 2)))
            permanent = round(fte * min(1.0, _path(PERMANENT_FIRST, PERMANENT_LAST, step) + rng.normal(0, 0.03)), 1)
            rows.append((month, area, "permanent_social_workers", permanent, fte, None))
    areas = pd.DataFrame(rows, columns=["month", "area", "kpi_id", "numerator", "denominator", "value"])
    return pd.concat([_authority(areas), areas], ignore_index=True)


def _authority(areas: pd.DataFrame) -> pd.DataFrame:
    """The authority's row is its areas added up (averages weighted by their denominators)."""
    weighted = areas.assign(weighted=areas["value"] * areas["denominator"])
    total = weighted.groupby(["month", "kpi_id"], sort=False, as_index=False).agg(
        numerator=("numerator", lambda s: s.sum(min_count=1)),
        denominator=("denominator", "sum"),
        weighted=("weighted", lambda s: s.sum(min_count=1)),
    )
    total["value"] = total["weighted"] / total["denominator"]
    days = total["kpi_id"].isin(list(DAYS_KPIS))
    total.loc[days, "value"] = total.loc[days, "value"].round()
    caseload = total["kpi_id"] == "social_worker_caseload"
    total.loc[caseload, "value"] = (total["numerator"] / total["denominator"]).round(2)
    total["numerator"] = total["numerator"].round(1)
    total["denominator"] = total["denominator"].round(1)
    total.insert(1, "area", AUTHORITY)
    return total.drop(columns="weighted")


def edge_cases(rows: pd.DataFrame) -> pd.DataFrame:
    """What real returns contain: a figure not yet supplied, and a month with nobody in a small cohort."""
    last = months()[-1]
    not_supplied = (rows["month"] == last) & (rows["area"] == "West Kent") & (rows["kpi_id"] == "review_participation")
    rows = rows.loc[~not_supplied].copy()
    nobody = (rows["month"] == last) & (rows["area"] == "West Kent") & (rows["kpi_id"] == "health_history_18")
    authority = (rows["month"] == last) & (rows["area"] == AUTHORITY) & (rows["kpi_id"] == "health_history_18")
    west = rows.loc[nobody, ["numerator", "denominator"]].to_numpy()[0]
    rows.loc[authority, ["numerator", "denominator"]] -= west
    rows.loc[nobody, ["numerator", "denominator"]] = 0
    return rows


# KPIs the sample's return also gives for the children excluding UASC (its `cohort` column), in every month and
# area: a fifth or so of the children in each are unaccompanied asylum-seeking children, chosen at random.
# (dental_check and in_house_foster_care are from Annex A: their excluding-UASC figures are the computed cohort's,
# in the months with the file)
EXCLUDING_UASC_KPIS = ("placed_within_20_miles", "same_social_worker_12m")
UASC_SHARE = 0.2


def excluding_uasc(rows: pd.DataFrame) -> pd.DataFrame:
    """`rows` (cohort all) and, for EXCLUDING_UASC_KPIS, each area's figures less its unaccompanied children (drawn
    from its own children: a hypergeometric share of those counted), the authority's the sum of its areas'."""
    rng = np.random.default_rng(SEED + 1)  # a stream of its own: every other figure is as it was
    chosen = rows.loc[rows["kpi_id"].isin(EXCLUDING_UASC_KPIS) & (rows["area"] != AUTHORITY)]
    numerator, denominator = chosen["numerator"].astype(int).to_numpy(), chosen["denominator"].astype(int).to_numpy()
    uasc = rng.binomial(denominator, UASC_SHARE)
    counted = rng.hypergeometric(numerator, denominator - numerator, uasc) if len(chosen) else uasc
    areas = chosen.assign(numerator=numerator - counted, denominator=denominator - uasc, value=np.nan)
    authority = areas.groupby(["month", "kpi_id"], sort=False, as_index=False)[["numerator", "denominator"]].sum()
    authority = authority.assign(area=AUTHORITY, value=np.nan).loc[:, list(rows.columns)]
    excluding = pd.concat([authority, areas], ignore_index=True).assign(cohort="excluding UASC")
    return pd.concat([rows.assign(cohort="all"), excluding], ignore_index=True)


def write(rows: pd.DataFrame, out_dir: Path) -> None:
    for month, frame in rows.groupby("month"):
        folder = out_dir / str(month)
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_csv(folder / "kpi_return.csv", index=False, float_format="%.10g", lineterminator="\n")


# Enough children for the extract to hold the authority's 1,500 or so children in care, as the return says
SSDA903_CHILDREN = 7900
SSDA903_MONTHS = 12
# The return's KPIs the extract also gives (the same DfE definitions), by the measure: the return's figures for
# them are the extract's, as a council's would be, typed from the same system, so the page's one figure and the
# return agree; the annex reconciles them where they do not (below: one late-recorded move).
FROM_THE_EXTRACT = {
    "placement_stability_short": "placement_stability_short",
    "placement_stability_long": "placement_stability_long",
    "adopted_of_leavers": "adopted_of_leavers",
    "missing_in_month": "missing_in_month_share",
}
# (month, area, KPI, children): the return typed before a move was recorded, so it counts fewer than the extract
TYPED_BEFORE_A_LATE_RECORD = (("2019-09", "East Kent", "placement_stability_short", -1),)


def care_histories() -> Ssda903:
    """The authority's children's care histories, from which every extract is cut."""
    return synthetic_903(SSDA903_CHILDREN, SEED, tuple(AREA_SHARE), tuple(AREA_SHARE.values()))


def month_end_of(month: str) -> pd.Timestamp:
    return pd.Timestamp(month) + pd.offsets.MonthEnd(0)


def extract_of(histories: Ssda903, month: str) -> Ssda903:
    """The extract at the month end: the children looked after at any time in the 12 months to it, with their
    whole care history (all the measures need)."""
    at = month_end_of(month)
    return extract_at(histories, at, since=year_before(at))


def from_the_extract(rows: pd.DataFrame, histories: Ssda903) -> pd.DataFrame:
    """The return's rows of FROM_THE_EXTRACT replaced by the extract's figures of each month and area."""
    kpi_of = {measure: kpi for kpi, measure in FROM_THE_EXTRACT.items()}
    found = []
    for month in months():
        table = measure_table(extract_of(histories, month), month, AUTHORITY, list(kpi_of), breakdowns=[])
        table = table.loc[(table["cohort"] == "all") & (table["area"] != AREA_NOT_KNOWN)]
        found.append(table.assign(kpi_id=table["measure"].map(kpi_of))[["month", "area", "kpi_id", "numerator",
                                                                         "denominator"]])  # fmt: skip
    figures = pd.concat(found, ignore_index=True).set_index(["month", "area", "kpi_id"])
    for month, area, kpi, children in TYPED_BEFORE_A_LATE_RECORD:
        for where in (area, AUTHORITY):
            figures.loc[(month, where, kpi), "numerator"] += children
    key = ["month", "area", "kpi_id"]
    replaced = rows.set_index(key)
    chosen = replaced.index.isin(figures.index)
    replaced.loc[chosen, ["numerator", "denominator"]] = figures.reindex(replaced.index[chosen]).to_numpy()
    replaced.loc[chosen, "value"] = None
    return replaced.reset_index()[rows.columns]


def write_ssda903(histories: Ssda903, out_dir: Path) -> None:
    """The child-level extracts of the last months: one set of histories, cut at each month end."""
    for month in months()[-SSDA903_MONTHS:]:
        write_903(extract_of(histories, month), out_dir / month / "903")


# The last six months (two quarters) also hold the month's Annex A, from the same histories. The council's system
# wrote it three ways: (first month, file form, sheet or file name, the values' style)
ANNEX_A_MONTHS = 6
ANNEX_A_FORMS = (
    ("2019-04", "csv", "list_{n}", CODES),  # one CSV per list, bare codes: "Yes", "U4"
    ("2019-07", "xlsx", "List {n}", TEMPLATE),  # Ofsted's template: "a) Yes", "d) U4: Foster placement - long term"
    ("2019-09", "xlsx", "List_{n}", WORDS),  # "Y", "Foster placement - long term"; headers as typed by hand
)
# the hand-typed headers of the last system: trailing spaces and capitals, and a column of its own
HAND_TYPED = {"Allocated Team": "Allocated Team ", "Date of Birth": "DATE OF BIRTH", "Gender": "gender"}


TEAM_SIZES = dict(zip(AREA_SHARE, [3, 2, 3, 1], strict=True))  # children in care teams in each area
# The return's KPIs Annex A gives by the same definition (parameters/kpis.yaml's source annex_a), by the measure:
# the return's figures for them are the Annex A's the generator makes for each month, as a council's would be
# typed from the same system; the annex reconciles them where the month has the file.
FROM_ANNEX_A = {
    "dental_check": "dental_check_up_to_date",
    "pathway_plans": "pathway_plan_up_to_date",
    "reviews_in_timescale": "reviews_in_timescale",
    "rha_in_timescale": "health_assessment_up_to_date",
    "return_interviews": "return_interview_offered",
    "in_house_foster_care": "foster_care_in_house",
    "care_leavers_eet": "leavers_19_21_eet",
    "care_leavers_suitable_accommodation": "leavers_19_21_suitable_accommodation",
    "care_leavers_in_touch": "leavers_19_21_in_touch",
}


def annex_a_lists(histories: Ssda903, month: str, style: str = CODES) -> dict[int, pd.DataFrame]:
    """The Annex A the council's system gives at the month end (its values do not depend on `style`)."""
    return synthetic_annex_a(histories, month_end_of(month), SEED, style, AUTHORITY, TEAM_SIZES)


def file_form(month: str) -> tuple[str, str, str]:
    """How the month's Annex A is written (its file form, name and style): the system the council had then."""
    _, form, name, style = [f for f in ANNEX_A_FORMS if f[0] <= month][-1]
    return form, name, style


def every_annex_a(histories: Ssda903) -> dict[str, dict[int, pd.DataFrame]]:
    """Each month's Annex A, made once: in the style its file is written in for the months that have one."""
    with_files = months()[-ANNEX_A_MONTHS:]
    return {m: annex_a_lists(histories, m, file_form(m)[2] if m in with_files else CODES) for m in months()}


def from_annex_a(rows: pd.DataFrame, annexes: dict[str, dict[int, pd.DataFrame]]) -> pd.DataFrame:
    """The return's rows of FROM_ANNEX_A replaced by the figures of each month's Annex A and area, computed from
    the lists in memory (the same the files hold in the months that have them)."""
    teams = teams_of(list(TEAM_SIZES), list(TEAM_SIZES.values()))
    kpi_of = {measure: kpi for kpi, measure in FROM_ANNEX_A.items()}
    found = []
    for month in months():
        annex = annex_a_of_lists(annexes[month], month_end=month_end_of(month).date(),
                                 team_areas=teams)  # fmt: skip
        table = annex_a_measure_table(annex, month, AUTHORITY, list(kpi_of), breakdowns=[])
        table = table.loc[(table["cohort"] == "all") & (table["area"] != AREA_NOT_KNOWN)]
        found.append(table.assign(kpi_id=table["measure"].map(kpi_of))[["month", "area", "kpi_id", "numerator",
                                                                         "denominator"]])  # fmt: skip
    figures = pd.concat(found, ignore_index=True).set_index(["month", "area", "kpi_id"])
    replaced = rows.set_index(["month", "area", "kpi_id"])
    chosen = replaced.index.isin(figures.index)
    replaced.loc[chosen, ["numerator", "denominator"]] = figures.reindex(replaced.index[chosen]).to_numpy()
    replaced.loc[chosen, "value"] = None
    return replaced.reset_index()[rows.columns]


def write_annex_a_sample(annexes: dict[str, dict[int, pd.DataFrame]], out_dir: Path) -> None:
    """The last months' Annex A, from the same histories as their SSDA903 extracts, and team_area.csv."""
    teams = teams_of(list(TEAM_SIZES), list(TEAM_SIZES.values()))
    for month in months()[-ANNEX_A_MONTHS:]:
        form, name, style = file_form(month)
        lists = annexes[month]
        if style == WORDS:
            lists = {n: frame.rename(columns=HAND_TYPED) for n, frame in lists.items()}
            lists[8].insert(1, "Locality", lists[8]["Allocated Team "].map(teams))
        folder = out_dir / month / "annex_a"
        write_annex_a(lists, folder, form, name, team_areas=teams)


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "sample"
    histories = care_histories()
    rows = from_the_extract(edge_cases(make_rows(np.random.default_rng(SEED))), histories)
    annexes = every_annex_a(histories)
    write(excluding_uasc(from_annex_a(rows, annexes)), out_dir)
    write_ssda903(histories, out_dir)
    write_annex_a_sample(annexes, out_dir)


if __name__ == "__main__":
    main()
