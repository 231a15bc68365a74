"""Benchmarks: England, statistical neighbours and region, by KPI and financial year (parameters/benchmarks.csv).

A month is compared with the latest benchmark year at or before its own financial year: national
figures are published months after a year ends, so 2019/20's months are read against 2018/19's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.config.definitions import KpiCatalogue
from lacperf_helpers.config.periods import financial_year
from lacperf_helpers.ingest import rules
from lacperf_helpers.ingest.validation import (
    ERROR,
    combine,
    errors_in,
    number_checks,
    parse_numbers,
    problems_at,
    raise_on_errors,
    read_csv_text,
    rule,
    schema_problems,
    text_column,
)
from lacperf_helpers.rate.rating import display_round

BENCHMARK_COLUMNS = ("kpi_id", "year", "england", "statistical_neighbours", "region", "authority_published", "source")
REQUIRED = ("kpi_id", "year", "england", "statistical_neighbours", "source")
FIGURES = ("england", "statistical_neighbours", "region", "authority_published")
_YEAR = r"^\d{4}/\d{2}$"


def _column_name(header: str) -> str:
    """'Statistical neighbours' and 'statistical_neighbours' are the same column."""
    return header.strip().lower().replace(" ", "_")


# A benchmarks file often covers more KPIs than a council's catalogue (the sample's names lacperf's own):
# rows for KPIs the catalogue does not define are left out with a warning, never an error.
RULE_KNOWN_KPI = rules.BENCHMARK_KPI_KNOWN


def load_benchmarks(path: str | Path | None, catalogue: KpiCatalogue) -> pd.DataFrame:
    """Read and check the benchmarks file; no file means no benchmarks (an empty frame).
    ValidationError (every problem, the first named) if it has errors."""
    frame, problems = read_benchmarks(path, catalogue)
    raise_on_errors(problems)
    return frame


def benchmark_problems(path: str | Path | None, catalogue: KpiCatalogue) -> pd.DataFrame:
    """Every problem in the benchmarks file, as rows (nothing raised for what the checks find)."""
    return read_benchmarks(path, catalogue)[1]


def read_benchmarks(path: str | Path | None, catalogue: KpiCatalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The benchmarks for the catalogue's KPIs, and every problem found reading the file."""
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=list(BENCHMARK_COLUMNS)), combine([])
    path = Path(path)
    raw, found = read_csv_text(path, normalise=_column_name)
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        return raw, combine([found, problems_at(path, [1] * len(missing), "", missing, rules.REQUIRED_COLUMN, ERROR)])
    for optional in ("region", "authority_published"):
        if optional not in raw.columns:
            raw[optional] = ""
    frame = raw.loc[:, list(BENCHMARK_COLUMNS)]
    import pandera.pandas as pa  # a file's checks import pandera; a page's kernel checks none

    schema = pa.DataFrameSchema(
        {
            "kpi_id": text_column(rule(lambda s: s.isin(catalogue.ids), RULE_KNOWN_KPI)),
            "year": text_column(
                rule(lambda s: s.str.match(_YEAR), rules.FINANCIAL_YEAR),
                rule(lambda s: ~frame.loc[s.index].duplicated(["kpi_id", "year"]), rules.ONE_ROW_PER_KPI_AND_YEAR),
            ),
            **{column: text_column(*number_checks(column)) for column in FIGURES},
        }
    )
    problems = combine([found, schema_problems(schema, frame, path, warnings=frozenset({RULE_KNOWN_KPI}))])
    if len(errors_in(problems)):
        return frame, problems
    frame = frame.loc[frame["kpi_id"].isin(catalogue.ids)].copy()
    for column in FIGURES:
        frame[column] = parse_numbers(frame[column])
    return frame.reset_index(drop=True), problems


def benchmarks_for(benchmarks: pd.DataFrame, month: str) -> pd.DataFrame:
    """Per KPI, the latest benchmark year at or before `month`'s financial year."""
    usable = benchmarks.loc[benchmarks["year"] <= financial_year(month)]
    latest = usable.sort_values("year").groupby("kpi_id", as_index=False).tail(1)
    return latest.rename(columns={"year": "benchmark_year"}).reset_index(drop=True)


def compare(value: pd.Series, benchmark: pd.Series, polarity: pd.Series, decimals: pd.Series) -> pd.Series:
    """'better' / 'worse' / 'in line' than a benchmark, judged by polarity at the displayed precision."""
    now, other = display_round(value, decimals), display_round(benchmark, decimals)
    better = (now > other).where(polarity == "H", now < other)
    result = np.select([now.isna() | other.isna(), now == other, better], ["", "in line", "better"], default="worse")
    return pd.Series(result, index=value.index, dtype="str")


# Where the DfE's national tables (rate/national.py) publish a KPI, their England figure is the one: the page shows
# one figure per KPI and year, never benchmarks.csv's beside the DfE's.
DFE_TABLES = "the DfE's national tables"


def england_figures(benchmarks: pd.DataFrame, national: pd.DataFrame | None, month: str) -> pd.DataFrame:
    """Per KPI, one year's England, neighbours, region and published authority figure, and their source: the
    latest year at or before `month`'s financial year from benchmarks.csv or the DfE's tables (`national`, as
    national_comparison gives it); for the same year, the DfE's."""
    chosen = [benchmarks_for(benchmarks, month).loc[:, ["kpi_id", "benchmark_year", *FIGURES, "source"]]]
    if national is not None and len(national):
        published = national.loc[national["england"].notna()]
        chosen.append(
            pd.DataFrame(
                {
                    "kpi_id": published["kpi_id"],
                    "benchmark_year": published["year"],
                    "england": published["england"],
                    "statistical_neighbours": published["neighbours"],
                    "region": published["region"],
                    "authority_published": published["authority"],
                    "source": DFE_TABLES,
                }
            )
        )
    every = pd.concat([c for c in chosen if len(c)], ignore_index=True) if any(len(c) for c in chosen) else chosen[0]
    latest = every.sort_values("benchmark_year", kind="stable").groupby("kpi_id", as_index=False).tail(1)
    return latest.rename(columns={"source": "england_source"}).reset_index(drop=True)


def with_benchmarks(
    card: pd.DataFrame, benchmarks: pd.DataFrame, month: str, national: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The scorecard with England, statistical neighbours, region and the authority's published figure: one of
    each per KPI (england_figures), with its year and source."""
    joined = card.merge(england_figures(benchmarks, national, month), on="kpi_id", how="left")
    joined["england_source"] = joined["england_source"].fillna("")
    joined["against_england"] = compare(joined["value"], joined["england"], joined["polarity"], joined["decimals"])
    return joined
