"""How the authority compares with every authority in England, from the DfE's published tables.

`parameters/national/la_indicators.csv` has the tidy layout Explore Education Statistics publishes (one row
per year x geographic level x authority: `time_period, time_identifier, geographic_level, country_code,
region_code, region_name, new_la_code, la_name, ...` then one column per indicator; the DfE's symbols c, x,
z, low, u and '.' for figures not published). `statistical_neighbours.csv` lists each authority's ten
neighbours. A KPI names its column with `national_indicator`; settings.yaml names the authority (`la_code`).

For each such KPI, in the latest published year at or before the month's financial year: England, the
region, the neighbours' average, the authority's published figure, its rank among every authority with a
figure (1 is the best, read through the KPI's polarity; ties share the better rank), its quartile band
(A the best quarter, D the worst, as the DfE's LAIT bands them: by value, not rank), and the best and
worst authorities.
Everything here is published national statistics: no figure of the return is used.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.config.definitions import KpiCatalogue, Settings
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.periods import financial_year
from lacperf_helpers.ingest.layout import exists
from lacperf_helpers.ingest.validation import as_problems, combine, read_csv_text

log = logging.getLogger("lacperf.national")
INDICATORS_FILE, NEIGHBOURS_FILE = "la_indicators.csv", "statistical_neighbours.csv"
REQUIRED = ("time_period", "geographic_level", "region_code", "new_la_code", "la_name")
NOT_PUBLISHED = {"c", "x", "z", "low", "u", ".", ":", ""}  # the DfE's symbols, and a blank
NATIONAL_COLUMNS = (
    "kpi_id", "title", "year", "authority", "england", "region", "region_name", "neighbours", "neighbours_with_figures",
    "rank", "ranked", "quartile", "best", "best_value", "worst", "worst_value", "polarity", "unit", "decimals",
)  # fmt: skip
BANDS = "ABCD"


def year_label(time_period: str) -> str:
    """'201819' -> '2018/19'; '2019' (the year ending March 2019) -> '2018/19'."""
    text = str(time_period).strip()
    if len(text) == 6 and text.isdigit() and financial_year(f"{text[:4]}-04") == f"{text[:4]}/{text[4:]}":
        return financial_year(f"{text[:4]}-04")
    if len(text) == 4 and text.isdigit():
        return financial_year(f"{text}-03")  # the year ending March <text>
    raise ValueError(f"time_period {time_period!r} is not a year such as 201819")


def published(values: pd.Series) -> pd.Series:
    """Numbers, the DfE's symbols for figures not published as missing."""
    text = values.astype("str").str.strip()
    return pd.to_numeric(text.where(~text.str.lower().isin(NOT_PUBLISHED)), errors="coerce")


def load_national(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The local-authority table and the neighbours list, or None where the folder has no table."""
    table_path, neighbours_path = folder / INDICATORS_FILE, folder / NEIGHBOURS_FILE
    if not exists(table_path):  # one that is there but cannot be read (a folder, a FIFO) is an error
        return None
    table, _ = read_csv_text(table_path)
    lacking = [c for c in REQUIRED if c not in table.columns]
    if lacking:
        raise InputError(table_path, f"not the DfE's tidy layout: no column(s) {', '.join(lacking)}", row=1)
    try:
        table["year"] = table["time_period"].map(year_label)
    except ValueError as error:
        raise InputError(table_path, str(error), column="time_period") from None
    neighbours = read_csv_text(neighbours_path)[0] if exists(neighbours_path) else pd.DataFrame()
    return table, neighbours


def rank_of(value: float, others: pd.Series, polarity: str) -> int:
    """1 + how many authorities did strictly better (ties share the better rank)."""
    better = others > value if polarity == "H" else others < value
    return 1 + int(better.sum())


def quartile(value: float, values: pd.Series, polarity: str) -> str:
    """The LAIT band of `value` among every authority's `values`: A the best quarter, D the worst.

    LAIT cuts at the quartiles R's quantile() gives by default (type 7, numpy's 'linear'); a value equal to
    a cut falls in the lower-value band, which is the better one where lower is better and the worse one
    where higher is better.
    """
    cuts = np.quantile(values.to_numpy(dtype="float64"), [0.25, 0.5, 0.75], method="linear")
    by_value = int((cuts < value).sum())  # 0: the lowest-value quarter
    return BANDS[by_value] if polarity == "L" else BANDS[3 - by_value]


@dataclass(frozen=True)
class YearFigures:
    """One indicator in one year of the DfE's table, as the authority is compared: every authority's figure
    (`la_values`, NaN where not published, with `las` their rows), the authority's own row, England, its
    region and its statistical neighbours."""

    las: pd.DataFrame
    la_values: pd.Series
    own: pd.DataFrame
    england: float
    region: float
    near: pd.Series  # the neighbours' published figures

    @property
    def authority(self) -> float:
        return float(self.la_values.loc[self.own.index[0]]) if len(self.own) else math.nan


def year_figures(
    table: pd.DataFrame, neighbour_list: pd.DataFrame, la_code: str, year: str, column: str
) -> YearFigures:
    this_year = table.loc[table["year"] == year]
    level = this_year["geographic_level"].str.strip().str.lower()
    value = published(this_year[column])
    las = this_year.loc[level == "local authority"]
    la_values = value.loc[las.index]
    own = las.loc[las["new_la_code"] == la_code]
    region = value.loc[(level == "regional") & this_year["region_code"].isin(own["region_code"])]
    england = value.loc[level == "national"]
    codes = set(neighbour_list.loc[neighbour_list.get("new_la_code", pd.Series(dtype=str)) == la_code]
                .get("neighbour_new_la_code", pd.Series(dtype=str)))  # fmt: skip
    return YearFigures(
        las, la_values, own,
        float(england.iloc[0]) if len(england) else math.nan,
        float(region.iloc[0]) if len(region) else math.nan,
        la_values.loc[las["new_la_code"].isin(codes)].dropna(),
    )  # fmt: skip


def latest_year(table: pd.DataFrame, month: str) -> str | None:
    """The latest year the table publishes at or before `month`'s financial year."""
    years = sorted(y for y in table["year"].unique() if y <= financial_year(month))
    return str(years[-1]) if years else None


def national_comparison(folder: Path, catalogue: KpiCatalogue, settings: Settings, month: str) -> pd.DataFrame:
    """One row per KPI with a national indicator (NATIONAL_COLUMNS); empty without the tables or la_code."""
    loaded = load_national(folder)
    if loaded is None or not settings.la_code:
        return pd.DataFrame(columns=list(NATIONAL_COLUMNS))
    table, neighbour_list = loaded
    path = folder / INDICATORS_FILE
    rows = []
    for kpi in (k for k in catalogue.kpis if k.national_indicator):
        column = str(kpi.national_indicator)
        if column not in table.columns:
            raise InputError(path, f"KPI {kpi.id} names indicator {column!r}, which is not a column", row=1)
        year = latest_year(table, month)
        if year is None:
            continue
        found = year_figures(table, neighbour_list, settings.la_code, year, column)
        if found.own.empty:
            raise InputError(path, f"no row for la_code {settings.la_code} (settings.yaml) in {year}")
        ranked = found.la_values.dropna()
        if ranked.empty:  # no authority's figure published that year: nothing to compare with
            continue
        mine, las, near = found.authority, found.las, found.near
        order = ranked.sort_values(ascending=kpi.polarity == "L", kind="stable")
        rank = rank_of(mine, ranked, kpi.polarity) if not math.isnan(mine) else None
        rows.append({
            "kpi_id": kpi.id, "title": kpi.title, "year": year, "authority": mine,
            "england": found.england, "region": found.region,
            "region_name": str(found.own["region_name"].iloc[0]) if "region_name" in found.own else "",
            "neighbours": float(near.mean()) if len(near) else math.nan, "neighbours_with_figures": len(near),
            "rank": rank, "ranked": len(ranked), "quartile": quartile(mine, ranked, kpi.polarity) if rank else "",
            "best": las.loc[order.index[0], "la_name"], "best_value": float(order.iloc[0]),
            "worst": las.loc[order.index[-1], "la_name"], "worst_value": float(order.iloc[-1]),
            "polarity": kpi.polarity, "unit": kpi.unit, "decimals": kpi.display_decimals,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(NATIONAL_COLUMNS))


# --- rates per 10,000 children -------------------------------------------------------------------------

POPULATION_FILE = (
    "population.csv"  # ONS mid-year estimates of 0-17 year olds: time_period, new_la_code, population_0_17
)
RATE_TITLES = {
    "looked_after": "Children looked after at the month end",
    "started": "Children who started to be looked after in the 12 months to the month end",
    "uasc": "Unaccompanied asylum-seeking children looked after at the month end",
}
RATE_COLUMNS = (
    "count", "title", "children", "population", "population_year", "rate", "year", "authority", "england", "region",
    "neighbours",
)  # fmt: skip


def children_aged_0_17(folder: Path, la_code: str, month: str) -> tuple[float, str] | None:
    """The authority's 0-17 year olds in the latest mid-year estimate by `month` (mid-2019 from June 2019)."""
    path = folder / POPULATION_FILE
    table = read_population(path)
    if table is None:
        return None
    mine = table.loc[table["new_la_code"] == la_code].assign(population=lambda t: published(t["population_0_17"]))
    year = int(month[:4]) if int(month[5:7]) >= 6 else int(month[:4]) - 1
    known = mine.loc[mine["time_period"].astype("str").str.strip().astype(int) <= year].dropna(subset=["population"])
    if known.empty:
        return None
    latest = known.sort_values("time_period").iloc[-1]
    return float(latest["population"]), f"mid-{str(latest['time_period'])[:4]}"


def per_10000(children: float, population: float) -> float:
    """A rate per 10,000 children as the DfE publishes an authority's: to the nearest whole number, a half
    rounded up (not to even), so it sits beside the DfE's like for like."""
    return float(math.floor(10_000 * children / population + 0.5))


def read_population(path: Path) -> pd.DataFrame | None:
    """The population file, checked: a year in each row, and each population a whole number above 0 (or the
    DfE's symbol for one not published): a rate per 0 children is no rate. None where there is no file."""
    if not exists(path):
        return None
    table, _ = read_csv_text(path)
    lacking = [c for c in ("time_period", "new_la_code", "population_0_17") if c not in table.columns]
    if lacking:
        raise InputError(path, f"no column(s) {', '.join(lacking)}", row=1)
    checks = (("time_period", r"\d{4}", "a year such as 2019"),
              ("population_0_17", r"0*[1-9]\d*|[cxz]|low|u|\.|:|", "a whole number above 0"))  # fmt: skip
    for column, pattern, says in checks:
        wrong = ~table[column].astype("str").str.strip().str.fullmatch(pattern)
        if wrong.any():  # a header row is row 1
            row = int(wrong.to_numpy().argmax())
            raise InputError(path, f"{table[column].iloc[row]!r} is not {says}", row=row + 2, column=column)
    return table


def national_problems(folder: Path) -> pd.DataFrame:
    """The national tables checked as inputs (`lacperf validate`, and before a month's pages): the DfE's table
    and the population file, a problem row for the first thing wrong in each."""
    found = []
    for check in (lambda: load_national(folder), lambda: read_population(folder / POPULATION_FILE)):
        try:
            check()
        except InputError as error:
            found.append(as_problems(error))
    return combine(found)


def rates_per_10000(folder: Path, settings: Settings, month: str, children: dict[str, float | None]) -> pd.DataFrame:
    """Per count (RATE_TITLES) the authority's rate per 10,000 children aged 0-17 this month, from
    `children` (None: not published, so no rate either: a rate gives its count back) and the population
    file, beside the rates the DfE's table publishes that year: the authority's, England's, the region's and
    the statistical neighbours' average. Empty without the files or la_code."""
    loaded = load_national(folder)
    population = children_aged_0_17(folder, settings.la_code, month) if settings.la_code else None
    if loaded is None or population is None:
        return pd.DataFrame(columns=list(RATE_COLUMNS))
    table, neighbour_list = loaded
    year = latest_year(table, month)
    rows = []
    for count, column in settings.rates_per_10000.items() if year is not None else ():
        if column not in table.columns:
            log.warning("%s: no column %r for %s per 10,000 children: not compared", INDICATORS_FILE, column, count)
            continue
        found = year_figures(table, neighbour_list, str(settings.la_code), str(year), column)
        number = children.get(count)
        rows.append({
            "count": count, "title": RATE_TITLES[count], "children": number,
            "population": population[0], "population_year": population[1],
            "rate": math.nan if number is None else per_10000(number, population[0]), "year": year,
            "authority": found.authority, "england": found.england, "region": found.region,
            "neighbours": float(found.near.mean()) if len(found.near) else math.nan,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(RATE_COLUMNS))
