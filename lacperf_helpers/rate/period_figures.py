"""Figures over periods longer than a month: quarters, the financial year to date, rolling 12 months.

A KPI's `aggregation` says how its months add up. `latest` (month-end snapshots and measures that are
already rolling, such as "3 or more placements in the last 12 months"): the period's figure is its last
month's. `sum` (monthly flows, such as initial health assessments due in the month): numerators and
denominators add up over the months; a days or number KPI is averaged, weighted by its denominator.
Each period is rated against the target and floor of the financial year its last month falls in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lacperf_helpers.config.definitions import KpiCatalogue
from lacperf_helpers.config.periods import (
    financial_quarter,
    previous_quarter,
    quarter_months,
    rolling_months,
    shift_month,
    year_to_date_months,
)
from lacperf_helpers.rate import rating
from lacperf_helpers.rate.scorecard import kpi_frame, rate_figures, with_area_standards


def period_figures(
    figures: pd.DataFrame, catalogue: KpiCatalogue, months: list[str], authority: str | None = None
) -> pd.DataFrame:
    """One row per area x KPI for the period `months`: numerator, denominator, value, months covered, RAG."""
    end = months[-1]
    kpis = kpi_frame(catalogue, end)
    in_period = figures.loc[figures["month"].isin(months)].merge(kpis[["kpi_id", "unit"]], on="kpi_id")
    aggregation = {kpi.id: kpi.aggregation for kpi in catalogue.kpis}
    summed = in_period.loc[in_period["kpi_id"].map(aggregation) == "sum"]
    weighted = summed.assign(weight=summed["value"] * summed["denominator"])
    sums = weighted.groupby(["area", "kpi_id"], as_index=False).agg(
        numerator=("numerator", lambda s: s.sum(min_count=1)),
        denominator=("denominator", lambda s: s.sum(min_count=1)),
        weight=("weight", lambda s: s.sum(min_count=1)),
        plain_mean=("value", "mean"),
        months_covered=("month", "nunique"),
    )
    # days and number KPIs: the average over the period, weighted by the children each month counted
    sums["value"] = (sums["weight"] / sums["denominator"].where(sums["denominator"] > 0)).fillna(sums["plain_mean"])
    latest = in_period.loc[(in_period["kpi_id"].map(aggregation) == "latest") & (in_period["month"] == end)]
    latest = latest.assign(months_covered=1)
    columns = ["area", "kpi_id", "numerator", "denominator", "value", "months_covered"]
    combined = pd.concat([sums[columns], latest[columns]], ignore_index=True)
    rated = rate_figures(combined.assign(month=end), kpis, catalogue, authority)
    rated["months_expected"] = np.where(rated["kpi_id"].map(aggregation) == "sum", len(months), 1)
    rated["period_start"], rated["period_end"] = months[0], end
    return rated


BASIS_SNAPSHOT = "at the period's end"
BASIS_EVENTS = "the months' counts added up"
BASIS_AVERAGE = "the months' average"
SUMMED_COUNTS = "in the months' counts"  # '514 of 4,433 in the months' counts', not '... children'

# The periods of a quarter's card: the quarter itself, then what it is compared with.
PERIOD_PREFIXES = ("", "previous_quarter_", "last_year_", "year_to_date_", "rolling_12_")


def quarter_periods(quarter: str) -> dict[str, list[str]]:
    """The months of each period of a quarter's card, by column prefix (PERIOD_PREFIXES)."""
    months = quarter_months(quarter)
    end = months[-1]
    return dict(zip(PERIOD_PREFIXES, (
        months, quarter_months(previous_quarter(quarter)), quarter_months(financial_quarter(shift_month(end, -12))),
        year_to_date_months(end), rolling_months(end, 12),
    ), strict=True))  # fmt: skip


def quarter_scorecard(
    figures: pd.DataFrame, catalogue: KpiCatalogue, quarter: str, areas: list[str], authority: str | None = None
) -> pd.DataFrame:
    """The quarter for each area x KPI beside the previous quarter, the same quarter last year, the
    financial year to date and the rolling 12 months to the quarter's end."""
    periods = quarter_periods(quarter)
    end = periods[""][-1]
    last_year = financial_quarter(shift_month(end, -12))
    kpis = kpi_frame(catalogue, end)
    grid = pd.MultiIndex.from_product([areas, kpis["kpi_id"]], names=["area", "kpi_id"]).to_frame(index=False)
    card = with_area_standards(grid.merge(kpis, on="kpi_id").assign(month=end), catalogue, authority).drop(
        columns="month"
    )
    kept = ["numerator", "denominator", "value", "rag", "months_covered", "months_expected"]
    for prefix, period in periods.items():
        frame = period_figures(figures, catalogue, period, authority).loc[:, ["area", "kpi_id", *kept]]
        card = card.merge(frame.rename(columns={c: prefix + c for c in kept}), on=["area", "kpi_id"], how="left")
    for prefix in periods:
        card[prefix + "rag"] = card[prefix + "rag"].fillna(rating.NO_DATA)
    card["quarter"], card["previous_quarter"], card["last_year_quarter"] = quarter, previous_quarter(quarter), last_year
    card["direction"] = rating.direction(
        card["value"], card["previous_quarter_value"], card["polarity"], card["decimals"]
    )
    card["direction_on_last_year"] = rating.direction(
        card["value"], card["last_year_value"], card["polarity"], card["decimals"]
    )
    # What a period's figure is: never "children" for monthly counts added up (a child missing in each of three
    # months is three of them), so those figures name what they count.
    summed = card["kpi_id"].map({kpi.id: kpi.aggregation for kpi in catalogue.kpis}) == "sum"
    card["period_basis"] = np.select(
        [~summed, card["unit"] == "percent"], [BASIS_SNAPSHOT, BASIS_EVENTS], default=BASIS_AVERAGE
    )
    card["counts"] = card["counts"].mask(summed & (card["unit"] == "percent"), SUMMED_COUNTS)
    order = {area: i for i, area in enumerate(areas)}
    return card.sort_values(
        ["area", "kpi_order"], key=lambda s: s.map(order) if s.name == "area" else s, ignore_index=True
    )
