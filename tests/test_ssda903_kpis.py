"""KPIs with source ssda903 in the scorecard and the appendix: cohorts, breakdowns, 903-only months.

The extract is test_measures' hand-built one (D = 30 June 2019): 5 children looked after, one of them UASC;
one of the 5 (001) with 3 placements in the year.
"""

from pathlib import Path
from textwrap import dedent

import pandas as pd
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config.definitions import Settings, load_kpis
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.measures.figures import load_returns, reconciliation
from lacperf_helpers.present import present
from lacperf_helpers.present.appendix import load_appendix
from lacperf_helpers.rate.scorecard import headline
from tests.conftest import scorecard_for_month
from tests.test_measures import EPISODES, HEADER, extract

KPIS = dedent(
    """\
    kpis:
      - {id: looked_after, title: Children looked after, polarity: L, unit: number, target: 4, floor: 6,
         source: ssda903, measure: cla_count}
      - {id: moves, title: Children with 3 or more placements, polarity: L, unit: percent, target: 10, floor: 12,
         source: ssda903, measure: placement_stability_short}
      - {id: long_stay, title: Long-term stability (excluding UASC), polarity: H, unit: percent, target: 70,
         floor: 60, source: ssda903, measure: placement_stability_long, cohort: excluding UASC}
    """
)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    month = tmp_path / "returns" / "2019-06"
    month.mkdir(parents=True)
    extract(month, EPISODES, HEADER, uasc="007,1,01/07/2001,01/07/2019\n", areas="001,South Kent\n002,South Kent\n")
    (tmp_path / "kpis.yaml").write_text(KPIS)
    (tmp_path / "settings.yaml").write_text("authority: Kent\n")
    return tmp_path / "returns", tmp_path / "kpis.yaml"


def test_a_903_only_month_gives_each_cohort_its_rows(setup: tuple[Path, Path], tmp_path: Path) -> None:
    returns, kpis = setup
    from lacperf_helpers.config.definitions import Settings

    card = scorecard_for_month(returns, load_kpis(kpis), "2019-06", Settings(authority="Kent"))
    kent_all = headline(card, "all").query("area == 'Kent'").set_index("kpi_id")
    assert kent_all.loc["looked_after", "value"] == 5
    assert kent_all.loc["looked_after", "rag"] == "Amber"  # 5: above the target of 4, within the floor of 6
    assert kent_all.loc[["moves"], ["numerator", "denominator", "rag"]].values.tolist() == [[1.0, 5.0, "Red"]]
    assert "long_stay" not in kent_all.index  # measured on the excluding-UASC cohort only
    kent_excl = headline(card, "excluding UASC").query("area == 'Kent'").set_index("kpi_id")
    assert kent_excl.loc["looked_after", "value"] == 4  # 007 is UASC
    assert kent_excl.loc["long_stay", "numerator"] == 1 and kent_excl.loc["long_stay", "denominator"] == 1
    assert set(kent_all["previous_rag"]) == {"No data"}  # no May extract: no previous figures
    by_age = card.query("area == 'Kent' and kpi_id == 'looked_after' and cohort == 'all' and breakdown == 'age_band'")
    assert by_age.set_index("group")["value"].to_dict() == {"10-15": 1.0, "16 and over": 2.0, "5-9": 2.0}
    south = headline(card, "all").query("area == 'South Kent' and kpi_id == 'looked_after'")
    assert south["value"].tolist() == [2.0]  # 001 and 002 live in South Kent


def test_lacperf_scorecard_selects_a_cohort_and_breakdown(setup: tuple[Path, Path], tmp_path: Path) -> None:
    returns, kpis = setup
    out = tmp_path / "card.csv"
    args = ["scorecard", "--returns", str(returns), "--kpis", str(kpis), "--month", "2019-06", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--settings", str(tmp_path / "settings.yaml"),
                                      "--cohort", "excluding UASC", "--breakdown", "sex"])  # fmt: skip
    assert result.exit_code == 0, result.output
    card = pd.read_csv(out)
    assert set(card["cohort"]) == {"excluding UASC"} and set(card["breakdown"]) == {"sex"}
    assert {"cohort", "breakdown", "group"} <= set(card.columns)


def test_the_excluding_uasc_appendix_with_a_breakdown(setup: tuple[Path, Path], tmp_path: Path) -> None:
    returns, kpis = setup
    settings = tmp_path / "settings.yaml"
    inputs = Inputs.of(returns=returns, kpis=kpis, settings=settings, benchmarks=tmp_path / "none.csv")
    page = load_appendix("2019-06", "Kent", inputs=inputs, cohort="excluding UASC", made_at="now", edition="internal")
    # every figure (the internal edition: all of these count 1-4 children): 4 looked after excluding UASC
    # (unrated: the target of 4 is for all children); 1 of 4 with 3 placements (25%: Red); 1 of 1 long-term
    # stable (Green)
    assert page.summary.headline == (
        "Of the 3 KPIs, 1 is rated Green, 0 Amber and 1 Red; 1 is not rated here (the target and floor are for all "
        "the authority's children)."
    )
    assert "Kent · excluding UASC · June 2019" in present.header(page)
    section = present.breakdown_section(page, "legal_status")
    # every legal status listed (a computed KPI's groups are a complete grid): V2 (only 007 has it, a UASC) is 0
    assert "<h2>By legal status</h2>" in section and ">C2<" in section
    assert "<td>V2<td>0<" in section
    with pytest.raises(InputError, match="no cohort 'under 16'; the cohorts are: all, excluding UASC"):
        load_appendix("2019-06", "Kent", inputs=inputs, cohort="under 16")  # not in parameters/cohorts.yaml


def test_render_writes_a_cohort_appendix_of_its_own(setup: tuple[Path, Path], tmp_path: Path) -> None:
    returns, kpis = setup
    empty = tmp_path / "benchmarks.csv"
    empty.write_text("kpi_id,year,england,statistical_neighbours,source\n")
    result = CliRunner().invoke(
        app,
        ["render", "--returns", str(returns), "--kpis", str(kpis), "--month", "2019-06", "--area", "Kent",
         "--settings", str(tmp_path / "settings.yaml"), "--benchmarks", str(empty), "--cohort", "excluding UASC",
         "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "public" / "2019-06" / "kent--excluding-uasc.html").read_text()
    assert "Of the 3 KPIs" in html and "excluding UASC" in html


def test_a_903_kpi_the_return_gives_too_shows_the_computed_figure_and_reconciles_the_returned(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    returns, kpis = setup
    (returns / "2019-06" / "kpi_return.csv").write_text(
        "month,area,kpi_id,numerator,denominator,value\n2019-06,Kent,moves,2,5,\n2019-06,Kent,looked_after,,,6\n"
    )
    catalogue = load_kpis(kpis)
    card = scorecard_for_month(returns, catalogue, "2019-06", Settings(authority="Kent"))
    card = headline(card, "all").query("area == 'Kent'")
    kent = card.set_index("kpi_id")
    # one figure per KPI: the extract's (001's 3 placements of the 5 children: 1 of 5), never the return's 2 of 5
    assert kent.loc[["moves"], ["numerator", "denominator"]].values.tolist() == [[1.0, 5.0]]
    assert kent.loc["looked_after", "value"] == 5 and len(card) == len(set(card["kpi_id"]))
    figures = load_returns(returns, ["2019-06"], catalogue, "Kent")
    found = reconciliation(returns, "2019-06", catalogue, figures).set_index("kpi_id")
    # moves: 1 of 5 = 20.0% on the page, 2 of 5 = 40.0% returned: 20 points lower on the page
    assert found.loc["moves", ["value", "returned_value", "difference"]].tolist() == [20.0, 40.0, -20.0]
    assert found.loc["moves", ["numerator", "returned_numerator"]].tolist() == [1.0, 2.0]
    # looked after: 5 counted, 6 returned
    assert found.loc["looked_after", ["value", "returned_value", "difference"]].tolist() == [5.0, 6.0, -1.0]
    assert set(found["source"]) == {"ssda903"}


def test_in_a_month_without_the_extract_the_returns_figure_stands(setup: tuple[Path, Path]) -> None:
    returns, kpis = setup
    (returns / "2019-05").mkdir()
    (returns / "2019-05" / "kpi_return.csv").write_text(
        "month,area,kpi_id,numerator,denominator,value\n2019-05,Kent,moves,1,4,\n"
    )
    figures = load_returns(returns, ["2019-05", "2019-06"], load_kpis(kpis), "Kent")
    moves = figures.loc[(figures["kpi_id"] == "moves") & (figures["cohort"] == "all")
                        & (figures["breakdown"] == "total") & (figures["area"] == "Kent")]  # fmt: skip
    # May: the return's 1 of 4 (no extract that month); June: the extract's 1 of 5
    assert moves.sort_values("month")[["month", "numerator", "denominator"]].values.tolist() == [
        ["2019-05", 1.0, 4.0], ["2019-06", 1.0, 5.0]
    ]  # fmt: skip


def test_only_the_internal_edition_reconciles_the_returns_figure(setup: tuple[Path, Path], tmp_path: Path) -> None:
    returns, kpis = setup
    (returns / "2019-06" / "kpi_return.csv").write_text(
        "month,area,kpi_id,numerator,denominator,value\n2019-06,Kent,moves,2,5,\n"
    )
    inputs = Inputs.of(returns=returns, kpis=kpis, settings=tmp_path / "settings.yaml",
                       benchmarks=tmp_path / "none.csv")  # fmt: skip
    internal = load_appendix("2019-06", "Kent", inputs=inputs, made_at="now", edition="internal")
    annex = str(present.annex(internal))
    assert "KPIs the return also gives" in annex
    from_903 = "from each child&#39;s record in the children looked after return to the DfE, SSDA903"
    assert f"<td>20.0% (1 of 5 children), {from_903}</td><td>40.0% (2 of 5 children)</td>" in annex
    assert "20.0 points lower on the scorecard: the return counts 1 more child<" in annex
    public = load_appendix("2019-06", "Kent", inputs=inputs, made_at="now", edition="public")
    assert public.reconciled.empty and "KPIs the return also gives" not in str(present.annex(public))


def test_a_903_kpi_names_a_known_measure_of_the_right_unit(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(KPIS.replace("measure: cla_count", "measure: children_counted"))
    with pytest.raises(InputError, match="source ssda903 needs a measure, one of: cla_count"):
        load_kpis(path)
    path.write_text(KPIS.replace("unit: number", "unit: percent"))
    with pytest.raises(InputError, match="measure cla_count is a count: its unit is number"):
        load_kpis(path)


def test_a_page_and_a_kpi_for_a_cohort_of_your_own(setup: tuple[Path, Path], tmp_path: Path) -> None:
    """Cohorts come from the cohorts file: a page for one of its cohorts, and a KPI measured on it."""
    returns, _ = setup
    cohorts = tmp_path / "cohorts.yaml"
    cohorts.write_text("cohorts:\n  - name: all\n  - name: unaccompanied\n    uasc: true\n"
                       "  - name: boys\n    sex: male\n")  # fmt: skip
    own = tmp_path / "own-kpis.yaml"
    own.write_text(KPIS.replace("cohort: excluding UASC", "cohort: unaccompanied"))
    settings = tmp_path / "settings.yaml"
    inputs = Inputs.of(returns=returns, kpis=own, settings=settings, benchmarks=tmp_path / "no.csv", cohorts=cohorts)
    page = load_appendix("2019-06", "Kent", inputs=inputs, cohort="unaccompanied", made_at="now", edition="internal")
    assert "Kent · unaccompanied · June 2019" in present.header(page)
    # 007 alone is unaccompanied: looked after since 10 June, so not in long-term stability's scope
    assert page.card.frame.set_index("kpi_id").loc["long_stay", "rag"] == "Not applicable"
    looked_after = page.figures.frame.query("cohort == 'unaccompanied' and kpi_id == 'looked_after' and area == 'Kent' "
                                      "and breakdown == 'total' and month == '2019-06'")  # fmt: skip
    assert looked_after["numerator"].tolist() == [1.0]
    # a KPI on a cohort beyond UASC (not published exactly), or on one the file does not define, is refused
    own.write_text(KPIS.replace("cohort: excluding UASC", "cohort: boys"))
    with pytest.raises(InputError, match="KPI long_stay, column 'cohort': cohort 'boys' has conditions beyond UASC"):
        load_appendix("2019-06", "Kent", inputs=inputs, made_at="now")
    with pytest.raises(InputError, match=r"KPI long_stay.*no cohort 'boys'; the cohorts in .* are: all, excl"):
        load_appendix("2019-06", "Kent", inputs=Inputs.of(returns=returns, kpis=own, settings=settings), made_at="now")
