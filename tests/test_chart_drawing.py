"""The appendix's chart, drawn without Vega, puts every mark where Vega puts it for the same chart in altair
(`charts.kpi_chart`): Vega's own scenegraph (vl-convert) is the reference, mark by mark."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import vl_convert

from lacperf_helpers.present import chart_drawing, charts

GAP = 2  # the month without a figure in the long fixture


def months(n: int, start: str = "2017-10") -> list[str]:
    return [str(p) for p in pd.period_range(start, periods=n, freq="M")]


def fixture(n: int, unit: str, polarity: str, gap: bool = False) -> pd.DataFrame:
    """n months of a KPI whose target rises at April (as financial years do), with unusual months."""
    rng = np.random.default_rng(n)
    value = (60 + rng.normal(0, 6, n)) if unit == "percent" else (400 + rng.normal(0, 60, n))
    labels = months(n)
    target = [(70.0 if m >= "2019-04" else 65.0) if unit == "percent" else 380.0 for m in labels]
    floor = [55.0 if unit == "percent" else 450.0] * n
    frame = pd.DataFrame(
        {
            "month": labels, "value": value, "numerator": np.round(value), "denominator": [100.0] * n,
            "rag": ["Amber"] * n, "target": target, "floor": floor, "mean": [float(np.mean(value))] * n,
            "lower_limit": [float(np.mean(value)) - 15] * n, "upper_limit": [float(np.mean(value)) + 15] * n,
            "special_cause": [(i % 7 == 3) - (i % 11 == 5) for i in range(n)], "rules": [""] * n,
        }
    )  # fmt: skip
    if gap:  # a month with no figure: the line breaks and no point is drawn
        frame.loc[GAP, ["value", "numerator"]] = np.nan
    return frame


CASES = {
    "24 months, England and neighbours": (fixture(24, "percent", "H"), "percent", "H", 62.0, 64.5),
    "13 months, days, lower is better": (fixture(13, "days", "L"), "days", "L", 410.0, None),
    "a month without a figure": (fixture(24, "percent", "H", gap=True), "percent", "H", None, None),
    "three months": (fixture(3, "percent", "H"), "percent", "H", 60.0, None),
}


def vega_marks(frames: charts.KpiChartFrames) -> dict[str, list[list[dict[str, Any]]]]:
    """Vega's scenegraph of the altair chart: each named mark's items (a list per line of a fold)."""
    spec = charts._kpi_layers(frames).to_dict()
    found: dict[str, list[list[dict[str, Any]]]] = {}

    def walk(node: dict[str, Any]) -> None:
        if "marktype" in node:
            name = node.get("name") or str(node.get("role"))
            found.setdefault(name, []).append(node.get("items", []))
        for item in node.get("items", []):
            walk(item)

    walk(vl_convert.vegalite_to_scenegraph(spec)["scenegraph"])
    return found


def build(case: str) -> tuple[charts.KpiChartFrames, chart_drawing.KpiChartDrawing]:
    points, unit, polarity, england, neighbours = CASES[case]
    frames = charts.kpi_chart_frames(
        points, unit, 1, "children", polarity, england, "England 2018/19", neighbours, "Statistical neighbours"
    )
    return build_from(frames)


def approx(values: list[tuple[float, float]]) -> Any:
    """Coordinates to a millionth of a pixel (pytest.approx takes flat lists)."""
    return pytest.approx([c for pair in values for c in pair], abs=1e-6)


def flat(values: list[tuple[float, float]]) -> list[float]:
    return [c for pair in values for c in pair]


@pytest.mark.parametrize("case", CASES)
def test_points_and_lines_are_where_vega_draws_them(case: str) -> None:
    frames, drawing = build(case)
    vega = vega_marks(frames)
    symbols = [i for i in vega["layer_5_marks"][0] if not math.isnan(i["y"])]
    assert flat([(p.x, p.y) for p in drawing.points]) == approx([(i["x"], i["y"]) for i in symbols])
    assert [(p.shape, p.colour) for p in drawing.points] == [(i["shape"], i["fill"]) for i in symbols]
    assert [p.title for p in drawing.points] == [i["description"] for i in symbols]

    def vertices(items: list[dict[str, Any]]) -> list[tuple[float, float]]:
        return [(i["x"], i["y"]) for i in items if i["defined"]]

    by_title = {line.title: flat([v for run in line.vertices for v in run]) for line in drawing.lines}
    assert by_title[""] == approx(vertices(vega["layer_4_marks"][0]))  # the figure month by month
    assert by_title["Average"] == approx(vertices(vega["layer_3_marks"][0]))
    target, floor = vega["layer_1_marks"]  # the fold's two lines, target first
    assert by_title["Target"] == approx(vertices(target)) and by_title["Floor standard"] == approx(vertices(floor))
    limits = [line for line in drawing.lines if line.title == "Process limit"]
    assert [flat([v for run in line.vertices for v in run]) for line in limits] == [
        approx(vertices(items)) for items in vega["layer_2_marks"]
    ]
    figure_line = next(line for line in drawing.lines if line.title == "")
    assert len(figure_line.vertices) == (2 if case == "a month without a figure" else 1)  # broken at the gap
    rules = vega.get("layer_6_marks", [[]])[0]
    assert [r.y for r in drawing.references] == pytest.approx([i["y"] for i in rules])
    assert [r.title for r in drawing.references] == [i["description"] for i in rules]


@pytest.mark.parametrize("case", CASES)
def test_rag_bands_cover_what_vega_colours(case: str) -> None:
    frames, drawing = build(case)
    vega = [i for i in vega_marks(frames)["layer_0_marks"][0] if i["width"] > 0 and i["height"] > 0]
    for rect in vega:  # each month's band lies in one of the drawing's, of its colour and height
        assert any(
            band.colour == rect["fill"]
            and band.y == pytest.approx(rect["y"])
            and band.height == pytest.approx(rect["height"])
            and band.x - 1e-6 <= rect["x"]
            and rect["x"] + rect["width"] <= band.x + band.width + 1e-6
            for band in drawing.bands
        ), rect
    covered = sum(b.width * b.height for b in drawing.bands)
    assert covered == pytest.approx(sum(r["width"] * r["height"] for r in vega))  # and nothing more
    assert len(drawing.bands) < len(vega) or len(vega) <= 3  # one rectangle while the standards hold


@pytest.mark.parametrize("case", CASES)
def test_axes_tick_and_label_as_vega_does(case: str) -> None:
    frames, drawing = build(case)
    vega = vega_marks(frames)
    x_labels, y_labels = (items for items in vega["axis-label"])
    assert [(t.position, t.label) for t in drawing.y_ticks] == [(pytest.approx(i["y"]), i["text"]) for i in y_labels]
    if case == "three months":  # Vega ticks weeks here, each labelled with its month: the drawing ticks months
        assert {i["text"] for i in x_labels} <= {"Oct 17", "Nov 17", "Dec 17"} and len(x_labels) > 3
        november = 380 * 31 / 61  # October has 31 days of the 61 to December
        assert [(t.position, t.label) for t in drawing.x_ticks] == [
            (0, "Oct 17"),
            (november, "Nov 17"),
            (380, "Dec 17"),
        ]
        return
    shown = [i for i in x_labels if i["opacity"]]
    assert [(t.position, t.label) for t in drawing.x_ticks if t.label] == [
        (pytest.approx(i["x"]), i["text"]) for i in shown
    ]
    assert drawing.x_ticks[0].anchor == {"left": "start", "center": "middle"}[x_labels[0]["align"]]


@pytest.mark.parametrize(
    ("low", "high", "count", "values", "decimals"),
    [
        (67.6, 100.0, 4, [70.0, 80.0, 90.0, 100.0], 0),  # step 8.1: rounded up to 10
        (0.3, 1.7, 4, [0.5, 1.0, 1.5], 1),  # step 0.35: to 0.5
        (1180.0, 1620.0, 4, [1200.0, 1300.0, 1400.0, 1500.0, 1600.0], 0),  # step 110: to 100
        (0.0, 0.09, 4, [0.0, 0.02, 0.04, 0.06, 0.08], 2),  # step 0.0225: to 0.02
    ],
)
def test_y_ticks_are_round_numbers_as_d3_chooses(
    low: float, high: float, count: int, values: list[float], decimals: int
) -> None:
    assert chart_drawing.tick_values(low, high, count) == (pytest.approx(values), decimals)


def test_thousands_have_a_separator_and_the_axis_makes_room_for_them() -> None:
    points = fixture(13, "days", "L").assign(value=lambda f: f["value"] * 4)  # 1,600 days or so
    frames = charts.kpi_chart_frames(points, "days", 0, "children", "L")
    svg = charts.kpi_chart_svg(frames, "A chart")
    assert ">1,600</text>" in svg or ">1,500</text>" in svg
    narrow = charts.kpi_chart_svg(charts.kpi_chart_frames(fixture(13, "percent", "H"), "percent", 1, "c", "H"), "A")
    width = float(svg.split('width="')[1].split('"')[0])
    assert width > float(narrow.split('width="')[1].split('"')[0])  # wider labels, a wider margin


def test_one_month_a_chart_of_hidden_months_and_eight_years_draw_as_well_formed_svg() -> None:
    import xml.etree.ElementTree as ET

    one = fixture(1, "percent", "H")
    hidden = fixture(24, "percent", "H").assign(value=np.nan, numerator=np.nan)  # every month's count withheld
    long = fixture(96, "percent", "H")
    drawn = {}
    for name, points in (("one", one), ("hidden", hidden), ("long", long)):
        frames = charts.kpi_chart_frames(points, "percent", 1, "children", "H")
        ET.fromstring(charts.kpi_chart_svg(frames, name))
        _, drawn[name] = build_from(frames)
    assert [(t.position, t.label) for t in drawn["one"].x_ticks] == [(190, "Oct 17")] and len(drawn["one"].points) == 1
    assert drawn["hidden"].points == () and "" not in {line.title for line in drawn["hidden"].lines}
    assert [t.label for t in drawn["long"].x_ticks if t.label] == [f"Jan {y}" for y in range(18, 26)]  # a tick a year


def build_from(frames: charts.KpiChartFrames) -> tuple[charts.KpiChartFrames, chart_drawing.KpiChartDrawing]:
    drawing = chart_drawing.draw(frames.months, frames.bands, frames.benchmark, frames.domain, frames.y_title)
    return frames, drawing


def test_every_class_a_chart_draws_has_its_look_in_the_stylesheet_the_page_carries() -> None:
    """A line's colour, width and dash are the page's rules for its class, written once a page, not on each of its
    150 lines: every class the SVG names has a rule, and the target's is the dashed line the key shows."""
    import re

    points, unit, polarity, england, neighbours = CASES["24 months, England and neighbours"]
    frames = charts.kpi_chart_frames(points, unit, 1, "children", polarity, england, "England", neighbours, "SN")
    svg = charts.kpi_chart_svg(frames, "A chart")
    style = chart_drawing.stylesheet()
    drawn = {c for found in re.findall(r'class="([^"]+)"', svg) for c in found.split()} - {"lacperf-kpi-chart"}
    assert drawn == {"y-ticks", "y-labels", "y-title", "lines", "target", "floor", "limit", "average", "figure",
                     "england", "neighbours"}  # fmt: skip
    assert all(re.search(rf"\.{c}{{", style) for c in drawn)
    assert "svg.lacperf-kpi-chart .lines .target{stroke:#0b0c0c;stroke-width:1.2;stroke-dasharray:6,3}" in style
    assert "svg.lacperf-kpi-chart .england{fill:none;stroke:#4c2c92;stroke-width:1.2;stroke-dasharray:8,2,2,2}" in style
    assert not re.search(r"<path class=[^>]*stroke", svg)  # no line says its own look


def test_charts_of_the_same_months_draw_their_x_axis_once_and_show_it_by_reference() -> None:
    """A page's charts share their frame and month labels: the first chart of those months draws them, the
    others show that drawing (<use>); a chart of other months draws its own. Alone, a chart draws its own."""
    import re

    def frames(n: int) -> charts.KpiChartFrames:
        return charts.kpi_chart_frames(fixture(n, "percent", "H"), "percent", 1, "children", "H")

    axes: dict[str, str] = {}
    first, second, other = (charts.kpi_chart_svg(frames(n), "A", axes=axes) for n in (24, 24, 13))
    alone = charts.kpi_chart_svg(frames(24), "A")
    drawn = re.search(r'<g id="(lacperf-x-axis-[0-9a-f]{8})"><rect x="0.5" y="0.5" width="380" height="150"', first)
    assert drawn is not None and ">Oct 17</text>" in first
    assert f'<use href="#{drawn.group(1)}"/>' in second
    assert "Oct 17" not in second and len(axes) == 2 and ">Oct 17</text>" in other  # 13 months: its own labels
    assert "<use" not in alone and ">Oct 17</text>" in alone and "id=" not in alone
