"""How figures read in the appendix: '84.6%', '11 of 13 children', 'up 2.5 percentage points'."""

from __future__ import annotations

import hashlib
import math

DASH = "–"


def missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_count(x: float) -> str:
    """A count as people read it: 1,526 children; 82.3 FTE (decimals only where the figure has them)."""
    text = f"{x:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def fmt_number(x: float, decimals: int) -> str:
    return f"{x:,.{decimals}f}"


def fmt_value(value: float, unit: str, decimals: int) -> str:
    """'84.6%', '416 days', '15.5'; a dash where there is no figure."""
    if missing(value):
        return DASH
    if unit == "percent":
        return f"{value:.{decimals}f}%"
    if unit == "days":
        return _days(value, decimals)
    return fmt_number(value, decimals)


def _days(size: float, decimals: int) -> str:
    """'416 days', '1 day' (one at the displayed precision)."""
    shown = fmt_number(size, decimals)
    return f"{shown} day{'' if float(shown.replace(',', '')) == 1 else 's'}"


def noun(n: float, plural: str) -> str:
    """'1 child', '3 children', '1 FTE post', '2.5 FTE posts'."""
    if n != 1:
        return plural
    return "child" if plural == "children" else plural.removesuffix("s")


def of_phrase(numerator: float, denominator: float, counts: str) -> str:
    """'11 of 13 children'."""
    return f"{fmt_count(numerator)} of {fmt_count(denominator)} {noun(denominator, counts)}"


NOT_SHOWN = "not shown"  # every hidden figure on a page: one wording, so it says nothing of the figure's size


def fmt_figure(
    value: float,
    numerator: float,
    denominator: float,
    unit: str,
    decimals: int,
    counts: str,
    small_cohort: float,
    withheld: str = "",
) -> str:
    """The figure with what it is made of. Small cohorts lead with the children: '12 of 40 (30.0%)'.
    A figure hidden by disclosure control reads NOT_SHOWN, whatever it is (the wording says nothing of its size)."""
    if withheld:
        return NOT_SHOWN
    if unit == "percent":
        if missing(denominator) or missing(numerator):
            return DASH
        if denominator == 0:
            return f"0 of 0 {counts} (not applicable)"
        shown = fmt_value(value, unit, decimals)
        if denominator < small_cohort:
            return f"{of_phrase(numerator, denominator, counts)} ({shown})"
        return f"{shown} ({of_phrase(numerator, denominator, counts)})"
    shown = fmt_value(value, unit, decimals)
    if missing(value):
        return shown
    if not missing(numerator) and not missing(denominator):
        return f"{shown} ({fmt_count(numerator)} / {fmt_count(denominator)})"
    if not missing(denominator):
        return f"{shown} ({fmt_count(denominator)} {noun(denominator, counts)})"
    return shown


def fmt_change(change: float, unit: str, decimals: int) -> str:
    """'up 2.5 percentage points', 'down 13 days', 'unchanged' (at the displayed precision)."""
    if missing(change):
        return DASH
    size = abs(change)
    if round(size, decimals) == 0:
        return "unchanged"
    way = "up" if change > 0 else "down"
    if unit == "percent":
        shown = f"{size:.{decimals}f}"
        amount = f"{shown} percentage point{'' if float(shown) == 1 else 's'}"  # 'up 1 percentage point', '1.0' too
    elif unit == "days":
        amount = _days(size, decimals)
    else:
        amount = fmt_number(size, decimals)
    return f"{way} {amount}"


RESERVED_PAGES = frozenset({"index", "validation"})  # pages of a period's folder that are not an area's
LONGEST_SLUG = 80  # well inside any file system's 255-byte name, with a cohort and ".html" after it


def slug(area: str) -> str:
    """'South Kent' -> 'south-kent': the appendix's file name. An area named like a page of the folder
    ('Index', 'Validation') or with nothing to name a file by ('..') gets 'area-' before it; a long name is
    shortened and keeps a short fingerprint of the whole, so two long names stay apart."""
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in area.strip())
    name = "-".join(part for part in cleaned.split("-") if part)
    if not name or name in RESERVED_PAGES:
        name = f"area-{name}" if name else "area"
    if len(name) > LONGEST_SLUG:
        fingerprint = hashlib.sha256(area.encode("utf-8")).hexdigest()[:8]
        name = f"{name[: LONGEST_SLUG - 9].rstrip('-')}-{fingerprint}"
    return name
