"""Reporting months and financial years (April to March), as English local authorities count them."""

from __future__ import annotations

import functools
import re
from datetime import date

_MONTH = re.compile(r"^([1-9]\d{3})-(0[1-9]|1[0-2])$", re.ASCII)
# The months a return can be of: a window, a quarter or a year around one stays among 4-digit years
FIRST_YEAR, LAST_YEAR = 1900, 2199

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def parse_month(month: str) -> tuple[int, int]:
    """'2019-06' -> (2019, 6); anything else raises ValueError with the expected form."""
    match = _MONTH.match(month.strip())
    if not match:
        raise ValueError(f"{month!r} is not a month in the form YYYY-MM (e.g. 2019-06)")
    return int(match.group(1)), int(match.group(2))


def reporting_month(month: str) -> str:
    """A month a person asks for (--month, a run file's months): YYYY-MM from 1900 to 2199, else ValueError."""
    year, _ = parse_month(month)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{month!r} is not a month a return can be of: the year is {FIRST_YEAR} to {LAST_YEAR}")
    return month.strip()


def reporting_quarter(quarter: str) -> str:
    """A quarter a person asks for ('Q2 2019/20'), within the years a month can be: else ValueError."""
    for month in quarter_months(quarter):
        reporting_month(month)
    return quarter


def is_month(month: str) -> bool:
    return bool(_MONTH.match(month))


def shift_month(month: str, months: int) -> str:
    """The month `months` after (negative: before) `month`: shift_month('2019-01', -1) == '2018-12'."""
    year, number = parse_month(month)
    index = year * 12 + (number - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_month(month: str) -> str:
    return shift_month(month, -1)


def month_label(month: str) -> str:
    """'2019-06' -> 'June 2019'."""
    year, number = parse_month(month)
    return f"{MONTH_NAMES[number - 1]} {year}"


@functools.lru_cache(maxsize=4096)  # asked of every row of a history, in a kernel's first page 8,000 times
def financial_year(month: str) -> str:
    """The financial year a month falls in: April starts it, March ends it. '2019-03' -> '2018/19'."""
    year, number = parse_month(month)
    start = year if number >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def month_end(month: str) -> date:
    """The last day of the month: the date a monthly snapshot is taken."""
    next_year, next_number = parse_month(shift_month(month, 1))
    return date.fromordinal(date(next_year, next_number, 1).toordinal() - 1)


def financial_year_start(month: str) -> str:
    """The April that starts `month`'s financial year: '2019-03' -> '2018-04'."""
    year, number = parse_month(month)
    return f"{year if number >= 4 else year - 1:04d}-04"


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` inclusive (empty if `last` is before `first`)."""
    y1, m1 = parse_month(first)
    y2, m2 = parse_month(last)
    count = (y2 * 12 + m2) - (y1 * 12 + m1) + 1
    return [shift_month(first, i) for i in range(max(count, 0))]


def rolling_months(month: str, length: int = 12) -> list[str]:
    """The `length` months ending with `month`: the rolling 12 months to September 2019 start in October 2018."""
    return list(_rolling_months(month, length))


@functools.lru_cache(maxsize=256)
def _rolling_months(month: str, length: int) -> tuple[str, ...]:
    # asked for each series of every page (its trend's window and its chart's): worked out once a month
    return tuple(months_between(shift_month(month, -(length - 1)), month))


def year_to_date_months(month: str) -> list[str]:
    """Financial year to date: April up to and including `month`."""
    return months_between(financial_year_start(month), month)


def financial_quarter(month: str) -> str:
    """The financial-year quarter a month is in: April-June is Q1, January-March Q4 of the year before.

    '2019-08' -> 'Q2 2019/20'; '2020-02' -> 'Q4 2019/20'.
    """
    _, number = parse_month(month)
    return f"Q{((number - 4) % 12) // 3 + 1} {financial_year(month)}"


_QUARTER = re.compile(r"^Q([1-4]) (\d{4})/(\d{2})$", re.ASCII)


def quarter_months(quarter: str) -> list[str]:
    """The three months of a quarter named as financial_quarter names it: 'Q2 2019/20' -> July to September 2019."""
    match = _QUARTER.match(quarter.strip())
    if not match or f"{(int(match.group(2)) + 1) % 100:02d}" != match.group(3):
        raise ValueError(f"{quarter!r} is not a financial-year quarter in the form 'Q2 2019/20'")
    first = shift_month(f"{match.group(2)}-04", 3 * (int(match.group(1)) - 1))
    return months_between(first, shift_month(first, 2))


def quarter_slug(quarter: str) -> str:
    """'Q2 2019/20' -> '2019-20-q2', for folder names."""
    number, year = quarter.split(" ")
    return f"{year.replace('/', '-')}-{number.lower()}"


def period_months(period: str) -> list[str]:
    """The months of a period a page is of: a month ('2019-09') is its own; a quarter ('Q2 2019/20') has three.
    Anything else raises ValueError."""
    return [reporting_month(period)] if is_month(period.strip()) else quarter_months(period)


def last_month(period: str) -> str:
    """The month a period ends with, whose data its page is made from: '2019-09' -> '2019-09',
    'Q2 2019/20' -> '2019-09'."""
    return period_months(period)[-1]


def period_label(period: str) -> str:
    """A period as a reader reads it: 'September 2019', 'Q2 2019/20'."""
    return month_label(period) if is_month(period) else period


def period_folder(period: str) -> str:
    """The folder a period's pages are in: '2019-09', or '2019-20-q2' for a quarter."""
    return period if is_month(period) else quarter_slug(period)


def previous_quarter(quarter: str) -> str:
    return financial_quarter(shift_month(quarter_months(quarter)[0], -3))


def latest_quarter(month: str) -> str:
    """The latest financial-year quarter complete by the end of `month`: 2019-09 -> 'Q2 2019/20' (it ends
    then), 2019-10 -> 'Q2 2019/20' too."""
    quarter = financial_quarter(month)
    return quarter if quarter_months(quarter)[-1] == month else previous_quarter(quarter)
