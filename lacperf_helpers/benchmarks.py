"""Benchmarks: England, statistical neighbours and region, by KPI and financial year (parameters/benchmarks.csv).

A month is compared with the latest benchmark year at or before its own financial year: national
figures are published months after a year ends, so 2019/20's months are read against 2018/19's.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.definitions import KpiCatalogue
from lacperf_helpers.errors import InputError
from lacperf_helpers.periods import financial_year
from lacperf_helpers.rating import display_round

BENCHMARK_COLUMNS = ("kpi_id", "year", "england", "statistical_neighbours", "region", "authority_published", "source")
REQUIRED = ("kpi_id", "year", "england", "statistical_neighbours", "source")
FIGURES = ("england", "statistical_neighbours", "region", "authority_published")
_YEAR = r"^\d{4}/\d{2}$"


def _column_name(header: str) -> str:
    """'Statistical neighbours' and 'statistical_neighbours' are the same column."""
    return header.strip().lower().replace(" ", "_")


def load_benchmarks(path: str | Path | None, catalogue: KpiCatalogue) -> pd.DataFrame:
    """Read and check the benchmarks file; no file means no benchmarks (an empty frame)."""
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=list(BENCHMARK_COLUMNS))
    path = Path(path)
    try:
        raw = pd.read_csv(io.StringIO(path.read_bytes().decode("utf-8-sig")), dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    raw.columns = [_column_name(c) for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}", row=1, column=missing[0])
    for optional in ("region", "authority_published"):
        if optional not in raw.columns:
            raw[optional] = ""
    frame: pd.DataFrame = raw.loc[:, list(BENCHMARK_COLUMNS)].apply(lambda col: col.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # spreadsheet rows: the header is row 1

    def stop_at_first(bad: pd.Series, column: str, message: str) -> None:
        if bad.any():
            row = int(frame.index[bad.to_numpy()][0])
            raise InputError(path, message.format(frame.at[row, column]), row=row, column=column)

    stop_at_first(~frame["kpi_id"].isin(catalogue.ids), "kpi_id", "unknown KPI {!r} (not in the KPI definitions)")
    stop_at_first(~frame["year"].str.match(_YEAR), "year", "year {!r} is not a financial year such as 2018/19")
    for column in FIGURES:
        numbers = pd.to_numeric(frame[column].where(frame[column] != ""), errors="coerce")
        stop_at_first((frame[column] != "") & numbers.isna(), column, "not a number: {!r}")
        frame[column] = numbers.astype("float64")
    stop_at_first(frame.duplicated(["kpi_id", "year"]), "year", "the same KPI and year ({}) appear twice")
    return frame.reset_index(drop=True)


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


def with_benchmarks(card: pd.DataFrame, benchmarks: pd.DataFrame, month: str) -> pd.DataFrame:
    """The scorecard with England, statistical neighbours, region and the authority's published figure."""
    latest = benchmarks_for(benchmarks, month).drop(columns=["source"]).add_prefix("bm_")
    joined = card.merge(latest.rename(columns={"bm_kpi_id": "kpi_id"}), on="kpi_id", how="left")
    joined = joined.rename(
        columns={
            "bm_benchmark_year": "benchmark_year",
            "bm_england": "england",
            "bm_statistical_neighbours": "statistical_neighbours",
            "bm_region": "region",
            "bm_authority_published": "authority_published",
        }
    )
    joined["against_england"] = compare(joined["value"], joined["england"], joined["polarity"], joined["decimals"])
    return joined
