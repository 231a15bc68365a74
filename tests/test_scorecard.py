"""The tidy scorecard on a two-month fixture that crosses the financial year (hand-worked below)."""

from pathlib import Path

import pandas as pd
import pytest

from lacperf_helpers.config.definitions import KpiCatalogue, Settings
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.rate.scorecard import SCORECARD_COLUMNS, select_area
from tests.conftest import scorecard_for_month, write_return

MARCH = """\
2019-03,Kent,reviews_on_time,46,50,
2019-03,Kent,moves_3plus,5,40,
2019-03,Kent,days_to_adoption,,12,430
2019-03,Ashford,reviews_on_time,9,10,
2019-03,Ashford,moves_3plus,1,20,
2019-03,Dover,reviews_on_time,1,1,
"""
APRIL = """\
2019-04,Kent,reviews_on_time,46,50,
2019-04,Kent,moves_3plus,4,40,
2019-04,Kent,days_to_adoption,,12,420
2019-04,Ashford,reviews_on_time,0,0,
2019-04,Ashford,moves_3plus,3,19,
"""


@pytest.fixture
def card(tmp_path: Path, catalogue: KpiCatalogue) -> pd.DataFrame:
    write_return(tmp_path, "2019-03", MARCH)
    write_return(tmp_path, "2019-04", APRIL)
    return scorecard_for_month(tmp_path, catalogue, "2019-04", Settings(authority="Kent"))


def row(card: pd.DataFrame, area: str, kpi_id: str) -> pd.Series:
    found = card.loc[(card["area"] == area) & (card["kpi_id"] == kpi_id)]
    assert len(found) == 1
    return found.iloc[0]


def test_one_row_per_area_and_kpi_authority_first(card: pd.DataFrame) -> None:
    assert list(card.columns[: len(SCORECARD_COLUMNS)]) == list(SCORECARD_COLUMNS)
    # Dover reported in March only, so April has Kent then Ashford, each with all three KPIs.
    assert list(zip(card["area"], card["kpi_id"], strict=True)) == [
        ("Kent", "reviews_on_time"), ("Kent", "moves_3plus"), ("Kent", "days_to_adoption"),
        ("Ashford", "reviews_on_time"), ("Ashford", "moves_3plus"), ("Ashford", "days_to_adoption"),
    ]  # fmt: skip


def test_the_new_financial_years_target_applies_and_last_month_keeps_its_own(card: pd.DataFrame) -> None:
    # 46 of 50 = 92%: Green against March's 90% target, Amber against April's 95% (floor 85%).
    r = row(card, "Kent", "reviews_on_time")
    assert (r["value"], r["target"], r["floor"], r["rag"]) == (92.0, 95.0, 85.0, "Amber")
    assert (r["previous_value"], r["previous_rag"], r["previous_target"]) == (92.0, "Green", 90.0)
    assert r["direction"] == "Same"
    assert r["children_to_change_rating"] == 2  # 95% of 50 is 47.5: 48 of 50 needed, 2 more


def test_lower_is_better_improvement_with_the_change_in_children(card: pd.DataFrame) -> None:
    # 5 of 40 = 12.5% (Red, above the 12% floor) to 4 of 40 = 10.0% (Green at the 10% target).
    r = row(card, "Kent", "moves_3plus")
    assert (r["value"], r["rag"], r["previous_value"], r["previous_rag"]) == (10.0, "Green", 12.5, "Red")
    assert r["direction"] == "Improved"
    assert r["change"] == pytest.approx(-2.5)
    assert (r["numerator_change"], r["denominator_change"]) == (-1.0, 0.0)
    assert r["children_to_change_rating"] == 1  # 5 of 40 = 12.5% would lose Green


def test_days_kpi_rated_on_its_value(card: pd.DataFrame) -> None:
    r = row(card, "Kent", "days_to_adoption")
    assert (r["value"], r["rag"], r["previous_value"], r["previous_rag"], r["direction"]) == (
        420.0, "Green", 430.0, "Amber", "Improved",
    )  # fmt: skip
    assert pd.isna(r["children_to_change_rating"])


def test_zero_of_zero_missing_figures_and_a_small_area_getting_worse(card: pd.DataFrame) -> None:
    nobody = row(card, "Ashford", "reviews_on_time")
    assert (nobody["rag"], nobody["direction"], nobody["previous_rag"]) == (
        "Not applicable",
        "Not comparable",
        "Green",
    )
    absent = row(card, "Ashford", "days_to_adoption")
    assert (absent["rag"], absent["previous_rag"], absent["direction"]) == (
        "No data",
        "No data",
        "Not comparable",
    )
    worse = row(card, "Ashford", "moves_3plus")  # 1 of 20 = 5.0% to 3 of 19 = 15.8%
    assert (round(worse["value"], 3), worse["rag"], worse["direction"]) == (15.789, "Red", "Worse")
    assert worse["children_to_change_rating"] == 2  # 10% of 19 is 1.9: down to 1 of 19, 2 fewer


def test_an_absent_previous_month_means_no_previous_figures(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    write_return(tmp_path, "2019-04", APRIL)
    card = scorecard_for_month(tmp_path, catalogue, "2019-04")
    assert set(card["previous_rag"]) == {"No data"}
    assert set(card["direction"]) == {"Not comparable"}


def test_a_month_without_a_return_and_an_unknown_area_are_named(
    card: pd.DataFrame, tmp_path: Path, catalogue: KpiCatalogue
) -> None:
    with pytest.raises(InputError, match="no return for 2019-05"):
        scorecard_for_month(tmp_path, catalogue, "2019-05")
    with pytest.raises(InputError, match="no area 'Deal' in this month's return; areas are: Kent, Ashford"):
        select_area(card, "Deal")
