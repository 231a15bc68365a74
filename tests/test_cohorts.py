"""Cohorts as data (parameters/cohorts.yaml): each condition on a hand-built extract, worked out by hand.

Month end D = 30 June 2019. Seven children (area in brackets):
  A  boy,  born 01/01/2004, White (WBRI), section 20 (V2) since 01/01/2019, foster care (U1)        [North]
  B  girl, born 15/06/2005, Mixed (MWBC), started 15/06/2019 (her 14th birthday), V2, foster care  [South]
  C  girl, born 20/06/2006, Asian (ABAN), started 10/06/2019 aged 12 (13 at D), V2, residential    [North]
  D  girl, born 20/06/2005, White, started 10/06/2019 aged 13 (14 at D), care order (C2), foster  [South]
  E  boy,  born 01/01/2003, Other (OOTH), V2 since 2018, independent living (P2), UASC until 2021  [North]
  F  boy,  born 20/06/2001, Black (BAFR), V2 since 2018, care ended 10/06/2019 aged 17 (18 at D)   [South]
  G  boy,  born 25/06/2001, White, started 05/06/2019 aged 17 under V2; on 20/06/2019 an interim care
     order (C1, RNE L); 18 at D                                                                    [North]
Looked after at D: A B C D E G. Started in June: B C D G. Ceased in June: F.
"""

from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.cohorts import BUILT_IN_GROUPS, CohortCatalogue, load_cohorts
from lacperf_helpers.config.definitions import DisclosureRule
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.vocabulary import BREAKDOWNS, in_natural_order
from lacperf_helpers.disclose.solver import hidden_keys
from lacperf_helpers.ingest.ssda903 import Ssda903
from lacperf_helpers.measures.registry import measure_table
from tests.conftest import exited, naming
from tests.test_measures import extract

EPISODES = """\
A,01/01/2019,S,V2,N1,U1,PR1,,,,,,
B,15/06/2019,S,V2,N1,U1,PR1,,,,,,
C,10/06/2019,S,V2,N1,R1,PR1,,,,,,
D,10/06/2019,S,C2,N1,U3,PR1,,,,,,
E,01/01/2018,S,V2,N1,P2,PR1,,,,,,
F,01/01/2018,S,V2,N1,U1,PR1,10/06/2019,E8,,,,
G,05/06/2019,S,V2,N1,U1,PR1,20/06/2019,X1,,,,
G,20/06/2019,L,C1,N1,U1,PR1,,,,,,
"""
HEADER = """\
A,1,01/01/2004,WBRI,,,
B,2,15/06/2005,MWBC,,,
C,2,20/06/2006,ABAN,,,
D,2,20/06/2005,WBRI,,,
E,1,01/01/2003,OOTH,,,
F,1,20/06/2001,BAFR,,,
G,1,25/06/2001,WBRI,,,
"""
AREAS = "A,North\nB,South\nC,North\nD,South\nE,North\nF,South\nG,North\n"
COHORTS = """\
cohorts:
  - name: all
  - name: excluding UASC
    uasc: false
  - name: 14-17 under section 20
    age: {from: 14, to: 17}
    legal_status: [section 20]
  - name: 5-13
    age: "5-13"
  - name: girls in foster care
    sex: female
    placement_type: [foster care]
  - name: North
    area: North
  - name: White or Mixed
    ethnicity: [White, Mixed]
breakdowns:
  - name: age group
    age_bands: ["0-4", "5-13", "14-17", "18+"]
  - name: age_band x legal_status
    by: [age_band, legal_status]
"""


@pytest.fixture
def cohorts(tmp_path: Path) -> CohortCatalogue:
    (tmp_path / "cohorts.yaml").write_text(COHORTS)
    return load_cohorts(tmp_path / "cohorts.yaml")


@pytest.fixture
def data(tmp_path: Path) -> Ssda903:
    uasc = "E,1,01/01/2003,01/01/2021\n"
    return extract(tmp_path, EPISODES, HEADER, uasc=uasc, areas=AREAS)


def headline(table: pd.DataFrame, measure: str) -> dict[str, float]:
    rows = table.loc[(table["measure"] == measure) & (table["area"] == "Kent") & (table["breakdown"] == "total")]
    return dict(zip(rows["cohort"], rows["numerator"], strict=True))


def groups(table: pd.DataFrame, measure: str, breakdown: str, cohort: str = "all") -> dict[str, float]:
    chosen = (table["measure"] == measure) & (table["area"] == "Kent") & (table["breakdown"] == breakdown)
    rows = table.loc[chosen & (table["cohort"] == cohort) & (table["numerator"] > 0)]
    return dict(zip(rows["group"], rows["numerator"], strict=True))


def test_each_condition_counts_the_children_it_names_at_the_month_end(data: Ssda903, cohorts: CohortCatalogue) -> None:
    table = measure_table(data, "2019-06", "Kent", ["cla_count"], cohorts)
    assert headline(table, "cla_count") == {
        "all": 6,  # A B C D E G
        "excluding UASC": 5,  # not E
        "14-17 under section 20": 3,  # A (15), B (14), E (16); not D (14, C2) nor G (18, C1)
        "5-13": 1,  # C (13)
        "girls in foster care": 2,  # B, D; not C (residential)
        "North": 4,  # A C E G
        "White or Mixed": 4,  # A (White), B (Mixed), D, G (White)
    }


def test_starts_and_endings_take_the_child_as_they_were_on_the_day(data: Ssda903, cohorts: CohortCatalogue) -> None:
    table = measure_table(data, "2019-06", "Kent", ["cla_starts", "cla_ceased"], cohorts)
    starts = headline(table, "cla_starts")
    # at the start: B 14 under V2, G 17 under V2 (at the month end G is 18 under C1, and D 14 under C2)
    assert starts["14-17 under section 20"] == 2
    # C 12 and D 13 when they started (D is 14 at the month end)
    assert starts["5-13"] == 2
    assert starts["all"] == 4
    # F was 17 and under section 20 when care ended on 10 June; 18 at the month end
    assert headline(table, "cla_ceased")["14-17 under section 20"] == 1
    # breakdowns of starts are as at the start too: age band of D is 10-15 either way, G 16 and over
    assert groups(table, "cla_starts", "age group") == {"5-13": 2, "14-17": 2}
    assert groups(table, "cla_starts", "legal_status") == {"V2": 3, "C2": 1}  # G's C1 came later


def test_age_bands_of_your_own_and_two_breakdowns_crossed(data: Ssda903, cohorts: CohortCatalogue) -> None:
    table = measure_table(data, "2019-06", "Kent", ["cla_count"], cohorts)
    assert groups(table, "cla_count", "age group") == {"5-13": 1, "14-17": 4, "18 and over": 1}
    assert groups(table, "cla_count", "age_band x legal_status") == {
        "10-15 / V2": 3,  # A B C
        "10-15 / C2": 1,  # D
        "16 and over / V2": 1,  # E
        "16 and over / C1": 1,  # G
    }
    # a breakdown within a cohort: the cohort's children only
    assert groups(table, "cla_count", "age group", "excluding UASC") == {"5-13": 1, "14-17": 3, "18 and over": 1}
    # only the breakdowns asked for
    fewer = measure_table(data, "2019-06", "Kent", ["cla_count"], cohorts, ["sex"])
    assert set(fewer["breakdown"]) == {"total", "sex"}


def test_groups_read_in_their_natural_order() -> None:
    assert in_natural_order(["18 and over", "14-17", "other ages", "5-13", "0-4"], "age group") == [
        "0-4", "5-13", "14-17", "18 and over", "other ages",
    ]  # fmt: skip
    crossed = ["16 and over / V2", "10-15 / V2", "under 1 / C2", "10-15 / C2"]
    assert in_natural_order(crossed, "age_band x legal_status") == [
        "under 1 / C2", "10-15 / C2", "10-15 / V2", "16 and over / V2",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("cohorts:\n  - name: excluding UASC\n    uasc: false\n", "the cohort 'all'"),
        ("cohorts:\n  - name: all\n  - name: x\n    legal_status: [Z9]\n", "'Z9' is not one of: C1"),
        ("cohorts:\n  - name: all\n  - name: x\n    age: {from: 17, to: 14}\n", "'from' is after 'to'"),
        ("cohorts:\n  - name: all\n  - name: all\n", "listed twice"),
        ("cohorts:\n  - name: all\nbreakdowns:\n  - name: b\n    age_bands: ['0-9', '5-13']\n", "overlaps"),
        ("cohorts:\n  - name: all\nbreakdowns:\n  - name: b\n    by: [age_band, shoe_size]\n", "'shoe_size'"),
        ("cohorts:\n  - name: all\n  - name: x\n    colour: blue\n", "colour"),
    ],
)
def test_a_wrong_cohorts_file_is_refused_in_one_line(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / "cohorts.yaml").write_text(text)
    with pytest.raises(InputError) as error:
        load_cohorts(tmp_path / "cohorts.yaml")
    assert says in str(error.value) and "cohorts.yaml" in str(error.value) and "\n" not in str(error.value)


def test_an_unknown_cohort_is_refused_naming_the_known_ones(cohorts: CohortCatalogue) -> None:
    with pytest.raises(InputError, match=r"no cohort 'boys'; the cohorts in .* are: all, excluding UASC, 14-17"):
        cohorts.require("boys", "--cohort")
    with pytest.raises(ValidationError):  # a condition on something the file cannot name
        CohortCatalogue.model_validate({"cohorts": [{"name": "all"}, {"name": "x", "sex": "unicorn"}]})


def test_the_cli_measures_a_cohort_of_the_file(tmp_path: Path, cohorts: CohortCatalogue, data: Ssda903) -> None:
    returns = tmp_path / "returns"
    (returns / "2019-06").mkdir(parents=True)
    (tmp_path / "903").rename(returns / "2019-06" / "903")
    out = tmp_path / "measures.csv"
    common = ["measures", "--returns", str(returns), "--month", "2019-06", "--cohorts", str(tmp_path / "cohorts.yaml"),
              "--settings", str(naming(tmp_path))]  # fmt: skip
    done = CliRunner().invoke(app, [*common, "--out", str(out), "--cohort", "5-13", "--measure", "cla_count"])
    assert done.exit_code == 0, done.output
    written = pd.read_csv(out, dtype={"group": str}, keep_default_na=False)
    assert set(written["cohort"]) == {"5-13"}
    # 5-13 has a condition beyond UASC: the internal edition's only (its counts could be differenced)
    assert set(written["withheld"]) == {"c"}
    internal = CliRunner().invoke(app, [*common, "--out", str(out), "--cohort", "5-13", "--measure", "cla_count",
                                        "--edition", "internal"])  # fmt: skip
    assert internal.exit_code == 0, internal.output
    assert set(pd.read_csv(out, keep_default_na=False)["withheld"]) == {""}
    unknown = CliRunner().invoke(app, [*common, "--out", str(out), "--cohort", "boys"])
    assert exited(unknown, 2) and "no cohort 'boys'" in unknown.output, unknown.exception
    crossed = CliRunner().invoke(app, [*common, "--out", str(out), "--breakdown", "shoe size"])
    assert crossed.exit_code == 2 and "no breakdown 'shoe size'" in crossed.output


# --- disclosure across cohorts and breakdowns --------------------------------------------------------------

RULE = DisclosureRule(smallest_shown=5)


def cells(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["cohort", "breakdown", "group", "numerator"])
    return frame.assign(month="2019-06", area="Kent", kpi_id="cla_count", denominator=float("nan"), value=0.0)


def shown(frame: pd.DataFrame, cohorts: CohortCatalogue | None) -> set[tuple[str, str, str]]:
    hidden = hidden_keys(frame, None, RULE, "Kent", cohorts)
    gone = set(zip(hidden["cohort"], hidden["breakdown"], hidden["group"], strict=True))
    return {k for k in zip(frame["cohort"], frame["breakdown"], frame["group"], strict=True) if k not in gone}


def test_a_cohort_and_a_group_it_holds_cannot_be_differenced(cohorts: CohortCatalogue) -> None:
    # 22 children aged 5-13, 20 of all children aged 5-9: the 2 aged 10-13 would be 22 - 20
    frame = cells([
        ("all", "total", "all", 60), ("all", "age_band", "5-9", 20), ("all", "age_band", "10-15", 40),
        ("5-13", "total", "all", 22),
    ])  # fmt: skip
    without = shown(frame, None)  # by the cohorts' names alone, nothing says the one holds the other
    assert {("5-13", "total", "all"), ("all", "age_band", "5-9")} <= without
    kept = shown(frame, cohorts)
    assert not {("5-13", "total", "all"), ("all", "age_band", "5-9")} <= kept


def test_an_age_band_and_its_row_of_a_crossed_breakdown_cannot_be_differenced(cohorts: CohortCatalogue) -> None:
    # 10-15: 30 = 27 under V2 + 3 under C2; 16 and over: 12 = 10 under V2 + 2 under C1. The total alone lets
    # the 3 and the 2 hide each other (5 between them); the age band gives the 3 away: 30 - 27
    frame = cells([
        ("all", "total", "all", 42), ("all", "age_band", "10-15", 30), ("all", "age_band", "16 and over", 12),
        ("all", "age_band x legal_status", "10-15 / V2", 27), ("all", "age_band x legal_status", "10-15 / C2", 3),
        ("all", "age_band x legal_status", "16 and over / V2", 10),
        ("all", "age_band x legal_status", "16 and over / C1", 2),
    ])  # fmt: skip
    kept = shown(frame, cohorts)
    assert ("all", "age_band x legal_status", "10-15 / C2") not in kept
    assert not {("all", "age_band", "10-15"), ("all", "age_band x legal_status", "10-15 / V2")} <= kept
    assert not {("all", "age_band", "16 and over"), ("all", "age_band x legal_status", "16 and over / V2")} <= kept


def test_a_cohort_beyond_uasc_is_shown_only_internally_and_never_on_a_page(tmp_path: Path) -> None:
    """Cohorts with conditions beyond UASC, and breakdowns of the file's own, overlap every way: `lacperf
    measures` shows them in the internal edition only (rounded to the nearest 5 beside exact figures, they still
    narrowed hidden counts: the audit); KPIs and pages refuse them."""
    out = tmp_path / "measures.csv"
    common = ["measures", "--returns", str(paths.SAMPLE_RETURNS), "--month", "2019-09", "--measure", "cla_count",
              "--cohorts", str(paths.PANEL_COHORTS_FILE)]  # fmt: skip
    done = CliRunner().invoke(app, [*common, "--out", str(out)])
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    inexact = ~table["cohort"].isin(["all", "excluding UASC"]) | table["breakdown"].isin(
        ["age group", "age_band x legal_status"]
    )
    assert inexact.sum() > 50 and set(table.loc[inexact, "numerator"]) == {"c"}
    internal = tmp_path / "internal.csv"
    done = CliRunner().invoke(app, [*common, "--out", str(internal), "--edition", "internal"])
    assert done.exit_code == 0, done.output
    every = pd.read_csv(internal, dtype={"group": str}, keep_default_na=False)
    kent = every.loc[(every["area"] == "Kent") & (every["breakdown"] == "total")].set_index("cohort")
    # 1,529 children looked after, 1,470 of them not UASC, 280 aged 14-17 under section 20, 593 aged 5-13 (the
    # sample's own counts, counted again from episodes.csv, header.csv and uasc.csv with pandas alone: episodes
    # begun by 30/09/2019 and not ended by it, short breaks left out; age in completed years)
    assert kent.loc[["all", "excluding UASC", "14-17 under section 20", "5-13"], "numerator"].tolist() == [
        1529, 1470, 280, 593
    ]  # fmt: skip
    # a page, or the scorecard, for such a cohort is refused in one line
    card = CliRunner().invoke(app, ["scorecard", "--returns", str(paths.SAMPLE_RETURNS), "--month", "2019-09",
                                    "--cohorts", str(paths.PANEL_COHORTS_FILE), "--cohort", "5-13",
                                    "--out", str(tmp_path / "card.csv")])  # fmt: skip
    assert card.exit_code == 2 and "cohort '5-13' has conditions beyond UASC" in card.output


def test_every_breakdown_lists_its_groups_whether_or_not_a_child_is_in_one() -> None:
    cohorts = load_cohorts()
    assert set(BUILT_IN_GROUPS) == set(BREAKDOWNS)
    assert cohorts.group_names("total") == ["all"]
    assert cohorts.group_names("sex") == ["M", "F", "U", "unknown"]
    assert cohorts.group_names("age_band") == ["under 1", "1-4", "5-9", "10-15", "16 and over", "unknown"]
    assert cohorts.group_names("age group") == ["0-4", "5-13", "14-17", "18 and over", "other ages", "unknown"]
    crossed = cohorts.group_names("age_band x legal_status")
    assert len(crossed) == 6 * 14 and crossed[0] == "under 1 / C1" and crossed[-1] == "unknown / unknown"
