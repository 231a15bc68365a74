"""Each way a review got a count of 1-4 children back from what lacperf published for one month and its
quarter, tried again on what lacperf now writes: the CSV exports and the quarter's card."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.cohorts import load_cohorts
from lacperf_helpers.config.definitions import load_kpis, load_settings
from lacperf_helpers.config.editions import Edition
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.disclose.solver import hidden_keys
from lacperf_helpers.measures.annex_a import NESTED
from lacperf_helpers.measures.figures import load_returns
from lacperf_helpers.month.data import decide_month, published_counts, with_authority
from lacperf_helpers.month.tables import measures_table
from lacperf_helpers.present.quarterly import load_quarter_appendix
from lacperf_helpers.rate.scorecard import with_slice
from tests.conftest import KPIS_YAML, SAMPLE_MONTH, write_return
from tests.conftest import naming as naming_kent

runner = CliRunner()


def _small(x: pd.Series) -> pd.Series:
    return (x >= 1) & (x <= 4)


@pytest.fixture(scope="module")
def sample_measures(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("measures") / "measures.csv"
    result = runner.invoke(
        app, ["measures", "--returns", str(paths.SAMPLE_RETURNS), "--month", SAMPLE_MONTH, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return _numbers(pd.read_csv(out, dtype=str, keep_default_na=False))


def _numbers(table: pd.DataFrame) -> pd.DataFrame:
    """A CSV's figures as numbers: 'c' (not shown) and blanks are NaN."""
    for column in ("numerator", "denominator", "value"):
        table[column] = pd.to_numeric(table[column].replace({"c": "", "": None}), errors="coerce")
    return table


def test_unaccompanied_children_cannot_be_had_by_subtracting_cohorts(sample_measures: pd.DataFrame) -> None:
    # "all" - "excluding UASC", where both are shown, is never 1-4 children (nor leaves out 1-4)
    keys = ["area", "measure", "breakdown", "group"]
    every = sample_measures.loc[sample_measures["cohort"] == "all"].set_index(keys)
    rest = sample_measures.loc[sample_measures["cohort"] == "excluding UASC"].set_index(keys)
    both = every.merge(rest, left_index=True, right_index=True, suffixes=("", "_rest"))
    both = both.dropna(subset=["numerator", "numerator_rest"])
    assert len(both) > 30  # the check saw figures (a cohort's breakdown groups beside all children's are hidden)
    uasc_n = both["numerator"] - both["numerator_rest"]
    uasc_d = both["denominator"] - both["denominator_rest"]
    assert not _small(uasc_n).any()
    assert not _small(uasc_d.dropna()).any()
    assert not _small((uasc_d - uasc_n).dropna()).any()


def test_a_groups_row_being_there_says_nothing_of_its_children(sample_measures: pd.DataFrame) -> None:
    # a row only where a child is told a reader of a hidden count that it is at least 1 (a review found 264 on
    # the sample: "Other ethnic group" in three areas of four, its Kent total 5, put each at 1-3). Every area,
    # measure and cohort has every group of every breakdown; a group no child is in is hidden like a small one
    cohorts = load_cohorts()
    by_area = sample_measures.groupby(["area", "measure", "cohort", "breakdown"])["group"].agg(frozenset)
    for (area, measure, cohort, breakdown), groups in by_area.items():
        assert groups >= set(cohorts.group_names(breakdown)), (area, measure, cohort, breakdown)
    assert by_area.groupby(level=["measure", "cohort", "breakdown"]).nunique().eq(1).all()
    short_breaks = sample_measures.loc[
        (sample_measures["area"] == "Kent") & (sample_measures["measure"] == "cla_count")
        & (sample_measures["cohort"] == "all") & (sample_measures["group"] == "V4")
    ]  # fmt: skip
    assert short_breaks["withheld"].tolist() == ["c"]  # V4 is a short break, which no measure counts: 0, hidden
    assert short_breaks["numerator"].isna().all()


def test_an_area_not_known_has_its_rows_for_every_measure(tmp_path: Path) -> None:
    # one child (who left care, adopted) taken out of child_area.csv: "Area not known" had rows only for the
    # measures that child is counted in, so their being there said a hidden count was at least 1 (a review
    # found it); now every measure has them, a 0 where no such child is counted
    month = tmp_path / "returns" / SAMPLE_MONTH
    shutil.copytree(paths.SAMPLE_RETURNS / SAMPLE_MONTH / "903", month / "903")
    areas = month / "903" / "child_area.csv"
    areas.write_text("".join(line for line in areas.read_text().splitlines(True) if not line.startswith("0000006,")))
    out = tmp_path / "measures.csv"
    result = runner.invoke(
        app,
        ["measures", "--returns", str(month.parent), "--month", SAMPLE_MONTH, "--out", str(out),
         "--measure", "adopted_of_leavers", "--measure", "cla_count", "--authority", "Kent"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    unplaced = table.loc[table["area"] == "Area not known"]
    assert set(unplaced["measure"]) == set(table["measure"]) >= {"adopted_of_leavers", "cla_count"}
    assert unplaced.groupby("measure").size().nunique() == 1  # the same rows for each


def test_no_measure_is_shown_beside_one_holding_its_children(sample_measures: pd.DataFrame) -> None:
    # care leavers 17-21 in touch less those 19-21 in touch is the 17- and 18-year-olds in touch, a count no sum
    # holds: the public table shows the DfE's 19-21 (a KPI's), none of the wider measure
    for narrower, wider in NESTED:
        assert sample_measures.loc[sample_measures["measure"] == wider, "withheld"].eq("c").all(), wider
        assert sample_measures.loc[sample_measures["measure"] == narrower, "numerator"].notna().any(), narrower


def test_no_kpi_is_shown_beside_one_holding_its_children(tmp_path: Path) -> None:
    # a council measuring care leavers in touch at 19-21 (the DfE's) and at 17-21 too: the public edition shows
    # the first, none of the second (17-21 less 19-21 would be the 17- and 18-year-olds: 3, here)
    (tmp_path / "kpis.yaml").write_text(
        "kpis:\n"
        + "".join(
            f"  - {{id: {kpi}, title: {kpi}, polarity: H, unit: percent, target: 90, floor: 80, source: annex_a,"
            f" measure: {measure}}}\n"
            for kpi, measure in (("touch_19_21", "leavers_19_21_in_touch"), ("touch_17_21", "leavers_in_touch"))
        )
    )
    catalogue = load_kpis(tmp_path / "kpis.yaml")
    rows = [("Kent", "touch_19_21", 40, 50), ("Kent", "touch_17_21", 43, 55)]
    figures = pd.DataFrame(rows, columns=["area", "kpi_id", "numerator", "denominator"]).assign(
        month=SAMPLE_MONTH, cohort="all", breakdown="total", group="all", value=float("nan")
    )
    settings = load_settings(naming_kent(tmp_path))
    decided = decide_month(figures, catalogue, settings, load_cohorts())
    assert set(decided.hidden.loc[decided.hidden["month"] == SAMPLE_MONTH, "kpi_id"]) == {"touch_17_21"}
    log = decided.log.loc[decided.log["month"] == SAMPLE_MONTH]  # the internal edition's log says why
    assert log["reason"].tolist() == ["its children hold another KPI's: the internal edition's only"]


def test_no_shown_figure_leaves_out_1_to_4_children(sample_measures: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "card.csv"
    result = runner.invoke(
        app, ["scorecard", "--returns", str(paths.SAMPLE_RETURNS), "--month", SAMPLE_MONTH, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    card = _numbers(pd.read_csv(out, dtype=str, keep_default_na=False))
    children = card["kpi_id"].isin({k.id for k in load_kpis(paths.KPIS_FILE).kpis if k.disclosure == "children"})
    percent = card["unit"] == "percent"
    shown = card.loc[children & percent & card["numerator"].notna()]
    assert len(shown) > 100
    assert not _small(shown["denominator"] - shown["numerator"]).any()  # "46 of 50" would give away the 4
    measured = sample_measures.loc[sample_measures["denominator"].notna() & sample_measures["numerator"].notna()]
    assert not _small(measured["denominator"] - measured["numerator"]).any()


def test_the_trend_csv_gives_no_verdict_of_a_hidden_month(tmp_path: Path) -> None:
    out = tmp_path / "trend.csv"
    result = runner.invoke(
        app, ["trend", "--returns", str(paths.SAMPLE_RETURNS), "--month", SAMPLE_MONTH, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    catalogue, settings = load_kpis(paths.KPIS_FILE), load_settings(paths.SAMPLE_SETTINGS_FILE)
    # a month is decided on its own figures: the month's decision, as every page of it makes it
    figures = load_returns(paths.SAMPLE_RETURNS, [SAMPLE_MONTH], catalogue, settings.authority)
    hidden = decide_month(figures, catalogue, settings, load_cohorts()).hidden
    # the month's own rows (not the added-up periods the decision makes too: a quarter's or 12 months' sum may be
    # hidden while its last month is shown)
    hidden_now = hidden.loc[(hidden["breakdown"] == "total") & (hidden["group"] == "all")
                            & (hidden["month"] == SAMPLE_MONTH)]  # fmt: skip
    latest = table.merge(hidden_now[["area", "kpi_id", "cohort"]], on=["area", "kpi_id", "cohort"])
    assert len(latest) > 5
    assert latest["latest_value"].isna().all()  # the month's own figure is hidden
    # SPC lines are the months shown (they say nothing of a hidden one); no verdict of the hidden month is given
    assert latest["variation"].isna().all() and latest["assurance"].isna().all()
    assert (latest["run_length"] == 0).all() and latest["since_when"].isna().all()
    assert table["variation"].notna().any()


SUMMED = KPIS_YAML.replace(
    "    unit: percent\n    target: 90\n", "    unit: percent\n    aggregation: sum\n    target: 90\n"
)


def test_a_hidden_month_cannot_be_had_from_its_quarter(tmp_path: Path) -> None:
    # Deal's August is 3 of 10: hidden. The quarter page's "Q2 = July + August + September" gave it back.
    (tmp_path / "kpis.yaml").write_text(SUMMED)
    (tmp_path / "settings.yaml").write_text("authority: Kent\n")
    returns = tmp_path / "returns"
    for month, deal in (("2019-07", (9, 20)), ("2019-08", (3, 10)), ("2019-09", (8, 21))):
        rows = [("Kent", 20 + deal[0], 40 + deal[1]), ("Ashford", 20, 40), ("Deal", *deal)]
        write_return(returns, month, "".join(f"{month},{a},reviews_on_time,{n},{d},\n" for a, n, d in rows))
    inputs = Inputs.of(returns=returns, kpis=tmp_path / "kpis.yaml", settings=tmp_path / "settings.yaml")
    quarter = load_quarter_appendix("Q2 2019/20", "Deal", inputs=inputs)
    reviews = quarter.card.frame.loc[quarter.card.frame["kpi_id"] == "reviews_on_time"].iloc[0]
    for prefix in ("", "year_to_date_", "rolling_12_"):
        assert pd.isna(reviews[prefix + "numerator"]) and reviews[prefix + "withheld"] == "c"
        assert reviews[prefix + "rag"] == "Not shown"  # Amber against 90/80 would bound it
    # the month's own page hides August and the area beside it; the quarter's chart points likewise
    points = quarter.month_end.series["reviews_on_time"].points
    assert points.loc[points["month"] == "2019-08", "value"].isna().all()


def test_last_months_figure_is_hidden_as_last_months_page_hid_it(tmp_path: Path, kpis_file: Path) -> None:
    # March: Ashford 3 of 20 (hidden) and Deal hidden beside it. In April Ashford has left the return; April's
    # CSV still carries Deal's March figure, and must hide it as March's own page did.
    returns = tmp_path / "returns"
    write_return(returns, "2019-03", "2019-03,Kent,reviews_on_time,30,60,\n2019-03,Ashford,reviews_on_time,3,20,\n"
                 "2019-03,Deal,reviews_on_time,12,25,\n2019-03,Dover,reviews_on_time,15,15,\n")  # fmt: skip
    write_return(returns, "2019-04", "2019-04,Kent,reviews_on_time,27,40,\n2019-04,Deal,reviews_on_time,12,25,\n"
                 "2019-04,Dover,reviews_on_time,15,15,\n")  # fmt: skip
    (tmp_path / "settings.yaml").write_text("authority: Kent\n")
    out = tmp_path / "april.csv"
    result = runner.invoke(app, ["scorecard", "--returns", str(returns), "--kpis", str(kpis_file), "--month", "2019-04",
                                 "--settings", str(tmp_path / "settings.yaml"), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    card = pd.read_csv(out, keep_default_na=False)
    card = card.loc[card["kpi_id"] == "reviews_on_time"].set_index("area")
    march = hidden_keys(
        with_slice(load_returns(returns, ["2019-03"], load_kpis(kpis_file), "Kent")),
        load_kpis(kpis_file), load_settings(tmp_path / "settings.yaml").disclosure, "Kent",
    )  # fmt: skip
    assert set(march["area"]) == {"Ashford", "Deal"}
    assert card.loc["Deal", "previous_withheld"] == "c" and card.loc["Deal", "previous_numerator"] == "c"
    assert card.loc["Dover", "previous_withheld"] == ""


@pytest.mark.parametrize("month", ["2019-05", "2019-08"])
def test_the_rates_table_shows_the_counts_the_measures_table_shows(month: str) -> None:
    """A review found the rates per 10,000 table printing Kent's children looked after where the public measures
    table of the month hid them (its decision left out the Annex A twins): together the two undid the table's
    secondary suppression. Both now come from one decision."""
    inputs = Inputs(returns=paths.SAMPLE_RETURNS, settings=paths.SAMPLE_SETTINGS_FILE)
    settings = with_authority(load_settings(inputs.settings), inputs.returns, month, inputs.settings)
    counts = published_counts(month, inputs, settings)[Edition.PUBLIC]
    table, _ = measures_table(month, inputs=inputs, edition=Edition.PUBLIC, measures=["cla_count"])
    rows = table.frame.loc[table.frame["area"].eq("Kent") & table.frame["breakdown"].eq("total")].set_index("cohort")
    shown = {c: None if rows.at[c, "withheld"] else float(rows.at[c, "numerator"]) for c in ("all", "excluding UASC")}
    assert counts["looked_after"] == shown["all"]
    both = None not in shown.values()
    assert counts["uasc"] == (shown["all"] - shown["excluding UASC"] if both else None)  # type: ignore[operator]


def test_no_children_who_left_care_are_two_shown_counts_apart() -> None:
    """A reader's attack on 78d3d71: West Kent's children looked after in March 2019 (89, the denominator of
    going missing in the month) less those looked after at its end (87) are the 2 who ceased to be looked after
    and were not back by then, a count of 1-4 the same table hides as cla_ceased (stocks and flows:
    tests/test_disclosure_flows.py has the rest)."""
    inputs = Inputs(returns=paths.SAMPLE_RETURNS, settings=paths.SAMPLE_SETTINGS_FILE)
    table, _ = measures_table("2019-03", inputs=inputs, edition=Edition.PUBLIC,
                              measures=["cla_count", "missing_in_month_share"])  # fmt: skip
    totals = table.frame.loc[table.frame["breakdown"].eq("total") & table.frame["withheld"].eq("")]
    at_end = totals.loc[totals["measure"].eq("cla_count")].set_index(["area", "cohort"])["numerator"]
    in_month = totals.loc[totals["measure"].eq("missing_in_month_share")].set_index(["area", "cohort"])["denominator"]
    left = (in_month - at_end).dropna()
    assert left.loc[_small(left)].to_dict() == {}


@pytest.mark.parametrize("month", ["2019-05", "2019-09"])
def test_a_figure_hidden_in_the_measures_table_is_not_its_twin_group_and_a_shown_total(month: str) -> None:
    """The reader's attack on 78d3d71: the children looked after in foster care are cla_count's placement type
    group and placed_in_foster_care's numerator (its denominator the children looked after at the month end).
    The table hid placed_in_foster_care and showed both of its counts elsewhere, the group and cla_count's total
    (East Kent's in September 2019, two or three areas' in every month from April), undoing its secondary
    suppression: one of them must be hidden with it."""
    inputs = Inputs(returns=paths.SAMPLE_RETURNS, settings=paths.SAMPLE_SETTINGS_FILE)
    asked, on = ["cla_count", "placed_in_foster_care"], ["area", "cohort"]
    table, _ = measures_table(month, inputs=inputs, edition=Edition.INTERNAL, measures=asked)
    exact = table.frame
    group = exact.loc[exact["measure"].eq("cla_count") & exact["group"].eq("Foster care")].set_index(on)["numerator"]
    whole = exact.loc[exact["measure"].eq("placed_in_foster_care") & exact["breakdown"].eq("total")]
    assert len(group) == 10 and group.equals(whole.set_index(on)["numerator"].reindex(group.index))  # the same children
    table, _ = measures_table(month, inputs=inputs, edition=Edition.PUBLIC, measures=asked)
    frame = table.frame
    shown = {
        "group": frame.loc[frame["measure"].eq("cla_count") & frame["group"].eq("Foster care")],
        "total": frame.loc[frame["measure"].eq("cla_count") & frame["breakdown"].eq("total")],
        "figure": frame.loc[frame["measure"].eq("placed_in_foster_care") & frame["breakdown"].eq("total")],
    }
    shown = {name: rows.set_index(on)["withheld"].eq("") for name, rows in shown.items()}
    undone = shown["group"] & shown["total"] & ~shown["figure"].reindex(shown["group"].index)
    assert (~shown["figure"]).any()  # a month where it is hidden somewhere, or the test proves nothing
    assert list(undone.loc[undone].index) == []
