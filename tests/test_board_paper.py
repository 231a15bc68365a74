"""The appendix as a board paper (issue 14), on the rendered sample: the overview's table, the Making Data
Count icons, the areas side by side, the tables to take away. Print, screen and accessibility are measured in
a real browser in test_browser.py."""

from __future__ import annotations

import html as html_text
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from typer.testing import CliRunner

from lacperf_helpers.cli import app
from lacperf_helpers.config import paths
from lacperf_helpers.present import icons
from lacperf_helpers.trend import spc
from tests.conftest import SAMPLE_MONTH


def page(rendered: Path, name: str = "kent") -> str:
    return (rendered / SAMPLE_MONTH / f"{name}.html").read_text()


def table(html: str, table_id: str) -> str:
    start = html.index(f'<table id="T_{table_id}"')
    return html[start : html.index("</table>", start)]


@pytest.mark.parametrize(
    ("verdict", "polarity", "words", "letter"),
    [
        (spc.COMMON_CAUSE, "H", "Normal variation", ""),
        (spc.SPECIAL_IMPROVING, "H", "Unusual improvement", "H"),  # higher is better: improving is high
        (spc.SPECIAL_IMPROVING, "L", "Unusual improvement", "L"),  # lower is better: improving is low
        (spc.SPECIAL_CONCERNING, "H", "Unusual concern", "L"),
        (spc.SPECIAL_CONCERNING, "L", "Unusual concern", "H"),
        (spc.SPECIAL_HIGHER, "H", "Unusually high", "H"),
    ],
)
def test_variation_icons_say_which_side_as_mdc_does(verdict: str, polarity: str, words: str, letter: str) -> None:
    shown = icons.variation(verdict, polarity)
    assert shown is not None and (shown.words, shown.letter) == (words, letter)
    svg = icons.icon(shown, "variation")
    assert f'aria-label="Variation: {words}"' in svg and (f">{letter}</text>" in svg) == bool(letter)
    assert icons.variation(spc.TOO_FEW_POINTS, polarity) is None


def test_assurance_icons_read_without_colour() -> None:
    letters = {v: icons.assurance(v) for v in (spc.CONSISTENTLY_MET, spc.CONSISTENTLY_MISSED, spc.HIT_AND_MISS)}
    assert {v.letter for v in letters.values() if v} == {"P", "F", "?"}  # a letter for greyscale print
    assert icons.assurance(spc.NO_TARGET) is None


def test_the_overview_table_has_every_kpi_with_its_icons_and_the_uasc_figure(rendered_internal: Path) -> None:
    kpis = table(page(rendered_internal), "scorecard")  # the director's paper: every figure and verdict
    headers = re.findall(r'<th scope="col">([^<]*)</th>', kpis)
    assert headers[:3] == ["KPI", "This month", "Excluding UASC"] and {"Variation", "Assurance"} <= set(headers)
    assert kpis.count('<th scope="row"') == 26
    variation = re.findall(r'aria-label="Variation: ([^"]*)"', kpis)
    assurance = re.findall(r'aria-label="Assurance: ([^"]*)"', kpis)
    # 24 KPIs have the 13 months SPC needs; the two from the extract start in 2018-10 (12 months): a dash
    assert len(variation) == 24 and len(assurance) == 24
    assert set(variation) <= {"Normal variation", "Unusual improvement", "Unusual concern"}
    rows = re.findall(r"<tr>(.*?)</tr>", kpis, re.S)[1:]
    for row in rows:  # the words are beside each icon, not only in it
        for words in re.findall(r'aria-label="(?:Variation|Assurance): ([^"]*)"', row):
            assert f"</svg> {words}</td>" in row
    # the cohort column: the two KPIs measured from the extract for children excluding UASC, and the four the
    # sample's return gives for them (its cohort column)
    uasc = [re.findall(r"<td[^>]*>([^<]*)</td>", row)[1] for row in rows]
    assert sum(v != "–" for v in uasc) == 6


def test_the_areas_side_by_side_name_every_area_the_authority_first(rendered: Path) -> None:
    html = page(rendered)
    areas = table(html, "areas")
    assert re.findall(r'<th scope="col">([^<]*)</th>', areas) == [
        "KPI", "Kent (this page)", "East Kent", "North Kent", "South Kent", "West Kent",
    ]  # fmt: skip
    assert areas.count('<th scope="row"') == 26 and areas.count("this-area") == 26  # Kent's column marked
    west = table(page(rendered, "west-kent"), "areas")
    assert "West Kent (this page)" in west and west.count("this-area") == 26
    section = html[html.index('class="lacperf-areas"') : html.index('<table id="T_areas"')]
    standouts = [html_text.unescape(s) for s in re.findall(r"<li>(.*?)</li>", section)]
    assert standouts, "the sample has areas rated apart from Kent"
    for sentence in standouts:  # each names an area, its figure and rating, and Kent's
        assert re.match(
            r"[^:]+: (East|North|South|West) Kent .+ \((Red|Green)\) against Kent's .+ \((Green|Amber|Red)\)", sentence
        )


def download(html: str, name: str) -> pd.DataFrame:
    """A table's CSV download, as text ('c': not shown)."""
    link = re.search(rf'<a download="{re.escape(name)}" href="data:text/csv;charset=utf-8,([^"]*)"', html)
    assert link is not None, name
    return pd.read_csv(io.StringIO(unquote(html_text.unescape(link[1]))), dtype=str, keep_default_na=False)


def counted(column: pd.Series) -> pd.Series:
    """A CSV's figures as numbers ('c' and blanks: NaN)."""
    return pd.to_numeric(column.replace({"c": ""}), errors="coerce")


def test_the_tables_to_take_away_are_the_published_figures(rendered: Path, tmp_path: Path) -> None:
    html = page(rendered)
    kpis = download(html, f"kent-{SAMPLE_MONTH}-kpis.csv")
    every_area = download(html, f"all-areas-{SAMPLE_MONTH}-kpis.csv")
    assert len(kpis) == 26 and set(kpis["area"]) == {"Kent"}
    assert len(every_area) == 26 * 5
    # the same suppressed figures as `lacperf scorecard` publishes for the month (its headline rows)
    out = tmp_path / "scorecard.csv"
    result = CliRunner().invoke(
        app, ["scorecard", "--returns", str(paths.SAMPLE_RETURNS), "--month", SAMPLE_MONTH, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    published = pd.read_csv(out, dtype=str, keep_default_na=False)
    published = published.loc[(published["cohort"] == "all") & (published["breakdown"] == "total")]
    merged = every_area.merge(published, on=["area", "kpi_id"], suffixes=("", "_published"), validate="one_to_one")
    for column in ("numerator", "denominator", "value", "rag"):
        assert (merged[column] == merged[f"{column}_published"]).all(), column
    assert (every_area["rag"] == "c").sum() == (every_area["numerator"] == "c").sum() > 0  # hidden: unrated too
    children = every_area.loc[every_area["kpi_id"].isin(published.loc[published["counts"] == "children", "kpi_id"])]
    for column in ("numerator", "denominator"):
        assert not counted(children[column]).between(1, 4).any()  # no count of 1-4 children leaves in a CSV


def test_the_page_compares_the_authority_with_every_authority_in_england(rendered: Path) -> None:
    national = table(page(rendered), "national")
    rows = re.findall(r"<tr>(.*?)</tr>", national, re.S)[1:]
    assert len(rows) == 3  # the sample's KPIs with a national indicator (kpis.yaml)
    for row in rows:
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
        assert re.fullmatch(r"\d+ of \d+", cells[4]) and cells[5] in set("ABCD")
    assert "2018/19" in national  # the year the figures are for


def test_the_quarterly_page_lets_its_table_be_taken_away(rendered: Path) -> None:
    quarter = (rendered / "2019-20-q2" / "west-kent.html").read_text()
    rows = download(quarter, "west-kent-2019-20-q2-kpis.csv")
    assert len(rows) == 26 and set(rows["area"]) == {"West Kent"}
    for column in ("numerator", "denominator"):  # the quarter's own figures, as suppressed on the page
        assert not counted(rows.loc[rows["counts"] == "children", column]).between(1, 4).any()


def test_the_authority_s_overview_gives_its_national_band_and_an_area_s_does_not(rendered: Path) -> None:
    kent = table(page(rendered), "scorecard")
    bands = re.findall(r"· band ([A-D])</td>", kent)
    national = table(page(rendered), "national")
    assert bands == re.findall(r'<td class="quartile quartile-[a-d]">([A-D])</td>', national)  # the annex's bands
    assert len(bands) == 3 and "A the best quarter and D the worst" in kent
    assert "· band" not in table(page(rendered, "west-kent"), "scorecard")  # the bands are Kent's, not the area's


def test_a_breakdown_lists_age_bands_by_age() -> None:
    from lacperf_helpers.present import present
    from lacperf_helpers.present.appendix import load_appendix

    section = present.breakdown_section(load_appendix(SAMPLE_MONTH, "Kent"), "age_band")
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td>', section)
    first_kpi = [group for title, group in rows if title == rows[0][0]]
    assert first_kpi == ["under 1", "1-4", "5-9", "10-15", "16 and over"]
