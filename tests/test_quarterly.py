"""Quarters, the year to date and rolling 12 months from monthly returns, worked by hand; the quarterly notebook."""

from pathlib import Path
from textwrap import dedent

import pandas as pd
import papermill
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.config.definitions import KpiCatalogue, load_kpis
from lacperf_helpers.measures.figures import load_returns_to
from lacperf_helpers.rate.period_figures import period_figures, quarter_scorecard
from tests.conftest import KPIS_YAML, write_return


@pytest.fixture
def flows(tmp_path: Path) -> KpiCatalogue:
    """The test catalogue with reviews and days to adoption counted month by month (flows)."""
    text = KPIS_YAML.replace(
        "    unit: percent\n    target: 90\n", "    unit: percent\n    aggregation: sum\n    target: 90\n"
    )
    text = text.replace("    unit: days\n", "    unit: days\n    aggregation: sum\n")
    path = tmp_path / "kpis.yaml"
    path.write_text(text)
    return load_kpis(path)


@pytest.fixture
def returns(tmp_path: Path) -> Path:
    folder = tmp_path / "returns"
    for month in ("2019-04", "2019-05", "2019-06"):
        write_return(folder, month, f"{month},Kent,reviews_on_time,8,10,\n{month},Kent,moves_3plus,5,40,\n")
    write_return(folder, "2019-07", "2019-07,Kent,reviews_on_time,9,10,\n2019-07,Kent,days_to_adoption,,2,400\n")
    write_return(folder, "2019-08", "2019-08,Kent,reviews_on_time,18,20,\n2019-08,Kent,days_to_adoption,,3,500\n")
    write_return(folder, "2019-09", dedent("""\
        2019-09,Kent,reviews_on_time,0,0,
        2019-09,Kent,moves_3plus,4,40,
        """))  # fmt: skip
    return folder


def test_flows_add_up_and_snapshots_take_the_last_month(returns: Path, flows: KpiCatalogue) -> None:
    figures = load_returns_to(returns, "2019-09", flows)
    quarter = period_figures(figures, flows, ["2019-07", "2019-08", "2019-09"]).set_index("kpi_id")
    # reviews: 9 + 18 + 0 of 10 + 20 + 0 = 27 of 30 = 90.0%: Amber against 2019/20's 95% (floor 85%)
    reviews = quarter.loc["reviews_on_time"]
    assert (reviews["numerator"], reviews["denominator"], reviews["value"], reviews["rag"]) == (27, 30, 90.0, "Amber")
    assert (reviews["months_covered"], reviews["months_expected"]) == (3, 3)
    # days: (400 x 2 + 500 x 3) / 5 children = 460 days, from 2 of the 3 months
    days = quarter.loc["days_to_adoption"]
    assert (days["value"], days["rag"], days["months_covered"], days["months_expected"]) == (460.0, "Amber", 2, 3)
    # moves: a snapshot, so September's 4 of 40 = 10.0%
    moves = quarter.loc["moves_3plus"]
    assert (moves["numerator"], moves["denominator"], moves["value"], moves["rag"]) == (4, 40, 10.0, "Green")


def test_the_quarter_beside_its_comparisons(returns: Path, flows: KpiCatalogue) -> None:
    figures = load_returns_to(returns, "2019-09", flows)
    card = quarter_scorecard(figures, flows, "Q2 2019/20", ["Kent"]).set_index("kpi_id")
    reviews = card.loc["reviews_on_time"]
    assert (reviews["quarter"], reviews["previous_quarter"], reviews["last_year_quarter"]) == (
        "Q2 2019/20", "Q1 2019/20", "Q2 2018/19",
    )  # fmt: skip
    assert (reviews["previous_quarter_value"], reviews["previous_quarter_rag"]) == (80.0, "Red")  # 24 of 30
    assert reviews["direction"] == "Improved"
    assert reviews["last_year_rag"] == "No data"
    assert (reviews["year_to_date_numerator"], reviews["year_to_date_denominator"]) == (51, 60)  # 85.0%
    assert reviews["year_to_date_rag"] == "Amber"  # exactly at the 85% floor
    assert reviews["rolling_12_value"] == 85.0  # the same six months: nothing earlier was returned
    moves = card.loc["moves_3plus"]  # 5 of 40 at the end of June, 4 of 40 at the end of September
    assert (moves["previous_quarter_value"], moves["value"], moves["direction"]) == (12.5, 10.0, "Improved")


def test_the_quarterly_notebook_parameters() -> None:
    assert set(papermill.inspect_notebook(str(paths.QUARTERLY_NOTEBOOK))) == {
        "quarter", "area", "returns_dir", "kpis_file", "settings_file", "trend_file", "benchmarks_file", "made_at",
        "edition", "manifest", "dfe_rules", "national_dir", "cohorts_file", "published_dir",
    }  # fmt: skip


def test_render_quarter_on_the_sample(tmp_path: Path) -> None:
    args = ["render-quarter", "--returns", str(paths.SAMPLE_RETURNS), "--quarter", "Q2 2019/20", "--area", "West Kent"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path), "--edition", "internal"])  # every figure
    assert result.exit_code == 0, result.output
    html = (tmp_path / "internal-not-for-publication" / "2019-20-q2" / "west-kent.html").read_text()
    assert "West Kent · Q2 2019/20" in html
    assert "July 2019 to September 2019, compared with Q1 2019/20 and with Q2 2018/19" in html
    table = html[html.index('<table id="T_quarter"') : html.index("</table>", html.index('<table id="T_quarter"'))]
    assert table.count('<th scope="row"') == 24 and table.count("<td") == 24 * 10  # 24 KPIs, each with 10 figures
    assert "Ratings that changed since last quarter" in html
    assert "(2 of 3 months)" in html  # West Kent's review participation is missing for September


def test_a_quarter_is_named_as_the_financial_year_names_it(tmp_path: Path) -> None:
    args = ["render-quarter", "--returns", str(paths.SAMPLE_RETURNS), "--quarter", "2019 Q2"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})  # the message on one line
    assert result.exit_code == 2
    assert "'2019 Q2' is not a financial-year quarter in the form 'Q2 2019/20'" in result.output


def test_a_flows_period_figure_says_what_it_counts(returns: Path, flows: KpiCatalogue) -> None:
    # reviews are counted month by month: 27 of 30 over the quarter are the months' counts added up (a child
    # reviewed in two months is two of them), never "27 of 30 children"; moves are a month-end snapshot
    from lacperf_helpers.config.formatting import fmt_figure
    from lacperf_helpers.present.quarterly import with_previous_quarter

    figures = load_returns_to(returns, "2019-09", flows)
    card = with_previous_quarter(
        quarter_scorecard(figures, flows, "Q2 2019/20", ["Kent"]).assign(withheld="", previous_quarter_withheld="")
    ).set_index("kpi_id")
    reviews, moves, days = card.loc["reviews_on_time"], card.loc["moves_3plus"], card.loc["days_to_adoption"]
    assert (reviews["period_basis"], moves["period_basis"], days["period_basis"]) == (
        "the months' counts added up", "at the period's end", "the months' average",
    )  # fmt: skip
    shown = fmt_figure(reviews["value"], 27, 30, "percent", 1, reviews["counts"], 50)
    assert shown == "27 of 30 in the months' counts (90.0%)" and "children" not in shown
    assert moves["counts"] == "children"
    # "how many children would change the rating" only where each child counts once
    assert pd.isna(reviews["children_to_change_rating"]) and moves["children_to_change_rating"] == 1
