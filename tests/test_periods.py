from datetime import date

import pytest

from lacperf_helpers.config.periods import (
    financial_quarter,
    financial_year,
    last_month,
    month_end,
    month_label,
    months_between,
    period_folder,
    period_label,
    period_months,
    previous_month,
    previous_quarter,
    quarter_months,
    quarter_slug,
    rolling_months,
    shift_month,
    year_to_date_months,
)


@pytest.mark.parametrize(
    ("month", "year"),
    [("2019-03", "2018/19"), ("2019-04", "2019/20"), ("2019-12", "2019/20"), ("2000-01", "1999/00")],
)
def test_financial_year_runs_april_to_march(month: str, year: str) -> None:
    assert financial_year(month) == year


def test_months_step_across_the_year_end() -> None:
    assert previous_month("2019-01") == "2018-12"
    assert shift_month("2018-11", 3) == "2019-02"
    assert month_label("2019-09") == "September 2019"


def test_month_end_knows_leap_years() -> None:
    assert month_end("2020-02") == date(2020, 2, 29)
    assert month_end("2019-02") == date(2019, 2, 28)
    assert month_end("2019-12") == date(2019, 12, 31)


@pytest.mark.parametrize("bad", ["2019-13", "2019-6", "19-06", "June 2019", ""])
def test_a_month_not_in_the_form_yyyy_mm_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        previous_month(bad)


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        ("2019-04", "Q1 2019/20"),
        ("2019-06", "Q1 2019/20"),
        ("2019-07", "Q2 2019/20"),
        ("2019-09", "Q2 2019/20"),
        ("2019-12", "Q3 2019/20"),
        ("2020-01", "Q4 2019/20"),
        ("2020-03", "Q4 2019/20"),  # March belongs to the year before
    ],
)
def test_financial_quarters(month: str, quarter: str) -> None:
    assert financial_quarter(month) == quarter


def test_quarter_months_and_neighbours() -> None:
    assert quarter_months("Q2 2019/20") == ["2019-07", "2019-08", "2019-09"]
    assert quarter_months("Q4 2019/20") == ["2020-01", "2020-02", "2020-03"]
    assert previous_quarter("Q1 2019/20") == "Q4 2018/19"
    assert quarter_slug("Q2 2019/20") == "2019-20-q2"
    with pytest.raises(ValueError, match="Q2 2019/20"):
        quarter_months("Q5 2019/20")
    with pytest.raises(ValueError, match="Q2 2019/20"):
        quarter_months("Q2 2019/21")


@pytest.mark.parametrize(
    ("period", "months", "label", "folder"),
    [
        ("2019-09", ["2019-09"], "September 2019", "2019-09"),
        ("Q2 2019/20", ["2019-07", "2019-08", "2019-09"], "Q2 2019/20", "2019-20-q2"),
        ("Q4 2019/20", ["2020-01", "2020-02", "2020-03"], "Q4 2019/20", "2019-20-q4"),
    ],
)
def test_a_page_is_of_a_month_or_a_quarter(period: str, months: list[str], label: str, folder: str) -> None:
    assert period_months(period) == months
    assert last_month(period) == months[-1]
    assert period_label(period) == label
    assert period_folder(period) == folder


@pytest.mark.parametrize("bad", ["2019-13", "Sept 2019", "Q5 2019/20", "1899-12"])
def test_a_period_neither_month_nor_quarter_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        period_months(bad)


def test_rolling_and_year_to_date_windows() -> None:
    assert rolling_months("2019-09") == [f"2018-{m:02d}" for m in range(10, 13)] + [
        f"2019-{m:02d}" for m in range(1, 10)
    ]
    assert year_to_date_months("2019-06") == ["2019-04", "2019-05", "2019-06"]
    assert year_to_date_months("2020-03")[0] == "2019-04" and len(year_to_date_months("2020-03")) == 12
    assert year_to_date_months("2019-04") == ["2019-04"]
    assert months_between("2019-05", "2019-04") == []
