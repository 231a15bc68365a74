"""The appendix's KPI chart drawn as SVG by a template (templates/kpi_chart.svg.j2), from the frames
`charts.kpi_chart_frames` makes.

Why not Vega: an appendix has 26 charts, and drawing each through Vega (vl-convert) cost 30 ms and 47 kB:
two thirds of a page's time and of its weight. The chart is always the same shape, so its geometry is
worked out here: scales, ticks, RAG bands, lines and points. It is laid out as Vega lays out
`charts.kpi_chart`, the same chart in altair (the reference; interactive in JupyterLab), and a test compares the two
mark by mark with Vega's own scenegraph. The differences are deliberate:
- the x axis ticks only month starts: Vega ticks weeks on a short window, each labelled with its month;
- a RAG band runs unbroken while its target and floor do not change (one rectangle, not one a month).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from lacperf_helpers.present.templating import render

PLOT_WIDTH, PLOT_HEIGHT = 380, 150
TOP, RIGHT, BOTTOM = 10, 7, 22  # room for the top y label, the last x label and the x labels
X_TICKS, Y_TICKS = 6, math.ceil(PLOT_HEIGHT / 40)  # as many ticks as Vega-Lite asks for
TICK, LABEL_GAP, TITLE_GAP, TITLE_SIZE = 5, 2, 4, 11
FONT_SIZE = 10
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
# Liberation Sans (metric-compatible with Arial) advance widths in ems, for the y labels' width
_WIDTHS = {**dict.fromkeys("0123456789", 0.556), ",": 0.278, ".": 0.278, "-": 0.333, "\u2212": 0.584}

BAND_COLOURS = {"Green": "#dbece3", "Amber": "#fff4d6", "Red": "#f7dcd7"}
SIGNAL_COLOURS = {"Improving": "#1d70b8", "Concerning": "#f47738", "None": "#0b0c0c"}
SIGNAL_SHAPES = {"Improving": "triangle-up", "Concerning": "triangle-down", "None": "circle"}
# Reference lines: England, and the statistical neighbours' average (the DfE's tables), told apart by dash
BENCHMARKS = ("England", "Statistical neighbours")
BENCHMARK_COLOURS = ["#4c2c92", "#005ea5"]
BENCHMARK_DASHES = [[8, 2, 2, 2], [3, 3]]
POINT_SIZE = 50  # square pixels, as Vega's symbol size
# (title, colour, width, dash) of each line, in the order drawn; the figure's own line is drawn last
STANDARD_LINES = {"target": ("Target", "#0b0c0c", 1.2, "6,3"), "floor": ("Floor standard", "#0b0c0c", 1.2, "2,2")}
LIMIT_LINE = ("Process limit", "#6f777b", 1.0, "1,3")
MEAN_LINE = ("Average", "#6f777b", 1.0, "")
FIGURE_LINE = ("", "#0b0c0c", 1.6, "")
REFERENCE_WIDTH = 1.2  # England and the neighbours: colour and dash by kind (BENCHMARK_*)
# each line's class on the page (its look is the page's stylesheet, `stylesheet()`, set once, not on each line)
LINE_CLASSES = {"target": "target", "floor": "floor", "lower_limit": "limit", "upper_limit": "limit",
                "mean": "average", "value": "figure"}  # fmt: skip
REFERENCE_CLASSES = {"England": "england", "Statistical neighbours": "neighbours"}


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    anchor: str = "middle"  # text-anchor: the first and last x labels sit flush with the plot's edges


@dataclass(frozen=True)
class Band:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Line:
    vertices: tuple[tuple[tuple[float, float], ...], ...]  # each unbroken run of months
    title: str
    colour: str
    width: float
    dash: str
    kind: str = "figure"  # its class on the page (LINE_CLASSES), which gives it its look
    step: bool = False  # a target holds until the next month's: drawn as steps

    @property
    def path(self) -> str:
        parts = []
        for run in self.vertices:
            if len(run) == 1:
                continue  # a month alone draws no line (its point is drawn)
            (x0, y0), rest = run[0], run[1:]
            moves = self._steps(_n(y0), rest) if self.step else self._lines(_n(y0), rest)
            parts.append(f"M{_n(x0)},{_n(y0)}" + "".join(moves))
        return "".join(parts)

    @staticmethod
    def _lines(at: str, rest: tuple[tuple[float, float], ...]) -> list[str]:
        """Straight to each month; a level stretch (an average or a process limit, for months on end) is one
        stroke across, the same line in a fraction of the characters."""
        moves: list[str] = []
        for x, y in rest:
            if _n(y) != at:
                moves.append(f"L{_n(x)},{_n(y)}")
                at = _n(y)
            elif moves and moves[-1].startswith("H"):
                moves[-1] = f"H{_n(x)}"
            else:
                moves.append(f"H{_n(x)}")
        return moves

    @staticmethod
    def _steps(at: str, rest: tuple[tuple[float, float], ...]) -> list[str]:
        """Across to each month, then up or down to its value: a level run is one stroke across (the same
        line, dashes and all, in a fraction of the characters: a target is level for months on end)."""
        moves: list[str] = []
        for x, y in rest:
            if moves and moves[-1].startswith("H"):
                moves[-1] = f"H{_n(x)}"  # still level: the stroke across goes on
            else:
                moves.append(f"H{_n(x)}")
            if _n(y) != at:
                moves.append(f"V{_n(y)}")
                at = _n(y)
        return moves


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    shape: str  # circle, triangle-up (unusual improvement), triangle-down (unusual concern)
    colour: str
    title: str

    @property
    def radius(self) -> str:
        """A circle's radius, of Vega's symbol size."""
        return _n(math.sqrt(POINT_SIZE / math.pi))

    @property
    def path(self) -> str:
        """A triangle of Vega's size, tip up or down, at the point: drawn in place (a symbol's `transform` and an
        arc path for each of a page's 300 points were a tenth of its weight)."""
        r = math.sqrt(POINT_SIZE) / 2
        h = r * math.sqrt(3) / 2
        tip = -h if self.shape == "triangle-up" else h
        return f"M{_n(self.x)},{_n(self.y + tip)}l{_n(-r)},{_n(-2 * tip)}h{_n(2 * r)}z"


@dataclass(frozen=True)
class Reference:
    """England or the statistical neighbours: a rule across the chart."""

    y: float
    title: str
    colour: str
    dash: str
    kind: str = "england"  # its class on the page (REFERENCE_CLASSES)


@dataclass(frozen=True)
class KpiChartDrawing:
    """Everything the template draws, in the plot's own coordinates (origin at its top left)."""

    width: float
    height: float
    left: float
    y_title_x: float  # the y axis title's baseline, left of the widest label
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    y_title: str
    bands: tuple[Band, ...]
    lines: tuple[Line, ...]
    points: tuple[Point, ...]
    references: tuple[Reference, ...]


@functools.lru_cache(maxsize=4096)
def _n(x: float) -> str:
    """A coordinate to a tenth of a pixel (finer than a screen or a printer draws), without trailing zeros. Kept
    once worked out: a page's charts write some 16,000 coordinates, mostly the same months' x and the same lines'
    y again and again."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _dates(months: Iterable[str]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([_date(m) for m in months])


@functools.lru_cache(maxsize=64)
def _time_axis(months: tuple[str, ...]) -> tuple[_XScale, tuple[float, ...], tuple[Tick, ...]]:
    """The x scale, each month's x and the x axis's ticks: the same for every chart of the same months (a page's
    24 charts mostly are), so worked out once for them. Nothing here is changed by a caller."""
    dates = _dates(months)
    x = _XScale(dates.min(), dates.max())
    return x, tuple(x(d) for d in dates), _x_ticks(dates, x)


@functools.lru_cache(maxsize=1024)
def _date(month: str) -> pd.Timestamp:
    """A month's first day ('2019-09-01'), read once: a page's charts read each month dozens of times."""
    return pd.Timestamp(pd.to_datetime(month, format="%Y-%m-%d"))


class _XScale:
    """Time, linear in days from the first month's start to the last month's (Vega's time scale)."""

    def __init__(self, first: pd.Timestamp, last: pd.Timestamp) -> None:
        self.first, self.span = first, (last - first).total_seconds()
        self._at: dict[pd.Timestamp, float] = {}  # each month's x worked out once (a chart asks for each 7 times)

    def __call__(self, when: pd.Timestamp) -> float:
        at = self._at.get(when)
        if at is None:
            at = self._at[when] = self._position(when)
        return at

    def _position(self, when: pd.Timestamp) -> float:
        if self.span == 0:  # one month: in the middle, as Vega puts a one-value domain
            return PLOT_WIDTH / 2
        return (when - self.first).total_seconds() / self.span * PLOT_WIDTH


def _y_scale(domain: tuple[float, float]) -> Callable[[float], float]:
    low, high = domain
    return lambda v: PLOT_HEIGHT * (high - v) / (high - low) if high != low else PLOT_HEIGHT / 2


def _power_and_factor(low: float, high: float, count: int) -> tuple[int, int]:
    """d3's tick step, about (high - low) / count rounded to 1, 2, 5 or 10 times a power of ten."""
    step = (high - low) / count
    power = math.floor(math.log10(step))
    error = step / 10**power
    factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else 2 if error >= math.sqrt(2) else 1
    return power, factor


def tick_values(low: float, high: float, count: int) -> tuple[list[float], int]:
    """Round values between low and high, about `count` of them, and the decimals they need (d3's ticks
    and tickFormat, which Vega uses)."""
    if high <= low:
        return [low], 0
    power, factor = _power_and_factor(low, high, count)
    if power >= 0:
        increment = factor * 10**power
        first, last = math.ceil(low / increment - 1e-9), math.floor(high / increment + 1e-9)
        return [i * increment for i in range(first, last + 1)], 0
    inverse = 10**-power / factor  # d3 divides by the inverse, so 0.1 steps print as 0.1, not 0.30000000000000004
    first, last = math.ceil(low * inverse - 1e-9), math.floor(high * inverse + 1e-9)
    step_size = 1 / inverse
    return [i / inverse for i in range(first, last + 1)], max(0, -math.floor(math.log10(step_size) + 1e-9))


def _month_step(first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Months between x ticks: d3's choice among 1 month, 3 months and whole years for about six ticks,
    never finer than a month (each point is a month)."""
    target = (last - first).days / X_TICKS
    months, quarter, year = 30, 90, 365  # d3's durations in days
    if target < months or target / months < quarter / target:
        return 1
    if target < year:
        return 3 if target / quarter < year / target else 12
    power, factor = _power_and_factor(0, (last - first).days / year, X_TICKS)
    years: int = max(1, round(factor * 10**power))
    return 12 * years


def _x_ticks(dates: pd.DatetimeIndex, x: _XScale) -> tuple[Tick, ...]:
    first, last = dates.min(), dates.max()
    step = _month_step(first, last)
    starts = pd.date_range(first, last, freq="MS")
    kept = [d for d in starts if (d.year * 12 + d.month - 1) % step == 0]
    ticks = []
    for d in kept:
        position = x(d)
        anchor = "start" if position <= 0 else "end" if position >= PLOT_WIDTH else "middle"
        ticks.append(Tick(position, d.strftime("%b %y"), anchor))
    spacing = PLOT_WIDTH / max(len(ticks) - 1, 1)
    if spacing < 34:  # labels would touch ("Sep 19" is 30 px wide): every other label, as Vega's parity rule
        ticks = [t if i % 2 == 0 else Tick(t.position, "", t.anchor) for i, t in enumerate(ticks)]
    return tuple(ticks)


def _label_width(text: str) -> float:
    return sum(_WIDTHS.get(c, 0.6) for c in text) * FONT_SIZE


def _runs(xs: Sequence[float], ys: Sequence[float]) -> tuple[tuple[tuple[float, float], ...], ...]:
    """The line's unbroken runs: a month without a figure breaks it, as Vega breaks a line at a gap."""
    runs: list[list[tuple[float, float]]] = [[]]
    for px, py in zip(xs, ys, strict=True):
        if math.isnan(py):
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((px, py))
    return tuple(tuple(run) for run in runs if run)


def _bands(bands: Mapping[str, Any] | pd.DataFrame, x: _XScale, y: Callable[[float], float]) -> tuple[Band, ...]:
    """One rectangle per band while the target and floor hold (the frame has a row per month and band)."""
    drawn: list[Band] = []
    open_: dict[str, Band] = {}
    starts, ends = ([_date(str(m)) for m in bands[column]] for column in ("start", "end"))
    for start, end, band, low, high in zip(starts, ends, bands["band"], bands["y"], bands["y2"], strict=True):
        left, right, top, bottom = x(start), x(end), y(max(low, high)), y(min(low, high))
        if right <= left or bottom <= top:
            continue
        last = open_.get(band)
        if last is not None and last.y == top and last.height == bottom - top and last.x + last.width == left:
            open_[band] = Band(last.x, top, right - last.x, bottom - top, last.colour)
            continue
        if last is not None:
            drawn.append(last)
        open_[band] = Band(left, top, right - left, bottom - top, BAND_COLOURS[band])
    return tuple(sorted([*drawn, *open_.values()], key=lambda b: (b.x, b.y)))


def _reference_style(kind: str) -> tuple[str, str]:
    """Colour and SVG dash of England's or the neighbours' line."""
    n = BENCHMARKS.index(kind)
    return BENCHMARK_COLOURS[n], ",".join(map(str, BENCHMARK_DASHES[n]))


def draw(
    months: Mapping[str, Any] | pd.DataFrame,
    bands: Mapping[str, Any] | pd.DataFrame,
    references: pd.DataFrame | Iterable[tuple[float, str, str]] | None,
    domain: tuple[float, float],
    y_title: str,
) -> KpiChartDrawing:
    """The chart's geometry from `KpiChartFrames`' parts (charts.py: that module builds on this one): the months'
    and the bands' columns (as frames, or a column each), and England's and the neighbours' (figure, label,
    kind)."""
    x, xs, x_ticks = _time_axis(tuple(str(m) for m in months["month"]))
    y = _y_scale(domain)

    def line(column: str, style: tuple[str, str, float, str], step: bool = False) -> Line:
        ys = [y(v) if not math.isnan(v) else math.nan for v in np.asarray(months[column], dtype=float).tolist()]
        return Line(_runs(xs, ys), *style, kind=LINE_CLASSES[column], step=step)

    values, decimals = tick_values(domain[0], domain[1], Y_TICKS)
    y_ticks = tuple(Tick(y(v), f"{v:,.{decimals}f}") for v in values)
    title_x = -(TICK + LABEL_GAP + max((_label_width(t.label) for t in y_ticks), default=0.0) + TITLE_GAP)
    left = math.ceil(-title_x + (TITLE_SIZE if y_title else -TITLE_GAP) + 2)
    lines = [
        *(line(column, style, step=True) for column, style in STANDARD_LINES.items()),
        line("lower_limit", LIMIT_LINE),
        line("upper_limit", LIMIT_LINE),
        line("mean", MEAN_LINE),
        line("value", FIGURE_LINE),
    ]
    points = tuple(
        Point(px, y(v), SIGNAL_SHAPES[signal], SIGNAL_COLOURS[signal], title)
        for px, v, signal, title in zip(xs, months["value"], months["signal"], months["description"], strict=True)
        if not pd.isna(v)
    )
    drawn_references = tuple(
        Reference(y(v), label, *_reference_style(kind), kind=REFERENCE_CLASSES[kind])
        for v, label, kind in (
            references.itertuples(index=False) if isinstance(references, pd.DataFrame) else references or ()
        )
    )
    return KpiChartDrawing(
        width=left + PLOT_WIDTH + RIGHT,
        height=TOP + PLOT_HEIGHT + BOTTOM,
        left=left,
        y_title_x=title_x,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        y_title=y_title,
        bands=_bands(bands, x, y),
        lines=tuple(ln for ln in lines if ln.vertices),
        points=points,
        references=drawn_references,
    )


def _strokes(lines: tuple[Line, ...]) -> list[tuple[str, Line]]:
    """Each line's path, lines of the same look and title one after another drawn as one (the upper and lower
    process limits: one element and one hover title, not two)."""
    strokes: list[tuple[str, Line]] = []
    for ln in lines:
        if not ln.path:
            continue  # months alone, each between gaps: nothing to draw
        last = strokes[-1][1] if strokes else None
        if last is not None and (last.title, last.kind) == (ln.title, ln.kind):
            strokes[-1] = (strokes[-1][0] + ln.path, last)
        else:
            strokes.append((ln.path, ln))
    return strokes


def _x_tick_marks(ticks: tuple[Tick, ...]) -> str:
    """The x axis's tick marks as one path, each a move along from the last (a third fewer characters)."""
    marks, at = [], None
    for t in ticks:
        x = float(_n(t.position + 0.5))
        marks.append(f"M{_n(x)},{PLOT_HEIGHT + 0.5}v{TICK}" if at is None else f"m{_n(x - at)},-{TICK}v{TICK}")
        at = x
    return "".join(marks)


def stylesheet() -> str:
    """The charts' look, once a page: their face, y ticks and labels, and each line's colour, width and dash by
    its class (written on each of a page's 150 lines, they were a tenth of its charts' weight). The shared x axis
    (`_x_axis`) says its own look."""

    def stroke(colour: str, width: float, dash: str) -> str:
        return f"stroke:{colour};stroke-width:{_n(width)}" + (f";stroke-dasharray:{dash}" if dash else "")

    looks = {
        "target": STANDARD_LINES["target"][1:], "floor": STANDARD_LINES["floor"][1:], "limit": LIMIT_LINE[1:],
        "average": MEAN_LINE[1:], "figure": FIGURE_LINE[1:],
    }  # fmt: skip
    rules = [
        f"{{font-family:{FONT};font-size:{FONT_SIZE}px;background:#fff}}",
        " .y-ticks{fill:none;stroke:#888}",
        " .y-labels{fill:#000;text-anchor:end}",
        f" .y-title{{fill:#000;text-anchor:middle;font-size:{TITLE_SIZE}px;font-weight:bold}}",
        " .lines{fill:none;stroke-miterlimit:10}",
        *(f" .lines .{kind}{{{stroke(*look)}}}" for kind, look in looks.items()),
        *(f" .{REFERENCE_CLASSES[kind]}{{fill:none;{stroke(colour, REFERENCE_WIDTH, dash)}}}"
          for kind, (colour, dash) in ((kind, _reference_style(kind)) for kind in BENCHMARKS)),
    ]  # fmt: skip
    return "".join(f"svg.lacperf-kpi-chart{rule}" for rule in rules)


def _x_axis(drawing: KpiChartDrawing, axes: dict[str, str] | None) -> Markup:
    """The chart's frame, axis lines, month ticks and labels: drawn in full, or, where a page's charts share
    them (`axes`, each drawing by its id), drawn by the first chart to show them and shown by the others by
    reference (a page's 24 charts mostly span the same months: the same 400 characters 24 times, a tenth of
    their weight). Its one path holds both axes and the month ticks, as before: where they meet, a pixel is
    drawn once, not twice over."""
    drawn = render("kpi_chart_x_axis.svg.j2", d=drawing, n=_n, plot_width=PLOT_WIDTH, plot_height=PLOT_HEIGHT,
                   tick=TICK, label_gap=LABEL_GAP, x_tick_marks=_x_tick_marks(drawing.x_ticks))  # fmt: skip
    if axes is None:
        return drawn
    if drawn in axes:
        return Markup('<use href="#{}"/>').format(axes[drawn])
    axes[drawn] = "lacperf-x-axis-" + hashlib.sha256(drawn.encode()).hexdigest()[:8]  # the same months, the same id
    return Markup('<g id="{}">{}</g>').format(axes[drawn], drawn)


def to_svg(
    drawing: KpiChartDrawing, text_alternative: str, labelled_by: str = "", axes: dict[str, str] | None = None
) -> Markup:
    """The drawing as inline SVG: one image named by its text alternative (or by the element of that id that
    says it: a figure's caption); each month's point and each reference line has a hover title. Its look is
    `stylesheet()`, which the page carries once. With `axes`, the page's x axes so far (see `_x_axis`)."""
    return render(
        "kpi_chart.svg.j2",
        d=drawing,
        x_axis=_x_axis(drawing, axes),
        strokes=_strokes(drawing.lines),
        text=text_alternative,
        labelled_by=labelled_by,
        n=_n,
        top=TOP,
        plot_width=PLOT_WIDTH,
        plot_height=PLOT_HEIGHT,
        tick=TICK,
        label_gap=LABEL_GAP,
        label_drop=0.32 * FONT_SIZE,  # a y label's middle on its tick (Vega's dy of 0.32em), kept in its y
        point_colours=[SIGNAL_COLOURS[s] for s in ("None", "Improving", "Concerning")],  # a group each, unusual on top
    )
