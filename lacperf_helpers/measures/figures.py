"""The month's figures of every KPI: from each month's return, and each SSDA903 KPI's measure from the
month's extract, by cohort, breakdown and area. Problems in either are gathered here too (the extract's
are what the measures had to leave out)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.definitions import KpiCatalogue
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.periods import month_end
from lacperf_helpers.config.vocabulary import ALL, BREAKDOWNS, HEADLINE, SLICE, UNNAMED_AUTHORITY
from lacperf_helpers.ingest import rules
from lacperf_helpers.ingest.annex_a import load_annex_a
from lacperf_helpers.ingest.layout import (
    RETURN_FILE,
    annex_a_path,
    available_months,
    exists,
    return_path,
    ssda903_path,
)
from lacperf_helpers.ingest.returns import (
    authority_of,
    check_returns,
    empty_return,
    read_return,
    read_returns,
    require_month,
)
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.ingest.validation import ERROR, WARNING, as_problems, combine, problems_at
from lacperf_helpers.measures.annex_a import MEASURES as ANNEX_A_MEASURES
from lacperf_helpers.measures.annex_a import annex_a_measure_table
from lacperf_helpers.measures.annex_a import data_quality as annex_a_quality
from lacperf_helpers.measures.registry import MEASURES, data_quality, measure_table


def load_returns(
    returns_dir: str | Path, months: list[str], catalogue: KpiCatalogue, authority: str | None = None,
    cohorts: CohortCatalogue | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The checked figures of these months: from each month's return, and each SSDA903 KPI's measure
    from its extract. A month with neither has no rows (its figures are 'No data')."""
    last = months[-1] if months else ""
    needs_return = any(k.source == "return" for k in catalogue.kpis)
    if (
        needs_return
        and last
        and not exists(return_path(returns_dir, last))
        and (ssda903_path(returns_dir, last).is_dir() or annex_a_path(returns_dir, last).is_dir())
    ):
        # the month reported on has an extract (or an Annex A) and no return
        raise InputError(return_path(returns_dir, last), f"no return for {last}, though it has SSDA903 data or an "
                         "Annex A: its return KPIs would read No data")  # fmt: skip
    cohorts = cohorts or load_cohorts()
    # a return that is there but cannot be read (a FIFO, a folder, a broken link) is an error
    frames = read_returns([(return_path(returns_dir, m), m) for m in months if exists(return_path(returns_dir, m))],
                          catalogue, cohorts)  # fmt: skip
    figures = pd.concat(frames, ignore_index=True) if frames else empty_return()
    for column, headline in zip(SLICE, HEADLINE, strict=True):
        if column != "cohort":  # the return's rows are of the cohort it gives (all children by default)
            figures[column] = headline
    if authority is None and last and any(k.source != "return" for k in catalogue.kpis):
        # the files' total is the authority's: named as the return names it (its only area, or the sum of the
        # others), or, with no return, as the total of every area
        path = return_path(returns_dir, last)
        month_return = figures.loc[figures["month"] == last]
        authority = authority_of(month_return, path) if len(month_return) else UNNAMED_AUTHORITY
    from_files = [file_figures(source, returns_dir, months, catalogue, authority or UNNAMED_AUTHORITY, cohorts)
                  for source in FILE_SOURCES]  # fmt: skip
    measured = [f for f in from_files if len(f)]
    figures = figures.loc[~_computed_this_month(figures, measured)]  # the return's own: reconciled, not shown
    return pd.concat([figures, *measured], ignore_index=True) if measured else figures


def _computed_this_month(returned: pd.DataFrame, measured: list[pd.DataFrame]) -> pd.Series:
    """Which of the return's rows give a KPI that a file computes in the same month: the computed figure wins
    (every child's record, by the definition; the same for every area, cohort and breakdown), and the return's
    is reconciled against it (`reconciliation`). In a month without the file the return's figure stands."""
    if not measured:
        return pd.Series(False, index=returned.index)
    computed = pd.concat([f.loc[:, ["month", "kpi_id"]] for f in measured]).drop_duplicates()
    keys = pd.MultiIndex.from_frame(returned.loc[:, ["month", "kpi_id"]].astype(str))
    return pd.Series(keys.isin(pd.MultiIndex.from_frame(computed.astype(str))), index=returned.index)


RECONCILIATION_COLUMNS = (
    "month", "area", "kpi_id", "cohort", "source", "numerator", "denominator", "value", "returned_numerator",
    "returned_denominator", "returned_value", "difference",
)  # fmt: skip


def reconciliation(
    returns_dir: str | Path, month: str, catalogue: KpiCatalogue, figures: pd.DataFrame,
    cohorts: CohortCatalogue | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Each figure the month's return gives for a KPI computed from a file (SSDA903 extract or Annex A), beside
    the computed figure the pages show (the KPI's cohort, every child, by area) and the difference (value: the
    computed less the returned, in the KPI's unit, percentage points for a percent). A returned figure with no
    computed one (an area the file has no children in) is listed with the computed figure blank."""
    path = return_path(returns_dir, month)
    kpis = {k.id: k for k in catalogue.kpis if k.source != "return"}
    if not kpis or not exists(path):
        return pd.DataFrame(columns=list(RECONCILIATION_COLUMNS))
    returned = read_return(path, month, catalogue, cohorts)  # the cohorts the pages were made with
    returned = returned.loc[returned["kpi_id"].isin(list(kpis))].copy()
    percent = returned["kpi_id"].map(lambda k: kpis[k].unit == "percent").astype(bool)
    worked_out = 100 * returned["numerator"] / returned["denominator"].where(returned["denominator"] > 0)
    returned["value"] = returned["value"].where(~percent | returned["value"].notna(), worked_out)
    defined = returned["kpi_id"].map(lambda k: kpis[k].cohort or HEADLINE[0])
    cohort = returned["cohort"].where(returned["cohort"] != ALL, defined)  # the return's own cohort, where it gives one
    headline = figures.loc[(figures["month"] == month) & (figures["breakdown"] == HEADLINE[1])
                           & (figures["group"] == HEADLINE[2]) & figures["kpi_id"].isin(list(kpis))]  # fmt: skip
    computed = headline.set_index(["area", "kpi_id", "cohort"])[["numerator", "denominator", "value"]]
    shown = computed.reindex(pd.MultiIndex.from_arrays([returned["area"], returned["kpi_id"], cohort]))
    out = pd.DataFrame({
        "month": month, "area": returned["area"].to_numpy(), "kpi_id": returned["kpi_id"].to_numpy(),
        "cohort": cohort.to_numpy(),
        "source": returned["kpi_id"].map(lambda k: kpis[k].source).to_numpy(),
        "numerator": shown["numerator"].to_numpy(), "denominator": shown["denominator"].to_numpy(),
        "value": shown["value"].to_numpy(), "returned_numerator": returned["numerator"].to_numpy(),
        "returned_denominator": returned["denominator"].to_numpy(), "returned_value": returned["value"].to_numpy(),
    })  # fmt: skip
    out["difference"] = out["value"] - out["returned_value"]
    return out.loc[:, list(RECONCILIATION_COLUMNS)].reset_index(drop=True)


def _ssda903_table(
    folder: Path, month: str, authority: str, measures: list[str], cohorts: CohortCatalogue
) -> pd.DataFrame:
    return measure_table(load_903(folder), month, authority, measures, cohorts, list(BREAKDOWNS))


def _annex_a_table(
    folder: Path, month: str, authority: str, measures: list[str], cohorts: CohortCatalogue
) -> pd.DataFrame:
    annex = load_annex_a(folder, month_end=month_end(month))
    return annex_a_measure_table(annex, month, authority, measures, cohorts, list(BREAKDOWNS))


# Each child-level file a KPI is computed from (its `source`): where a month's copy is, and its measures' table
FILE_SOURCES: dict[str, tuple[Callable[[str | Path, str], Path], Callable[..., pd.DataFrame]]] = {
    "ssda903": (ssda903_path, _ssda903_table),
    "annex_a": (annex_a_path, _annex_a_table),
}


def file_figures(
    source: str, returns_dir: str | Path, months: list[str], catalogue: KpiCatalogue, authority: str,
    cohorts: CohortCatalogue | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Figures of the KPIs computed from `source` (a FILE_SOURCES file), by cohort (of `cohorts`, default
    parameters/cohorts.yaml), breakdown and area, for the months that have the file."""
    kpis = [kpi for kpi in catalogue.kpis if kpi.source == source]
    cohorts = cohorts or load_cohorts()
    check_kpi_cohorts(catalogue, cohorts)
    cohorts = cohorts.exact_only()  # a KPI's figures are published exactly: all and UASC cohorts only
    path_of, table_of = FILE_SOURCES[source]
    measures = sorted({str(k.measure) for k in kpis})  # a KPI's breakdowns: the built-in ones (pages show them)
    frames = []
    for month in months if kpis else []:
        folder = path_of(returns_dir, month)
        if not folder.is_dir():
            continue
        table = table_of(folder, month, authority, measures, cohorts)
        for kpi in kpis:
            rows = table.loc[table["measure"] == kpi.measure]
            if kpi.cohort is not None:
                rows = rows.loc[rows["cohort"] == kpi.cohort]
            frames.append(rows.drop(columns="measure").assign(kpi_id=kpi.id, source_file=str(folder), source_row=0))
    if not frames:
        return pd.DataFrame(columns=[*empty_return().columns, *SLICE])
    return pd.concat(frames, ignore_index=True)


def check_kpi_polarity(catalogue: KpiCatalogue, kpis_file: str | Path) -> None:
    """A KPI measured from child-level data is better the way its measure is (as the measure is registered):
    a catalogue saying otherwise would rate it backwards, so it is refused, naming the KPI."""
    registered = {m.id: m.polarity for m in MEASURES.values()} | {m.id: m.polarity for m in ANNEX_A_MEASURES.values()}
    for kpi in catalogue.kpis:
        polarity = registered.get(str(kpi.measure))
        if polarity is not None and polarity != kpi.polarity:
            better = "higher" if polarity == "H" else "lower"
            raise InputError(
                kpis_file,
                f"KPI {kpi.id}: polarity {kpi.polarity}, but its measure {kpi.measure} is better {better} ({polarity})",
                column="polarity",
            )


def check_kpi_cohorts(catalogue: KpiCatalogue, cohorts: CohortCatalogue) -> None:
    """A KPI measured on a cohort the cohorts file does not define is refused, naming the ones it does; so is
    one on a cohort not published exactly (`Cohort.exact`)."""
    for kpi in catalogue.kpis:
        if kpi.cohort is not None:
            cohorts.require_exact(kpi.cohort, f"KPI {kpi.id}", column="cohort")


def input_problems(
    returns_dir: str | Path, months: list[str], catalogue: KpiCatalogue, cohorts: CohortCatalogue | None = None
) -> pd.DataFrame:
    """Every problem in the files these months' figures come from: each return, each SSDA903 extract and
    Annex A when a KPI is measured from it (with what the measures had to leave out). Nothing is raised."""
    found = []
    uses_903 = any(k.source == "ssda903" for k in catalogue.kpis)
    uses_annex_a = any(k.source == "annex_a" for k in catalogue.kpis)
    uses_return = any(k.source == "return" for k in catalogue.kpis)
    given = [(return_path(returns_dir, m), m) for m in months if exists(return_path(returns_dir, m))]
    checked = {m: c for (_, m), c in zip(given, check_returns(given, catalogue, cohorts), strict=True)}
    for month in months:
        path, folder = return_path(returns_dir, month), ssda903_path(returns_dir, month)
        if uses_return and not exists(path) and (folder.is_dir() or annex_a_path(returns_dir, month).is_dir()):
            found.append(no_return(path, last=month == months[-1]))
        try:
            its_return = checked.get(month)  # a FIFO, folder or broken link there is an error, never "no return"
            if isinstance(its_return, InputError):
                raise its_return
            if its_return is not None:
                found.append(its_return[1])
            if uses_903 and folder.is_dir():
                found.append(data_quality(load_903(folder, strict=False), pd.Timestamp(month_end(month)), folder))
            annex = annex_a_path(returns_dir, month)
            # read where a KPI is measured from it, and for the month reported on: its problems are that month's
            if annex.is_dir() and (uses_annex_a or month == months[-1]):
                at = month_end(month)
                found.append(annex_a_quality(load_annex_a(annex, month_end=at, strict=False), pd.Timestamp(at)))
        except InputError as error:  # a file that cannot be read as a table at all
            found.append(as_problems(error))
    return combine(found)


RULE_NO_RETURN = rules.RETURN_BESIDE_EXTRACT.of(return_file=RETURN_FILE)


def no_return(path: Path, *, last: bool) -> pd.DataFrame:
    """A month with an extract and no return: said, an error for the month reported on (its KPIs need it), a
    warning for an earlier one (a gap in the trend)."""
    return problems_at(path, [None], "", [""], RULE_NO_RETURN, ERROR if last else WARNING)


def load_returns_to(
    returns_dir: str | Path, month: str, catalogue: KpiCatalogue, authority: str | None = None,
    cohorts: CohortCatalogue | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Every month's figures up to and including `month`, which must have a return or an extract."""
    require_month(returns_dir, month)
    months = [m for m in available_months(returns_dir) if m <= month]
    return load_returns(returns_dir, months, catalogue, authority, cohorts)
