"""The director's summary, word for word, on the fixture of test_scorecard (values worked out there)."""

import numpy as np
import pandas as pd
import pytest

from lacperf_helpers.present.narrative import headline, summarise
from lacperf_helpers.rate.scorecard import select_area
from tests.conftest import kpi_row, published
from tests.test_scorecard import card  # noqa: F401  (the fixture)


def test_headline_counts_every_band_and_what_is_not_rated() -> None:
    rags = pd.Series(["Green"] * 14 + ["Amber"] * 10)
    assert headline(rags) == "Of the 24 KPIs, 14 are rated Green, 10 Amber and 0 Red."
    rags = pd.Series(["Green", "Red", "No data", "Not applicable"])
    assert headline(rags) == (
        "Of the 4 KPIs, 1 is rated Green, 0 Amber and 1 Red; 1 has no figure this month; "
        "1 is not applicable (no children in the cohort this month)."
    )


def test_summary_of_the_authority(card: pd.DataFrame) -> None:  # noqa: F811
    summary = summarise(published(select_area(card, "Kent")), small_cohort=50)
    assert summary.headline == "Of the 3 KPIs, 2 are rated Green, 1 Amber and 0 Red."
    assert summary.previous == "In March 2019: 1 Green, 1 Amber and 1 Red."
    assert summary.rating_changes == [
        "Reviews held on time stayed at 92.0% (46 of 50 children), falling below the target of 95.0% "
        "(still above the floor of 85.0%) and moving the rating from Green to Amber.",
        "Children with 3 or more placements fell from 5 of 40 (12.5%) to 4 of 40 children (10.0%), "
        "achieving the target of 10.0% and moving the rating from Red to Green.",
        "Days from care to adoptive family fell from 430 days to 420 days (12 children), achieving the "
        "target of 426 days and moving the rating from Amber to Green.",
    ]
    assert summary.amber_red == [
        (
            "No change since last month",
            [
                "Reviews held on time: 92.0% (46 of 50 children), Amber; unchanged from 92.0% (46 of 50) "
                "last month; 2 more children would reach the target of 95.0%."
            ],
        )
    ]
    assert summary.not_rated == []


def test_summary_of_a_small_area(card: pd.DataFrame) -> None:  # noqa: F811
    summary = summarise(published(select_area(card, "Ashford")), small_cohort=50)
    assert summary.headline == (
        "Of the 3 KPIs, 0 are rated Green, 0 Amber and 1 Red; 1 has no figure this month; "
        "1 is not applicable (no children in the cohort this month)."
    )
    assert summary.rating_changes == [
        "Children with 3 or more placements rose from 1 of 20 (5.0%) to 3 of 19 children (15.8%), rising "
        "above the floor standard of 12.0% and moving the rating from Green to Red."
    ]
    assert summary.amber_red == [
        (
            "Worse since last month",
            [
                "Children with 3 or more placements: 3 of 19 children (15.8%), Red; up 10.8 percentage points "
                "from 5.0% (1 of 20) last month; 2 fewer children would "
                "reach the target of 10.0%."
            ],
        )
    ]
    assert summary.not_rated == [
        "Reviews held on time: not applicable (0 of 0 children).",
        "Days from care to adoptive family: no figure in the return.",
    ]


def test_trend_and_england_phrases() -> None:
    from lacperf_helpers.present.narrative import england_phrase, trend_phrase

    row = kpi_row(
        trend="No clear change", window_start="2018-10", run_length=3, variation="Special cause concerning",
        since_when="month-on-month decline since June 2019 when it was 80.3%",
        against_england="worse", england=10.0, unit="percent", decimals=1, benchmark_year="2018/19",
    )  # fmt: skip
    # "no clear change" says nothing: left out; the run and the unusual month say something, in plain words
    assert trend_phrase(row) == (
        "month-on-month decline since June 2019 when it was 80.3%, an unusually poor month (beyond normal variation)"
    )
    assert england_phrase(row) == "worse than England (10.0% in 2018/19)"
    steady = kpi_row(trend="Improving", window_start="2018-10", run_length=1, variation="Common cause")
    assert trend_phrase(steady) == "improving steadily since October 2018"
    quiet = kpi_row(trend="No clear change", window_start="2018-10", run_length=1, variation="Common cause")
    assert trend_phrase(quiet) == ""
    assert england_phrase(kpi_row(against_england="")) == ""
    assert england_phrase(kpi_row(against_england="in line", england=10.0, unit="percent", decimals=1)) == ""


@pytest.mark.parametrize(
    ("now", "before", "direction", "words"),
    [
        (80.06, 80.04, "Improved", "up 0.1 percentage points from 80.0%"),  # shown as 80.1% and 80.0%
        (80.04, 79.96, "Same", "unchanged from 80.0%"),  # both shown as 80.0%: a raw change of 0.08 is not shown
    ],
)
def test_the_change_in_words_agrees_with_the_group(now: float, before: float, direction: str, words: str) -> None:
    from lacperf_helpers.present.narrative import amber_red_item
    from lacperf_helpers.rate import rating

    assert rating.direction(pd.Series([now]), pd.Series([before]), pd.Series(["H"]), pd.Series([1]))[0] == direction
    row = kpi_row(
        title="T", value=now, numerator=np.nan, denominator=np.nan, previous_value=before, previous_numerator=np.nan,
        previous_denominator=np.nan, unit="percent", decimals=1, counts="children", rag="Amber", direction=direction,
        change=now - before, numerator_change=np.nan, polarity="H", children_to_change_rating=np.nan,
    )  # fmt: skip
    assert words in amber_red_item(row, 50)


# Each direction beside each SPC verdict, as one statement (issue 29): worked out by hand from the wording rules
# (the direction since the last period, then the verdict of the latest month; "but still" where they pull apart).
GOOD, POOR, NORMAL = "Special cause improving", "Special cause concerning", "Common cause"


@pytest.mark.parametrize(
    ("direction", "variation", "since", "month", "quarter"),
    [
        ("Improved", NORMAL, "", "▲ Better than August", "better than Q1 2019/20"),
        ("Same", NORMAL, "", "► The same as August", "the same as Q1 2019/20"),
        ("Worse", NORMAL, "", "▼ Worse than August", "worse than Q1 2019/20"),
        ("Improved", GOOD, "", "▲ Better than August, an unusually good month",
         "better than Q1 2019/20, September 2019 was unusually good (beyond normal variation)"),
        ("Improved", GOOD, "2019-03", "▲ Better than August, within an unusually good run since March",
         "better than Q1 2019/20, September 2019 was within an unusually good run since March 2019"),
        ("Same", GOOD, "2019-03", "► The same as August, within an unusually good run since March",
         "the same as Q1 2019/20, September 2019 was within an unusually good run since March 2019"),
        ("Worse", GOOD, "2019-03",
         "▼ Worse than August, but still within an unusually good run since March",
         "worse than Q1 2019/20, but September 2019 was still within an unusually good run since March 2019"),
        ("Worse", GOOD, "", "▼ Worse than August, but still an unusually good month",
         "worse than Q1 2019/20, but September 2019 was still unusually good (beyond normal variation)"),
        ("Improved", POOR, "2019-03",
         "▲ Better than August, but still within an unusually poor run since March",
         "better than Q1 2019/20, but September 2019 was still within an unusually poor run since March 2019"),
        ("Improved", POOR, "", "▲ Better than August, but still an unusually poor month",
         "better than Q1 2019/20, but September 2019 was still unusually poor (beyond normal variation)"),
        ("Same", POOR, "", "► The same as August, an unusually poor month",
         "the same as Q1 2019/20, September 2019 was unusually poor (beyond normal variation)"),
        ("Worse", POOR, "2019-03", "▼ Worse than August, within an unusually poor run since March",
         "worse than Q1 2019/20, September 2019 was within an unusually poor run since March 2019"),
    ],
)  # fmt: skip
def test_direction_and_variation_read_as_one_statement(
    direction: str, variation: str, since: str, month: str, quarter: str
) -> None:
    from lacperf_helpers.present.narrative import direction_statement, movement

    row = kpi_row(direction=direction, variation=variation, variation_since=since, window_end="2019-09")
    assert direction_statement(row, "2019-08") == month
    assert movement(row, "Q1 2019/20", "quarter") == quarter
    said = month + quarter
    assert not ("Worse" in month and "unusually good" in said and "but still" not in said)
    assert "quarter (beyond" not in said and "unusually good quarter" not in said  # a quarter is never "a month"


def test_a_table_cell_names_a_month_more_than_a_year_back_with_its_year() -> None:
    from lacperf_helpers.present.narrative import direction_statement

    row = kpi_row(direction="Worse", variation=POOR, variation_since="2018-09", window_end="2019-09")
    assert (
        direction_statement(row, "2019-08") == "▼ Worse than August, within an unusually poor run since September 2018"
    )
    row = kpi_row(direction="Worse", variation=POOR, variation_since="2018-10", window_end="2019-09")
    assert direction_statement(row, "2019-08") == "▼ Worse than August, within an unusually poor run since October"


def test_a_quarter_summary_never_calls_the_quarter_a_month() -> None:
    from lacperf_helpers.present.narrative import trend_phrase

    row = kpi_row(direction="Improved", variation=POOR, window_end="2019-09", polarity="H")
    said = trend_phrase(row, "quarter", "Q1 2019/20")
    assert said == "better than Q1 2019/20, but September 2019 was still unusually poor (beyond normal variation)"
    assert "month (beyond" not in said


def test_a_step_is_told_as_a_step_not_a_steady_trend() -> None:
    from lacperf_helpers.present.narrative import direction_statement, trend_phrase

    # 24 months on the chart, the step in the latest: the trend over the window is the step alone
    row = kpi_row(
        direction="Worse", variation=POOR, window_end="2023-12", window_start="2023-01", trend="Deteriorating",
        steady_trend="No clear change", step_month="2023-12", step_change=155.0, step_compared=23,
        step_first_month="2022-01", unit="number", decimals=0, polarity="L",
    )  # fmt: skip
    said = trend_phrase(row, "month", "November 2023")
    assert said.startswith("up 155 in December 2023, the largest monthly change in two years")
    assert "steadily" not in said
    assert direction_statement(row, "2023-11") == (
        "▼ Worse than November, an unusually poor month; up 155, the largest monthly change in two years"
    )
    # a trend that is still there with the step taken out is told as well
    both = kpi_row(
        **{**row.__dict__, "steady_trend": "Deteriorating", "step_compared": 14, "step_first_month": "2022-10"}
    )
    assert trend_phrase(both, "month", "November 2023").startswith(
        "up 155 in December 2023, the largest monthly change since October 2022, getting worse steadily since "
        "January 2023"
    )
