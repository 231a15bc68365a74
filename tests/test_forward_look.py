"""The forward look on seven children worked out by hand, at 31 January 2024 (a leap year: the next month end is
29 February; 4 weeks on is 28 February, 8 weeks 27 March).

Reviews (6-monthly: every child but one has been looked after since 2020):
  1 North, Team A: last review 10 Aug 2023, due 10 Feb 2024: falls due before 28 and 29 February
  2 North, Team A: 29 Aug 2023, due 29 Feb: in time on 29 February itself; falls due before 27 March only
  3 North, Team A: 15 Jul 2023, due 15 Jan: overdue now
  4 South, Team B: 31 Jul 2023, due 31 Jan, the month end itself: in time now, falls due before every date ahead
  5 South, Team B: 1 Dec 2023, due 1 Jun: in time throughout
  6 South, no team: 28 Aug 2023, due 28 Feb: falls due before 29 February, not before 28 February
  7 South, Team B: in care since 15 Feb 2023, reviewed 1 Dec 2023: due 1 Jun, in time throughout;
    12 months in care on 15 February 2024, so joins the 12-month cohorts by 28 February
Health assessments: only child 1 has one (1 Mar 2023, aged over 5: due 1 Mar 2024); the rest never had one.
"""

from __future__ import annotations

import pandas as pd

from lacperf_helpers.measures.forward_look import DUE_COLUMNS, Horizon, falling_due, horizons

AT = pd.Timestamp("2024-01-31")
ID, STARTED, REVIEW = "Child Unique ID", "Date Started to be Looked After", "Date of Latest Statutory Review"
HEALTH, BORN, TEAM = "Date of Last Health Assessment", "Date of Birth", "Allocated Team"


def list8() -> pd.DataFrame:
    rows = [
        ("C001", "2020-01-01", "2023-08-10", "2023-03-01", "Team A"),
        ("C002", "2020-01-01", "2023-08-29", None, "Team A"),
        ("C003", "2020-01-01", "2023-07-15", None, "Team A"),
        ("C004", "2020-01-01", "2023-07-31", None, "Team B"),
        ("C005", "2020-01-01", "2023-12-01", None, "Team B"),
        ("C006", "2020-01-01", "2023-08-28", None, None),
        ("C007", "2023-02-15", "2023-12-01", None, "Team B"),
    ]
    frame = pd.DataFrame(rows, columns=[ID, STARTED, REVIEW, HEALTH, TEAM])
    for column in (STARTED, REVIEW, HEALTH):
        frame[column] = pd.to_datetime(frame[column])
    frame[BORN] = pd.Timestamp("2010-05-01")
    for column in (
        "Date Ceased to be Looked After", "Date of Last Social Work Visit", "Date of Last Dental Check",
        "Start Date of Most Recent Placement",
    ):  # fmt: skip
        frame[column] = pd.NaT
    frame["Placement Type"] = pd.Series(["U6"] * 7, dtype="string")
    frame["What is the permanence plan for this child?"] = pd.Series([pd.NA] * 7, dtype="string")
    return frame


AREAS = pd.Series(["North", "North", "North", "South", "South", "South", "South"])


def table(ahead: list[Horizon], areas: pd.Series | None = AREAS) -> pd.DataFrame:
    return falling_due(list8(), AT, ahead, areas=areas, authority="Kent", month="2024-01")


def row(frame: pd.DataFrame, measure: str, area: str, team: str, horizon: str) -> dict[str, object]:
    found = frame.loc[
        (frame["measure"] == measure) & (frame["area"] == area) & (frame["team"] == team)
        & (frame["horizon"] == horizon)
    ]  # fmt: skip
    assert len(found) == 1, (measure, area, team, horizon)
    return dict(found.iloc[0])


def figures(found: dict[str, object]) -> tuple[object, ...]:
    keys = ("children_now", "in_timescale_now", "percent_now", "falling_due", "children_then", "in_timescale_then",
            "percent_then")  # fmt: skip
    return tuple(found[k] for k in keys)


def test_the_horizons_are_the_next_month_end_and_weeks_on() -> None:
    ahead = horizons(AT, [4, 8])
    assert [(h.until, h.weeks) for h in ahead] == [
        (pd.Timestamp("2024-02-29"), None), (pd.Timestamp("2024-02-28"), 4), (pd.Timestamp("2024-03-27"), 8),
    ]  # fmt: skip
    assert horizons(pd.Timestamp("2023-12-31"), [])[0].until == pd.Timestamp("2024-01-31")


def test_reviews_falling_due_and_the_month_end_figure_if_they_are_missed() -> None:
    frame = table(horizons(AT, [4, 8]))
    reviews = "reviews_in_timescale"
    # Before 29 February: 1, 4 and 6 fall due; if missed only 2, 5 and 7 are in time then: 3 of 7
    assert figures(row(frame, reviews, "Kent", "All teams", "2024-02-29")) == (7, 6, 85.7, 3, 7, 3, 42.9)
    # Before 28 February: 1 and 4 (6 is due on the day itself and still in time)
    assert figures(row(frame, reviews, "Kent", "All teams", "2024-02-28")) == (7, 6, 85.7, 2, 7, 4, 57.1)
    # Before 27 March: 1, 2, 4 and 6; 5 and 7 still in time
    assert figures(row(frame, reviews, "Kent", "All teams", "2024-03-27")) == (7, 6, 85.7, 4, 7, 2, 28.6)
    assert figures(row(frame, reviews, "North", "All teams", "2024-02-29")) == (3, 2, 66.7, 1, 3, 1, 33.3)
    assert figures(row(frame, reviews, "North", "Team A", "2024-02-29")) == (3, 2, 66.7, 1, 3, 1, 33.3)
    assert figures(row(frame, reviews, "South", "All teams", "2024-02-29")) == (4, 4, 100.0, 2, 4, 2, 50.0)
    assert figures(row(frame, reviews, "South", "Team B", "2024-02-29")) == (3, 3, 100.0, 1, 3, 2, 66.7)
    assert figures(row(frame, reviews, "South", "Team not recorded", "2024-02-29")) == (1, 1, 100.0, 1, 1, 0, 0.0)
    assert row(frame, reviews, "Kent", "All teams", "2024-02-29")["weeks"] is pd.NA
    assert row(frame, reviews, "Kent", "All teams", "2024-02-28")["weeks"] == 4


def test_a_child_reaching_12_months_in_care_joins_the_health_cohort_by_the_date_ahead() -> None:
    frame = table(horizons(AT, []))
    # Now children 1-6 (12 months or more), only 1 up to date; by 29 February child 7 joins, never assessed
    health = row(frame, "health_assessment_up_to_date", "Kent", "All teams", "2024-02-29")
    assert figures(health) == (6, 1, 16.7, 0, 7, 1, 14.3)
    # Of every child looked after, 7 now and then, child 7 overdue since March 2023
    everyone = row(frame, "health_assessment_up_to_date_all", "Kent", "All teams", "2024-02-29")
    assert figures(everyone) == (7, 1, 14.3, 0, 7, 1, 14.3)


def test_a_child_the_workbook_cannot_say_of_counts_as_the_measure_counts_it_and_never_falls_due() -> None:
    # No placement start and no visit: not known, so in the cohort and not in timescale (as the measure counts it)
    visits = row(table(horizons(AT, [])), "visits_in_timescale", "Kent", "All teams", "2024-02-29")
    assert figures(visits) == (7, 0, 0.0, 0, 7, 0, 0.0)
    assert visits["not_known_now"] == 7


def test_every_measure_area_and_team_has_its_row_and_no_child_is_named() -> None:
    frame = table(horizons(AT, [4]))
    assert list(frame.columns) == list(DUE_COLUMNS)
    # 2 horizons x 6 measures x (the authority, 2 areas, 3 teams)
    assert len(frame) == 2 * 6 * 6
    text = frame.to_csv(index=False)
    for child in list8()[ID]:
        assert child not in text
    assert "2010-05-01" not in text


def test_without_areas_the_teams_are_the_authoritys() -> None:
    frame = table(horizons(AT, []), areas=None)
    assert sorted(set(zip(frame["area"], frame["team"], strict=True))) == [
        ("Kent", "All teams"), ("Kent", "Team A"), ("Kent", "Team B"), ("Kent", "Team not recorded"),
    ]  # fmt: skip
    reviews = row(frame, "reviews_in_timescale", "Kent", "Team B", "2024-02-29")
    assert figures(reviews) == (3, 3, 100.0, 1, 3, 2, 66.7)


def test_the_figures_now_are_the_month_end_measures_figures() -> None:
    """The forward look starts from the figure the scorecard shows: each measure's numerator and denominator."""
    from lacperf_helpers.ingest.annex_a import AnnexA
    from lacperf_helpers.measures.annex_a import MEASURES
    from lacperf_helpers.measures.forward_look import TIMESCALES

    children = list8()
    children["Child's Legal Status"] = pd.Series(["C2", "C2", "C2", "C2", "C2", "V3", "C2"], dtype="string")
    annex = AnnexA(lists={8: children})
    frame = falling_due(children, AT, horizons(AT, []), areas=None, authority="Kent", month="2024-01")
    for timescale in TIMESCALES:
        rows = MEASURES[timescale.measure].compute(annex, AT)
        now = row(frame, timescale.measure, "Kent", "All teams", "2024-02-29")
        assert (now["in_timescale_now"], now["children_now"]) == (rows["numerator"].sum(), len(rows)), timescale
    # the short break (child 6) is left out of both
    assert row(frame, "reviews_in_timescale", "Kent", "All teams", "2024-02-29")["children_now"] == 6
