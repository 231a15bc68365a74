"""Every kind of bad monthly return named in the issue: one clear error naming file, row and column."""

from pathlib import Path

import pytest

from lacperf_helpers.config.definitions import KpiCatalogue
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.ingest.layout import available_months
from lacperf_helpers.ingest.returns import check_return, check_returns, read_return
from lacperf_helpers.measures.figures import load_returns
from tests.conftest import HEADER, write_return

GOOD = """\
2019-04,Kent,reviews_on_time,45,50,
2019-04,Kent,moves_3plus,4,40,
2019-04,Kent,days_to_adoption,,12,430
"""


def load(path: Path, catalogue: KpiCatalogue, month: str = "2019-04") -> None:
    read_return(path, month, catalogue)


def test_a_good_return_reads_as_numbers_with_its_source_rows(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write_return(tmp_path, "2019-04", GOOD)
    figures = read_return(path, "2019-04", catalogue)
    assert figures["kpi_id"].tolist() == ["reviews_on_time", "moves_3plus", "days_to_adoption"]
    assert figures["numerator"].tolist()[:2] == [45.0, 4.0]
    assert figures["value"].tolist()[2] == 430.0
    assert figures["source_row"].tolist() == [2, 3, 4]  # the header is row 1


@pytest.mark.parametrize(
    ("body", "row", "column", "value", "rule", "code"),
    [
        ("2019-04,Kent,unknown_kpi,1,2,\n", 2, "kpi_id", "unknown_kpi", "kpi_id is a KPI in the KPI definitions",
         "LP104"),
        ("2019-03,Kent,reviews_on_time,1,2,\n", 2, "month", "2019-03", "month is the folder's month, 2019-04", "LP101"),
        ("2019-04,Kent,reviews_on_time,3,0,\n", 2, "numerator", "3", "no numerator over a denominator of 0", "LP109"),
        ("2019-04,Kent,reviews_on_time,51,50,\n", 2, "numerator", "51", "the numerator is at most the denominator",
         "LP110"),
        ("2019-04,Kent,reviews_on_time,forty,50,\n", 2, "numerator", "forty", "numerator is a number", "LP004"),
        ("2019-04,Kent,days_to_adoption,,12,n/a\n", 2, "value", "n/a", "value is a number", "LP004"),
        ("2019-04,Kent,reviews_on_time,-1,50,\n", 2, "numerator", "-1", "numerator is not negative", "LP005"),
        ("2019-04,Kent,reviews_on_time,45,,\n", 2, "denominator", "",
         "a percent KPI gives its denominator with its numerator", "LP106"),
        ("2019-04,Kent,reviews_on_time,45,50,80\n", 2, "value", "80",
         "value agrees with 100 x numerator / denominator (to within 0.05)", "LP111"),
        ("2019-04,,reviews_on_time,45,50,\n", 2, "area", "", "area is not blank", "LP102"),
        ("2019-04,Kent,reviews_on_time,45,50,\n2019-04,Kent,moves_3plus,4,40,\n2019-04,Kent,reviews_on_time,44,50,\n",
         4, "kpi_id", "reviews_on_time", "one row per month, area, KPI and cohort", "LP112"),
    ],
)  # fmt: skip
def test_bad_rows_are_named_by_file_row_column_value_and_rule(
    tmp_path: Path, catalogue: KpiCatalogue, body: str, row: int, column: str, value: str, rule: str, code: str
) -> None:
    path = write_return(tmp_path, "2019-04", body)
    _, problems = check_return(path, "2019-04", catalogue)
    assert problems.to_dict("records") == [
        {
            "file": str(path),
            "row": row,
            "column": column,
            "value": value,
            "rule": rule,
            "severity": "error",
            "code": code,
        }
    ]
    with pytest.raises(InputError) as caught:
        load(path, catalogue)
    assert (caught.value.file, caught.value.row, caught.value.column) == (str(path), row, column)
    assert str(caught.value).startswith(f"{path}, row {row}, column '{column}': ")
    assert rule in str(caught.value)


def test_a_missing_column_is_named(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write_return(
        tmp_path,
        "2019-04",
        "2019-04,Kent,reviews_on_time,45,50\n",
        header="month,area,kpi_id,numerator,denominator\n",
    )
    with pytest.raises(InputError, match=r"row 1: 'value' fails the check: the header has every required column"):
        load(path, catalogue)


def test_an_empty_file_is_refused(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write_return(tmp_path, "2019-04", "", header="")
    with pytest.raises(InputError, match="the file is empty"):
        load(path, catalogue)


def test_a_header_without_rows_is_refused(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write_return(tmp_path, "2019-04", "")
    with pytest.raises(InputError, match="header but no rows"):
        load(path, catalogue)


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write_return(tmp_path, "2019-04", "2019-04,Kent,nope,1,2,\n2019-04,Kent,reviews_on_time,x,50,\n")
    _, problems = check_return(path, "2019-04", catalogue)
    assert problems[["row", "column", "value"]].values.tolist() == [[2, "kpi_id", "nope"], [3, "numerator", "x"]]
    with pytest.raises(InputError, match=r"row 2.*\(and 1 more error\(s\): see validation.csv\)"):
        load(path, catalogue)


def test_zero_of_zero_is_accepted(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write_return(tmp_path, "2019-04", "2019-04,West Kent,reviews_on_time,0,0,\n")
    figures = read_return(path, "2019-04", catalogue)
    assert figures[["numerator", "denominator"]].iloc[0].tolist() == [0.0, 0.0]


def test_returns_checked_together_are_each_checked_as_alone(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    """A history's returns are checked in one pass: each row against its own file's month, a row pasted in from
    another month's return is that month's error alone (not a second row of the other return), each file's rows are
    its own, and a file that is not a table is its own error, not the others'."""
    april = write_return(tmp_path, "2019-04", GOOD)
    may = write_return(tmp_path, "2019-05", GOOD.replace("2019-04", "2019-05") + "2019-04,Kent,moves_3plus,4,40,\n")
    june = write_return(tmp_path, "2019-06", GOOD.replace("2019-04", "2019-06").replace("45,50", "51,50"))
    july = tmp_path / "2019-07" / "kpi_return.csv"
    july.parent.mkdir()
    july.write_bytes(b"\x00\x01")
    checked = check_returns([(april, "2019-04"), (may, "2019-05"), (july, "2019-07"), (june, "2019-06")], catalogue)
    found = [
        c if isinstance(c, InputError) else c[1].loc[:, ["file", "row", "column", "value", "code"]] for c in checked
    ]
    assert found[0].empty
    assert found[1].to_dict("records") == [{"file": str(may), "row": 5, "column": "month", "value": "2019-04",
                                            "code": "LP101"}]  # fmt: skip
    assert checked[1][1]["rule"].tolist() == ["month is the folder's month, 2019-05"]
    assert isinstance(found[2], InputError) and "binary data" in str(found[2])
    assert found[3].to_dict("records") == [{"file": str(june), "row": 2, "column": "numerator", "value": "51",
                                            "code": "LP110"}]  # fmt: skip
    assert checked[3][0].index.tolist() == [2, 3, 4]  # spreadsheet rows of its own file


def test_one_file_for_two_months_or_two_files_for_one_month_are_checked_apart(
    tmp_path: Path, catalogue: KpiCatalogue
) -> None:
    """A caller may give one file for two months, or two files for one month: each is checked as it would be alone
    (found in review: the first got both months' errors, the second a cohort checked against the other file's all
    children)."""
    one = write_return(tmp_path, "a", "2019-02,Kent,reviews_on_time,12,14,\n")
    other = write_return(tmp_path, "b", "2019-02,Kent,reviews_on_time,13,14,,excluding UASC\n",
                         header=HEADER.rstrip("\n") + ",cohort\n")  # fmt: skip
    checked = check_returns([(one, "2019-03"), (one, "2019-02"), (other, "2019-02")], catalogue)
    codes = [c[1]["code"].tolist() for c in checked if not isinstance(c, InputError)]
    assert codes == [["LP101"], [], []]
    assert checked[0][1]["rule"].tolist() == ["month is the folder's month, 2019-03"]


def test_a_rows_problems_are_in_the_order_of_the_schemas_checks(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    """A row that breaks several checks lists them in the order the schema declares them (the checks over whole
    rows first, then each column's), not in the order of pandera's unstable sort, which put LP114 before LP110."""
    body = "".join(
        f"2019-04,Area {i},reviews_on_time,10,20,,\n2019-04,Area {i},reviews_on_time,30,25,,excluding UASC\n"
        for i in range(30)
    )
    path = write_return(tmp_path, "2019-04", body, header=HEADER.rstrip("\n") + ",cohort\n")
    _, problems = check_return(path, "2019-04", catalogue)
    assert problems.groupby("row", sort=False)["code"].agg(tuple).tolist() == [("LP110", "LP114")] * 30


def test_a_return_over_the_size_limit_is_read_once_the_limit_is_raised(
    tmp_path: Path, catalogue: KpiCatalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error mended without changing the file (a limit raised) is mended in the same process: the checked
    returns kept for the file's size and time keep no error."""
    from lacperf_helpers.config import paths

    path = write_return(tmp_path, "2019-04", GOOD * 20)  # 2.5 kB
    monkeypatch.setenv(paths.INPUT_LIMIT_ENV, "0.001")  # 1 kB
    with pytest.raises(InputError, match="larger than the limit"):
        check_return(path, "2019-04", catalogue)
    monkeypatch.delenv(paths.INPUT_LIMIT_ENV)
    assert len(check_return(path, "2019-04", catalogue)[0]) == 60


def test_an_excel_saved_file_reads_as_it_is(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    """A byte-order mark, CRLF line ends, thousands separators and the empty rows Excel leaves."""
    folder = tmp_path / "2019-04"
    folder.mkdir()
    text = HEADER + GOOD.replace("45,50", '"1,045","1,250"') + ",,,,,\n,,,,,\n"
    (folder / "kpi_return.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    figures = read_return(folder / "kpi_return.csv", "2019-04", catalogue)
    assert len(figures) == 3
    assert figures.columns[0] == "month"
    assert figures["numerator"].iloc[0] == 1045.0
    assert figures["denominator"].iloc[0] == 1250.0
    _, problems = check_return(folder / "kpi_return.csv", "2019-04", catalogue)
    assert problems[["row", "rule", "severity"]].values.tolist() == [  # the empty rows are counted, not lost
        [5, "empty rows are skipped", "warning"],
        [6, "empty rows are skipped", "warning"],
    ]


def test_decimal_numerators_are_kept(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write_return(tmp_path, "2019-04", "2019-04,Kent,reviews_on_time,29.3,35.6,\n")
    assert read_return(path, "2019-04", catalogue)["numerator"].iloc[0] == 29.3


def test_an_absent_month_has_no_rows_and_months_are_listed(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    write_return(tmp_path, "2019-04", GOOD)
    (tmp_path / "notes").mkdir()
    assert available_months(tmp_path) == ["2019-04"]
    figures = load_returns(tmp_path, ["2019-03", "2019-04"], catalogue)
    assert set(figures["month"]) == {"2019-04"}


@pytest.mark.parametrize("digits", ["\uff11\uff12", "\u0661\u0662", "1\u0662"])  # fullwidth, Arabic-Indic, mixed
def test_digits_that_are_not_ascii_are_named_not_read_as_no_data(
    tmp_path: Path, catalogue: KpiCatalogue, digits: str
) -> None:
    path = write_return(tmp_path, "2019-04", f"2019-04,Kent,reviews_on_time,{digits},50,\n")
    _, problems = check_return(path, "2019-04", catalogue)
    assert problems[["row", "column", "value", "severity"]].values.tolist() == [[2, "numerator", digits, "error"]]


def test_a_column_named_twice_is_refused(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    # pandas would read the second as 'numerator.1' and nobody would see it again
    path = write_return(
        tmp_path, "2019-04", "2019-04,Kent,reviews_on_time,45,50,,40\n", header=HEADER.strip() + ",numerator\n"
    )
    with pytest.raises(InputError, match=r"row 1, column 'numerator': the column 'numerator' appears twice"):
        load(path, catalogue)
