"""Benchmarks file: read as people write it, checked, and matched to the right year."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lacperf_helpers.config.definitions import KpiCatalogue
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.ingest.validation import ValidationError
from lacperf_helpers.rate.benchmarks import benchmark_problems, benchmarks_for, compare, load_benchmarks

HEADER = "kpi_id,year,England,Statistical neighbours,source\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "benchmarks.csv"
    path.write_text(header + body)
    return path


def test_headers_as_people_write_them(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write(tmp_path, "moves_3plus,2017/18,10.0,10.4,DfE\nmoves_3plus,2018/19,10.5,10.6,DfE\n")
    table = load_benchmarks(path, catalogue)
    assert table[["kpi_id", "year", "england", "statistical_neighbours"]].values.tolist() == [
        ["moves_3plus", "2017/18", 10.0, 10.4],
        ["moves_3plus", "2018/19", 10.5, 10.6],
    ]
    assert table["region"].isna().all()


@pytest.mark.parametrize(
    ("body", "row", "column", "message"),
    [
        ("moves_3plus,2018,1,2,DfE\n", 2, "year", "'2018' fails the check: year is a financial year such as 2018/19"),
        ("moves_3plus,2018/19,ten,2,DfE\n", 2, "england", "'ten' fails the check: england is a number"),
        (
            "moves_3plus,2018/19,1,2,DfE\nmoves_3plus,2018/19,1,2,DfE\n",
            3,
            "year",
            "'2018/19' fails the check: one row per KPI and year",
        ),
    ],
)
def test_bad_rows_are_named(
    tmp_path: Path, catalogue: KpiCatalogue, body: str, row: int, column: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_benchmarks(write(tmp_path, body), catalogue)
    assert (caught.value.row, caught.value.column) == (row, column)
    assert message in caught.value.message


def test_every_problem_is_a_row(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write(tmp_path, "nope,2018/19,1,2,DfE\nmoves_3plus,18/19,x,2,DfE\n,,,,\n")
    with pytest.raises(ValidationError) as caught:
        load_benchmarks(path, catalogue)
    assert caught.value.problems[["row", "column", "value", "severity"]].values.tolist() == [
        [4, "", "", "warning"],  # the empty row Excel leaves: skipped, and counted
        [2, "kpi_id", "nope", "warning"],
        [3, "year", "18/19", "error"],
        [3, "england", "x", "error"],
    ]


def test_rows_for_kpis_the_catalogue_lacks_are_left_out_with_a_warning(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    path = write(tmp_path, "CIC01,2018/19,1,2,DfE\nmoves_3plus,2018/19,10.5,10.6,DfE\n")
    assert load_benchmarks(path, catalogue)["kpi_id"].tolist() == ["moves_3plus"]
    problems = benchmark_problems(path, catalogue)
    assert problems[["row", "column", "value", "severity"]].values.tolist() == [[2, "kpi_id", "CIC01", "warning"]]
    assert problems["rule"].iloc[0] == "kpi_id is a KPI in the KPI definitions (rows for other KPIs are left out)"


def test_no_file_means_no_benchmarks(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    assert load_benchmarks(tmp_path / "absent.csv", catalogue).empty


def test_each_month_takes_the_latest_year_published_by_then(tmp_path: Path, catalogue: KpiCatalogue) -> None:
    table = load_benchmarks(
        write(tmp_path, "moves_3plus,2017/18,10.0,10.4,DfE\nmoves_3plus,2018/19,10.5,10.6,DfE\n"), catalogue
    )
    assert benchmarks_for(table, "2018-03")["benchmark_year"].tolist() == ["2017/18"]  # March is still 2017/18
    assert benchmarks_for(table, "2018-04")["benchmark_year"].tolist() == ["2018/19"]
    assert benchmarks_for(table, "2019-09")["benchmark_year"].tolist() == ["2018/19"]
    assert benchmarks_for(table, "2017-03").empty


def test_better_or_worse_than_england_by_polarity() -> None:
    value = pd.Series([86.0, 85.04, 84.0, 11.0, 9.0, 5.0])
    england = pd.Series([85.0, 85.0, 85.0, 10.0, 10.0, float("nan")])
    polarity = pd.Series(["H", "H", "H", "L", "L", "L"])
    result = compare(value, england, polarity, pd.Series([1] * 6))
    assert result.tolist() == ["better", "in line", "worse", "worse", "better", ""]


def test_one_england_figure_per_kpi_and_year_the_dfes_where_it_publishes_the_kpi() -> None:
    """Issue 29: the overview said EET 52.0% (benchmarks.csv) and the national table 53.5% (the DfE's) for
    2018/19. One figure per KPI and year, with its source: the DfE's for the same year, the later year otherwise."""
    from lacperf_helpers.rate.benchmarks import DFE_TABLES, england_figures

    bench = pd.DataFrame({
        "kpi_id": ["eet", "short", "reviews", "reviews"], "year": ["2018/19", "2018/19", "2017/18", "2018/19"],
        "england": [52.0, 10.0, 90.0, 91.0], "statistical_neighbours": [51.0, 10.6, 89.0, 90.0],
        "region": [53.0, 10.3, np.nan, np.nan], "authority_published": [50.0, 12.0, np.nan, np.nan],
        "source": ["benchmarks file"] * 4,
    })  # fmt: skip
    national = pd.DataFrame({
        "kpi_id": ["eet", "short"], "year": ["2018/19", "2017/18"], "england": [53.5, 10.2], "neighbours": [52.1, 10.1],
        "region": [54.0, 10.0], "authority": [51.0, 11.0],
    })  # fmt: skip
    got = england_figures(bench, national, "2019-09").set_index("kpi_id")
    assert got.loc["eet", ["benchmark_year", "england", "england_source"]].tolist() == ["2018/19", 53.5, DFE_TABLES]
    assert got.loc["eet", "statistical_neighbours"] == 52.1  # the DfE's neighbours with the DfE's England
    # the file's 2018/19 is later than the DfE's 2017/18: the latest year is the one
    assert got.loc["short", ["benchmark_year", "england", "england_source"]].tolist() == [
        "2018/19",
        10.0,
        "benchmarks file",
    ]
    assert got.loc["reviews", ["benchmark_year", "england"]].tolist() == ["2018/19", 91.0]  # not in the DfE's
    assert len(got) == 3  # one row per KPI
