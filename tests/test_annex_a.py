"""Annex A: the reader (header and code variants as the LIIA schema accepts them, refusals naming sheet, row and
column) and each measure on children worked out by hand.

The month end D is Monday 30 September 2019; the 12 months to it begin on 1 October 2018; six months before it
is 30 March 2019. England's Summer bank holiday was Monday 26 August 2019.

List 8 (children in care), what each child is and why:
  A 001  started 01/01/2015, C2, U6 foster (private, PR4), placed Out, 3 placements, missing twice: offered a
         return interview, refused it; worker Jo; team CIC North; born 01/05/2010 (9); male, WBRI.
  B 002  started 15/08/2019, V2 (section 20), K2 children's home (own, PR1), In, 1 placement, never missing;
         no worker (blank); team CIC South; born 10/10/2003 (15); female.
  C 003  started 01/03/2017, ceased 01/06/2019: not looked after at D, looked after in the 12 months; missing
         once, offered and accepted a return interview.
  D 004  started 01/02/2016, V3 (short breaks): in no measure.
  E 005  started 01/01/2018, E1, P1 placed with parents (PR0), In, 4 placements, missing once, not offered;
         worker "Unallocated"; team blank (area not known); UASC; born 01/01/2016 (3); gender not stated.
  F 0006 started 01/10/2017, ceased 15/09/2018: before the 12 months began: in no measure.
Looked after at D: A, B, E. Looked after in the 12 months: A, B, C, E.

List 9 (care leavers):
  101 former relevant, 19, in touch, D semi-independent suitable, F3 (EET), plan reviewed 01/05/2019
  102 former relevant, 18, not in touch, S homeless unsuitable, G5, plan reviewed 29/03/2019 (a day too early)
  103 former relevant, 22 (beyond the DfE's 17-21), in touch, plan reviewed 30/03/2019 (the first day in time)
  104 relevant child, 17 (not the DfE's cohort, but must have a plan), plan never reviewed
  105 former relevant, died: left out of every care-leaver measure
  106 qualifying care leaver: no pathway plan duty, not the DfE's cohort
  107 former relevant, 17, refuses contact, X custody marked suitable (never suitable), P2 (EET), plan reviewed
      on D itself
DfE cohort (former relevant, 17-21, not died or returned home): 101, 102, 107; of them aged 19 to 21: 101.
Pathway plan cohort (eligible, relevant, former relevant; not died): 101, 102, 103, 104, 107.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from lacperf_helpers.config.cohorts import load_cohorts
from lacperf_helpers.config.vocabulary import ANNEX_A_MEASURE_UNITS, AREA_NOT_KNOWN
from lacperf_helpers.ingest import annex_a as reader
from lacperf_helpers.ingest.annex_a import (
    CHILD_ID,
    ETHNICITY,
    LEGAL_STATUS,
    LIST_8,
    LIST_9,
    PLACEMENT_PROVIDER,
    PLACEMENT_TYPE,
    RETURN_INTERVIEW_OFFERED,
    RULE_DUPLICATE,
    RULE_NOT_LOOKED_AFTER,
    UASC,
    match_code,
    read_annex_a,
)
from lacperf_helpers.ingest.validation import ERROR, WARNING, ValidationError
from lacperf_helpers.measures.annex_a import MEASURES, annex_a_measure_table

D = date(2019, 9, 30)
MONTH = "2019-09"
LIIA = Path("/work/.mirror/SocialFinanceDigitalLabs+liia-tools/repo")

LIST_8_HEADER = [
    "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
    "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "Does the Child have a Disability",
    "Date Started to be Looked After", "Child's Category of Need",
    "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
    "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review",
    "Date of Last Social Work Visit", "What is the permanence plan for this child?",
    "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment", "Date of Last Dental Check",
    "Number of Placements in the Last 12 months", "Date Ceased to be Looked After",
    "Reason Ceased to be Looked After", "Start Date of Most Recent Placement", "Placement Type",
    "Placement Provider", "Placement postcode", "URN of Placement", "Placement Location", "LA of Placement",
    "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
    "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
    "Was the child offered a Return Interview after their last missing episode (Y/N)?",
    "Did the child accept a Return Interview after their last missing episode (Y/N)?",
    "Allocated Team", "Allocated Worker",
]  # fmt: skip


def child(**given: str) -> dict[str, str]:
    """A List 8 row: what a test gives, the rest as an ordinary child in care would have it."""
    row = dict.fromkeys(LIST_8_HEADER, "")
    row.update({
        "Gender": "a) Male", "Ethnicity": "a) WBRI", "Date of Birth": "01/05/2010",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": "b) No",
        "Does the Child have a Disability": "b) No", "Child's Category of Need": "N1 - Abuse or neglect",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)": "No",
        "Start date of current legal status": "01/01/2015", "Child's Legal Status": "C2: FCO",
        "Number of Placements in the Last 12 months": "1", "Placement Type": "f) U6: Foster placement - not FFA",
        "Placement Provider": "b) PR1: Own provision", "Placement Location": "a) In",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months": "0",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months": "0",
        "Allocated Team": "CIC North", "Allocated Worker": "Jo",
    })  # fmt: skip
    names = {
        "id": "Child Unique ID", "started": "Date Started to be Looked After",
        "ceased": "Date Ceased to be Looked After", "legal": "Child's Legal Status", "born": "Date of Birth",
        "gender": "Gender", "uasc": "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "placement": "Placement Type", "provider": "Placement Provider", "location": "Placement Location",
        "placements": "Number of Placements in the Last 12 months",
        "missing": "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        "offered": "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "accepted": "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        "team": "Allocated Team", "worker": "Allocated Worker", "review": "Date of Latest Statutory Review",
        "visit": "Date of Last Social Work Visit", "placed": "Start Date of Most Recent Placement",
        "health": "Date of Last Health Assessment", "dental": "Date of Last Dental Check",
    }  # fmt: skip
    for key, value in given.items():
        row[names[key]] = value
    return row


CHILDREN = [
    child(id="001", started="01/01/2015", placement="f) U6: Foster placement - not FFA",
          provider="e) PR4 - Private provision", location="b) Out", placements="3", missing="2", offered="a) Yes",
          accepted="b) No", review="01/06/2019", visit="01/09/2019", placed="01/01/2016", health="15/11/2018",
          dental="01/10/2018"),
    child(id="002", started="15/08/2019", legal="V2: Single period under S20", born="10/10/2003", gender="b) Female",
          placement="p) K2: Children's Homes", location="In", team="CIC South", worker="", visit="20/08/2019",
          placed="15/08/2019", dental="20/09/2019"),
    child(id="003", started="01/03/2017", ceased="01/06/2019", missing="1", offered="Y", accepted="Yes"),
    child(id="004", started="01/02/2016", legal="V3: Short term breaks, episodes recorded", missing="3"),
    child(id="005", started="01/01/2018", legal="E1", placement="Placed with parents", provider="a) PR0",
          location="in", placements="4", missing="1", offered="N", worker="Unallocated", team="", uasc="Y",
          born="01/01/2016", gender="Not stated", review="15/03/2019", visit="01/07/2019", placed="01/01/2018",
          health="01/02/2019"),
    child(id="0006", started="01/10/2017", ceased="15/09/2018"),
]  # fmt: skip

LIST_9_HEADER = [
    "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
    "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Eligibility Category",
    "Latest Pathway Plan Review Date", "LA in Touch", "Type of Accommodation", "Suitability of Accommodation",
    "Activity Status",
]  # fmt: skip


def leaver(id: str, eligibility: str, born: str, touch: str, accommodation: str = "", suitable: str = "",
           activity: str = "", reviewed: str = "") -> dict[str, str]:  # fmt: skip
    values = [id, "b) Female", "WBRI", born, "", "No", "Leaving Care", "Sam", eligibility, reviewed, touch,
              accommodation, suitable, activity]  # fmt: skip
    return dict(zip(LIST_9_HEADER, values, strict=True))


LEAVERS = [
    leaver("101", "b) Former relevant child", "01/01/2000", "a) Yes",
           "D: Semi-independent, transitional accommodation and self-contained accommodation", "a) Suitable",
           "F3: Full time in training or employment", "01/05/2019"),
    leaver("102", "Former relevant child", "01/06/2001", "No", "S: No fixed adobe/homeless", "b) Unsuitable",
           "G5: Not in education, employment or training - other", "29/03/2019"),
    leaver("103", "b) Former relevant child", "01/01/1997", "Y", "U", "Suitable", "F1", "30/03/2019"),
    leaver("104", "a) Relevant child", "01/01/2002", "Y", "D", "Suitable", "F2"),
    leaver("105", "b) Former relevant child", "01/01/2000", "c) Died"),
    leaver("106", "c) Qualifying care leaver", "01/01/2000", "Y", "U", "Suitable", "F3", "01/09/2019"),
    leaver("107", "b) Former relevant child", "01/03/2002", "d) Refu", "X: In custody", "a) Suitable",
           "P2: Part time in education other than higher", "30/09/2019"),
]  # fmt: skip


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or list(rows[0]))
        writer.writerows([list(r.values()) for r in rows])
    return path


@pytest.fixture
def annex(tmp_path: Path) -> Path:
    folder = tmp_path / MONTH / "annex_a"
    write_csv(folder / "List 8.csv", CHILDREN)
    write_csv(folder / "list_9.csv", LEAVERS)
    write_csv(
        folder / "team_area.csv", [{"TEAM": "CIC North", "AREA": "North"}, {"TEAM": "cic  south", "AREA": "South"}]
    )
    return folder


def headline(folder: Path, measure: str, cohort: str = "all", area: str = "LA") -> tuple[float, float]:
    table = annex_a_measure_table(read_annex_a(folder, month_end=D), MONTH, "LA", [measure])
    row = table.loc[(table["cohort"] == cohort) & (table["breakdown"] == "total") & (table["area"] == area)]
    assert len(row) == 1
    return float(row["numerator"].iloc[0]), float(row["denominator"].iloc[0])


# --- each measure, child by child -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("looked_after_annex_a", (3, float("nan"))),  # A, B, E (C ceased, D short breaks, F ceased)
        ("placements_3plus_12m", (2, 3)),  # A 3, E 4; B 1
        ("placed_out_of_area", (1, 3)),  # A Out; B In; E "in"
        ("placed_with_private_provider", (1, 3)),  # A "e) PR4 - Private provision"
        ("placed_in_foster_care", (1, 3)),  # A U6; B K2; E P1
        ("foster_care_in_house", (0, 1)),  # A, the one child in foster care, with a private provider (PR4)
        ("no_allocated_worker", (2, 3)),  # B blank, E "Unallocated"
        ("missing_12m", (3, 4)),  # of A, B, C, E: A 2, C 1, E 1
        ("return_interview_offered", (2, 3)),  # of A, C, E: A a) Yes, C Y; E N
        ("return_interview_accepted", (1, 2)),  # of A, C: C Yes; A b) No
        ("leavers_in_touch", (1, 3)),  # of 101, 102, 107: 101
        ("leavers_eet", (2, 3)),  # 101 F3, 107 P2; 102 G5
        ("leavers_suitable_accommodation", (1, 3)),  # 101; 102 unsuitable; 107 custody is never suitable
        ("leavers_19_21_in_touch", (1, 1)),  # 101 (19); 102 is 18, 107 17, 103 22
        ("leavers_19_21_eet", (1, 1)),  # 101 F3
        ("leavers_19_21_suitable_accommodation", (1, 1)),  # 101 D suitable
        ("pathway_plan_up_to_date", (3, 5)),  # 101, 103 (30/03, the first day in time), 107 (on D); not 102, 104
        # timescales.py's due dates on the cohorts: A, E looked after 12 months or more; B too for "_all"
        ("reviews_in_timescale", (1, 3)),  # A due 01/12/2019; B first due 13/09/2019; E due 15/09/2019
        ("visits_in_timescale", (2, 3)),  # A due 13/10/2019; B 01/10/2019; E 12/08/2019
        ("health_assessment_up_to_date", (1, 2)),  # A (9) due 15/11/2019; E (3) due 01/08/2019
        ("health_assessment_up_to_date_all", (1, 3)),  # B's initial due 13/09/2019 (26/08 a bank holiday)
        ("dental_check_up_to_date", (1, 2)),  # A due 01/10/2019; E none recorded
        ("dental_check_up_to_date_all", (2, 3)),  # B checked 20/09/2019
    ],
)
def test_each_measure_counts_the_children_worked_by_hand(
    annex: Path, measure: str, expected: tuple[float, float]
) -> None:
    numerator, denominator = headline(annex, measure)
    assert numerator == expected[0]
    assert denominator == expected[1] or (pd.isna(denominator) and pd.isna(expected[1]))


def test_foster_care_in_house_is_the_authority_s_own_carers_of_the_children_in_foster_care(tmp_path: Path) -> None:
    folder = tmp_path / MONTH / "annex_a"
    since = "01/01/2018"
    write_csv(folder / "list_8.csv", [
        child(id="201", started=since, placement="U1", provider="PR1"),  # in house: counted
        child(id="202", started=since, placement="f) U6: Foster placement - not FFA",
              provider="b) PR1: Own provision"),  # counted
        child(id="203", started=since, placement="U4", provider="PR4"),  # an independent fostering agency
        child(id="204", started=since, placement="U3", provider="PR5"),  # voluntary sector
        child(id="205", started=since, placement="U2", provider="PR2"),  # another authority's carers
        child(id="206", started=since, placement="p) K2: Children's Homes", provider="PR1"),  # not in foster care
        child(id="207", started=since, placement="U1", provider="PR1", ceased="01/09/2019"),  # not looked after at D
    ])  # fmt: skip
    write_csv(folder / "list_9.csv", LEAVERS)
    assert headline(folder, "foster_care_in_house") == (2, 5)  # 201, 202 of 201-205
    assert headline(folder, "placed_in_foster_care") == (5, 6)  # the same five children


def test_every_measure_named_by_the_issue_is_registered_with_its_unit() -> None:
    named = {
        "reviews_in_timescale", "visits_in_timescale", "health_assessment_up_to_date", "dental_check_up_to_date",
        "placements_3plus_12m", "placed_out_of_area", "missing_12m", "return_interview_offered",
        "return_interview_accepted", "leavers_in_touch", "pathway_plan_up_to_date", "leavers_suitable_accommodation",
        "leavers_eet", "no_allocated_worker",
    }  # fmt: skip
    assert named <= set(MEASURES)
    assert {m.id: m.unit for m in MEASURES.values()} == ANNEX_A_MEASURE_UNITS
    for item in MEASURES.values():
        assert item.title and item.definition and item.polarity in ("H", "L")


def test_every_measure_runs_on_an_empty_annex_a(tmp_path: Path) -> None:
    (tmp_path / "annex_a").mkdir()
    table = annex_a_measure_table(read_annex_a(tmp_path / "annex_a", month_end=D), MONTH, "LA")
    headline_rows = table.loc[(table["breakdown"] == "total") & (table["cohort"] == "all")]
    assert set(headline_rows["measure"]) == set(MEASURES)
    assert (headline_rows["numerator"] == 0).all()


def test_cohorts_breakdowns_and_areas(annex: Path) -> None:
    """UASC: E only. Areas by allocated team: A North, B South ('cic  south' as any case and spacing), E none."""
    assert headline(annex, "looked_after_annex_a", cohort="excluding UASC")[0] == 2
    assert headline(annex, "looked_after_annex_a", area="North")[0] == 1
    assert headline(annex, "looked_after_annex_a", area="South")[0] == 1
    assert headline(annex, "looked_after_annex_a", area=AREA_NOT_KNOWN)[0] == 1
    table = annex_a_measure_table(read_annex_a(annex, month_end=D), MONTH, "LA", ["placements_3plus_12m"])
    rows = table.loc[(table["area"] == "LA") & (table["cohort"] == "all")]
    by = {(b, g): (n, d) for b, g, n, d in rows[["breakdown", "group", "numerator", "denominator"]].itertuples(False)}
    assert by[("legal_status", "C2")] == (1, 1)  # A
    assert by[("legal_status", "V2")] == (0, 1)  # B
    assert by[("legal_status", "E1")] == (1, 1)  # E
    assert by[("sex", "M")] == (1, 1) and by[("sex", "F")] == (0, 1) and by[("sex", "U")] == (1, 1)
    assert by[("age_band", "1-4")] == (1, 1)  # E, 3
    assert by[("age_band", "10-15")] == (0, 1)  # B, 15
    assert by[("placement_type", "Residential")] == (0, 1)  # B, K2


def test_cohorts_file_conditions_work_on_annex_a(annex: Path) -> None:
    cohorts = (
        load_cohorts(Path("parameters/cohorts-panel.yaml")) if Path("parameters/cohorts-panel.yaml").exists() else None
    )
    if cohorts is None:
        pytest.skip("no panel cohorts file")
    table = annex_a_measure_table(read_annex_a(annex, month_end=D), MONTH, "LA", ["looked_after_annex_a"], cohorts)
    assert set(table["cohort"]) == set(cohorts.names)


# --- reading: variants the LIIA schema accepts -------------------------------------------------------------------


def test_values_are_read_into_one_form(annex: Path) -> None:
    data = read_annex_a(annex, month_end=D)
    children = data.lists[LIST_8].set_index(CHILD_ID)
    assert list(children.index) == ["001", "002", "003", "004", "005", "0006"]  # text, leading zeros kept
    assert children.loc["002", LEGAL_STATUS] == "V2"
    assert children.loc["005", LEGAL_STATUS] == "E1"
    assert children.loc["001", PLACEMENT_PROVIDER] == "PR4"
    assert children.loc["005", PLACEMENT_TYPE] == "P1"
    assert children.loc["001", ETHNICITY] == "WBRI"
    assert children[UASC].dtype == "boolean" and bool(children.loc["005", UASC]) is True
    assert children.loc["003", RETURN_INTERVIEW_OFFERED] == True  # noqa: E712 ("Y")
    assert pd.isna(children.loc["002", RETURN_INTERVIEW_OFFERED])  # blank
    assert children["Date Started to be Looked After"].dtype == "datetime64[ns]"
    assert children["Number of Placements in the Last 12 months"].dtype == "Int64"
    assert set(data.lists) == {LIST_8, LIST_9}


@pytest.mark.parametrize(
    ("codes", "value", "expected"),
    [
        ("YES_NO", "a) Yes", "Yes"), ("YES_NO", "Yes", "Yes"), ("YES_NO", "Y", "Yes"), ("YES_NO", "n", "No"),
        ("YES_NO", "c) Unknown", "Unknown"),
        ("LEGAL_STATUSES", "V2: Single period under S20", "V2"), ("LEGAL_STATUSES", "V2", "V2"),
        ("LEGAL_STATUSES", "Section 20", "V2"), ("LEGAL_STATUSES", "Interim care order", "C1"),
        ("LEGAL_STATUSES", "E1: Placement order", "E1"),
        ("PLACEMENT_TYPES", "c) U3: Foster placement - relative - not FFA", "U3"), ("PLACEMENT_TYPES", "U3", "U3"),
        ("PLACEMENT_TYPES", "Foster placement - relative - not FFA", "U3"),
        ("PLACEMENT_TYPES", "Foster placement - not FFA", "U6"), ("PLACEMENT_TYPES", "Children's homes", "K2"),
        ("PROVIDERS", "e) PR4 - Private provision", "PR4"), ("PROVIDERS", "PR4", "PR4"),
        ("ETHNICITIES", "a) WBRI", "WBRI"), ("ETHNICITIES", "White British", "WBRI"),
        ("ETHNICITIES", "Information not yet obtained", "NOBT"), ("ETHNICITIES", "s) REFU", "REFU"),
        ("ETHNICITIES", "Indian", "AIND"),
        ("GENDERS", "b) Female", "F"), ("GENDERS", "Male", "M"), ("GENDERS", "Female", "F"),
        ("LOCATIONS", "b) Out", "Out"), ("LOCATIONS", "Out of area", "Out"), ("LOCATIONS", "in", "In"),
        ("SUITABILITIES", "Not suitable", "Unsuitable"), ("SUITABILITIES", "a) Suitable", "Suitable"),
        ("IN_TOUCH_CODES", "a) Yes", "YES"), ("IN_TOUCH_CODES", "f) Rhom", "RHOM"),
        ("ACTIVITIES", "Full time in higher education", "F1"),
        ("ACTIVITIES", "Full time in education other than higher", "F2"),
        ("PLACEMENT_TYPES", "Q9: not a placement", None), ("LEGAL_STATUSES", "Care", None),
    ],
)  # fmt: skip
def test_codes_as_the_liia_schema_reads_them(codes: str, value: str, expected: str | None) -> None:
    assert match_code(getattr(reader, codes), value) == expected


def test_headers_in_other_cases_spacing_and_patterns_and_extra_columns(tmp_path: Path) -> None:
    """Trailing spaces, capitals, underscores, 'Age', the UASC header with a stray bracket, curly quotes, and a
    column of the council's own: read as the canonical columns, the extra one passed over."""
    header = [h.upper() + "  " if i % 3 == 0 else h for i, h in enumerate(LIST_8_HEADER)]
    header[4] = "Age"
    header[5] = "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))"
    header[28] = header[28].replace("'", "\u2018", 1).replace("'", "\u2019", 1)
    header[33] = "Allocated_Worker"
    rows = [dict(zip([*header, "Local notes"], [*r.values(), "x"], strict=True)) for r in CHILDREN]
    folder = tmp_path / "annex_a"
    write_csv(folder / "LIST_08.csv", rows)
    data = read_annex_a(folder, month_end=D)
    assert list(data.lists[LIST_8].columns) == LIST_8_HEADER
    assert data.problems.loc[data.problems["severity"] == ERROR].empty
    assert data.lists[LIST_8]["Number of Episodes the Child has been 'Missing' from their Placement in the last "
                              "12 months"].tolist() == [2, 0, 1, 3, 1, 0]  # fmt: skip


def test_a_workbook_with_sheets_named_either_way(tmp_path: Path) -> None:
    """An .xlsx with 'List_8' and ' list 9 ' and a cover sheet; dates as date cells or text; IDs as numbers."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Annex A, synthetic"])
    sheet = book.create_sheet("List_8")
    sheet.append(LIST_8_HEADER)
    for n, row in enumerate(CHILDREN):
        values: list[object] = list(row.values())
        if n == 0:
            values[0] = 1  # a number, as some systems export IDs
            values[7] = datetime(2015, 1, 1)  # a date cell
        sheet.append(values)
    sheet.append([None] * len(LIST_8_HEADER))  # a formatted empty row at the end
    leavers = book.create_sheet(" list 9 ")
    leavers.append(LIST_9_HEADER)
    for row in LEAVERS:
        leavers.append(list(row.values()))
    folder = tmp_path / "annex_a"
    folder.mkdir()
    book.save(folder / "Annex A.xlsx")
    data = read_annex_a(folder, month_end=D)
    assert set(data.lists) == {LIST_8, LIST_9}
    assert data.lists[LIST_8][CHILD_ID].tolist()[0] == "1"
    assert data.lists[LIST_8]["Date Started to be Looked After"].iloc[0] == pd.Timestamp("2015-01-01")
    assert data.problems.loc[data.problems["severity"] == ERROR].empty
    assert headline(folder, "placements_3plus_12m") == (2, 3)


@pytest.mark.skipif(not (LIIA / "HEAD").exists() and not LIIA.exists(), reason="the LIIA mirror is not here")
def test_the_liia_sample_workbook(tmp_path: Path) -> None:
    """LIIA's own sample Annex A (liiatools/spec/annex_a/samples/Annex_A.xlsx): every list read, codes as the
    schema reads them, nothing wrong at 31 March 2021 (List 8's fifth child, row 6, ceased on 22/09/2020: in
    the 12 months, so no problem); at 31 March 2022 that child left care before the 12 months began."""
    blob = subprocess.run(
        ["git", "-C", str(LIIA), "show", "HEAD:liiatools/spec/annex_a/samples/Annex_A.xlsx"],
        capture_output=True, check=False,
    )  # fmt: skip
    if blob.returncode != 0:
        pytest.skip("the LIIA sample workbook is not in the mirror")
    folder = tmp_path / "annex_a"
    folder.mkdir()
    (folder / "Annex_A.xlsx").write_bytes(blob.stdout)
    data = read_annex_a(folder, month_end=date(2021, 3, 31))
    assert {n: len(f) for n, f in data.lists.items()} == {8: 5, 9: 6, 10: 5, 11: 5}
    first = data.lists[LIST_8].iloc[0]
    assert (first[CHILD_ID], first[LEGAL_STATUS], first[PLACEMENT_TYPE], first[PLACEMENT_PROVIDER]) == (
        "1761444", "E1", "U6", "PR4",
    )  # fmt: skip
    assert data.lists[LIST_9]["LA in Touch"].tolist()[0] == "YES"
    assert data.problems.empty
    later = read_annex_a(folder, month_end=date(2022, 3, 31)).problems
    said = later.loc[later["code"] == RULE_NOT_LOOKED_AFTER.code]
    assert said[["row", "column", "severity"]].values.tolist() == [[6, "Date Started to be Looked After", WARNING]]


# --- refusals: one line naming sheet, row and column --------------------------------------------------------------


def only_error(folder: Path) -> pd.Series:
    problems = read_annex_a(folder, month_end=D).problems
    errors = problems.loc[problems["severity"] == ERROR]
    assert len(errors) == 1, errors.to_string()
    return errors.iloc[0]


def test_a_code_no_variant_reads_is_refused_at_its_cell(tmp_path: Path) -> None:
    rows = [child(id="001", started="01/01/2015", placement="Q9: a caravan")]
    write_csv(tmp_path / "annex_a" / "list_8.csv", rows)
    error = only_error(tmp_path / "annex_a")
    assert (error["row"], error["column"], error["value"]) == (2, "Placement Type", "Q9: a caravan")


def test_a_blank_child_id_an_impossible_date_and_a_missing_column(tmp_path: Path) -> None:
    folder = tmp_path / "blank" / "annex_a"
    write_csv(folder / "list_8.csv", [child(id="001", started="01/01/2015"), child(id=" ", started="01/01/2015")])
    assert (only_error(folder)["row"], only_error(folder)["column"]) == (3, CHILD_ID)
    folder = tmp_path / "date" / "annex_a"
    write_csv(folder / "list_8.csv", [child(id="001", started="31/02/2019")])
    error = only_error(folder)
    assert (error["row"], error["column"]) == (2, "Date Started to be Looked After")
    folder = tmp_path / "column" / "annex_a"
    rows = [{k: v for k, v in child(id="001").items() if k != "Placement Type"}]
    write_csv(folder / "list_8.csv", rows)
    error = only_error(folder)
    assert (error["row"], error["column"], error["rule"]) == (
        1,
        "Placement Type",
        "the header has every required column",
    )


def test_a_child_twice_in_a_list_is_said_and_counted_once(tmp_path: Path) -> None:
    rows = [child(id="001", started="01/01/2015", placements="5"), child(id="001", started="01/01/2014")]
    write_csv(tmp_path / "annex_a" / "list_8.csv", rows)
    data = read_annex_a(tmp_path / "annex_a", month_end=D)
    said = data.problems.loc[data.problems["code"] == RULE_DUPLICATE.code]
    assert said["row"].tolist() == [3]  # the earlier period's row; the latest start is kept
    assert data.lists[LIST_8]["Number of Placements in the Last 12 months"].tolist() == [5]
    assert headline(tmp_path / "annex_a", "placements_3plus_12m") == (1, 1)


def test_a_workbook_with_macros_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "annex_a"
    folder.mkdir()
    (folder / "Annex A.xlsm").write_bytes(b"PK\x03\x04")
    error = only_error(folder)
    assert "xlsx" in error["rule"]


def test_no_child_id_date_or_postcode_in_the_problems(tmp_path: Path) -> None:
    rows = [child(id="ZX123", started="01/01/2015", placed="31/13/2019"), child(id="ZX123", started="01/01/2014")]
    write_csv(tmp_path / "annex_a" / "list_8.csv", rows)
    problems = read_annex_a(tmp_path / "annex_a", month_end=D).problems
    text = problems.to_csv()
    assert "ZX123" not in text and "31/13/2019" not in text


def test_lacperf_measures_refuses_a_bad_annex_a_in_one_line(tmp_path: Path) -> None:
    write_csv(tmp_path / MONTH / "annex_a" / "list_8.csv", [child(id="001", started="01/01/2015", legal="Z9")])
    result = subprocess.run(
        [sys.executable, "-m", "lacperf_helpers", "measures", "--returns", str(tmp_path), "--month", MONTH,
         "--out", str(tmp_path / "out.csv"), "--authority", "LA"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith("lacperf:"))
    assert "list_8.csv, row 2, column \"Child's Legal Status\": 'Z9' fails the check" in line


def test_lacperf_measures_computes_annex_a_for_a_month_with_annex_a(annex: Path) -> None:
    returns = annex.parent.parent
    out = returns / "measures.csv"
    result = subprocess.run(
        [sys.executable, "-m", "lacperf_helpers", "measures", "--returns", str(returns), "--month", MONTH,
         "--out", str(out), "--authority", "LA", "--edition", "internal"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out)
    assert set(MEASURES) <= set(table["measure"])
    row = table.loc[(table["measure"] == "missing_12m") & (table["area"] == "LA") & (table["cohort"] == "all")
                    & (table["breakdown"] == "total")]  # fmt: skip
    assert (row["numerator"].iloc[0], row["denominator"].iloc[0]) == (3, 4)


def test_strict_loading_raises_a_validation_error(tmp_path: Path) -> None:
    write_csv(tmp_path / "annex_a" / "list_8.csv", [child(id="001", started="01/01/2015", legal="Z9")])
    with pytest.raises(ValidationError) as raised:
        reader.load_annex_a(tmp_path / "annex_a", month_end=D)
    assert "row 2" in str(raised.value) and "Child's Legal Status" in str(raised.value)


# --- in the month: kpis.yaml's source annex_a, the scorecard, validation and the one decision ---------------------

ANNEX_A_KPIS = """\
kpis:
  - {id: moves, title: Children with 3 or more placements, polarity: L, unit: percent, target: 10, floor: 12,
     source: annex_a, measure: placements_3plus_12m}
  - {id: no_worker, title: Children without a social worker, polarity: L, unit: percent, target: 0, floor: 5,
     source: annex_a, measure: no_allocated_worker}
  - {id: missing, title: Children missing in 12 months, polarity: L, unit: percent, target: 5, floor: 10,
     source: annex_a, measure: missing_12m}
"""


def test_an_annex_a_month_in_the_scorecard(annex: Path, tmp_path: Path) -> None:
    from lacperf_helpers.config.definitions import Settings
    from lacperf_helpers.rate.scorecard import headline as headline_rows
    from tests.conftest import scorecard_for_month

    kpis = tmp_path / "kpis.yaml"
    kpis.write_text(ANNEX_A_KPIS)
    from lacperf_helpers.config.definitions import load_kpis

    card = scorecard_for_month(annex.parent.parent, load_kpis(kpis), MONTH, Settings(authority="LA"))
    la = headline_rows(card, "all").query("area == 'LA'").set_index("kpi_id")
    assert la.loc["moves", ["numerator", "denominator"]].tolist() == [2, 3]
    assert la.loc["no_worker", ["numerator", "denominator"]].tolist() == [2, 3]
    assert la.loc["missing", ["numerator", "denominator"]].tolist() == [3, 4]
    north = headline_rows(card, "all").query("area == 'North'").set_index("kpi_id")
    assert north.loc["moves", ["numerator", "denominator"]].tolist() == [1, 1]  # A


def test_a_kpi_names_an_annex_a_measure_of_its_unit(tmp_path: Path) -> None:
    from lacperf_helpers.config.definitions import load_kpis
    from lacperf_helpers.config.errors import InputError

    kpis = tmp_path / "kpis.yaml"
    kpis.write_text(ANNEX_A_KPIS.replace("placements_3plus_12m", "cla_count"))
    with pytest.raises(InputError, match="source annex_a needs a measure"):
        load_kpis(kpis)
    kpis.write_text(ANNEX_A_KPIS.replace("unit: percent, target: 10", "unit: number, target: 10"))
    with pytest.raises(InputError, match="placements_3plus_12m is a percent"):
        load_kpis(kpis)


def test_the_month_validates_annex_a_and_stops_on_its_errors(annex: Path, tmp_path: Path) -> None:
    from lacperf_helpers.config.errors import InputError
    from lacperf_helpers.config.inputs import Inputs
    from lacperf_helpers.month.data import month_data, validate_month

    kpis = tmp_path / "kpis.yaml"
    kpis.write_text(ANNEX_A_KPIS)
    settings = tmp_path / "settings.yaml"
    settings.write_text("authority: LA\n")
    inputs = Inputs.of(returns=annex.parent.parent, kpis=kpis, settings=settings, benchmarks="")
    found = validate_month(MONTH, inputs=inputs)
    said = found.loc[found["code"] == RULE_NOT_LOOKED_AFTER.code]
    assert said["row"].tolist() == [7]  # F ceased before the 12 months (C left in them: no problem)
    data = month_data(MONTH, inputs=inputs)
    assert set(data.figures.loc[data.figures["month"] == MONTH, "kpi_id"]) == {"moves", "no_worker", "missing"}
    # the area South has one looked-after child (B): its counts of 1 are hidden in the public edition
    hidden = data.hidden.loc[(data.hidden["area"] == "South") & (data.hidden["kpi_id"] == "moves")]
    assert len(hidden)
    rows = list(csv.reader((annex / "List 8.csv").open()))
    rows[2][11] = "Z9"  # B's legal status: no code
    with (annex / "List 8.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(InputError, match='row 3, column "Child\'s Legal Status"'):
        month_data(MONTH, inputs=inputs)


def test_the_explorer_explores_an_annex_a_measure(annex: Path) -> None:
    from lacperf_helpers.present.explore import choices, cohort_table

    assert "no_allocated_worker" in set(choices()["measure"])
    table = cohort_table(annex.parent.parent, [MONTH], "no_allocated_worker", "all", "total", "LA", edition="internal")
    la = table.loc[table["area"] == "LA"]
    assert la["figure"].tolist() == ["2 of 3"]  # B blank, E "Unallocated"
    public = cohort_table(annex.parent.parent, [MONTH], "no_allocated_worker", "all", "total", "LA")
    assert public.loc[public["area"] == "LA", "withheld"].iloc[0] != ""  # 2 children: not published


def test_a_month_with_an_annex_a_and_no_return_says_so(annex: Path, kpis_file: Path) -> None:
    """The conftest's KPIs are the return's: a month with only an Annex A would read No data for them."""
    from lacperf_helpers.config.definitions import load_kpis
    from lacperf_helpers.config.errors import InputError
    from lacperf_helpers.measures.figures import load_returns_to

    with pytest.raises(InputError, match="no return for 2019-09, though it has SSDA903 data or an Annex A"):
        load_returns_to(annex.parent.parent, MONTH, load_kpis(kpis_file))


def test_an_annex_a_file_that_is_not_a_file_is_one_problem(tmp_path: Path) -> None:
    folder = tmp_path / "annex_a"
    (folder / "list_8.csv").mkdir(parents=True)  # a folder where the list should be
    (folder / "Annex A.xlsx").write_bytes(b"not a zip")
    problems = read_annex_a(folder, month_end=D).problems
    assert sorted(Path(f).name for f in problems["file"]) == ["Annex A.xlsx", "list_8.csv"]
    assert set(problems["severity"]) == {ERROR}


def test_a_disability_cohort(annex: Path, tmp_path: Path) -> None:
    """B has a disability; A and E have none; C and F are not looked after at D. SSDA903 records no disability:
    none of its children is in either cohort."""
    rows = list(csv.reader((annex / "List 8.csv").open()))
    rows[2][6] = "a) Yes"  # B
    rows[5][6] = "c) Unknown"  # E: not known, in neither cohort
    with (annex / "List 8.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    cohorts_file = tmp_path / "cohorts.yaml"
    cohorts_file.write_text(
        "cohorts:\n  - name: all\n  - name: disabled\n    disability: true\n  - name: not disabled\n"
        "    disability: false\n"
    )
    cohorts = load_cohorts(cohorts_file)
    table = annex_a_measure_table(read_annex_a(annex, month_end=D), MONTH, "LA", ["no_allocated_worker"], cohorts)
    rows_la = table.loc[(table["area"] == "LA") & (table["breakdown"] == "total")].set_index("cohort")
    assert rows_la.loc["disabled", ["numerator", "denominator"]].tolist() == [1, 1]  # B, no worker
    assert rows_la.loc["not disabled", ["numerator", "denominator"]].tolist() == [0, 1]  # A
    from lacperf_helpers.measures.registry import measure_table
    from tests.test_measures import EPISODES, HEADER, extract

    month = tmp_path / "returns" / "2019-06"
    month.mkdir(parents=True)
    extract(month, EPISODES, HEADER)
    from lacperf_helpers.ingest.ssda903 import load_903

    ssda903 = measure_table(load_903(month / "903"), "2019-06", "LA", ["cla_count"], cohorts)
    counted = ssda903.loc[(ssda903["breakdown"] == "total") & (ssda903["area"] == "LA")].set_index("cohort")
    assert counted.loc["all", "numerator"] == 5
    assert counted.loc["disabled", "numerator"] == 0 and counted.loc["not disabled", "numerator"] == 0


def test_the_validation_report_names_month_folder_file_and_sheet() -> None:
    from lacperf_helpers.ingest.validation import short_path

    assert (
        short_path("/r/2019-09/annex_a/Annex A.xlsx, sheet 'List 8'") == "2019-09/annex_a/Annex A.xlsx, sheet 'List 8'"
    )
    assert short_path("/r/2019-09/annex_a/list_8.csv") == "2019-09/annex_a/list_8.csv"


def test_the_annex_a_benchmark_runs_and_prints_its_figures() -> None:
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "annex_a.py"
    printed = subprocess.run(
        [sys.executable, str(script), "--children", "30"], check=True, capture_output=True, text=True
    ).stdout
    assert "     CSV      30 children: read in" in printed and "workbook      30 children: read in" in printed


def test_an_empty_list_sheet_is_refused_at_the_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "List 8"  # nothing in it
    folder = tmp_path / "annex_a"
    folder.mkdir()
    book.save(folder / "Annex_A.xlsx")
    error = only_error(folder)
    assert error["file"].endswith("Annex_A.xlsx, sheet 'List 8'") and error["code"] == reader.RULE_HEADER.code


def test_each_pair_of_twins_counts_the_same_children_on_every_row(annex: Path) -> None:
    """SAME_CHILDREN: disclosure control hides the two counts together, so they must agree everywhere."""
    from lacperf_helpers.measures.annex_a import SAME_CHILDREN

    table = annex_a_measure_table(read_annex_a(annex, month_end=D), MONTH, "LA")
    keys = ["area", "cohort", "breakdown", "group"]
    checked = 0
    for (one, count), (other, its) in SAME_CHILDREN:
        if one not in MEASURES or other not in MEASURES:
            continue  # a twin in SSDA903's measures: the sample's test checks it
        left = table.loc[table["measure"] == one].set_index(keys)[count]
        right = table.loc[table["measure"] == other].set_index(keys)[its]
        together = pd.concat([left, right], axis=1, keys=["one", "other"]).fillna(0)
        assert (together["one"] == together["other"]).all(), (one, other)
        checked += 1
    assert checked == len(SAME_CHILDREN) - 1


def test_a_pathway_plan_review_falls_due_six_months_on_counted_forward(tmp_path: Path) -> None:
    """At 31 August 2019: a review on 28 February 2019 was due by 28 August (overdue); one on 1 March is due by 1
    September (in time). Counting six months back from 31 August would have passed both."""
    folder = tmp_path / "2019-08" / "annex_a"
    write_csv(folder / "list_8.csv", CHILDREN)
    write_csv(folder / "list_9.csv", [
        leaver("201", "b) Former relevant child", "01/01/2000", "Y", "U", "Suitable", "F1", "28/02/2019"),
        leaver("202", "b) Former relevant child", "01/01/2000", "Y", "U", "Suitable", "F1", "01/03/2019"),
    ])  # fmt: skip
    at = date(2019, 8, 31)
    table = annex_a_measure_table(read_annex_a(folder, month_end=at), "2019-08", "LA", ["pathway_plan_up_to_date"])
    row = table.loc[(table["cohort"] == "all") & (table["breakdown"] == "total") & (table["area"] == "LA")]
    assert (float(row["numerator"].iloc[0]), float(row["denominator"].iloc[0])) == (1, 2)
