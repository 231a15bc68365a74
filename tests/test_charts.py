"""Chart helpers return valid Vega-Lite over aggregate rows; SVG output is inline and described."""

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from lacperf_helpers.present import charts

MONTHS = ["2019-07", "2019-08", "2019-09"]


def points(special_cause: list[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": MONTHS,
            "value": [80.0, 85.0, 92.5],
            "numerator": [32.0, 34.0, 37.0],
            "denominator": [40.0, 40.0, 40.0],
            "rag": ["Amber", "Amber", "Green"],
            "target": [90.0, 90.0, 90.0],
            "floor": [80.0, 80.0, 80.0],
            "mean": [85.8] * 3,
            "lower_limit": [70.0] * 3,
            "upper_limit": [100.0] * 3,
            "special_cause": special_cause or [0, 0, 0],
            "rules": ["", "", ""],
        }
    )


def test_kpi_chart_is_valid_vega_lite_with_one_row_per_month() -> None:
    chart = charts.kpi_chart(points(), "percent", 1, "children", "H", benchmark=88.0)
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    assert len(spec["layer"]) == 7  # bands, standards, limits, mean, line, points, England
    datasets = spec["datasets"]
    month_rows = [rows for rows in datasets.values() if rows and "figure" in rows[0]]
    assert len(month_rows) == 1 and len(month_rows[0]) == 3  # three months, never a row per child
    assert month_rows[0][2]["figure"] == "92.5% (37 of 40 children)"


@pytest.mark.parametrize(
    ("polarity", "expected"), [("H", ["None", "Improving", "Concerning"]), ("L", ["None", "Concerning", "Improving"])]
)
def test_special_causes_are_read_through_polarity(polarity: str, expected: list[str]) -> None:
    data = charts.kpi_chart_data(points([0, 1, -1]), "percent", 1, "children", polarity)
    assert data["signal"].tolist() == expected


def test_bands_follow_polarity() -> None:
    one = pd.DataFrame({"month": ["2019-09-01"], "target": [90.0], "floor": [80.0]})
    high = pd.DataFrame(charts._bands(one, "H", (70.0, 100.0))).set_index("band")[["y", "y2"]].to_dict("index")
    assert high == {"Green": {"y": 90.0, "y2": 100.0}, "Amber": {"y": 80.0, "y2": 90.0}, "Red": {"y": 70.0, "y2": 80.0}}
    one = pd.DataFrame({"month": ["2019-09-01"], "target": [10.0], "floor": [12.0]})
    low = pd.DataFrame(charts._bands(one, "L", (5.0, 20.0))).set_index("band")[["y", "y2"]].to_dict("index")
    assert low == {"Green": {"y": 5.0, "y2": 10.0}, "Amber": {"y": 10.0, "y2": 12.0}, "Red": {"y": 12.0, "y2": 20.0}}


def test_ratings_grid_is_a_table_of_letters_and_colours() -> None:
    from lacperf_helpers.present.present import ratings_grid

    history = pd.DataFrame(
        {"title": ["A", "A", "B"], "month": ["2019-08", "2019-09", "2019-09"], "rag": ["Green", "Red", "No data"]}
    )
    html = ratings_grid(history, ["B", "A"], ["2019-08", "2019-09"], "Ratings of 2 KPIs")
    rows = re.findall(r"<tr>(.*?)(?=<tr>|</thead>|</tbody>)", html)  # end tags left out
    assert re.findall(r"<th[^>]*>([^<]*)", rows[0]) == ["KPI", "Aug 19", "Sep 19"]
    cells = [re.findall(r'<td class="([^"]*)"[^>]*>([^<]*)', row) for row in rows[1:]]
    assert cells == [
        [("rag rag-no-data", "–"), ("rag rag-no-data", "–")],  # B has no August row at all: no data, not a gap
        [("rag rag-green", "G"), ("rag rag-red", "R")],
    ]
    assert re.findall(r'title="([^"]*)">R<', html) == ["Red"] and "<caption>Ratings of 2 KPIs</caption>" in html


def test_svg_is_inline_with_hover_titles_and_a_text_alternative() -> None:
    frames = charts.kpi_chart_frames(points(), "percent", 1, "children", "H", 88.0, "England 2018/19: 88.0%")
    html = charts.kpi_figure(frames, "Reviews on time: 92.5% in September 2019, rated Green.", "Reviews on time")
    assert html.startswith('<figure class="lacperf-chart"><h4 class="lacperf-chart-title">Reviews on time</h4><svg ')
    named = re.search(r'<svg [^>]*role="img" aria-labelledby="([^"]+)"', html)  # named by its caption
    assert named is not None and html.count(f'id="{named.group(1)}"') == 1
    caption = f'<figcaption id="{named.group(1)}">Reviews on time: 92.5% in September 2019, rated Green.</figcaption>'
    assert caption in html
    bare = charts.kpi_chart_svg(frames, "Reviews on time: 92.5%.")  # a chart alone names itself
    assert re.search(r'<svg [^>]*role="img" aria-label="Reviews on time: 92.5%."', bare)
    assert "<script" not in html and 'xmlns="http://www.w3.org/2000/svg"' in html
    assert "<title>September 2019: 92.5% (37 of 40 children), Green</title>" in html
    assert "<title>England 2018/19: 88.0%</title>" in html
    assert html.count("<title>") == 3 + 1 + 4  # each month, England, each line (target, floor, the limits, mean)
    assert html.count("<title>Process limit</title>") == 1  # the upper and lower limits: one path, one title
    assert "Green" not in re.sub(r"<title>[^<]*</title>|aria-label=\"[^\"]*\"|<figcaption[^>]*>.*", "", html)
    assert html.endswith("rated Green.</figcaption></figure>")
    svg = re.search(r"<svg .*</svg>", html, re.S)
    assert svg is not None
    ET.fromstring(svg.group())  # well-formed XML, for any SVG reader


def test_y_axis_stays_within_what_a_percentage_can_be() -> None:
    data = charts.kpi_chart_data(points(), "percent", 1, "children", "H")
    low, high = charts._y_domain(data, "percent", [])
    assert (low, high) == (pytest.approx(67.6), 100.0)  # 70 - 8% of the 70-100 range; capped at 100
    assert not math.isnan(np.float64(low))


def test_each_point_sits_on_its_months_tick_and_none_beyond_the_last() -> None:
    """A September point beside an 'Oct 19' tick reads as October: points and ticks share month starts."""
    months = [f"{y}-{m:02d}" for y in (2018, 2019) for m in range(1, 13)][8:21]  # Sep 2018 to Sep 2019
    many = pd.DataFrame(
        {
            "month": months, "value": [50.0 + i for i in range(13)], "numerator": [50.0 + i for i in range(13)],
            "denominator": [100.0] * 13, "rag": ["Amber"] * 13, "target": [70.0] * 13, "floor": [40.0] * 13,
            "rules": [""] * 13,
        }
    )  # fmt: skip
    svg = charts.kpi_chart_svg(charts.kpi_chart_frames(many, "percent", 1, "children", "H"), "A chart")
    ticks = {label: float(x) for x, label in re.findall(r'<text x="([\d.]+)"[^>]*>(\w{3} \d\d)</text>', svg)}
    dots = dict(re.findall(r'(?:cx="|d="M)([\d.]+)[^>]*><title>(\w+ \d{4}):', svg))  # a circle's or a triangle's
    dots = {month: x for x, month in dots.items()}
    assert ticks, "the axis has month labels"
    for label, x in ticks.items():  # 'Jan 19' is where January 2019's point is
        month = pd.Timestamp(f"01 {label}").strftime("%B %Y")
        assert float(dots[month]) == pytest.approx(x, abs=0.01)
    assert max(ticks.values()) <= float(dots["September 2019"]) + 0.01  # no tick after the latest month


def test_a_section_is_html_in_jupyterlab_and_one_line_as_plain_text() -> None:
    """Every output is sent and kept in each of its forms: the plain one must not be the page again."""
    from IPython.core.formatters import DisplayFormatter

    frames = charts.kpi_chart_frames(points(), "percent", 1, "children", "H")
    section = charts.kpi_figure(frames, "Reviews on time: 92.5%.", "Reviews on time")
    shown, _ = DisplayFormatter().format(section)
    assert shown["text/html"] == str(section)
    assert shown["text/plain"] == f"<Section: {len(section):,} characters of HTML>"


def test_a_chart_made_keeps_what_it_showed_whatever_is_done_to_its_points_after() -> None:
    """A chart's columns are its own, not views of the points: writing to the points after (as an analyst may in
    JupyterLab, or a later page's work) changes neither the chart nor its drawing."""
    shown = points()
    frames = charts.kpi_chart_frames(shown, "percent", 1, "children", "H")
    drawn = charts.kpi_chart_svg(frames, "A chart")
    shown.loc[0, "value"] = 20.0
    shown["value"].array[1] = 30.0  # through the array itself, which copy-on-write does not watch
    shown.loc[0, "rag"] = "Red"
    assert list(frames.month_columns["value"]) == [80.0, 85.0, 92.5]
    assert list(frames.months["rating"]) == ["Amber", "Amber", "Green"]
    assert charts.kpi_chart_svg(frames, "A chart") == drawn


def test_a_charts_special_causes_and_rules_read_as_pandas_would_read_them() -> None:
    """Each month's special cause a whole number (a gap 0) and its rules' text ('' for a gap), whatever the
    column's type, as `fillna(0).astype(int)` and `fillna('')` give them; the rules a copy of the points'."""
    from lacperf_helpers.present.charts import _blank_for_none, _sides

    for column in (
        pd.Series([1, 0, -1]),
        pd.Series([1.0, np.nan, -1.0]),
        pd.Series([1, None, -1], dtype=object),
        pd.Series([1, pd.NA, -1], dtype="Int64"),
    ):
        sides = _sides(column)
        assert sides.tolist() == [1, 0, -1] and sides.dtype == column.fillna(0).astype(int).to_numpy().dtype
    with pytest.raises(ValueError):  # an infinity is no special cause: pandas' error, as before
        _sides(pd.Series([1.0, np.inf]))
    for rules in (pd.Series(["a", "b"], dtype="str"), pd.Series(["a", None], dtype="str")):
        blank = _blank_for_none(rules)
        assert list(blank) == list(rules.fillna("")) and blank.dtype == rules.fillna("").array.dtype
        blank[0] = "changed"
        assert rules[0] == "a"
