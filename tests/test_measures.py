"""SSDA903 measures on hand-built episode histories, one rule at a time; month end D = 30 June 2019.

The 12 months to D run from 1 July 2018; "30 months before D" is 31 December 2016 (30 June less 30 months);
the 24 months to D run after 30 June 2017.
"""

from pathlib import Path
from textwrap import dedent

import pandas as pd
import pytest

from lacperf_helpers.ingest.ssda903 import Ssda903, identify, load_903
from lacperf_helpers.measures.registry import MEASURES, age_at, measure_table, measure_tables, uasc_at

# A child's overlapping episodes (a DfE validation error) are warned of, naming the episode that describes the child
OVERLAP = (
    "one child's episodes do not overlap (where they do, the one begun later gives the child's legal status "
    "and placement)"
)
# The DfE validator's fake SSDA903 tables, kept with their licence and source in tests/data (see its README).
VALIDATOR_FAKE = Path(__file__).parent / "data" / "903-validator-fake"


@pytest.fixture
def validator_fake() -> Path:
    return VALIDATOR_FAKE


D = pd.Timestamp("2019-06-30")
EPISODES_HEADER = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def extract(tmp_path: Path, episodes: str, header: str, uasc: str = "", missing: str = "", areas: str = "") -> Ssda903:
    folder = tmp_path / "903"
    folder.mkdir(exist_ok=True)
    (folder / "episodes.csv").write_text(EPISODES_HEADER + dedent(episodes))
    (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n" + dedent(header))
    (folder / "uasc.csv").write_text("CHILD,SEX,DOB,DUC\n" + dedent(uasc))
    (folder / "missing.csv").write_text("CHILD,DOB,MISSING,MIS_START,MIS_END\n" + dedent(missing))
    if areas:
        (folder / "child_area.csv").write_text("CHILD,AREA\n" + dedent(areas))
    return load_903(folder)


def rows(data: Ssda903, measure: str) -> pd.DataFrame:
    return MEASURES[measure].compute(data, D).sort_values("CHILD").reset_index(drop=True)


# Children, each illustrating one rule:
#   001 an X1 chain: three episodes of one period of care, the placement changing twice (RNE P), still looked after
#   002 a legal-status-only change (RNE L) and a same-carer move (RNE U)
#   003 a short break series (LS V3) only: never counted
#   004 an episode ending on D itself: not looked after at D, ceased in June with E11 (adopted)
#   005 in care since 2015, turns 16 on D; 006 the same but 15 on D; no change of carer since 2016
#   007 a UASC whose UASC status ends (DUC, the 18th birthday) on 1 July 2019, the day after D
EPISODES = """\
001,01/01/2018,S,C2,N1,U1,PR1,01/09/2018,X1,,,,
001,01/09/2018,P,C2,N1,U2,PR1,01/03/2019,X1,,,,
001,01/03/2019,P,C2,N1,U3,PR1,,,,,,
002,01/02/2018,S,V2,N1,U1,PR1,01/10/2018,X1,,,,
002,01/10/2018,L,C2,N1,U1,PR1,01/12/2018,X1,,,,
002,01/12/2018,U,C2,N1,U1,PR1,,,,,,
003,01/03/2019,S,V3,N1,U1,PR1,05/03/2019,E8,,,,
004,01/01/2017,S,C2,N1,A3,PR1,30/06/2019,E11,,,,
005,01/06/2015,S,C2,N1,U1,PR1,01/06/2016,X1,,,,
005,01/06/2016,P,C2,N1,U2,PR1,,,,,,
006,01/06/2015,S,C2,N1,U1,PR1,01/06/2016,X1,,,,
006,01/06/2016,P,C2,N1,R1,PR1,,,,,,
007,10/06/2019,S,V2,N1,U1,PR1,,,,,,
"""
HEADER = """\
001,1,01/01/2010,WBRI,,,
002,2,01/01/2012,MWBC,,,
003,1,01/01/2011,REFU,,,
004,2,01/01/2016,ABAN,,,
005,1,30/06/2003,BAFR,,,
006,2,01/07/2003,WBRI,,,
007,1,01/07/2001,OOTH,,,
"""


@pytest.fixture
def data(tmp_path: Path) -> Ssda903:
    return extract(
        tmp_path, EPISODES, HEADER, uasc="007,1,01/07/2001,01/07/2019\n",
        missing="001,01/01/2010,M,15/06/2019,16/06/2019\n002,01/01/2012,A,15/06/2019,16/06/2019\n"
                "006,01/07/2003,M,15/05/2019,16/05/2019\n",
        areas="001,South Kent\n002,South Kent\n004,North Kent\n",
    )  # fmt: skip


def test_looked_after_leaves_out_short_breaks_and_episodes_ending_on_d(data: Ssda903) -> None:
    assert rows(data, "cla_count")["CHILD"].tolist() == ["001", "002", "005", "006", "007"]


def test_starts_and_ceased(data: Ssda903) -> None:
    assert rows(data, "cla_starts")["CHILD"].tolist() == ["007"]  # 003's June start is a short break: not counted
    assert rows(data, "cla_ceased")["CHILD"].tolist() == ["004"]  # X1 endings are changes within care


def test_short_term_stability_counts_placements_not_legal_changes(data: Ssda903) -> None:
    counted = rows(data, "placement_stability_short").set_index("CHILD")["numerator"].to_dict()
    # 001: open on 1 July 2018, then P on 1 Sep 2018 and P on 1 Mar 2019: 3 placements
    # 002: open on 1 July 2018, L (legal status only) not counted, U (same carer, new placement) counted: 2
    assert counted == {"001": True, "002": False, "005": False, "006": False, "007": False}


def test_long_term_stability_needs_under_16_and_30_months_in_care(data: Ssda903) -> None:
    # 005 turns 16 on D: left out. 006 is 15, in care since June 2015, last change of carer June 2016: counted.
    # 001, 002 and 007 began care less than 30 months before D.
    result = rows(data, "placement_stability_long")
    assert result[["CHILD", "numerator"]].values.tolist() == [["006", True]]
    assert age_at(data, D).loc["005"] == 16 and age_at(data, D).loc["006"] == 15


def test_adopted_of_leavers(data: Ssda903) -> None:
    result = rows(data, "adopted_of_leavers")
    assert result[["CHILD", "numerator"]].values.tolist() == [["004", True]]  # 003's E8 was a short break


def test_missing_in_month_counts_missing_not_away(data: Ssda903) -> None:
    assert rows(data, "missing_in_month")["CHILD"].tolist() == ["001"]  # 002 was away (A); 006 went missing in May


def test_missing_in_month_share_is_of_every_child_looked_after_in_the_month(data: Ssda903) -> None:
    result = rows(data, "missing_in_month_share")
    # 003 had short breaks only; 004 was looked after in June until it ended on D; 007 came into care on 10 June
    assert result["CHILD"].tolist() == ["001", "002", "004", "005", "006", "007"]
    assert result.loc[result["numerator"], "CHILD"].tolist() == ["001"]  # 1 of 6: 002 was away, 006 missing in May
    assert result.set_index("CHILD")["as_at"].loc[["001", "004"]].tolist() == [pd.Timestamp("2019-06-15"), D]


def test_a_uasc_is_uasc_until_the_day_status_ends(data: Ssda903) -> None:
    assert uasc_at(data, D).tolist() == ["007"]  # DUC 1 July 2019 is after D
    assert uasc_at(data, pd.Timestamp("2019-07-01")).tolist() == []


def test_the_table_by_cohort_breakdown_and_area(data: Ssda903) -> None:
    table = measure_table(data, "2019-06", "Kent", ["cla_count", "placement_stability_short", "missing_in_month"])
    key = ["area", "measure", "cohort", "breakdown", "group"]
    got = table.set_index(key)[["numerator", "denominator", "value"]]
    assert got.loc[("Kent", "cla_count", "all", "total", "all")].tolist()[0] == 5
    assert got.loc[("Kent", "cla_count", "excluding UASC", "total", "all")].tolist()[0] == 4
    assert got.loc[("South Kent", "cla_count", "all", "total", "all")].tolist()[0] == 2
    short = got.loc[("Kent", "placement_stability_short", "all", "total", "all")].tolist()
    assert short == [1.0, 5.0, 20.0]  # 1 of 5 children
    assert got.loc[("Kent", "cla_count", "all", "legal_status", "V2")].tolist()[0] == 1  # 007
    assert got.loc[("Kent", "cla_count", "all", "age_band", "16 and over")].tolist()[0] == 2  # 005 and 007
    assert got.loc[("Kent", "cla_count", "all", "ethnicity", "White")].tolist()[0] == 2  # 001 and 006
    assert got.loc[("Kent", "cla_count", "all", "placement_type", "Residential")].tolist()[0] == 1  # 006 in R1
    assert got.loc[("North Kent", "missing_in_month", "all", "total", "all")].tolist()[0] == 0  # a zero is a row


def test_a_history_from_one_extract_adds_up_each_month_on_its_own(data: Ssda903) -> None:
    table = measure_tables(data, ["2018-06", "2019-06"], "Kent", ["cla_count", "cla_starts"])
    headline = table.loc[(table["breakdown"] == "total") & (table["cohort"] == "excluding UASC")]
    got = headline.set_index(["month", "area", "measure"])["numerator"].to_dict()
    assert got[("2018-06", "Kent", "cla_count")] == 5  # 001, 002, 004, 005, 006; 007 not yet in care
    assert got[("2018-06", "North Kent", "cla_count")] == 1  # 004, whose episode ends on 30 June 2019
    assert got[("2019-06", "North Kent", "cla_count")] == 0
    assert got[("2019-06", "Kent", "cla_count")] == 4  # 001, 002, 005, 006: 007 is UASC
    assert got[("2018-06", "Kent", "cla_starts")] == 0 and got[("2019-06", "Kent", "cla_starts")] == 0
    assert table["month"].drop_duplicates().tolist() == ["2018-06", "2019-06"]
    june = measure_table(data, "2019-06", "Kent", ["cla_count", "cla_starts"])
    assert table.loc[table["month"] == "2019-06"].reset_index(drop=True).equals(june)


def test_one_year_stitched_over_another(tmp_path: Path) -> None:
    folder = tmp_path / "903"
    folder.mkdir()
    (folder / "2018-episodes.csv").write_text(
        EPISODES_HEADER + "001,01/01/2018,S,C2,N1,U1,PR1,,,,,,\n002,01/02/2018,S,C2,N1,U1,PR1,,,,,,\n"
    )
    (folder / "2019-episodes.csv").write_text(EPISODES_HEADER + "001,01/01/2018,S,C2,N1,U1,PR1,01/03/2019,E11,,,,\n")
    (folder / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n001,M,01/01/2010,WBRI,,,\n002,F,01/01/2010,WBRI,,,\n"
    )
    data = load_903(folder)
    episodes = data.table("episodes").set_index("CHILD")
    assert episodes.loc["001", "REC"] == "E11"  # the later year's version wins
    assert pd.isna(episodes.loc["002", "DEC"])  # kept as the earlier file has it...
    assert data.problems[["file", "row", "column", "severity"]].values.tolist() == [  # ...and counted as a warning
        [str(folder / "2018-episodes.csv"), 3, "DEC", "warning"]
    ]
    assert data.table("header")["SEX"].tolist() == ["M", "F"]


def test_tables_are_known_by_their_columns() -> None:
    assert identify(["CHILD", "SEX", "DOB", "DUC"]) == "uasc"
    assert identify(["child", "sex", "dob", "ethnic", "upn", "mother", "mc_dob"]) == "header"
    assert identify(["CHILD", "DOB", "SW_ID"]) is None


def test_a_bad_date_is_named(tmp_path: Path) -> None:
    from lacperf_helpers.config.errors import InputError

    with pytest.raises(
        InputError,
        match=r"episodes.csv, row 2, column 'DECOM': DECOM is a real date",  # a date is never echoed
    ):
        extract(tmp_path, "001,31/02/2019,S,C2,N1,U1,PR1,,,,,,\n", "001,1,01/01/2010,WBRI,,,\n")


def test_the_dfe_validators_fake_data_loads_and_measures(validator_fake: Path) -> None:
    data = load_903(validator_fake)
    assert {"header", "episodes", "uasc", "missing", "oc2", "oc3", "reviews"} <= set(data.tables)
    assert data.table("header")["CHILD"].str.isdigit().all()  # CHILD stays text
    # what breaks the DfE's rules is reported as warnings, not a crash: files lacperf does not read, the
    # reviews a file lists twice, and one child's overlapping episodes
    counts = data.problems.groupby(["severity", "rule"]).size().to_dict()
    assert counts == {
        ("warning", OVERLAP): 72,
        ("warning", "one row per CHILD x REVIEW in a file (the last is kept)"): 14,
        ("warning", "the file holds an SSDA903 table lacperf reads"): 2,
    }
    not_read = data.problems.loc[data.problems["rule"] == "the file holds an SSDA903 table lacperf reads", "file"]
    assert {Path(f).name for f in not_read} == {"DoLo.csv", "sw_episodes.csv"}
    table = measure_table(data, "2018-03", "Fakeshire")
    headline = table.loc[(table["breakdown"] == "total") & (table["cohort"] == "all")]
    assert set(headline["measure"]) == set(MEASURES)
    assert (headline["numerator"] >= 0).all()


def test_every_measure_has_its_metadata_and_runs_on_an_empty_extract() -> None:
    empty = Ssda903({})
    for measure in MEASURES.values():
        assert measure.title and measure.definition and measure.unit in ("count", "percent")
        assert measure.polarity in ("H", "L")
        result = measure.compute(empty, D)
        # a measure of events also says when each happened (its cohort is read as the child was then)
        assert list(result.columns)[:3] == ["CHILD", "numerator", "denominator"] and result.empty
        assert list(result.columns)[3:] in ([], ["as_at"])


def test_lacperf_measures_on_the_validators_fake_data(tmp_path: Path, validator_fake: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from lacperf_helpers.cli import app

    shutil.copytree(validator_fake, tmp_path / "returns" / "2018-03" / "903")
    out = tmp_path / "measures.csv"
    args = ["measures", "--returns", str(tmp_path / "returns"), "--month", "2018-03", "--authority", "Fakeshire"]
    # the internal edition: every figure, so that none dropped shows (the public one hides the small ones)
    result = CliRunner().invoke(app, [*args, "--measure", "cla_count", "--out", str(out), "--edition", "internal"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype={"group": str})
    assert list(table.columns) == ["month", "area", "measure", "cohort", "breakdown", "group", "numerator",
                                   "denominator", "value", "withheld", "edition"]  # fmt: skip
    by_age = table.loc[(table["cohort"] == "all") & (table["breakdown"] == "age_band"), "numerator"].sum()
    total = table.loc[(table["cohort"] == "all") & (table["breakdown"] == "total"), "numerator"].iloc[0]
    assert by_age == total  # every child is in one age band: none dropped
    assert "data quality: DoLo.csv: 1 x the file holds an SSDA903 table lacperf reads" in result.output
    assert f"data quality: episodes.csv: 72 x {OVERLAP}" in result.output
    bad = CliRunner().invoke(app, [*args, "--measure", "nope", "--out", str(out)])
    assert bad.exit_code == 2 and "no measure nope" in bad.output


OC2_HEADER = (
    "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,"
    "SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\n"
)


def test_care_leavers_and_health_from_oc3_and_oc2(tmp_path: Path) -> None:
    folder = tmp_path / "903"
    folder.mkdir()
    # 201 and 202 in care since 2017: looked after continuously for 12 months at 31 March 2019 (the last by D)
    (folder / "episodes.csv").write_text(
        EPISODES_HEADER + "201,01/01/2017,S,C2,N1,U1,PR1,,,,,,\n202,01/01/2017,S,C2,N1,U1,PR1,,,,,,\n"
    )
    (folder / "oc3.csv").write_text(
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
        "101,01/01/1999,YES,F2,B1\n"  # in touch, in education, suitable (B1)
        "102,01/01/1999,NO,G4,B2\n"  # not in touch, not EET (G4), unsuitable (B2)
        "103,01/01/1999,YES,P3,0\n"  # in touch, part-time training or employment, accommodation not known
        "104,01/01/1999,DIED,,\n"  # died: left out of every care-leaver measure
    )
    (folder / "oc2.csv").write_text(
        OC2_HEADER + "201,01/01/2008,10,,0,1,1,1,1,0,0,0\n202,01/01/2009,,SDQ1,0,1,1,0,1,0,0,0\n"
    )
    data = load_903(folder)

    def counted(measure: str) -> tuple[int, int]:
        result = MEASURES[measure].compute(data, D)
        return int(result["numerator"].sum()), len(result)

    assert counted("care_leavers_in_touch") == (2, 3)
    assert counted("care_leavers_eet") == (2, 3)
    assert counted("care_leavers_suitable_accommodation") == (1, 3)
    assert counted("health_assessment") == (2, 2)
    assert counted("dental_check_903") == (1, 2)


# The DfE's definitions where they differ from a plain reading of the episodes (docs/ssda903-measures.md):
#   010 in care (RNE P, the start of care not on record) since 1 Jan 2016, same carer: counted as long-term stable
#   011 in care from 2015, left on 1 Jun 2017 (E13), back on 1 Jul 2017: not 2.5 years continuously
#   012 with one foster carer since Jan 2016, placed for adoption with new carers (A4) on 1 Dec 2018: stable
#   013 the same but the December 2018 move is to another foster carer (U2): not stable
#   014 with one foster carer since Jan 2016 but for a hospital stay (T1) in March 2019, back to that carer: stable
#   020 ceased twice in the 12 months (E13 in September 2018, adopted E11 in March 2019): one leaver, adopted
#   021 ceased twice in June 2019 (E13 on 3 June, E4A on 20 June): one child ceased in the month
#   030 one placement open on 1 Jul 2018, a hospital stay (T1) and the return to the same carer, then a move: 2
#   031 one placement, placed for adoption with that foster carer (A5), then a move: 2
#   032 one placement then two moves: 3
DFE_EPISODES = """\
010,01/01/2016,P,C2,N1,U1,PR1,,,,,,
011,01/01/2015,S,C2,N1,U1,PR1,01/06/2017,E13,,,,
011,01/07/2017,S,C2,N1,U1,PR1,,,,,,
012,01/01/2016,S,C2,N1,U1,PR1,01/12/2018,X1,,,,
012,01/12/2018,P,E1,N1,A4,PR1,,,,,,
013,01/01/2016,S,C2,N1,U1,PR1,01/12/2018,X1,,,,
013,01/12/2018,P,C2,N1,U2,PR1,,,,,,
014,01/01/2016,S,C2,N1,U1,PR1,01/03/2019,X1,,,,1000003
014,01/03/2019,P,C2,N1,T1,PR1,08/03/2019,X1,,,,
014,08/03/2019,P,C2,N1,U1,PR1,,,,,,1000003
020,01/01/2018,S,C2,N1,U1,PR1,01/09/2018,E13,,,,
020,01/12/2018,S,C2,N1,U1,PR1,01/03/2019,E11,,,,
021,01/05/2019,S,V2,N1,U1,PR1,03/06/2019,E13,,,,
021,10/06/2019,S,V2,N1,U1,PR1,20/06/2019,E4A,,,,
030,01/01/2018,S,C2,N1,U1,PR1,01/08/2018,X1,,,,1000001
030,01/08/2018,P,C2,N1,T1,PR1,10/08/2018,X1,,,,
030,10/08/2018,P,C2,N1,U1,PR1,01/01/2019,X1,,,,1000001
030,01/01/2019,P,C2,N1,U2,PR1,,,,,,1000002
031,01/01/2018,S,C2,N1,U1,PR1,01/09/2018,X1,,,,
031,01/09/2018,T,E1,N1,A5,PR1,01/02/2019,X1,,,,
031,01/02/2019,P,E1,N1,U3,PR1,,,,,,
032,01/01/2018,S,C2,N1,U1,PR1,01/09/2018,X1,,,,
032,01/09/2018,P,C2,N1,U2,PR1,01/02/2019,X1,,,,
032,01/02/2019,P,C2,N1,U3,PR1,,,,,,
"""
DFE_HEADER = "".join(
    f"{child},1,01/01/2010,WBRI,,,\n"
    for child in ("010", "011", "012", "013", "014", "020", "021", "030", "031", "032")
)


@pytest.fixture
def dfe(tmp_path: Path) -> Ssda903:
    return extract(tmp_path, DFE_EPISODES, DFE_HEADER)


def test_long_term_stability_follows_continuous_care_and_the_adoption_rule(dfe: Ssda903) -> None:
    # 30 months before D is 31 Dec 2016. 030-032 began care in 2018: out of scope.
    result = rows(dfe, "placement_stability_long").set_index("CHILD")["numerator"].to_dict()
    assert result == {"010": True, "012": True, "013": False, "014": True}


def test_a_period_begun_before_the_extract_is_counted_not_warned(dfe: Ssda903) -> None:
    from lacperf_helpers.measures.registry import care_periods, data_quality

    periods = care_periods(dfe).set_index(["CHILD", "DECOM"])
    assert periods.loc[("011", pd.Timestamp("2017-07-01")), "period_start"] == pd.Timestamp("2017-07-01")
    assert periods.loc[("012", pd.Timestamp("2018-12-01")), "period_start"] == pd.Timestamp("2016-01-01")
    assert not periods.loc[("010", pd.Timestamp("2016-01-01")), "start_known"]
    # 010's start is not on record, but it is more than 30 months back: nothing is unsure, nothing is warned
    assert (data_quality(dfe, D)["column"] == "RNE").sum() == 0


def test_only_the_last_occasion_a_child_ceased_counts(dfe: Ssda903) -> None:
    adopted = rows(dfe, "adopted_of_leavers")
    # 12 months from 1 Jul 2018: 020 (last ceased March 2019, E11) and 021 (last ceased June 2019, E4A)
    assert adopted[["CHILD", "numerator"]].values.tolist() == [["020", True], ["021", False]]
    assert rows(dfe, "cla_ceased")["CHILD"].tolist() == ["021"]  # once, though 021 ceased twice in June


def test_three_or_more_placements_leave_out_temporary_ones_and_adoption_by_the_carer(dfe: Ssda903) -> None:
    counted = rows(dfe, "placement_stability_short").set_index("CHILD")["numerator"].to_dict()
    assert (counted["030"], counted["031"], counted["032"]) == (False, False, True)


def test_a_folder_without_a_readable_episodes_table_is_an_error(tmp_path: Path) -> None:
    from lacperf_helpers.config.errors import InputError

    folder = tmp_path / "903"
    folder.mkdir()
    (folder / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n001,1,01/01/2010,WBRI,,,\n")
    (folder / "episodes.csv").write_text(EPISODES_HEADER.replace(",", ";") + "001;01/01/2018;S;C2;N1;U1;PR1;;;;;;\n")
    with pytest.raises(InputError) as caught:
        load_903(folder)
    problems = caught.value.problems  # type: ignore[attr-defined]
    rules = dict(zip(problems["file"].map(lambda f: Path(f).name), problems["rule"], strict=True))
    assert rules["episodes.csv"] == "the first row names the DfE's columns (CHILD, ...), separated by commas"
    assert rules["903"].startswith("the folder holds an SSDA903 episodes table (CHILD, DECOM, RNE, LS, ...)")
    (folder / "episodes.csv").write_text("001,01/01/2018,S,C2,N1,U1,PR1,,,,,,\n")  # no header row
    with pytest.raises(InputError, match=r"episodes\.csv, row 1: the first row names the DfE's columns"):
        load_903(folder)


def test_a_child_in_no_area_is_counted_in_area_not_known_and_warned_of(tmp_path: Path) -> None:
    from lacperf_helpers.config import paths
    from lacperf_helpers.config.vocabulary import AREA_NOT_KNOWN
    from lacperf_helpers.measures.registry import RULE_AREA_KNOWN, data_quality
    from tests.conftest import copy_sample_month

    folder = copy_sample_month(tmp_path, "2019-09") / "903"
    at = pd.Timestamp("2019-09-30")
    looked_after = set(measure_children_at(load_903(folder), at))
    areas = (folder / "child_area.csv").read_text().splitlines()
    dropped = [line for line in areas[1:] if line.split(",")[0] in looked_after][:2]
    (folder / "child_area.csv").write_text("\n".join(line for line in areas if line not in dropped) + "\n")
    data = load_903(folder)
    table = measure_table(data, "2019-09", "Kent", ["cla_count"])
    headline = table.loc[(table["cohort"] == "all") & (table["breakdown"] == "total")].set_index("area")["numerator"]
    assert headline[AREA_NOT_KNOWN] == 2  # the two children, in an area of their own
    assert headline.drop("Kent").sum() == headline["Kent"]  # so the areas add up to the authority again
    warned = data_quality(data, at, folder)
    assert (warned["rule"] == RULE_AREA_KNOWN.text).sum() == 2
    assert set(warned.loc[warned["rule"] == RULE_AREA_KNOWN.text, "code"]) == {"LP303"}
    # where every child has an area, there is no such area
    assert AREA_NOT_KNOWN not in set(measure_table(load_903(paths.SAMPLE_RETURNS / "2019-09" / "903"), "2019-09",
                                                   "Kent", ["cla_count"])["area"])  # fmt: skip


def measure_children_at(data: Ssda903, at: pd.Timestamp) -> list[str]:
    from lacperf_helpers.measures.registry import open_at

    episodes = data.table("episodes")
    return list(episodes.loc[open_at(episodes, at), "CHILD"].unique())


def test_every_measure_a_kpi_can_name_is_registered_with_its_unit() -> None:
    """KPI definitions are checked against the vocabulary; each name there has its function here."""
    from lacperf_helpers.config.vocabulary import MEASURE_UNITS

    assert {m.id: m.unit for m in MEASURES.values()} == MEASURE_UNITS


# Issue 25: the DfE's definitions, each rule on hand-built children (D = 30 June 2019; the 12 months from 1 Jul 2018)
#   040 in a hospital stay (T1) on 1 Jul 2018, then two new foster carers: the stay is no placement, so 2
#   041 the same, but back from hospital to the carer left for it, then two moves: that carer is the one held, 3
#   042 short breaks (V3) from March 2018, then full-time care (RNE L, C2) in September and two moves: 3
#   043 starts care placed for adoption with the foster carer (A3, RNE S) in August 2018, then two moves: 3
#   044 first on record in October 2018 (RNE L: the extract starts inside the 12 months), then two moves: 3
#   050 started twice in June 2019 (E13 between): one start
#   051 started in September 2018 and again in March 2019: one child started in the 12 months
#   060 adopted (E11) on 1 Nov 2018 aged 15; 16 by D: an adopted leaver aged 10-15
SECOND_EPISODES = """\
040,01/01/2018,S,C2,N1,U1,PR1,20/06/2018,X1,,,,1000040
040,20/06/2018,P,C2,N1,T1,PR1,10/07/2018,X1,,,,
040,10/07/2018,P,C2,N1,U2,PR1,01/01/2019,X1,,,,1000041
040,01/01/2019,P,C2,N1,U3,PR1,,,,,,1000042
041,01/01/2018,S,C2,N1,U1,PR1,20/06/2018,X1,,,,1000050
041,20/06/2018,P,C2,N1,T1,PR1,10/07/2018,X1,,,,
041,10/07/2018,P,C2,N1,U1,PR1,01/10/2018,X1,,,,1000050
041,01/10/2018,P,C2,N1,U2,PR1,01/01/2019,X1,,,,1000051
041,01/01/2019,P,C2,N1,U3,PR1,,,,,,1000052
042,01/03/2018,S,V3,N1,U1,PR1,01/09/2018,X1,,,,
042,01/09/2018,L,C2,N1,U1,PR1,01/01/2019,X1,,,,
042,01/01/2019,P,C2,N1,U2,PR1,01/04/2019,X1,,,,
042,01/04/2019,P,C2,N1,U3,PR1,,,,,,
043,01/08/2018,S,E1,N1,A3,PR1,01/12/2018,X1,,,,
043,01/12/2018,P,C2,N1,U1,PR1,01/03/2019,X1,,,,
043,01/03/2019,P,C2,N1,U2,PR1,,,,,,
044,01/10/2018,L,C2,N1,U1,PR1,01/01/2019,X1,,,,
044,01/01/2019,P,C2,N1,U2,PR1,01/04/2019,X1,,,,
044,01/04/2019,P,C2,N1,U3,PR1,,,,,,
050,02/06/2019,S,V2,N1,U1,PR1,10/06/2019,E13,,,,
050,20/06/2019,S,V2,N1,U1,PR1,,,,,,
051,01/09/2018,S,V2,N1,U1,PR1,01/10/2018,E13,,,,
051,01/03/2019,S,V2,N1,U1,PR1,,,,,,
060,01/01/2017,S,E1,N1,A4,PR1,01/11/2018,E11,,,,
"""
SECOND_HEADER = (
    "".join(f"{child},1,01/01/2010,WBRI,,,\n" for child in ("040", "041", "042", "043", "044", "050", "051"))
    + "060,2,15/01/2003,WBRI,,,\n"
)


@pytest.fixture
def second(tmp_path: Path) -> Ssda903:
    return extract(tmp_path, SECOND_EPISODES, SECOND_HEADER)


@pytest.mark.parametrize(
    ("child", "three_or_more"),
    [
        ("040", False),  # U2 and U3: the hospital stay (T1) open on 1 Jul 2018 is no placement
        ("041", True),  # U1 (returned to from hospital: the placement held on 1 Jul 2018), U2, U3
        ("042", True),  # C2 full-time foster care after the short breaks (RNE L), U2, U3
        ("043", True),  # A3 starting care (RNE S), U1, U2
        ("044", True),  # U1 (first on record, RNE L: the extract starts within the 12 months), U2, U3
    ],
)
def test_three_or_more_placements_by_the_dfes_rules(second: Ssda903, child: str, three_or_more: bool) -> None:
    assert rows(second, "placement_stability_short").set_index("CHILD")["numerator"][child] == three_or_more


def test_starts_count_children_at_the_first_occasion(second: Ssda903) -> None:
    assert rows(second, "cla_starts")["CHILD"].tolist() == ["050"]  # once, though 050 started twice in June
    year = rows(second, "cla_starts_12_months")
    # 12 months from 1 Jul 2018: 043 (Aug), 051 (Sep, and again in Mar), 050 (Jun): three children; 042 began with
    # a short break (V3, left out) and 044 is first on record with RNE L
    assert year["CHILD"].tolist() == ["043", "050", "051"]
    assert year["as_at"].tolist() == [
        pd.Timestamp("2018-08-01"),
        pd.Timestamp("2019-06-02"),
        pd.Timestamp("2018-09-01"),
    ]
    months = [f"{m:%Y-%m}" for m in pd.period_range("2018-07", "2019-06", freq="M")]
    table = measure_tables(second, months, "Kent", ["cla_starts", "cla_starts_12_months"])
    headline = table.loc[(table["breakdown"] == "total") & (table["cohort"] == "all")]
    monthly = headline.loc[headline["measure"] == "cla_starts", "numerator"].sum()
    in_june = headline.set_index(["month", "measure"]).loc[("2019-06", "cla_starts_12_months"), "numerator"]
    assert (monthly, in_june) == (4, 3)  # the months add 051 twice; the 12-month figure counts children


def test_adopted_leavers_are_read_as_they_were_when_they_ceased(second: Ssda903) -> None:
    table = measure_table(second, "2019-06", "Kent", ["adopted_of_leavers"])
    by_age = table.loc[(table["cohort"] == "all") & (table["breakdown"] == "age_band")]
    # 060 was 15 on 1 Nov 2018 (born 15 Jan 2003) and is 16 at D: counted as 10-15, as when they ceased;
    # 050 and 051 (aged 9) ceased with E13 in the 12 months too
    assert by_age.set_index("group")[["numerator", "denominator"]].to_dict("index") == {
        "10-15": {"numerator": 1.0, "denominator": 1.0}, "5-9": {"numerator": 0.0, "denominator": 2.0}
    }  # fmt: skip


def test_overlapping_episodes_are_warned_of_and_the_later_one_describes_the_child(tmp_path: Path) -> None:
    from lacperf_helpers.measures.registry import child_attributes

    # 070's first episode (C2, foster care) is never closed; a second (E1, placed for adoption) begins in January
    data = extract(tmp_path, "070,01/01/2018,S,C2,N1,U1,PR1,,,,,,\n070,01/01/2019,P,E1,N1,A4,PR1,,,,,,\n",
                   "070,1,01/01/2010,WBRI,,,\n")  # fmt: skip
    warned = data.problems.loc[data.problems["rule"] == OVERLAP]  # the rule says which episode is read
    assert warned[["row", "column", "severity"]].values.tolist() == [[3, "DECOM", "warning"]]
    attributes = child_attributes(data, D).loc["070"]
    assert (attributes["legal_status"], attributes["placement_type"]) == ("E1", "Placed for adoption")
    assert rows(data, "cla_count")["CHILD"].tolist() == ["070"]  # counted once


def test_care_leavers_leave_out_those_who_returned_home_and_invalid_codes_are_errors(tmp_path: Path) -> None:
    from lacperf_helpers.measures.registry import RULE_ACCOMMODATION_CODE, data_quality

    folder = tmp_path / "903"
    folder.mkdir()
    (folder / "episodes.csv").write_text(EPISODES_HEADER)
    (folder / "oc3.csv").write_text(
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"
        "101,01/01/1999,YES,F2,B1\n"  # suitable (B1)
        "102,01/01/1999,NO,G4,B2\n"  # unsuitable
        "105,01/01/1999,RHOM,,\n"  # returned home for 6 months or more: left out of every care-leaver measure
        "106,01/01/1999,YES,F1,S1\n"  # S1 is no code (no fixed abode is never suitable): not suitable, an error
        "107,01/01/1999,YES,F1,01\n"  # 01 is no code either
    )
    data = load_903(folder)

    def counted(measure: str) -> tuple[int, int]:
        result = MEASURES[measure].compute(data, D)
        return int(result["numerator"].sum()), len(result)

    assert counted("care_leavers_in_touch") == (3, 4)  # 101, 106, 107 of 101, 102, 106, 107
    assert counted("care_leavers_eet") == (3, 4)
    assert counted("care_leavers_suitable_accommodation") == (1, 4)  # 101 only
    errors = data_quality(data, D, folder)
    errors = errors.loc[errors["code"] == RULE_ACCOMMODATION_CODE.code]
    assert errors[["row", "column", "value", "severity"]].values.tolist() == [
        [5, "ACCOM", "S1", "error"], [6, "ACCOM", "01", "error"]
    ]  # fmt: skip


def test_oc2_measures_are_of_children_looked_after_for_12_months_at_31_march(tmp_path: Path) -> None:
    # The last 31 March by D is 31 Mar 2019: continuously looked after since 1 Apr 2018 or earlier.
    #   201 since 2017, OC2 all 1; 202 since 2017, no dental check; 204 since 2017, no OC2 row (in the cohort)
    #   205 since 1 Apr 2018 exactly: in; 206 since 2 Apr 2018: out, though OC2 has a row
    #   207 in care 2016 to 1 Jan 2019 (E13), back on 1 Feb 2019: not continuous, out; 208 not looked after: out
    folder = tmp_path / "903"
    folder.mkdir()
    (folder / "episodes.csv").write_text(EPISODES_HEADER + dedent("""\
        201,01/01/2017,S,C2,N1,U1,PR1,,,,,,
        202,01/01/2017,S,C2,N1,U1,PR1,,,,,,
        204,01/01/2017,S,C2,N1,U1,PR1,,,,,,
        205,01/04/2018,S,C2,N1,U1,PR1,,,,,,
        206,02/04/2018,S,C2,N1,U1,PR1,,,,,,
        207,01/01/2016,S,C2,N1,U1,PR1,01/01/2019,E13,,,,
        207,01/02/2019,S,C2,N1,U1,PR1,,,,,,
        """))  # fmt: skip
    (folder / "oc2.csv").write_text(OC2_HEADER + "".join(
        f"{child},01/01/2008,10,,0,1,1,{teeth},1,0,0,0\n"
        for child, teeth in (("201", 1), ("202", 0), ("205", 1), ("206", 1), ("207", 1), ("208", 1))
    ))  # fmt: skip
    data = load_903(folder)
    expected = {
        "health_assessment": {"201": True, "202": True, "204": False, "205": True},
        "dental_check_903": {"201": True, "202": False, "204": False, "205": True},
    }
    for measure in expected:
        result = MEASURES[measure].compute(data, D)
        assert dict(zip(result["CHILD"], result["numerator"], strict=True)) == expected[measure], measure


def test_an_extract_without_oc2_rows_has_no_oc2_cohort(data: Ssda903) -> None:
    # 005 and 006 have been looked after since 2015, but the extract has no OC2 table: nothing to measure, not 0%
    for measure in ("health_assessment", "dental_check_903"):
        assert rows(data, measure).empty


def test_who_each_child_was_is_the_same_looked_up_by_code_or_by_child() -> None:
    # measure_tables looks children up by number and categorical (attributes_coded); attributes_when by CHILD and
    # text: the same answer for each row, on a day shared by many rows (looked up once) and on days of their own
    from lacperf_helpers.ingest.synthetic import synthetic_903
    from lacperf_helpers.measures.children import attributes_coded, attributes_when

    data = synthetic_903(300, 7)
    children = pd.Series(sorted(data.table("header")["CHILD"]) * 2)
    month_end = pd.Timestamp("2019-09-30")
    days = pd.Series([month_end] * 300 + list(pd.date_range("2016-01-01", periods=300, freq="5D")))
    coded = attributes_coded(data, children.to_numpy(dtype=object), days.to_numpy(dtype="datetime64[ns]"))
    by_child = attributes_when(data, children, days)
    for column in by_child.columns:
        assert coded[column].astype(object).tolist() == by_child[column].astype(object).tolist(), column
