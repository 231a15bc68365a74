"""The notebook through papermill on the sample data, and what a director must see in the HTML."""

import re
from pathlib import Path

import papermill
import pytest
from typer.testing import CliRunner

from lacperf_helpers import __version__
from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.run.render import RenderError, render_appendix
from tests.conftest import SAMPLE_MONTH

NOTEBOOK_PARAMETERS = {
    "month", "area", "cohort", "breakdown", "returns_dir", "kpis_file", "settings_file", "trend_file",
    "benchmarks_file", "made_at", "edition", "manifest", "dfe_rules", "national_dir", "cohorts_file",
    "published_dir",
}  # fmt: skip


def test_the_notebook_takes_exactly_the_parameters_the_batch_passes() -> None:
    declared = set(papermill.inspect_notebook(str(paths.SCORECARD_NOTEBOOK)))
    assert declared == NOTEBOOK_PARAMETERS


def test_appendices_are_written_per_month_and_area_slug(rendered: Path) -> None:
    assert sorted(p.name for p in (rendered / SAMPLE_MONTH).iterdir()) == [
        "disclosure-decision.csv", "index.html", "kent.html", "kent.json", "west-kent.html", "west-kent.json"
    ]  # fmt: skip


def test_the_appendix_is_self_contained(rendered: Path) -> None:
    html = (rendered / SAMPLE_MONTH / "kent.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "loads something from the network"
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", html)
    assert "<script src" not in html
    assert "cdn" not in html.lower()


def test_the_appendix_reads_as_a_report_not_code(rendered: Path) -> None:
    html = (rendered / SAMPLE_MONTH / "kent.html").read_text()
    assert "load_appendix" not in html and "import " not in html  # code cells hidden
    assert "previous_numerator" not in html  # the analysts' tidy frame is left out
    assert "Warning" not in html  # nothing printed as output (what goes to stderr is logged: see `rendered`)
    assert "Kent · September 2019" in html


def test_the_summary_leads_and_the_table_has_every_kpi(rendered_internal: Path) -> None:
    html = (rendered_internal / SAMPLE_MONTH / "kent.html").read_text()  # the director's paper: every figure
    # one KPI per measure: placement_stability_short is the extract's, 141 of Kent's 1,529 children with 3+ placements
    # by the DfE's rules (9.2%, target 10%: Green), the return's figure reconciled in the annex, not a second KPI
    # dental_check and pathway_plans are Annex A's (counted by hand with pandas from 2019-09/annex_a/Annex_A.xlsx:
    # 983 of 1,036 children looked after 12 months+ with a dental check since 30/09/2018, 94.9%, target 90: Green;
    # 825 of 843 eligible, relevant and former relevant leavers reviewed since 30/03/2019, 97.9%, target 90: Green;
    # the return had them Amber, 85.3%, and Red, 78.0%). Care leavers aged 19 to 21 are List 9's (counted by hand
    # with pandas from the same workbook: 582 former relevant children aged 19-21 at 30/09/2019, Died and RHOM left
    # out; 545 in touch, 93.6%, Amber; 310 in education, employment or training, 53.3%, Red; 471 in suitable
    # accommodation, 80.9%, Amber); reviews (1,511 of 1,529, Green), review health assessments (1,022 of 1,036,
    # Green) and return interviews offered (335 of 380, Green) Annex A's too, missing in the month the extract's
    # (129 of 1,581 children in care in September, 8.2%, Amber); in-house foster care Annex A's (counted by hand:
    # 510 of the 1,060 children in foster placements at 30/09/2019 with the council's own carers, 48.1%, Red)
    headline = html.index("Of the 24 KPIs, 11 are rated Green, 9 Amber and 4 Red.")
    assert headline < html.index('class="lacperf-scorecard"')
    assert "moving the rating from Amber to Red" in html
    table = html[html.index('class="lacperf-scorecard"') :]
    table = table[: table.index("</table>")]
    rating_cells = re.findall(r'<td [^>]*class="[^"]*(?<!previous )rag rag-([a-z-]+)"[^>]*>([^<]*)', table)
    assert len(rating_cells) == 24
    assert all(word.lower().replace(" ", "-") == band for band, word in rating_cells)  # colour and word agree


def test_a_small_area_shows_children_and_what_is_not_rated(rendered: Path) -> None:
    html = (rendered / SAMPLE_MONTH / "west-kent.html").read_text()
    assert "1 has no figure this month; 1 is not applicable" in html
    assert "20 of 26 children (76.9%)" in html  # a small cohort leads with the children (long-term stability)
    assert "not shown" in html and "&lt;5" not in html  # and a figure of fewer than 5 children is hidden
    assert "Children who took part in their review: no figure in the return." in html


def test_the_footer_says_where_the_figures_came_from(rendered: Path) -> None:
    html = (rendered / SAMPLE_MONTH / "kent.html").read_text()
    footer = html[html.index('class="lacperf-footer"') :]
    for expected in ("Kent", "September 2019 (2019-09)", "kpis.yaml", "2019-08/kpi_return.csv",
                     "2019-09/kpi_return.csv", f"lacperf {__version__}"):  # fmt: skip
        assert expected in footer


FAILING_NOTEBOOK = Path(__file__).parent / "data" / "notebooks" / "always_fails.ipynb"


def test_a_failed_run_leaves_the_last_good_appendix(tmp_path: Path) -> None:
    good = tmp_path / SAMPLE_MONTH / "south-kent.html"
    good.parent.mkdir()
    good.write_text("<html>last good appendix</html>")
    failing = FAILING_NOTEBOOK
    with pytest.raises(RenderError, match="ValueError: the figures would be wrong"):
        render_appendix(tmp_path, SAMPLE_MONTH, "South Kent", parameters={"month": SAMPLE_MONTH}, notebook=failing)
    assert good.read_text() == "<html>last good appendix</html>"
    assert sorted(p.name for p in good.parent.iterdir()) == ["south-kent.html"]  # no temporary left behind


def test_one_failing_area_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered_areas = []

    def fake_render(out: Path, month: str, area: str, **_: object) -> Path:
        if area == "North Kent":
            raise RenderError("scorecard.ipynb stopped in cell 3: KeyError: 'x'")
        rendered_areas.append(area)
        return Path(out) / month / f"{area}.html"

    monkeypatch.setattr("lacperf_helpers.run.render.render_appendix", fake_render)  # one worker: in this process
    result = CliRunner().invoke(
        app,
        ["render", "--returns", str(paths.SAMPLE_RETURNS), "--month", SAMPLE_MONTH, "--out", str(tmp_path),
         "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert rendered_areas == ["Kent", "East Kent", "South Kent", "West Kent"]
    assert f"{SAMPLE_MONTH} North Kent: not rendered: scorecard.ipynb stopped in cell 3: KeyError: 'x'" in result.output
    assert f"1 of 5 appendices failed: scorecard {SAMPLE_MONTH} North Kent" in result.output


def test_the_direction_of_travel_section(rendered: Path) -> None:
    html = (rendered / SAMPLE_MONTH / "kent.html").read_text()
    grid = re.findall(r'<table class="lacperf-rag-grid"><caption>([^<]*)</caption>', html)
    assert len(grid) == 1 and grid[0].startswith(
        "Ratings of Kent&#39;s 24 KPIs in each of the last 12 months (October 2018 to September 2019)"
    )
    title = r'(?:<h4 class="lacperf-chart-title">([^<]*)</h4>)?'
    figures = re.findall(f'<figure class="lacperf-chart">{title}<svg [^>]*?role="img" aria-labelledby="([^"]+)"', html)
    # the charts span SPC's 24 months (trend.yaml's spc window), not the grid's 12: the heading says so
    assert "<h4>Each KPI over 24 months</h4>" in html and "Each KPI over 12 months" not in html
    assert len(figures) == 24  # one chart per KPI, headed by its title, named by its caption
    assert figures[0][0] == "Care leavers given their health history at 18"
    assert [html.count(f'<figcaption id="{caption}">') for _, caption in figures] == [1] * 24
    assert "Children in care placed within 20 miles of home: 78.8% in September 2019, rated Amber; variation: " in html
    assert "England 2018/19: 10.4% · better" in html  # 3+ placements: 9.2% against England's, lower is better


def test_each_amber_and_red_kpi_is_one_plain_sentence_in_the_annex(rendered_internal: Path) -> None:
    html = (rendered_internal / SAMPLE_MONTH / "kent.html").read_text()
    annex = html[html.index('class="lacperf-annex"') : html.index('class="lacperf-trends"')]
    items = re.findall(r"<li>(.*?)</li>", annex)
    assert len(items) == 13  # 9 Amber and 4 Red, one sentence each (the headline, test above)
    assert all(item.count(". ") == 0 and item.endswith(".") for item in items)
    rated = [re.search(r", (Amber|Red)[;.]", item) for item in items]
    assert [m[1] if m else "" for m in rated].count("Amber") == 9 and sum(bool(m) for m in rated) == 13
    jargon = ("in the count", "in the cohort", "common cause", "Mann-Kendall", "no clear change", "special cause")
    assert not [item for item in items if any(word in item.lower() for word in jargon)]
    # the trend only where it says something: a run of months, a steady change, an unusual month
    assert any("month-on-month" in item or "steadily since" in item for item in items)


def test_the_same_inputs_give_the_same_page(tmp_path: Path) -> None:
    """Rendered twice, in a fresh kernel and in a warm one, with the same time stamp: byte for byte equal."""
    from lacperf_helpers.run.render import WarmKernel

    parameters = {"month": SAMPLE_MONTH, "made_at": "2019-10-01 09:00 UTC", "cohort": "all"}
    first = render_appendix(tmp_path / "a", SAMPLE_MONTH, "West Kent", parameters=parameters).read_bytes()
    kernel = WarmKernel()
    try:
        again = render_appendix(tmp_path / "b", SAMPLE_MONTH, "West Kent", parameters=parameters, kernel=kernel)
        again_bytes = again.read_bytes()
    finally:
        kernel.shutdown()
    assert first == again_bytes
