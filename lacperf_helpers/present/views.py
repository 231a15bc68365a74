"""Typed rows of a published card, as the page reads them: one per KPI (month or quarter) or per group of a
breakdown. Made only from a frame with every column a row names, so a renamed column fails here with its
name, rather than printing a dash on a director's page. Missing figures are NaN; missing words are ''.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Self, TypeVar

import pandas as pd

R = TypeVar("R", bound="_Row")


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def _words(value: object) -> str:
    return value if isinstance(value, str) else ""


def _verdict(value: object) -> str | None:
    """A verdict worked out for the KPI (a word), or None where none was (too few months, no series)."""
    return value if isinstance(value, str) and value else None


def _whole(value: object) -> int:
    number = _number(value)
    return 0 if math.isnan(number) else int(number)


_CONVERT: dict[str, Callable[[object], Any]] = {"float": _number, "str": _words, "str | None": _verdict, "int": _whole}


@dataclass(frozen=True)
class _Row:
    @classmethod
    def from_record(cls, record: Mapping[Any, Any]) -> Self:
        return cls(**{f.name: _CONVERT[str(f.type)](record[f.name]) for f in fields(cls)})

    @classmethod
    def required(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def rows_of(frame: pd.DataFrame, row: type[R]) -> list[R]:
    """Every row of `frame` as `row`; a column the row needs and the frame lacks is named. Only the columns the row
    needs are read (a card has some eighty: every one of them boxed for every row cost a page 10 ms)."""
    needed = row.required()
    lacking = [name for name in needed if name not in frame.columns]
    if lacking:
        raise KeyError(f"the card has no column(s) {', '.join(lacking)} for {row.__name__}")
    if not frame.columns.is_unique:  # a name twice: pandas' records keep the last (and warn), as they always did
        return [row.from_record(record) for record in frame.to_dict("records")]
    columns = [frame[name].tolist() for name in needed]
    return [row.from_record(dict(zip(needed, cells, strict=True))) for cells in zip(*columns, strict=True)]


@dataclass(frozen=True)
class KpiRow(_Row):
    """One KPI of an area's card: its definition, this period's and the last period's figures, rating,
    direction, trend verdicts and England's figure."""

    kpi_id: str
    title: str
    polarity: str
    unit: str
    decimals: int
    counts: str
    guidance: str
    value: float
    numerator: float
    denominator: float
    withheld: str  # '' where shown; 'c' where the public edition hides it
    target: float
    floor: float
    rag: str
    previous_value: float
    previous_numerator: float
    previous_denominator: float
    previous_withheld: str
    previous_rag: str
    direction: str
    numerator_change: float
    denominator_change: float
    children_to_change_rating: float
    trend: str | None
    since_when: str
    run_length: int
    variation: str | None
    assurance: str | None
    window_start: str
    window_end: str  # the month the verdicts are of (a quarter's: its last month)
    variation_since: str  # the month the latest point's run of special cause began ('' alone or none)
    steady_trend: str | None  # the trend with a one-month step taken out (the trend itself without a step)
    step_month: str  # a one-month step on the chart, in the trend window ('' none)
    step_change: float
    step_compared: int  # how many month-on-month changes it is the largest of
    step_first_month: str  # the chart's first month
    england: float
    against_england: str
    benchmark_year: str
    england_source: str  # where England's figure comes from: the DfE's tables, or benchmarks.csv's source


@dataclass(frozen=True)
class PeriodFigure:
    """A period's figure on the quarterly card (the quarter, last year's, year to date, rolling 12 months)."""

    value: float
    numerator: float
    denominator: float
    rag: str
    months_covered: int
    months_expected: int
    withheld: str


PERIOD_FIELDS = ("value", "numerator", "denominator", "rag", "months_covered", "months_expected", "withheld")


@dataclass(frozen=True)
class QuarterRow(KpiRow):
    """One KPI of the quarterly card, with each period's figure (`periods[prefix]`, '' for the quarter)."""

    period_basis: str
    periods: Mapping[str, PeriodFigure]

    @classmethod
    def from_record(cls, record: Mapping[Any, Any]) -> Self:
        periods = {
            prefix: PeriodFigure(
                **{f.name: _CONVERT[str(f.type)](record[prefix + f.name]) for f in fields(PeriodFigure)}
            )
            for prefix in QUARTER_PERIODS
        }
        own = [f for f in fields(cls) if f.name != "periods"]
        return cls(**{f.name: _CONVERT[str(f.type)](record[f.name]) for f in own}, periods=periods)

    @classmethod
    def required(cls) -> list[str]:
        own = [f.name for f in fields(cls) if f.name != "periods"]
        return own + [prefix + name for prefix in QUARTER_PERIODS for name in PERIOD_FIELDS]


QUARTER_PERIODS = ("", "previous_quarter_", "last_year_", "year_to_date_", "rolling_12_")


@dataclass(frozen=True)
class BreakdownRow(_Row):
    """One group of a KPI broken down (an age band, a legal status ...)."""

    title: str
    group: str
    unit: str
    decimals: int
    counts: str
    value: float
    numerator: float
    denominator: float
    withheld: str
    rag: str
    previous_value: float
    previous_withheld: str


def kpi_rows(card: pd.DataFrame) -> list[KpiRow]:
    return rows_of(card, KpiRow)


@dataclass(frozen=True)
class FigureRow(_Row):
    """One KPI's figure and rating in one area (the areas side by side)."""

    kpi_id: str
    area: str
    title: str
    unit: str
    decimals: int
    counts: str
    value: float
    numerator: float
    denominator: float
    withheld: str
    rag: str


@dataclass(frozen=True)
class NationalRow(_Row):
    """One KPI against every authority in England (rate/national.py); rank 0: no figure to rank."""

    kpi_id: str
    title: str
    year: str
    authority: float
    england: float
    region: float
    region_name: str
    neighbours: float
    neighbours_with_figures: int
    rank: int
    ranked: int
    quartile: str
    best: str
    best_value: float
    worst: str
    worst_value: float
    unit: str
    decimals: int
