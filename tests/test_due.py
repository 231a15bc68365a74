"""`lacperf due`: the forward look from a month's Annex A, as a council's List 8 CSV gives it, worked by hand.

At 31 January 2024 (next month end Thursday 29 February; 2 weeks on, 14 February; 4 weeks, 28 February):
  C001 North (Team A), last review 10 Aug 2023: due 10 Feb, before 14, 28 and 29 February
  C004 South (Team B), last review 31 Jul 2023: due 31 Jan, the month end: in time today, due before each
  C009 South (Team B), last review 1 Dec 2023: due 1 Jun, in time throughout
Every child looked after since 2020; C009 placed 1 Jun 2023 (U6), last visited 20 Jan 2024: due 2 Mar.
"""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from lacperf_helpers.cli import app

HEADER = (
    "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),"
    "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N),Does the Child have a Disability,"
    "Date Started to be Looked After,Child's Category of Need,"
    "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N),"
    "Start date of current legal status,Child's Legal Status,Date of Latest Statutory Review,"
    "Date of Last Social Work Visit,What is the permanence plan for this child?,"
    "Date of Last IRO Visit / Contact to the Child,Date of Last Health Assessment,Date of Last Dental Check,"
    "Number of Placements in the Last 12 months,Date Ceased to be Looked After,Reason Ceased to be Looked After,"
    "Start Date of Most Recent Placement,Placement Type,Placement Provider,Placement postcode,URN of Placement,"
    "Placement Location,LA of Placement,"
    "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months,"
    "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months,"
    "Was the child offered a Return Interview after their last missing episode (Y/N)?,"
    "Did the child accept a Return Interview after their last missing episode (Y/N)?,Allocated Team,Allocated Worker"
)
ROWS = (
    "C001,a) Male,WBRI,14/05/2010,13,b) No,b) No,01/01/2020,N1,b) No,01/01/2020,C2,10/08/2023,20/01/2024,"
    "f) Long-term fostering,20/01/2024,01/03/2023,01/03/2023,1,,,01/01/2020,U4,PR1,ZX9 9XZ,,a) In,Kent,0,0,,,"
    "Team A,W1",
    "C004,b) Female,WBRI,15/06/2011,12,b) No,b) No,01/01/2020,N1,b) No,01/01/2020,C2,31/07/2023,20/12/2023,"
    "f) Long-term fostering,20/12/2023,01/03/2023,01/03/2023,1,,,01/06/2023,U6,PR1,ZX9 9XZ,,a) In,Kent,0,0,,,"
    "Team B,W2",
    "C009,b) Female,WBRI,16/07/2012,11,b) No,b) No,01/01/2020,N1,b) No,01/01/2020,C2,01/12/2023,20/01/2024,"
    "f) Long-term fostering,20/01/2024,01/03/2023,01/03/2023,1,,,01/06/2023,U6,PR1,ZX9 9XZ,,a) In,Kent,0,0,,,"
    "Team B,W2",
)


def returns(tmp_path: Path, rows: tuple[str, ...] = ROWS) -> Path:
    folder = tmp_path / "returns" / "2024-01" / "annex_a"
    folder.mkdir(parents=True)
    (folder / "list_8.csv").write_text("\n".join((HEADER, *rows)) + "\n")
    (folder / "team_area.csv").write_text("TEAM,AREA\nTeam A,North\nTeam B,South\n")
    return tmp_path / "returns"


def due(tmp_path: Path, *options: str, folder: Path | None = None) -> tuple[int, str, Path]:
    out = tmp_path / "out" / "due.csv"
    given = folder or returns(tmp_path)
    result = CliRunner().invoke(
        app,
        ["due", "--returns", str(given), "--month", "2024-01", "--out", str(out), "--authority", "Kent", *options],
    )
    return result.exit_code, result.output, out


def test_due_writes_counts_by_area_and_team_and_names_no_child(tmp_path: Path) -> None:
    code, output, out = due(tmp_path, "--weeks", "2", "--weeks", "4")
    assert code == 0, output
    assert "internal edition: NOT FOR PUBLICATION" in output
    rows = list(csv.DictReader(out.open()))
    assert {r["edition"] for r in rows} == {"internal: not for publication"}
    assert sorted({r["horizon"] for r in rows}) == ["2024-02-14", "2024-02-28", "2024-02-29"]

    def reviews(area: str, team: str, horizon: str) -> tuple[str, ...]:
        (found,) = [
            r for r in rows
            if (r["measure"], r["area"], r["team"], r["horizon"]) == ("reviews_in_timescale", area, team, horizon)
        ]  # fmt: skip
        keys = ("children_now", "in_timescale_now", "percent_now", "falling_due", "in_timescale_then", "percent_then")
        return tuple(found[k] for k in keys)

    assert reviews("Kent", "All teams", "2024-02-29") == ("3", "3", "100.0", "2", "1", "33.3")
    assert reviews("North", "Team A", "2024-02-14") == ("1", "1", "100.0", "1", "0", "0.0")
    assert reviews("South", "Team B", "2024-02-28") == ("2", "2", "100.0", "1", "1", "50.0")
    text = out.read_text()
    for personal in ("C001", "C004", "C009", "14/05/2010", "2010-05-14", "ZX9 9XZ", "W1", "W2"):
        assert personal not in text


def test_a_bad_date_in_list_8_stops_with_one_line_naming_where_and_writes_nothing(tmp_path: Path) -> None:
    bad = (ROWS[0].replace("10/08/2023", "31/02/2023"), *ROWS[1:])
    code, output, out = due(tmp_path, folder=returns(tmp_path, bad))
    assert code == 2
    last = output.strip().splitlines()[-1]
    assert last.startswith("lacperf: ") and "list_8.csv" in last and "Date of Latest Statutory Review" in last
    assert not out.exists()


def test_a_month_without_an_annex_a_is_said_in_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    (empty / "2024-01").mkdir(parents=True)
    code, output, out = due(tmp_path, folder=empty)
    assert code == 2
    assert "no Annex A for this month" in output
    assert not out.exists()


def test_due_takes_the_authority_from_the_month_s_return_as_pages_do(tmp_path: Path) -> None:
    """Issue 29's defaults name no council: without --authority, the return's only area is the authority."""
    given = returns(tmp_path)
    (given / "2024-01" / "kpi_return.csv").write_text(
        "month,area,kpi_id,numerator,denominator,value\n2024-01,Kent,health_history_18,11,13,\n"
    )
    out = tmp_path / "out" / "due.csv"
    result = CliRunner().invoke(app, ["due", "--returns", str(given), "--month", "2024-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Kent" in {r["area"] for r in csv.DictReader(out.open())}
