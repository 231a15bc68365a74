"""The month's figures of every KPI: from each month's return, and each SSDA903 KPI's measure from the
month's extract, by cohort, breakdown and area. Problems in either are gathered here too (the extract's
are what the measures had to leave out)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.definitions import KpiCatalogue
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.periods import month_end
from lacperf_helpers.config.vocabulary import BREAKDOWNS, HEADLINE, SLICE, UNNAMED_AUTHORITY
from lacperf_helpers.ingest.layout import RETURN_FILE, available_months, exists, return_path, ssda903_path
from lacperf_helpers.ingest.returns import authority_of, check_return, empty_return, read_return, require_month
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.ingest.validation import ERROR, WARNING, as_problems, combine, problems_at
from lacperf_helpers.measures.registry import data_quality, measure_table


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
        and ssda903_path(returns_dir, last).is_dir()
    ):
        # the month reported on has an extract and no return
        raise InputError(return_path(returns_dir, last), f"no return for {last}, though it has SSDA903 data: "
                         "its return KPIs would read No data")  # fmt: skip
    cohorts = cohorts or load_cohorts()
    frames = [  # a return that is there but cannot be read (a FIFO, a folder, a broken link) is an error
        read_return(return_path(returns_dir, month), month, catalogue, cohorts)
        for month in months
        if exists(return_path(returns_dir, month))
    ]
    figures = pd.concat(frames, ignore_index=True) if frames else empty_return()
    for column, headline in zip(SLICE, HEADLINE, strict=True):
        if column != "cohort":  # the return's rows are of the cohort it gives (all children by default)
            figures[column] = headline
    if authority is None and last and any(k.source == "ssda903" for k in catalogue.kpis):
        # the extract's total is the authority's: named as the return names it (its only area, or the sum of the
        # others), or, with no return, as the extract's total of every area
        path = return_path(returns_dir, last)
        month_return = figures.loc[figures["month"] == last]
        authority = authority_of(month_return, path) if len(month_return) else UNNAMED_AUTHORITY
    from_903 = ssda903_figures(returns_dir, months, catalogue, authority or UNNAMED_AUTHORITY, cohorts)
    return pd.concat([figures, from_903], ignore_index=True) if len(from_903) else figures


def ssda903_figures(
    returns_dir: str | Path, months: list[str], catalogue: KpiCatalogue, authority: str,
    cohorts: CohortCatalogue | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Figures of the KPIs with source ssda903, by cohort (of `cohorts`, default parameters/cohorts.yaml),
    breakdown and area, for months with an extract."""
    kpis = [kpi for kpi in catalogue.kpis if kpi.source == "ssda903"]
    cohorts = cohorts or load_cohorts()
    check_kpi_cohorts(catalogue, cohorts)
    cohorts = cohorts.exact_only()  # a KPI's figures are published exactly: all and UASC cohorts only
    frames = []
    for month in months if kpis else []:
        folder = ssda903_path(returns_dir, month)
        if not folder.is_dir():
            continue
        measures = sorted({str(k.measure) for k in kpis})  # a KPI's breakdowns: the built-in ones (pages show them)
        table = measure_table(load_903(folder), month, authority, measures, cohorts, list(BREAKDOWNS))
        for kpi in kpis:
            rows = table.loc[table["measure"] == kpi.measure]
            if kpi.cohort is not None:
                rows = rows.loc[rows["cohort"] == kpi.cohort]
            frames.append(rows.drop(columns="measure").assign(kpi_id=kpi.id, source_file=str(folder), source_row=0))
    if not frames:
        return pd.DataFrame(columns=[*empty_return().columns, *SLICE])
    return pd.concat(frames, ignore_index=True)


def check_kpi_cohorts(catalogue: KpiCatalogue, cohorts: CohortCatalogue) -> None:
    """A KPI measured on a cohort the cohorts file does not define is refused, naming the ones it does; so is
    one on a cohort not published exactly (`Cohort.exact`)."""
    for kpi in catalogue.kpis:
        if kpi.cohort is not None:
            cohorts.require_exact(kpi.cohort, f"KPI {kpi.id}", column="cohort")


def input_problems(
    returns_dir: str | Path, months: list[str], catalogue: KpiCatalogue, cohorts: CohortCatalogue | None = None
) -> pd.DataFrame:
    """Every problem in the files these months' figures come from: each return, and each SSDA903 extract
    when a KPI is measured from it (with what the measures had to leave out). Nothing is raised."""
    found = []
    uses_903 = any(k.source == "ssda903" for k in catalogue.kpis)
    uses_return = any(k.source == "return" for k in catalogue.kpis)
    for month in months:
        path, folder = return_path(returns_dir, month), ssda903_path(returns_dir, month)
        if uses_return and not exists(path) and folder.is_dir():
            found.append(no_return(path, last=month == months[-1]))
        try:
            if exists(path):  # a FIFO, folder or broken link there is an error, never "no return"
                found.append(check_return(path, month, catalogue, cohorts)[1])
            if uses_903 and folder.is_dir():
                found.append(data_quality(load_903(folder, strict=False), pd.Timestamp(month_end(month)), folder))
        except InputError as error:  # a file that cannot be read as a table at all
            found.append(as_problems(error))
    return combine(found)


RULE_NO_RETURN = f"a month with SSDA903 data has its {RETURN_FILE} too (else its return KPIs read No data)"


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
