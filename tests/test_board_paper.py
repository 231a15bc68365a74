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

ROW = r"<tr>(.*?)(?=<tr>|</thead>|</tbody>)"  # a table's row: its end tag is left out, the next row ends it


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
    drawing = icons.symbols([icons.symbol_id(shown, "variation")])  # the page's one drawing of this icon
    assert f'aria-label="Variation: {words}"' in svg and (f">{letter}</text>" in drawing) == bool(letter)
    assert icons.variation(spc.TOO_FEW_POINTS, polarity) is None


def test_a_page_carries_one_drawing_of_each_icon_it_shows_and_no_other() -> None:
    from lacperf_helpers.run.render import with_icon_drawings

    met, improving = icons.assurance(spc.CONSISTENTLY_MET), icons.variation(spc.SPECIAL_IMPROVING, "L")
    assert met is not None and improving is not None
    shown = [icons.icon(met, "assurance"), icons.icon(met, "assurance"), icons.icon(improving, "variation")]
    page = with_icon_drawings(f"<html><body class='x'><p>{''.join(shown)}</p></body></html>")
    drawn = re.findall(r'<symbol id="([^"]+)"', page)
    assert drawn == ["mdc-assurance-target-always-met", "mdc-variation-unusual-improvement-l"]
    assert page.index("<symbol") < page.index('<use href="#mdc-variation-unusual-improvement-l"')
    assert 'aria-hidden="true"' in page.split("<symbol")[0]  # the drawings are not read out; each icon is named
    plain = "<html><body><p>no icons</p></body></html>"
    assert with_icon_drawings(plain) == plain
    assert len(icons.every_icon()) == 10  # 7 variation (H and L sides), 3 assurance
    with pytest.raises(ValueError, match="mdc-variation-made-up"):
        icons.symbols(["mdc-variation-made-up"])


def test_assurance_icons_read_without_colour() -> None:
    letters = {v: icons.assurance(v) for v in (spc.CONSISTENTLY_MET, spc.CONSISTENTLY_MISSED, spc.HIT_AND_MISS)}
    assert {v.letter for v in letters.values() if v} == {"P", "F", "?"}  # a letter for greyscale print
    assert icons.assurance(spc.NO_TARGET) is None


def test_the_overview_table_has_every_kpi_with_its_icons_and_the_uasc_figure(rendered_internal: Path) -> None:
    kpis = table(page(rendered_internal), "scorecard")  # the director's paper: every figure and verdict
    headers = re.findall(r'<th scope="col">([^<]*)', kpis)
    assert headers[:3] == ["KPI", "This month", "Excluding UASC"] and {"Variation", "Assurance"} <= set(headers)
    assert kpis.count('<th scope="row"') == 24
    variation = re.findall(r'aria-label="Variation: ([^"]*)"', kpis)
    assurance = re.findall(r'aria-label="Assurance: ([^"]*)"', kpis)
    # every KPI has the 13 months SPC needs: the three from the extract have the return's figures before 2018-10
    assert len(variation) == 24 and len(assurance) == 24
    assert set(variation) <= {"Normal variation", "Unusual improvement", "Unusual concern"}
    rows = re.findall(ROW, kpis, re.S)[1:]
    for row in rows:  # the words are beside each icon, not only in it
        for words in re.findall(r'aria-label="(?:Variation|Assurance): ([^"]*)"', row):
            assert f"</svg> {words}<" in f"{row}<"
    # the cohort column: the four KPIs measured from the extract and the nine from Annex A for children excluding
    # UASC (shown, or not shown to protect a count of 1-4), and the two the sample's return gives for them
    uasc = [re.findall(r"<td[^>]*>([^<]*)", row)[1] for row in rows]
    assert sum(v != "–" for v in uasc) == 15


def test_the_areas_side_by_side_name_every_area_the_authority_first(rendered: Path, rendered_internal: Path) -> None:
    html = page(rendered)
    areas = table(html, "areas")
    assert re.findall(r'<th scope="col">([^<]*)', areas) == [
        "KPI", "Kent (this page)", "East Kent", "North Kent", "South Kent", "West Kent",
    ]  # fmt: skip
    assert areas.count('<th scope="row"') == 24 and areas.count("this-area") == 24  # Kent's column marked
    west = table(page(rendered, "west-kent"), "areas")
    assert "West Kent (this page)" in west and west.count("this-area") == 24
    # the sample's areas rated apart from Kent (North Kent's care leavers in suitable accommodation, Red against
    # Kent's Amber) are the internal edition's: the public edition hides each of them this month (a figure of 1-4
    # children, or one hidden to protect such a count), and names only what it shows
    for edition, folder in (("public", rendered), ("internal", rendered_internal)):
        paper = page(folder)
        section = paper[paper.index('class="lacperf-areas"') : paper.index('<table id="T_areas"')]
        standouts = [html_text.unescape(s) for s in re.findall(r"<li>(.*?)</li>", section)]
        assert standouts or edition == "public", "the sample has areas rated apart from Kent"
        for sentence in standouts:  # each names an area, its figure and rating, and Kent's
            assert re.match(
                r"[^:]+: (East|North|South|West) Kent .+ \((Red|Green)\) against Kent's .+ \((Green|Amber|Red)\)",
                sentence,
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
    assert len(kpis) == 24 and set(kpis["area"]) == {"Kent"}
    assert len(every_area) == 24 * 5
    # the same suppressed figures as `lacperf scorecard` publishes for the month (its headline rows)
    out = tmp_path / "scorecard.csv"
    result = CliRunner().invoke(
        app, ["scorecard", "--returns", str(paths.SAMPLE_RETURNS), "--month", SAMPLE_MONTH, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    published = pd.read_csv(out, dtype=str, keep_default_na=False)
    published = published.loc[(published["cohort"] == "all") & (published["breakdown"] == "total")]
    merged = every_area.merge(published, on=["area", "kpi_id"], suffixes=("", "_published"), validate="one_to_one")
    assert (merged["rag"] == merged["rag_published"]).all()
    for column in ("numerator", "denominator", "value"):  # the same figures, as the page shows them
        shown = ~merged[column].isin(["c", ""])  # blank: a KPI given as a value only, as published
        assert (merged.loc[~shown, f"{column}_published"] == merged.loc[~shown, column]).all(), column
        exact = counted(merged.loc[shown, f"{column}_published"])
        places = merged.loc[shown, "decimals"].astype(int) if column == "value" else 1
        assert (counted(merged.loc[shown, column]) - exact).abs().le(0.5 * 10.0**-places).all(), column
    assert (every_area["rag"] == "c").sum() == (every_area["numerator"] == "c").sum() > 0  # hidden: unrated too
    children = every_area.loc[every_area["kpi_id"].isin(published.loc[published["counts"] == "children", "kpi_id"])]
    for column in ("numerator", "denominator"):
        assert not counted(children[column]).between(1, 4).any()  # no count of 1-4 children leaves in a CSV


def test_the_page_compares_the_authority_with_every_authority_in_england(rendered: Path) -> None:
    national = table(page(rendered), "national")
    rows = re.findall(ROW, national, re.S)[1:]
    assert len(rows) == 3  # the sample's KPIs with a national indicator (kpis.yaml)
    for row in rows:
        cells = re.findall(r"<td[^>]*>([^<]*)", row)
        assert re.fullmatch(r"\d+ of \d+", cells[4]) and cells[5] in set("ABCD")
    assert "2018/19" in national  # the year the figures are for


def test_the_quarterly_page_lets_its_table_be_taken_away(rendered: Path) -> None:
    quarter = (rendered / "2019-20-q2" / "west-kent.html").read_text()
    rows = download(quarter, "west-kent-2019-20-q2-kpis.csv")
    assert len(rows) == 24 and set(rows["area"]) == {"West Kent"}
    for column in ("numerator", "denominator"):  # the quarter's own figures, as suppressed on the page
        assert not counted(rows.loc[rows["counts"] == "children", column]).between(1, 4).any()


def test_the_authority_s_overview_gives_its_national_band_and_an_area_s_does_not(rendered: Path) -> None:
    html = page(rendered)
    kent = table(html, "scorecard")
    bands = re.findall(r"2018/19: [\d.]+% \(band ([A-D])\)", kent)  # the band of the DfE's year, said so
    national = table(html, "national")
    assert bands == re.findall(r'<td class="quartile quartile-[a-d]">([A-D])<', national)  # the annex's bands
    key = html[html.index('<p class="lacperf-key">', html.index('<table id="T_scorecard"')) :]
    assert len(bands) == 3 and "A the best quarter and D the worst" in key[: key.index("</p>")]  # the table's key
    assert "(band" not in table(page(rendered, "west-kent"), "scorecard")  # the bands are Kent's, not the area's


def test_a_breakdown_lists_age_bands_by_age() -> None:
    from lacperf_helpers.present import present
    from lacperf_helpers.present.appendix import load_appendix

    section = present.breakdown_section(load_appendix(SAMPLE_MONTH, "Kent"), "age_band")
    rows = re.findall(r'<tr><th scope="row">([^<]*)<td>([^<]*)', section)
    # every band, and the children of no known age last: a computed KPI lists each group, children or none
    # (docs/disclosure-control.md); 3 or more placements is one
    stability = [group for title, group in rows if title.startswith("Children in care with 3 or more placements")]
    assert stability == ["under 1", "1-4", "5-9", "10-15", "16 and over", "unknown"]
    order = {group: i for i, group in enumerate(stability)}
    for kpi in dict.fromkeys(title for title, _ in rows):  # and every KPI's bands in the same order
        bands = [order[group] for title, group in rows if title == kpi]
        assert bands == sorted(bands), kpi


def cells_of(html: str, table_id: str) -> list[list[str]]:
    """Each body row of a table as the reader sees its cells' text."""
    rows = re.findall(ROW, table(html, table_id), re.S)[1:]
    return [
        [
            html_text.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)(?=<t[hd][ >]|$)", r, re.S)
        ]
        for r in rows
    ]


@pytest.mark.parametrize("edition", ["public", "internal-not-for-publication"])
def test_each_row_of_the_overview_says_one_thing(rendered_editions: Path, edition: str) -> None:
    """Issue 29: '▼ Worse' beside 'Unusual improvement' said two things. The direction now reads with the
    variation: a move against an unusual run says 'but still'; the direction names the month compared with."""
    kpis = cells_of(page(rendered_editions / edition), "scorecard")
    headers = re.findall(r'<th scope="col">([^<]*)', table(page(rendered_editions / edition), "scorecard"))
    direction, variation = headers.index("Direction"), headers.index("Variation")
    against = 0
    for row in kpis:
        said, verdict = row[direction], row[variation]
        if said.startswith(("▲", "►", "▼")):
            assert re.match(r"[▲►▼] (Better than|The same as|Worse than) August(,|;|$)", said), said
        if verdict.endswith("Unusual improvement"):
            assert "unusually good" in said or not said.startswith(("▲", "►", "▼")), row
            assert said.startswith("▼") == ("but still" in said), row
        if verdict.endswith("Unusual concern"):
            assert "unusually poor" in said or not said.startswith(("▲", "►", "▼")), row
            assert said.startswith("▲") == ("but still" in said), row
        if verdict.endswith("Normal variation"):
            assert "unusually" not in said
        against += "but still" in said
    assert against >= 3  # the sample's caseload, permanent social workers and care leavers in touch, at least
    # the annex's sentences say the same, never "up ... an unusually poor month" without reconciling them
    html = page(rendered_editions / edition)
    annex = html[html.index('id="amber-red"') :]
    for item in re.findall(r"<li>(.*?)</li>", annex[: annex.index("</section>")], re.S):
        words = html_text.unescape(item)
        if "unusually" in words and (("better than August" in words and "poor" in words) or
                                     ("worse than August" in words and "good" in words)):  # fmt: skip
            assert "but still" in words, words


def test_the_quarter_is_never_called_a_month(rendered: Path) -> None:
    quarter = (rendered / "2019-20-q2" / "west-kent.html").read_text()
    text = html_text.unescape(re.sub(r"<[^>]+>", " ", quarter))
    assert "unusually good month" not in text and "unusually poor month" not in text
    rows = cells_of(quarter, "quarter")
    moved = [r[5] for r in rows if r[5].startswith(("▲", "►", "▼"))]
    assert moved and all(re.match(r"[▲►▼] (Better than|The same as|Worse than) Q1 2019/20", m) for m in moved)
    assert any("September 2019 was" in m for m in moved)  # the verdict of the quarter's last month, named


def test_one_england_figure_per_kpi_and_year(rendered: Path) -> None:
    """Issue 29: EET read 52.0% in the overview and 53.5% in the national table (2018/19). The DfE's figure
    is the one wherever the DfE publishes the KPI, with its year; the band says its year too."""
    html = page(rendered)
    national = {row[0]: row[2] for row in cells_of(html, "national")}
    headers = re.findall(r'<th scope="col">([^<]*)', table(html, "scorecard"))
    england = headers.index("England")
    overview = {re.sub(r" \[\d+\]$", "", row[0]): row[england] for row in cells_of(html, "scorecard")}
    assert len(national) == 3
    for title, figure in national.items():
        assert re.fullmatch(rf"2018/19: {re.escape(figure)} \(band [A-D]\) · this month: (better|worse|in line)",
                            overview[title]), (title, overview[title])  # fmt: skip
    assert overview["Care leavers aged 19 to 21 in education, employment or training"].startswith("2018/19: 53.5%")
    for cell in overview.values():
        assert cell == "–" or re.match(r"\d{4}/\d{2}: [\d.,]+(%| days)?", cell), cell
    sources = re.search(r"England's figures: (.*?)\.</p>", html_text.unescape(html))
    assert sources and "2018/19, from the DfE's national tables (KPIs " in sources[1]  # its source, once


def test_a_hidden_figure_reads_not_shown_and_nothing_else(rendered: Path) -> None:
    """Issue 29: a hidden days figure read '<5 · Amber'. Every hidden figure of the areas side by side reads
    'not shown' alone (no rating, which would narrow it), in the words of the rest of the page."""
    for name in ("kent", "west-kent"):
        html = page(rendered, name)
        cells = [c for row in cells_of(html, "areas") for c in row[1:]]
        assert "not shown" in cells
        assert not [c for c in cells if "not shown" in c and c != "not shown"]
        days = [row for row in cells_of(html, "areas") if "days" in row[0]]
        assert days and any("not shown" in row for row in days)  # the sample's hidden days figures
        assert "&lt;5" not in html and "<5" not in html_text.unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_paper_speaks_plainly_before_its_annex(rendered: Path, rendered_internal: Path) -> None:
    """Members read the overview and the areas: the return's name and codes (SSDA903, reason for new episode
    S) are for the annex, named there in words."""
    for folder in (rendered, rendered_internal):
        html = page(folder)
        body = html[html.index("<main") : html.index('id="annex"')]
        text = html_text.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'href="data:[^"]*"', "", body)))
        assert "SSDA903" not in text and not re.search(r"\bRNE\b", text)
        annex = html[html.index('id="annex"') :]
        said = html_text.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'href="data:[^"]*"', "", annex)))
        # the return's code only after its name in words (the annex of the internal edition reconciles sources)
        assert all(said[: m.start()].endswith("return to the DfE, ") for m in re.finditer("SSDA903", said))


def test_every_table_on_the_page_can_be_taken_away_as_it_is_shown(rendered: Path, rendered_internal: Path) -> None:
    """Each table of figures has its download, with the figures rounded as the page shows them and the page's
    words for the verdicts (issue 29: 'Normal variation', never the SPC term 'Common cause')."""
    html = page(rendered)
    tables = re.findall(r'<table (?:id="T_\w+" )?class="(?:lacperf-scorecard|lacperf-rag-grid)"', html)
    downloads = re.findall(r'<a download="([^"]+\.csv)"', html)
    assert len(tables) == len(downloads) == 5, downloads  # the KPIs, the areas, England, the rates, the ratings
    kpis = download(html, f"kent-{SAMPLE_MONTH}-kpis.csv")
    shown = kpis.loc[kpis["value"] != "c"]
    # a percent of the sample is shown to 1 decimal (59.9%), never 59.86159169550173
    assert shown["value"].str.fullmatch(r"-?\d+(\.\d)?").all() and (shown["value"] == "59.9").any()
    # 519, or 82.3 FTE: not 519.0 (blank: a KPI given as a value only)
    assert shown["numerator"].str.fullmatch(r"(\d+(\.\d)?)?").all() and (shown["numerator"] == "519").any()
    words = set(kpis["variation"]) | set(kpis["assurance"])
    assert "Normal variation" in words and "Unusual improvement" in words
    assert not words & {"Common cause", "Special cause improving", "Consistently missed", "Hit and miss"}
    england = download(html, "england-2018-19-kent.csv")
    assert len(england) == 3 and set(england["edition"]) == {"public"}
    internal = page(rendered_internal)
    assert re.findall(r'<a download="([^"]+\.csv)"', internal) == [
        name.replace(".csv", "--internal-not-for-publication.csv") for name in downloads
    ]
