"""Validation: each rule on a hand-built file, every problem a row, the report written, errors stop a page."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import KpiCatalogue, load_kpis
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.ingest.rules import Rule
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.ingest.validation import (
    ERROR,
    PERSONAL,
    PROBLEM_COLUMNS,
    ValidationError,
    combine,
    findings,
    problem_counts,
    problems_at,
    read_csv_text,
    write_report,
)
from lacperf_helpers.measures.figures import check_kpi_polarity
from tests.conftest import copy_sample_month
from tests.test_measures import OVERLAP

EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def extract(folder: Path, episodes: str, header: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "episodes.csv").write_text(EPISODES + episodes)
    (folder / "header.csv").write_text(HEADER + header)
    return folder


def found(folder: Path) -> list[list[object]]:
    problems = load_903(folder, strict=False).problems
    problems["file"] = problems["file"].map(lambda f: Path(f).name)
    return problems[["file", "row", "column", "value", "rule", "severity"]].values.tolist()


def test_cross_table_rules_name_the_episode_row(tmp_path: Path) -> None:
    folder = extract(
        tmp_path / "903",
        "001,01/05/2019,S,C2,N1,U1,PR1,01/04/2019,E11,,,,\n"  # row 2: ends before it starts
        "002,01/01/2009,S,C2,N1,U1,PR1,,,,,,\n"  # row 3: begins before the child was born
        "003,01/01/2019,S,C2,N1,U1,PR1,01/03/2019,X1,,,,\n"  # rows 4-5: the second begins while the first is open
        "003,01/02/2019,P,C2,N1,U2,PR1,,,,,,\n"
        "004,01/01/2019,S,C2,N1,U1,PR1,,,,,,\n",  # row 6: not in header
        "001,1,01/01/2010,WBRI,,,\n002,2,01/01/2010,WBRI,,,\n003,1,01/01/2010,WBRI,,,\n",
    )
    assert found(folder) == [
        # a date is never echoed: a date of birth looks like any other (the file, row and column find it)
        ["episodes.csv", 2, "DEC", PERSONAL, "an episode ends on or after the day it starts", "error"],
        ["episodes.csv", 3, "DECOM", PERSONAL, "a child is born on or before the day an episode starts", "error"],
        ["episodes.csv", 6, "CHILD", PERSONAL, "a child in episodes is in header", "error"],
        ["episodes.csv", 5, "DECOM", PERSONAL, OVERLAP, "warning"],
    ]  # fmt: skip
    with pytest.raises(ValidationError, match=r"episodes.csv, row 2, column 'DEC'.*\(and 2 more error\(s\)"):
        load_903(folder)


def test_codes_dates_and_keys_are_checked_per_cell(tmp_path: Path) -> None:
    folder = extract(
        tmp_path / "903",
        "001,2019-01-05,S,C2,N1,U1,PR1,,,,,,\n"  # row 2: a date Excel rewrote: read, with a warning
        "002,01/01/2019,Q,C2,N1,U1,PR1,,,,,,\n"  # row 3: RNE Q is no DfE code
        "003,01/01/2019,S,XX,N1,U1,PR1,,,,,,\n"  # row 4: an unknown legal status only warns
        ",01/01/2019,S,C2,N1,U1,PR1,,,,,,\n",  # row 5: no CHILD
        "001,1,01/01/2010,WBRI,,,\n002,3,01/01/2010,WBRI,,,\n003,1,31/02/2010,WBRI,,,\n003,1,01/01/2010,WBRI,,,\n",
    )
    rows = found(folder)
    assert ["episodes.csv", 2, "DECOM", PERSONAL, "DECOM is dd/mm/yyyy (not yyyy-mm-dd, as Excel rewrites it)",
            "warning"] in rows  # fmt: skip
    assert ["episodes.csv", 3, "RNE", "Q", "RNE is a code in the DfE's list", "error"] in rows
    assert ["episodes.csv", 4, "LS", "XX", "LS is a code in the DfE's list", "warning"] in rows
    assert ["episodes.csv", 5, "CHILD", "(not shown: personal data)", "CHILD is given", "error"] in rows
    assert ["header.csv", 3, "SEX", "3", "SEX is a code in the DfE's list", "error"] in rows
    personal = "(not shown: personal data)"  # the row and column find it; the report never copies it
    assert ["header.csv", 4, "DOB", personal, "DOB is a real date in the form dd/mm/yyyy", "error"] in rows
    assert ["header.csv", 4, "CHILD", personal, "one row per CHILD in a file (the last is kept)", "warning"] in rows
    episodes = load_903(folder, strict=False).table("episodes")
    assert episodes["DECOM"].iloc[0] == pd.Timestamp("2019-01-05")


def test_excel_leftovers_are_read_and_counted(tmp_path: Path) -> None:
    """cp1252 text, CRLF, a byte-order mark, empty trailing columns and rows: read; the empty rows counted."""
    path = tmp_path / "header.csv"
    text = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,,\r\n001,1,01/01/2010,WBRI,,,,,\r\n,,,,,,,,\r\n"
    path.write_bytes(text.encode("cp1252") + "002,2,01/01/2010,WOTH,,,Zoë,,\r\n".encode("cp1252"))
    frame, problems = read_csv_text(path)
    assert list(frame.columns) == ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
    assert frame["CHILD"].tolist() == ["001", "002"] and frame["MC_DOB"].tolist() == ["", "Zoë"]
    assert problems[["row", "rule", "severity"]].values.tolist() == [[3, "empty rows are skipped", "warning"]]


def test_problem_counts_add_up_by_rule() -> None:
    problems = pd.DataFrame(
        [["a.csv", 2, "X", "", "rule one", "warning", "LP901"], ["a.csv", 3, "X", "", "rule one", "warning", "LP901"],
         ["b.csv", 2, "Y", "", "rule two", "error", "LP902"]],
        columns=list(PROBLEM_COLUMNS),
    )  # fmt: skip
    assert problem_counts(problems).values.tolist() == [["error", "rule two", "b.csv", 1],
                                                        ["warning", "rule one", "a.csv", 2]]  # fmt: skip


def test_validate_writes_every_problem_and_exits_non_zero_on_errors(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    copy_sample_month(returns, "2019-09")
    path = returns / "2019-09" / "kpi_return.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 4)[0] + ",12,x,,all"  # row 2: a denominator 'x' (the sample gives cohorts)
    path.write_text("\n".join(lines) + "\n,,,,,,\n")
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app, ["validate", "--returns", str(returns), "--month", "2019-09", "--out", str(out)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 2, result.output
    assert "1 error" in result.output and "denominator is a number" in result.output
    written = pd.read_csv(out / "2019-09" / "validation.csv", dtype=str, keep_default_na=False)
    assert list(written.columns) == list(PROBLEM_COLUMNS)
    assert written[["row", "column", "value", "severity"]].values.tolist()[0] == ["2", "denominator", "x", "error"]
    assert ["empty rows are skipped", "warning"] in written[["rule", "severity"]].values.tolist()
    page = (out / "2019-09" / "validation.html").read_text()
    assert "denominator is a number" in page and "1 error(s) stop the run" in page


def test_render_stops_on_an_error_and_keeps_the_last_good_appendix(tmp_path: Path) -> None:
    returns, out = tmp_path / "returns", tmp_path / "reports"
    copy_sample_month(returns, "2019-09")
    good = out / "public" / "2019-09" / "west-kent.html"
    good.parent.mkdir(parents=True)
    good.write_text("last good appendix")
    path = returns / "2019-09" / "kpi_return.csv"
    path.write_text(path.read_text().replace("West Kent", "", 1))
    args = ["render", "--returns", str(returns), "--month", "2019-09", "--area", "West Kent", "--out", str(out)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "area is not blank" in result.output
    assert good.read_text() == "last good appendix"
    assert "area is not blank" in (out / "internal-not-for-publication" / "2019-09" / "validation.csv").read_text()


def test_the_sample_has_no_errors() -> None:
    result = CliRunner().invoke(
        app, ["validate", "--returns", str(paths.SAMPLE_RETURNS), "--month", "2019-09", "--out", "-"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no errors" in result.output


def test_personal_values_in_the_wrong_column_are_never_echoed(tmp_path: Path) -> None:
    # a postcode typed into RNE, a date of birth into PLACE and a child's ID into LS: each is a bad code,
    # reported by file, row and column, never with the value (on the console, in the CSV or on the page)
    returns = tmp_path / "returns"
    copy_sample_month(returns, "2019-09")
    path = returns / "2019-09" / "903" / "episodes.csv"
    lines = path.read_text().splitlines()
    child = lines[5].split(",")[0]
    typed = {2: (2, "ME14 1XQ"), 3: (5, "12/03/2009"), 4: (3, child)}  # line: (column, value)
    for line, (column, value) in typed.items():
        cells = lines[line].split(",")
        cells[column] = value
        lines[line] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app, ["validate", "--returns", str(returns), "--month", "2019-09", "--out", str(out)], env={"COLUMNS": "200"}
    )
    written = pd.read_csv(out / "2019-09" / "validation.csv", dtype=str, keep_default_na=False)
    page = (out / "2019-09" / "validation.html").read_text()
    for value in ("ME14 1XQ", "12/03/2009"):
        assert value not in result.output and value not in written.to_csv() and value not in page
    assert f",{child}," not in written.to_csv()
    masked = written.loc[written["file"].str.endswith("episodes.csv") & written["row"].isin(["3", "4", "5"])]
    assert set(masked["column"]) >= {"RNE", "PLACE", "LS"}
    assert set(masked.loc[masked["column"].isin(["RNE", "PLACE", "LS"]), "value"]) == {PERSONAL}


def test_a_huge_return_gives_a_page_a_person_opens_and_a_complete_csv(tmp_path: Path) -> None:
    # 200,000 bad rows of one rule and 3 of another: the page lists each rule's first findings and how many
    # more; identical findings are one line with their rows and count; the CSV keeps every row
    many = problems_at("2019-09/kpi_return.csv", range(2, 200_002), "numerator", ["x"] * 200_000,
                       Rule("LP004", "numerator is a number"), ERROR)  # fmt: skip
    varied = problems_at(
        "2019-09/kpi_return.csv", [5, 6, 7], "kpi_id", ["a", "b", "c"], Rule("LP104", "kpi_id is a KPI"), ERROR
    )
    csv_path, page_path = write_report(combine([many, varied]), tmp_path, "Validation")
    page = page_path.read_text()
    assert len(page) < 50_000
    assert "200000" in page and "2, 3, 4, 5, 6, 7, 8, 9, 10, 11 ... (199990 more)" in page
    assert all(f"<td>{code}</td>" in page for code in "abc")
    assert len(pd.read_csv(csv_path)) == 200_003
    forty = problems_at(
        "r.csv", range(2, 42), "kpi_id", [f"k{i}" for i in range(40)], Rule("LP104", "kpi_id is a KPI"), ERROR
    )
    shown = findings(combine([forty, forty, many]))  # 40 findings of one rule (each twice): the first 25, the rest
    kpi = shown.loc[shown["rule"] == "kpi_id is a KPI"]
    assert len(kpi) == 26 and kpi["count"].tolist() == [2] * 25 + [30]
    assert kpi["rows"].iloc[-1] == "... 15 more finding(s) of this rule: see validation.csv"


def test_the_console_lists_errors_then_one_line_per_kind_of_warning(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    copy_sample_month(returns, "2019-09")
    given = returns / "2019-09" / "kpi_return.csv"  # the sample warns of nothing: three empty rows, one kind
    given.write_text(given.read_text() + ",,,,,,\n" * 3)
    result = CliRunner().invoke(
        app, ["validate", "--returns", str(returns), "--month", "2019-09", "--out", "-"], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert lines and all(" x " in line for line in lines) and len(lines) == len(set(lines)) <= 5
    assert any("empty rows are skipped" in line and "3 x" in line for line in lines), lines


@pytest.mark.parametrize("command", [["validate", "--month", "2019-09"], ["render-quarter", "--quarter", "Q2 2019/20"]])
@pytest.mark.parametrize(("option", "broken"), [("--national", "la_indicators.csv"), ("--cohorts", "cohorts.yaml")])
def test_validate_and_render_quarter_read_the_national_tables_and_cohorts_named(
    tmp_path: Path, command: list[str], option: str, broken: str
) -> None:
    """--national and --cohorts mean on these commands what they mean on the others: the file named is read (its
    error stops the command, named), not the project's."""
    returns = tmp_path / "returns"
    copy_sample_month(returns, "2019-09")
    national = tmp_path / "national"
    shutil.copytree(paths.NATIONAL, national)
    (national / "la_indicators.csv").write_text("not,the,table\n")
    (tmp_path / "cohorts.yaml").write_text("cohorts:\n  - nonsense: 1\n")
    named = national if option == "--national" else tmp_path / "cohorts.yaml"
    result = CliRunner().invoke(
        app, [*command, "--returns", str(returns), "--out", str(tmp_path / "reports"), option, str(named)],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert broken in result.output


def test_a_kpi_better_the_other_way_from_its_measure_is_refused(tmp_path: Path) -> None:
    """Placement stability (3 or more placements) is better lower, as its measure is registered: a catalogue
    saying higher would rate it backwards."""
    data = yaml.safe_load(paths.KPIS_FILE.read_text())
    kpi = next(k for k in data["kpis"] if k.get("measure") == "placement_stability_short")
    kpi["polarity"], kpi["target"], kpi["floor"] = "H", kpi["floor"], kpi["target"]  # the floor still the weaker
    with pytest.raises(InputError) as error:
        check_kpi_polarity(KpiCatalogue.model_validate(data), "kpis.yaml")
    assert str(error.value) == (
        "kpis.yaml, column 'polarity': KPI placement_stability_short: polarity H, but its measure "
        "placement_stability_short is better lower (L)"
    )
    check_kpi_polarity(load_kpis(paths.KPIS_FILE), paths.KPIS_FILE)  # the shipped catalogue agrees with its measures
