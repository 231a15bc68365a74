"""Statutory timescales from Annex A's List 8, one rule at a time, on children worked out by hand with a calendar.

Days of the week and bank holidays used below: Friday 15 December 2023; Christmas Day and Boxing Day Monday 25 and
Tuesday 26 December 2023; New Year's Day Monday 1 January 2024; Good Friday 29 March and Easter Monday 1 April
2024; the State Funeral of Queen Elizabeth II Monday 19 September 2022 (a bank holiday by proclamation).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from lacperf_helpers.measures.timescales import (
    add_months,
    dental_check_due,
    health_assessment_due,
    long_term_placement,
    looked_after_at,
    looked_after_at_least_12_months,
    review_due,
    visit_due,
    working_days_after,
)

# The LIIA canonical names of List 8's columns (liiatools/spec/annex_a/annex-a-merge.yml)
COLUMNS = {
    "child": "Child Unique ID",
    "born": "Date of Birth",
    "started": "Date Started to be Looked After",
    "ceased": "Date Ceased to be Looked After",
    "review": "Date of Latest Statutory Review",
    "visit": "Date of Last Social Work Visit",
    "health": "Date of Last Health Assessment",
    "dental": "Date of Last Dental Check",
    "placed": "Start Date of Most Recent Placement",
    "placement_type": "Placement Type",
    "plan": "What is the permanence plan for this child?",
}
DATES = ("born", "started", "ceased", "review", "visit", "health", "dental", "placed")
END_OF_JANUARY = pd.Timestamp("2024-01-31")


def list8(*children: dict[str, Any]) -> pd.DataFrame:
    """A canonical List 8 frame: each child's fields by short name, the rest blank."""
    frame = pd.DataFrame([{name: child.get(name) for name in COLUMNS} for child in children], columns=list(COLUMNS))
    for name in DATES:
        frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%d")
    frame["child"] = [str(number) for number in range(1, len(children) + 1)]
    frame["placement_type"] = frame["placement_type"].astype("string")
    frame["plan"] = frame["plan"].astype("string")
    return frame.rename(columns=COLUMNS)


def days(values: list[str | None]) -> list[pd.Timestamp | None]:
    return [None if value is None else pd.Timestamp(value) for value in values]


def dues(result: pd.DataFrame) -> list[pd.Timestamp | None]:
    return [None if pd.isna(value) else value for value in result["due"]]


def flags(result: pd.DataFrame) -> list[bool | None]:
    return [None if pd.isna(value) else bool(value) for value in result["in_timescale"]]


# --- months and working days -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),  # no 31 February: the month's last day, a leap year's
        ("2023-01-31", 1, "2023-02-28"),
        ("2022-11-30", 3, "2023-02-28"),
        ("2023-08-31", 6, "2024-02-29"),
        ("2024-02-29", 12, "2025-02-28"),  # a leap day's anniversary in a common year
        ("2024-02-29", 6, "2024-08-29"),
        ("2023-07-31", 6, "2024-01-31"),
    ],
)
def test_months_are_calendar_months_to_the_corresponding_date_or_the_months_last(
    start: str, months: int, expected: str
) -> None:
    assert add_months(pd.Series([pd.Timestamp(start)]), months).iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2023-12-15", "2024-01-17"),  # Friday: 18-22 Dec (5), 27-29 (8), 2-5 Jan (12), 8-12 (17), 15-17 (20)
        ("2023-12-16", "2024-01-17"),  # Saturday: the first working day after it is the Monday, as Friday's
        ("2023-12-17", "2024-01-17"),  # Sunday
        ("2023-12-18", "2024-01-18"),  # Monday
        ("2024-01-01", "2024-01-29"),  # New Year's Day: counted from 2 January, the first working day after it
        ("2024-03-21", "2024-04-22"),  # Thursday before Easter: 22, 25-28 Mar (5), 2-5 Apr (9), 8-12 (14), 15-19 (19)
        ("2022-09-12", "2022-10-11"),  # Monday before the State Funeral: 13-16 (4), 20-23 (8), 26-30 (13), 3-7 (18)
    ],
)
def test_twenty_working_days_skip_weekends_and_englands_bank_holidays(start: str, expected: str) -> None:
    result = working_days_after(pd.Series([pd.Timestamp(start), pd.NaT]), 20)
    assert result.iloc[0] == pd.Timestamp(expected)
    assert pd.isna(result.iloc[1])


# --- who is looked after -------------------------------------------------------------------------------------------


def test_looked_after_at_least_12_months_from_the_start_of_the_period_of_care() -> None:
    children = list8(
        {"started": "2023-01-31"},  # 12 months on 31 January 2024
        {"started": "2023-02-01"},  # a day short
        {"started": "2023-01-01", "ceased": "2024-01-31"},  # ceased on the day: no longer looked after
        {"started": "2024-02-01"},  # not yet looked after
        {"started": "2024-02-29"},
    )
    assert looked_after_at(children, END_OF_JANUARY).tolist() == [True, True, False, False, False]
    assert looked_after_at_least_12_months(children, END_OF_JANUARY).tolist() == [True, False, False, False, False]
    leap = children.iloc[[4]]
    assert looked_after_at_least_12_months(leap, pd.Timestamp("2025-02-28")).tolist() == [True]
    assert looked_after_at_least_12_months(leap, pd.Timestamp("2025-02-27")).tolist() == [False]


# --- statutory reviews -----------------------------------------------------------------------------------------------


def test_reviews_first_in_20_working_days_second_in_3_months_then_every_6() -> None:
    children = list8(
        {"started": "2023-12-15"},  # no review yet: the first by 17 January, missed
        {"started": "2023-12-15", "review": "2024-01-10"},  # the first: the second by 10 April
        {"started": "2023-06-01", "review": "2023-06-20"},  # the first, and no second by 20 September
        {"started": "2020-01-01", "review": "2023-08-31"},  # a later review: 6 months on is 29 February
        {"started": "2020-01-01", "review": "2023-07-31"},  # due on the day itself: still in time
        {"started": "2020-01-01", "review": "2023-07-30"},  # due yesterday: late
        {"started": "2024-01-01", "review": "2023-12-01"},  # a review of an earlier period: first due 29 January
        {"started": "2020-01-01", "review": "2024-02-05"},  # held after the date asked about: cannot say
        {"review": "2023-12-01"},  # no start of care
    )
    result = review_due(children, END_OF_JANUARY)
    assert dues(result) == days([
        "2024-01-17", "2024-04-10", "2023-09-20", "2024-02-29", "2024-01-31", "2024-01-30", "2024-01-29",
        "2024-08-05", None,
    ])  # fmt: skip
    assert flags(result) == [False, True, False, True, True, False, False, None, None]
    assert result.index.equals(children.index)


def test_a_review_up_to_3_months_into_care_is_taken_as_the_first() -> None:
    children = list8(
        {"started": "2022-11-30", "review": "2023-02-28"},  # 3 months in (30 Nov + 3 months = 28 Feb): the first
        {"started": "2022-11-30", "review": "2023-03-01"},  # a day later: the second, so 6 months
        {"started": "2022-11-30", "review": "2023-01-20"},  # a first review a little late: still the first
    )
    result = review_due(children, pd.Timestamp("2023-03-31"))
    assert dues(result) == days(["2023-05-28", "2023-09-01", "2023-04-20"])
    assert flags(result) == [True, True, True]


# --- social work visits ----------------------------------------------------------------------------------------------


def test_visits_within_a_week_of_placement_then_6_weekly_in_its_first_year() -> None:
    children = list8(
        {"placed": "2024-01-24"},  # no visit: due 31 January, the day asked about
        {"placed": "2024-01-23"},  # due 30 January: late
        {"placed": "2023-01-01", "visit": "2023-12-20", "placement_type": "U4"},  # first year: 6 weeks, 31 January
        {"placed": "2024-01-20", "visit": "2024-01-10"},  # visited before this placement: due 27 January
        {"placed": "2023-01-01", "visit": "2024-02-02"},  # visited after the date asked about: cannot say
        {"visit": "2024-01-01"},  # no placement start: 6 weeks is never wrong
        {},
    )
    result = visit_due(children, END_OF_JANUARY)
    assert dues(result) == days([
        "2024-01-31", "2024-01-30", "2024-01-31", "2024-01-27", "2024-03-15", "2024-02-12", None,
    ])  # fmt: skip
    assert flags(result) == [True, False, True, False, None, True, None]


def test_visits_after_the_first_year_are_3_monthly_only_in_a_long_term_placement() -> None:
    after_first_year = {"placed": "2022-12-01", "visit": "2023-12-15"}  # the first year ended on 1 December 2023
    children = list8(
        {**after_first_year, "placement_type": "U4"},  # long-term fostering: 3 months, 15 March
        {**after_first_year, "placement_type": "U1"},  # long-term fostering with a relative or friend
        {**after_first_year, "placement_type": "U6"},  # not long term: 6 weeks, 26 January, late
        {**after_first_year, "placement_type": "U6", "plan": "f) Long-term fostering"},  # plan, not yet placement
        {**after_first_year, "placement_type": "K2", "plan": "e) Long-term residential placement"},  # until 18
        {**after_first_year, "placement_type": "K2", "plan": "Long-term residential placement"},
        {**after_first_year, "placement_type": "K2", "plan": "a) Return to family"},
        {**after_first_year, "placement_type": "H5", "plan": "e) Long-term residential placement"},  # not residential
    )
    assert long_term_placement(children).tolist() == [True, True, False, False, True, True, False, False]
    result = visit_due(children, END_OF_JANUARY)
    three_months, six_weeks = "2024-03-15", "2024-01-26"
    assert dues(result) == days([
        three_months, three_months, six_weeks, six_weeks, three_months, three_months, six_weeks, six_weeks,
    ])  # fmt: skip
    assert flags(result) == [True, True, False, False, True, True, False, False]


def test_a_visit_on_the_placements_first_anniversary_is_after_its_first_year() -> None:
    children = list8(
        {"placed": "2023-01-31", "visit": "2024-01-31", "placement_type": "U1"},  # 3 months on: 30 April
        {"placed": "2024-02-29", "visit": "2025-02-28", "placement_type": "U4"},  # a leap day's anniversary
        {"placed": "2024-02-29", "visit": "2025-02-27", "placement_type": "U4"},  # the day before: 6 weeks
    )
    result = visit_due(children, pd.Timestamp("2025-02-28"))
    assert dues(result)[0] == pd.Timestamp("2024-04-30")
    assert dues(result)[1:] == days(["2025-05-28", "2025-04-10"])


# --- health assessments and dental checks -------------------------------------------------------------------------


def test_health_assessments_initial_in_20_working_days_then_6_monthly_under_5_and_yearly_from_5() -> None:
    children = list8(
        {"started": "2023-12-15", "born": "2015-05-01"},  # none yet: the initial one by 17 January, missed
        {"started": "2023-01-01", "born": "2020-03-01", "health": "2023-08-01"},  # 3 on 1 Feb 2024: 6 months
        {"started": "2023-01-01", "born": "2019-02-01", "health": "2023-08-01"},  # 5 on 1 Feb 2024: 12 months
        {"started": "2023-01-01", "born": "2019-02-02", "health": "2023-08-01"},  # 5 a day later: 6 months
        {"started": "2023-12-15", "born": "2015-05-01", "health": "2023-12-01"},  # 2 weeks before care: stands
        {"started": "2023-12-15", "born": "2015-05-01", "health": "2023-09-15"},  # 3 months before to the day
        {"started": "2023-12-15", "born": "2015-05-01", "health": "2023-09-14"},  # a day earlier: initial due
        {"started": "2023-01-01", "health": "2023-08-01"},  # date of birth blank: held to 6 months
        {"started": "2023-01-01", "born": "2015-05-01", "health": "2023-01-31"},  # 12 months on the day
        {"started": "2023-01-01", "born": "2015-05-01", "health": "2024-02-01"},  # after the date: cannot say
    )
    result = health_assessment_due(children, END_OF_JANUARY)
    assert dues(result) == days([
        "2024-01-17", "2024-02-01", "2024-08-01", "2024-02-01", "2024-12-01", "2024-09-15", "2024-01-17",
        "2024-02-01", "2024-01-31", "2025-02-01",
    ])  # fmt: skip
    assert flags(result) == [False, True, True, True, True, True, False, True, True, None]


def test_a_child_born_on_a_leap_day_is_five_on_28_february_in_a_common_year() -> None:
    # Born 29 February 2020: 60 months on is 28 February 2025, the date 6 months after 28 August 2024
    children = list8({"started": "2023-01-01", "born": "2020-02-29", "health": "2024-08-28"})
    assert dues(health_assessment_due(children, pd.Timestamp("2024-12-31"))) == days(["2025-08-28"])


def test_dental_checks_within_12_months_and_none_recorded_is_overdue() -> None:
    children = list8(
        {"dental": "2023-01-31"},  # 12 months on the day
        {"dental": "2023-01-30"},  # a day over
        {},  # never checked: overdue, not unknown
        {"dental": "2024-02-29"},  # after the date asked about: cannot say
    )
    result = dental_check_due(children, END_OF_JANUARY)
    assert dues(result) == days(["2024-01-31", "2024-01-30", None, "2025-02-28"])
    assert flags(result) == [True, False, False, None]
    leap = children.iloc[[3]]
    assert flags(dental_check_due(leap, pd.Timestamp("2025-02-28"))) == [True]
    assert flags(dental_check_due(leap, pd.Timestamp("2025-03-01"))) == [False]


@pytest.mark.parametrize("rule", [review_due, visit_due, health_assessment_due, dental_check_due])
def test_every_rule_takes_an_empty_list_and_dates_read_as_text(rule: Any) -> None:
    empty = list8().iloc[0:0]
    assert rule(empty, END_OF_JANUARY).empty
    as_text = list8({"started": "2023-12-15", "placed": "2023-12-15", "born": "2015-05-01"}).astype(
        {COLUMNS[name]: "object" for name in DATES}
    )
    as_text[COLUMNS["started"]] = "2023-12-15"
    as_text[COLUMNS["placed"]] = "2023-12-15"
    as_text[COLUMNS["born"]] = "2015-05-01"
    assert len(rule(as_text, END_OF_JANUARY)) == 1
