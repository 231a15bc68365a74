"""Reporting months and financial years (April to March), as English local authorities count them."""

from __future__ import annotations

import re
from datetime import date

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

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


def financial_year(month: str) -> str:
    """The financial year a month falls in: April starts it, March ends it. '2019-03' -> '2018/19'."""
    year, number = parse_month(month)
    start = year if number >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def month_end(month: str) -> date:
    """The last day of the month: the date a monthly snapshot is taken."""
    next_year, next_number = parse_month(shift_month(month, 1))
    return date.fromordinal(date(next_year, next_number, 1).toordinal() - 1)
