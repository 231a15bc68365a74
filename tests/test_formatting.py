import math

import pytest

from lacperf_helpers.config.formatting import fmt_change, fmt_count, fmt_figure, fmt_value, slug


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("South Kent", "south-kent"),
        ("Kent", "kent"),
        ("  North  West Kent ", "north-west-kent"),
        ("St. Mary's", "st-mary-s"),
    ],
)
def test_slug(area: str, expected: str) -> None:
    assert slug(area) == expected


def test_small_cohorts_lead_with_the_children() -> None:
    assert fmt_figure(30.0, 12, 40, "percent", 1, "children", 50) == "12 of 40 children (30.0%)"
    assert fmt_figure(30.0, 120, 400, "percent", 1, "children", 50) == "30.0% (120 of 400 children)"
    assert fmt_figure(100.0, 1, 1, "percent", 1, "children", 50) == "1 of 1 child (100.0%)"
    assert fmt_figure(math.nan, 0, 0, "percent", 1, "children", 50) == "0 of 0 children (not applicable)"
    assert fmt_figure(416.0, math.nan, 63, "days", 0, "children", 50) == "416 days (63 children)"
    assert fmt_figure(15.54, 1526, 98.2, "number", 1, "children", 50) == "15.5 (1,526 / 98.2)"
    assert fmt_figure(math.nan, math.nan, math.nan, "percent", 1, "children", 50) == "–"


def test_values_and_changes_read_naturally() -> None:
    assert fmt_value(84.6153, "percent", 1) == "84.6%"
    assert fmt_value(1416.4, "days", 0) == "1,416 days"
    assert fmt_count(82.3) == "82.3"
    assert fmt_count(1526.0) == "1,526"
    assert fmt_change(1.0000001, "percent", 1) == "up 1.0 percentage point"
    assert fmt_change(-2.54, "percent", 1) == "down 2.5 percentage points"
    assert fmt_change(1.2, "percent", 0) == "up 1 percentage point"  # one, at any precision
    assert fmt_change(0.96, "percent", 1) == "up 1.0 percentage point"
    assert fmt_change(0.04, "percent", 1) == "unchanged"
    assert fmt_change(-13, "days", 0) == "down 13 days"
    assert fmt_change(0.6, "days", 0) == "up 1 day"  # one, as it is shown
    assert fmt_value(1.0, "days", 0) == "1 day"
