"""What lacperf writes cannot be turned against the person who opens it: no live spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config.formatting import slug
from lacperf_helpers.config.paths import csv_text, spreadsheet_safe
from tests.conftest import write_return

FORMULA = '=HYPERLINK("http://example.invalid/x","Click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-4.5", "-4.5"),  # a number stays a number
        ("+12", "+12"),
        ("South Kent", "South Kent"),
        (12.5, 12.5),
    ],
)
def test_a_cell_that_would_be_a_formula_stays_text(cell: object, written: object) -> None:
    assert spreadsheet_safe(cell) == written


def test_csv_text_leaves_numbers_alone() -> None:
    frame = pd.DataFrame({"area": [FORMULA, "Kent"], "change": [-3.0, 2.0], "note": ["-1", "@x"]})
    rows = list(csv.reader(io.StringIO(csv_text(frame))))
    assert rows == [["area", "change", "note"], ["'" + FORMULA, "-3.0", "-1"], ["Kent", "2.0", "'@x"]]


def test_the_scorecard_csv_carries_no_formula(tmp_path: Path, kpis_file: Path) -> None:
    returns = tmp_path / "returns"
    area = FORMULA.replace(chr(34), chr(34) * 2)
    write_return(returns, "2019-09", f'2019-09,Kent,reviews_on_time,9,10,\n2019-09,"{area}",reviews_on_time,9,10,\n')
    out = tmp_path / "card.csv"
    args = ["scorecard", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(out.open()) for cell in row]
    assert "'" + FORMULA in cells
    assert not [
        c for c in cells if c[:1] in ("=", "@", "\t", "\r") or (c[:1] != "" and c[0] in "+-" and not c[1:2].isdigit())
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--months", "2019-13", "lacperf: --months '2019-13': "),
        ("--months", "2019-09:2019-03", "the range runs backwards: 2019-09 is after 2019-03"),
        ("--quarter", "Q5 2019/20", "lacperf: --quarter 'Q5 2019/20': "),
    ],
)
def test_a_bad_batch_period_is_one_line_and_exit_2(option: str, value: str, message: str) -> None:
    result = CliRunner().invoke(app, ["batch", "monthly", option, value])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_console_markup_in_an_input_is_printed_as_it_is(tmp_path: Path, kpis_file: Path) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", "2019-09,Kent,reviews_on_time,[/b]nine[bold],10,\n")
    result = CliRunner().invoke(
        app, ["validate", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", "-"]
    )
    assert result.exit_code == 2, result.output
    assert "[/b]nine[bold]" in result.output.replace("\n", "") or "[/b]nine" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("area", "name"),
    [("South Kent", "south-kent"), ("Index", "area-index"), ("VALIDATION", "area-validation"), ("..", "area"),
     ("???", "area"), ("../../etc", "etc")],
)  # fmt: skip
def test_an_area_never_names_a_reserved_page_or_a_path(area: str, name: str) -> None:
    assert slug(area) == name


def test_a_long_area_name_is_shortened_and_stays_apart_from_another() -> None:
    one, other = "North " + "x" * 240 + " one", "North " + "x" * 240 + " two"
    assert len(slug(one)) <= 80 and len(slug(other)) <= 80
    assert slug(one) != slug(other) and slug(one).startswith("north-xxx")


@pytest.mark.parametrize("twin", ["south-kent", "SOUTH KENT", "South  Kent!"])
def test_two_areas_that_make_one_file_name_are_refused_naming_both(tmp_path: Path, kpis_file: Path, twin: str) -> None:
    returns = tmp_path / "returns"
    write_return(returns, "2019-09", f"2019-09,Kent,reviews_on_time,30,40,\n2019-09,South Kent,reviews_on_time,10,15,\n"
                 f"2019-09,{twin},reviews_on_time,20,25,\n")  # fmt: skip
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app, ["render", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-09", "--out", str(out)],
        env={"COLUMNS": "300"},
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "'South Kent'" in result.output and repr(twin) in result.output and "south-kent.html" in result.output
    assert not list(out.rglob("*.html")) or not (out / "2019-09" / "south-kent.html").exists()
    assert "Traceback" not in result.output
