from datetime import date

import pytest

from lacperf_helpers.periods import financial_year, month_end, month_label, previous_month, shift_month


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
