"""The KPI chart, drawn from aggregate figures only and readable in greyscale.

`kpi_chart_frames` works out what a KPI's chart shows: one row per month (never a row per child), the
RAG bands, England and the statistical neighbours, the y range. From those frames `kpi_figure` draws the
appendix's inline SVG from a template (chart_drawing). `kpi_chart` builds the same chart in altair: no page
or notebook of lacperf draws it; it is the reference the SVG is held to (tests/test_chart_drawing.py puts
every mark where Vega's scenegraph of it does, through vl-convert, a test dependency), and an analyst's
interactive chart in JupyterLab (`charts.kpi_chart(...)` in a cell shows it).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from lacperf_helpers.config.formatting import fmt_figure
from lacperf_helpers.config.periods import month_label
from lacperf_helpers.present import chart_drawing
from lacperf_helpers.present.chart_drawing import (
    BAND_COLOURS,
    BENCHMARK_COLOURS,
    BENCHMARK_DASHES,
    BENCHMARKS,
    FONT,
    SIGNAL_COLOURS,
    SIGNAL_SHAPES,
)
from lacperf_helpers.present.templating import Section, render
from lacperf_helpers.rate import rating

if TYPE_CHECKING:
    import altair as alt


@functools.lru_cache(maxsize=1024)
def _label(month: str) -> str:
    """'September 2019': each month's words worked out once (a page's charts name the same months 24 times)."""
    return month_label(month)


def kpi_chart_data(points: pd.DataFrame, unit: str, decimals: int, counts: str, polarity: str) -> pd.DataFrame:
    """One row per month: the figure as text, rating, standards, SPC lines and the special-cause signal."""
    return pd.DataFrame(_chart_columns(points, unit, decimals, counts, polarity))


def _chart_columns(points: pd.DataFrame, unit: str, decimals: int, counts: str, polarity: str) -> dict[str, Any]:
    """`kpi_chart_data`'s columns, an entry per month (the rules '' for every month where the points have none):
    what a page's chart is drawn from (a frame made of them cost a chart a tenth of a millisecond, and each column
    read from it as much again)."""
    better = 1 if polarity == "H" else -1
    side = _sides(points["special_cause"]) if "special_cause" in points else 0
    months = [str(m) for m in points["month"]]
    labels = [_label(m) for m in months]
    figures = [
        fmt_figure(v, n, d, unit, decimals, counts, 0, w if isinstance(w, str) else "")
        for v, n, d, w in zip(
            points["value"].tolist(),
            points["numerator"].tolist(),
            points["denominator"].tolist(),
            points["withheld"].tolist() if "withheld" in points else [""] * len(points),
            strict=True,
        )
    ]
    ratings = points["rag"].tolist()
    signals = np.where(side == 0, "None", np.where(side == better, "Improving", "Concerning"))
    if signals.ndim == 0:  # no special cause column: every month's signal None
        signals = np.full(len(points), str(signals))
    special = {"Improving": "; unusual improvement", "Concerning": "; unusual concern"}
    # each column as an array, not a Series on the points' index: a frame of them is built without aligning
    # fourteen indexes (a chart's data took 7 ms, a page's 24 charts a sixth of a second)
    missing = np.full(len(points), np.nan)
    # copies: a chart made keeps what it showed, whatever is later done to the points it was made from
    return {
        "month": pd.array([f"{m}-01" for m in months], dtype=str),
        "month_label": pd.array(labels, dtype=str),
        "value": points["value"].array.copy(),
        "figure": figures,
        "rating": points["rag"].array.copy(),
        "target": points["target"].array.copy(),
        "floor": points["floor"].array.copy(),
        **{
            column: points[column].array.copy() if column in points else missing
            for column in ("mean", "lower_limit", "upper_limit")
        },
        "signal": signals,
        "rules": _blank_for_none(points["rules"]) if "rules" in points else "",
        "description": pd.array(
            [
                f"{label}: {figure}, {rating}{special.get(str(signal), '')}" if isinstance(rating, str) else np.nan
                for label, figure, rating, signal in zip(labels, figures, ratings, signals, strict=True)
            ],
            dtype=str,
        ),  # words joined in Python: pandas joins text column by column at a cost of milliseconds a chart
    }


def _sides(special_cause: pd.Series) -> np.ndarray:
    """Each month's special cause as a whole number (-1, 0, 1; none: 0), as `fillna(0).astype(int)` gives it, from
    the numbers themselves where they are numbers (pandas took a tenth of a millisecond a chart)."""
    values = special_cause.to_numpy()
    if values.dtype.kind in "iu":
        return values.astype(int)
    if values.dtype.kind == "f" and not np.isinf(values).any():  # an infinity: pandas' error, as before
        with np.errstate(invalid="ignore"):  # a number beyond int64 cast as pandas casts it, without a word
            return np.where(np.isnan(values), 0.0, values).astype(int)
    return special_cause.fillna(0).astype(int).to_numpy()


def _blank_for_none(rules: pd.Series) -> Any:
    """The rules' text, '' where none (a gap): a copy, filled only where it has a gap to fill."""
    return rules.fillna("").array if rules.hasnans else rules.array.copy()


def _y_domain(data: Mapping[str, Any], unit: str, extra: list[float]) -> tuple[float, float]:
    numbers = np.concatenate(
        [np.asarray(data[c], dtype=float) for c in ("value", "target", "floor", "lower_limit", "upper_limit")]
        + [np.asarray(extra, dtype=float)]
    )
    numbers = numbers[~np.isnan(numbers)]  # as pandas' dropna: the figures shown, the standards, the limits
    low, high = (float(numbers.min()), float(numbers.max())) if len(numbers) else (math.nan, math.nan)
    pad = max((high - low) * 0.08, 1.0 if unit == "percent" else abs(high) * 0.02 + 0.5)
    low, high = low - pad, high + pad
    if unit == "percent":
        low, high = max(low, 0.0), min(high, 100.0)
    return max(low, 0.0), high


def _bands(data: Mapping[str, Any], polarity: str, domain: tuple[float, float]) -> dict[str, list[object]]:
    """Green, Amber and Red bands month by month (a target can change at the financial year): a row per month and
    band, as columns."""
    low, high = domain
    columns: dict[str, list[object]] = {"start": [], "end": [], "band": [], "y": [], "y2": []}
    months = [str(m) for m in data["month"]]
    # each month's band runs from its point to the next month's: the chart ends at the latest point, so no
    # tick is drawn beyond it (a September point beside an "Oct 19" tick read as October)
    ends = [*months[1:], months[-1]]
    targets, floors = (np.asarray(data[column], dtype=float).tolist() for column in ("target", "floor"))
    for month, end, target, floor in zip(months, ends, targets, floors, strict=True):
        if polarity == "H":
            spans = {"Green": (target, high), "Amber": (floor, target), "Red": (low, floor)}
        else:
            spans = {"Green": (low, target), "Amber": (target, floor), "Red": (floor, high)}
        for band, (y, y2) in spans.items():
            row = (month, end, band, max(min(y, high), low), max(min(y2, high), low))
            for column, value in zip(columns.values(), row, strict=True):
                column.append(value)
    return columns  # its columns: a frame built a row at a time cost a millisecond a chart


@dataclass(frozen=True)
class KpiChartFrames:
    """What one KPI chart draws: the months, the RAG bands, England, the y range and the y axis's title; each
    as columns (what a page's chart is drawn from) and as a frame (`months`, `bands`, `benchmark`: what altair
    draws from, made when asked).

    The KPI's own title is HTML above the chart (`figure`'s heading): Vega measures every character
    of every label it draws, and a long title costs a page more than the chart's data does."""

    month_columns: dict[str, Any]  # kpi_chart_data's, an entry per month
    band_columns: dict[str, list[object]]  # an entry per month and band
    references: tuple[tuple[float, str, str], ...]  # England's and the neighbours' figure, label and kind
    domain: tuple[float, float]
    y_title: str

    @functools.cached_property
    def months(self) -> pd.DataFrame:
        return pd.DataFrame(self.month_columns)

    @functools.cached_property
    def bands(self) -> pd.DataFrame:
        return pd.DataFrame(self.band_columns)

    @functools.cached_property
    def benchmark(self) -> pd.DataFrame | None:
        return pd.DataFrame(list(self.references), columns=["benchmark", "label", "kind"]) if self.references else None


def kpi_chart_frames(
    points: pd.DataFrame,
    unit: str,
    decimals: int,
    counts: str,
    polarity: str,
    benchmark: float | None = None,
    benchmark_label: str = "England",
    neighbours: float | None = None,
    neighbours_label: str = "Statistical neighbours",
) -> KpiChartFrames:
    """`benchmark`: England's figure; `neighbours`: the statistical neighbours' average (each a line, where
    given)."""
    data = _chart_columns(points, unit, decimals, counts, polarity)
    lines = tuple((v, label, kind) for v, label, kind in ((benchmark, benchmark_label, BENCHMARKS[0]),
                  (neighbours, neighbours_label, BENCHMARKS[1])) if v is not None)  # fmt: skip
    domain = _y_domain(data, unit, [v for v, *_ in lines])
    y_title = {"percent": "%", "days": "days"}.get(unit, "")
    return KpiChartFrames(data, _bands(data, polarity, domain), lines, domain, y_title)


def kpi_chart(
    points: pd.DataFrame,
    unit: str,
    decimals: int,
    counts: str,
    polarity: str,
    benchmark: float | None = None,
    benchmark_label: str = "England",
    neighbours: float | None = None,
    neighbours_label: str = "Statistical neighbours",
) -> alt.LayerChart:
    """The KPI's months: RAG bands, target and floor, SPC mean and limits, special causes marked; England and
    the statistical neighbours where given."""
    frames = kpi_chart_frames(
        points, unit, decimals, counts, polarity, benchmark, benchmark_label, neighbours, neighbours_label
    )
    return _kpi_layers(frames)


def _kpi_layers(frames: KpiChartFrames, width: int = 380, height: int = 150) -> alt.LayerChart:
    import altair as alt  # here, not at the top: a page draws its charts without it (chart_drawing)

    domain, y_title = frames.domain, frames.y_title
    y = alt.Y("value:Q", scale=alt.Scale(domain=list(domain), nice=False, zero=False), title=y_title)
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0, tickCount=6))
    base = alt.Chart(frames.months)

    bands = (
        alt.Chart(frames.bands)
        .mark_rect(opacity=1, aria=False)
        .encode(
            x="start:T",
            x2="end:T",
            y=alt.Y("y:Q", scale=alt.Scale(domain=list(domain), nice=False, zero=False)),
            y2="y2:Q",
            color=alt.Color(
                "band:N", scale=alt.Scale(domain=list(BAND_COLOURS), range=list(BAND_COLOURS.values())), legend=None
            ),
        )
    )
    standards = (
        base.transform_fold(["target", "floor"], as_=["standard", "level"])
        .mark_line(interpolate="step-after", strokeWidth=1.2, color="#0b0c0c")
        .encode(
            x=x,
            y=alt.Y("level:Q"),
            strokeDash=alt.StrokeDash(
                "standard:N", scale=alt.Scale(domain=["target", "floor"], range=[[6, 3], [2, 2]]), legend=None
            ),
        )
    )
    limits = (
        base.transform_fold(["lower_limit", "upper_limit"], as_=["limit", "level"])
        .mark_line(strokeWidth=1, color="#6f777b", strokeDash=[1, 3])
        .encode(x=x, y="level:Q", detail="limit:N")
    )
    mean = base.mark_line(strokeWidth=1, color="#6f777b", aria=False).encode(x=x, y="mean:Q")
    tooltip = [
        alt.Tooltip("month_label:N", title="Month"),
        alt.Tooltip("figure:N", title="Figure"),
        alt.Tooltip("rating:N", title="Rating"),
        alt.Tooltip("signal:N", title="Unusual month"),
    ]
    line = base.mark_line(color="#0b0c0c", strokeWidth=1.6, aria=False).encode(x=x, y=y)
    dots = base.mark_point(filled=True, size=50, opacity=1).encode(
        x=x,
        y=y,
        shape=alt.Shape(
            "signal:N", scale=alt.Scale(domain=list(SIGNAL_SHAPES), range=list(SIGNAL_SHAPES.values())), legend=None
        ),
        color=alt.Color(
            "signal:N", scale=alt.Scale(domain=list(SIGNAL_COLOURS), range=list(SIGNAL_COLOURS.values())), legend=None
        ),
        tooltip=tooltip,
        description="description:N",  # read out, and shown on hover in the SVG, for each month
    )
    layers: list[alt.Chart | alt.LayerChart] = [bands, standards, limits, mean, line, dots]
    if frames.benchmark is not None:
        layers.append(
            alt.Chart(frames.benchmark)
            .mark_rule(strokeWidth=1.2)
            .encode(
                y="benchmark:Q",
                description="label:N",
                tooltip=[alt.Tooltip("label:N", title="Benchmark")],
                color=alt.Color(
                    "kind:N", scale=alt.Scale(domain=list(BENCHMARKS), range=BENCHMARK_COLOURS), legend=None
                ),
                strokeDash=alt.StrokeDash(
                    "kind:N", scale=alt.Scale(domain=list(BENCHMARKS), range=BENCHMARK_DASHES), legend=None
                ),
            )
        )
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent", strokeDash="independent")
        .properties(width=width, height=height)
        .configure_axis(labelFont=FONT, titleFont=FONT, labelFontSize=10, grid=False)
        .configure_view(stroke="#b1b4b6")
    )


def kpi_chart_svg(
    frames: KpiChartFrames, text_alternative: str, labelled_by: str = "", axes: dict[str, str] | None = None
) -> Markup:
    """The appendix's drawing of `kpi_chart`: inline SVG from a template, no Vega (chart_drawing says why),
    one image named by its text alternative (or by the element `labelled_by` names, which says it), each
    month's point titled on hover. It looks as drawn where the page carries `chart_drawing.stylesheet()`;
    with `axes` (a page's charts' x axes so far) it shows an x axis an earlier chart drew by reference."""
    drawing = chart_drawing.draw(
        frames.month_columns, frames.band_columns, frames.references, frames.domain, frames.y_title
    )
    return chart_drawing.to_svg(drawing, text_alternative, labelled_by, axes)


def kpi_figure(
    frames: KpiChartFrames, text_alternative: str, heading: str, axes: dict[str, str] | None = None
) -> Section:
    """The KPI's chart as a figure: headed by the KPI's title, captioned by its headline, which also names the
    chart for a screen reader (the caption's id: its words once on the page, not twice). `axes`: as for
    `kpi_chart_svg`, shared by one page's figures."""
    caption = "chart-" + hashlib.sha256(f"{heading}\n{text_alternative}".encode()).hexdigest()[:8]
    svg = kpi_chart_svg(frames, text_alternative, labelled_by=caption, axes=axes)
    return render("figure.html.j2", svg=svg, text=text_alternative, heading=heading, caption=caption)


def rating_counts_sentence(rags: pd.Series) -> str:
    """'6 Green, 12 Amber, 6 Red'."""
    counts = rags.value_counts()
    return ", ".join(f"{int(counts.get(band, 0))} {band}" for band in rating.RAG_ORDER)
