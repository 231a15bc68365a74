"""KPI series over months: every month rated against its own year's standards, and the trend table.

The trend table has one row per KPI x area x cohort for a reporting month: the fitted change over the
window and its verdict, the SPC mean, limits, variation and assurance, and the current run of months.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lacperf_helpers.config.definitions import KpiCatalogue, KpiDefinition, TrendSettings
from lacperf_helpers.config.formatting import fmt_value
from lacperf_helpers.config.periods import rolling_months
from lacperf_helpers.rate.scorecard import kpi_frame, rate_joined, with_slice
from lacperf_helpers.trend import spc, trend

TREND_COLUMNS = (
    "kpi_id", "area", "cohort", "window_start", "window_end", "points", "slope_per_month", "trend",
    "mean", "lower_limit", "upper_limit", "variation", "assurance", "run_direction", "run_since", "run_length",
)  # fmt: skip
TREND_EXTRA_COLUMNS = (
    "theil_sen_slope", "change_over_window", "trend_p_value", "spc_points", "special_cause_points", "latest_value",
    "run_since_value", "since_when", "target", "variation_since", "steady_trend", "step_month", "step_change",
    "step_compared", "step_first_month",
)  # fmt: skip


def rated_history(figures: pd.DataFrame, catalogue: KpiCatalogue, authority: str | None = None) -> pd.DataFrame:
    """Every month's figures, each rated against the target and floor of its own financial year (and of its area:
    rate.scorecard.with_area_standards)."""
    months = sorted(figures["month"].unique())
    kpis = pd.concat(
        [kpi_frame(catalogue, month).assign(month=month) for month in months]
        or [kpi_frame(catalogue, "2000-01").iloc[0:0].assign(month="")],
        ignore_index=True,
    )
    joined = with_slice(figures).merge(kpis, on=["month", "kpi_id"], how="inner", validate="many_to_one")
    return rate_joined(joined, catalogue, authority).sort_values(
        ["kpi_order", "area", "cohort", "month"], ignore_index=True
    )


@dataclass(frozen=True, kw_only=True)
class TrendRow:
    """One KPI x area x cohort's trend, SPC and run up to a month: a row of `lacperf trend` (after its kpi_id, area
    and cohort), in TREND_COLUMNS' then TREND_EXTRA_COLUMNS' order."""

    window_start: str
    window_end: str
    points: int  # the trend window's months with a value
    slope_per_month: float
    trend: str  # Improving / Deteriorating / No clear change (the Mann-Kendall test)
    mean: float  # the SPC chart's, NaN without limits
    lower_limit: float
    upper_limit: float
    variation: str | None  # MDC's variation icon; None where the month's own figure is hidden
    assurance: str | None
    run_direction: str
    run_since: str
    run_length: int
    theil_sen_slope: float
    change_over_window: float
    trend_p_value: float
    spc_points: int
    special_cause_points: int
    latest_value: float
    run_since_value: float
    since_when: str
    target: float
    variation_since: str
    steady_trend: str  # the trend with a step taken out
    step_month: str
    step_change: float
    step_compared: int
    step_first_month: str

    def columns(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in (*TREND_COLUMNS[3:], *TREND_EXTRA_COLUMNS)}


@dataclass(frozen=True)
class SeriesAnalysis:
    row: TrendRow
    points: pd.DataFrame  # the window's months with value, figures, rating and SPC columns, for charts


@dataclass(frozen=True)
class SeriesRows:
    """Rated history (one series or many: KPIs x areas x cohorts) with the columns an analysis reads taken out as
    arrays once, so that a series is the positions of its rows (each series reading a frame's columns afresh cost
    a page's 24 series a sixtieth of a second)."""

    frame: pd.DataFrame
    month: np.ndarray  # each row's month, 'YYYY-MM'
    value: np.ndarray
    target: np.ndarray | None  # the target each row was rated against, where rated
    usable: np.ndarray  # a value, in or before the month analysed

    @classmethod
    def of(cls, frame: pd.DataFrame, month: str) -> SeriesRows:
        usable = ((frame["month"] <= month) & frame["value"].notna()).fillna(False).to_numpy(dtype=bool)
        if "kpi_id" in frame:  # a row of no KPI is in no series
            usable = usable & frame["kpi_id"].notna().to_numpy(dtype=bool)
        value = np.full(len(frame), np.nan)  # read where used only, as one series at a time was
        value[usable] = frame["value"].to_numpy()[usable].astype(float)
        return cls(
            frame=frame,
            month=frame["month"].to_numpy(dtype=object),
            value=value,
            target=frame["target"].to_numpy() if "target" in frame else None,
            usable=usable,
        )


def analyse_series(one: pd.DataFrame, kpi: KpiDefinition, settings: TrendSettings, month: str) -> SeriesAnalysis:
    """Trend, SPC and run for one KPI x area x cohort, from its rated history up to `month`."""
    return analyse_each(SeriesRows.of(one, month), [(np.arange(len(one)), kpi, NO_GAPS)], settings, month)[0]


NO_GAPS = np.array([], dtype=int)


def analyse_each(
    history: SeriesRows, series: list[tuple[np.ndarray, KpiDefinition, np.ndarray]], settings: TrendSettings,
    month: str,
) -> list[SeriesAnalysis]:  # fmt: skip
    """`analyse_series` of each series of `history`: its rows (positions), its KPI, and the rows of its months an
    edition hides (positions too), kept on its chart as gaps, without a value or SPC (the trend, limits and run
    are the same with or without them). The charts' points are picked out of `history` together (one series at a
    time, they cost a page's 24 series a fiftieth of a second)."""
    analysed = [_analysed(history, rows, kpi, settings, month, gap_rows) for rows, kpi, gap_rows in series]
    points = _charts_points(history, analysed)
    return [SeriesAnalysis(a.row, chart_points) for a, chart_points in zip(analysed, points, strict=True)]


@dataclass(frozen=True)
class _Analysed:
    row: TrendRow
    chart: spc.SpcResult
    on_chart: np.ndarray  # the chart's months with a value: positions in the history
    gap_rows: np.ndarray  # its months hidden, as gaps: positions too


def _analysed(
    history: SeriesRows, rows: np.ndarray, kpi: KpiDefinition, settings: TrendSettings, month: str,
    gap_rows: np.ndarray,
) -> _Analysed:  # fmt: skip
    """The trend row and SPC chart of the series at positions `rows`; its chart's points are made after, with the
    other series' (`_charts_points`)."""
    # the rows used, as positions: the frame's rows are picked out once, for the chart (a frame's rows picked out
    # again and again cost a series a few milliseconds each)
    used = rows[history.usable[rows]]
    if not (_increasing(history.month[used])):  # rated: in order already
        used = used[history.frame["month"].iloc[used].reset_index(drop=True).sort_values().index.to_numpy()]
    all_months = history.month[used]
    all_values = history.value[used]
    window = rolling_months(month, settings.window)
    in_window = np.isin(all_months, window)
    months = all_months[in_window].tolist()
    values = all_values[in_window]
    fitted = trend.fit(months, values)
    # the target the figure is rated against (an area's own, or none: rated_history); the KPI's without a history
    at_month = history.target[used][all_months == month] if history.target is not None else np.array([])
    target = float(at_month[-1]) if len(at_month) else kpi.thresholds_for(month).target
    bounds = (0.0, 100.0) if kpi.unit == "percent" else (0.0, np.inf)
    charted = np.isin(all_months, rolling_months(month, settings.spc.window))
    on_chart = used[charted]
    chart_months, chart_values = all_months[charted].tolist(), all_values[charted]
    baseline, change_points = settings.baseline_for(kpi.id), settings.change_points_for(kpi.id)
    excluded = settings.excluded_for(kpi.id)

    def xmr(baseline_points: int | None) -> spc.SpcResult:
        return spc.xmr_chart(
            chart_months, chart_values, target, kpi.polarity, settings.spc, change_points, bounds,
            baseline_points=baseline_points, excluded=excluded,
        )  # fmt: skip

    chart = xmr(baseline)
    in_spc = ~chart.columns.excluded & ~np.isnan(chart_values) if len(on_chart) else []
    step = trend.find_step(
        [m for m, use in zip(chart_months, in_spc, strict=True) if use], chart_values[in_spc], settings.spc.min_points
    )
    if step is not None and step.month < window[0]:
        step = None  # a step before the trend window: the window's own months tell what followed it
    segmented = baseline or any(chart_months and chart_months[0] < p <= chart_months[-1] for p in change_points)
    if step is not None and not segmented and step.before >= settings.spc.min_points:
        # The months before a step are judged against their own mean and limits (MDC's baseline), not a mean the
        # step dragged towards it; the step and what follows are judged against those limits.
        chart = xmr(step.before)
    steady = fitted
    if step is not None:  # the trend with the step taken out: is there more to it than the step?
        after = np.array([m >= step.month for m in months])
        steady = trend.fit(months, values - np.where(after, step.change, 0.0))
    run = trend.current_run(all_months.tolist(), all_values, kpi.polarity, kpi.display_decimals)
    limits = chart.limits
    row = TrendRow(
        window_start=window[0],
        window_end=window[-1],
        points=fitted.points,
        slope_per_month=fitted.slope_per_month,
        trend=trend.verdict(fitted, kpi.polarity, settings.trend),
        mean=limits.mean if limits else np.nan,
        lower_limit=limits.lower if limits else np.nan,
        upper_limit=limits.upper if limits else np.nan,
        variation=chart.variation,
        variation_since=variation_since(chart),
        assurance=chart.assurance,
        run_direction=run.direction,
        run_since=run.since or "",
        run_length=run.length,
        theil_sen_slope=fitted.theil_sen_slope,
        change_over_window=fitted.theil_sen_slope * (len(window) - 1),
        trend_p_value=fitted.p_value,
        spc_points=int((~chart.columns.excluded).sum()),
        special_cause_points=int((chart.columns.special_cause != 0).sum()),
        latest_value=float(values[-1]) if len(values) and months[-1] == month else np.nan,
        run_since_value=run.since_value,
        since_when=trend.since_when(run, fmt_value(run.since_value, kpi.unit, kpi.display_decimals)),
        target=target,
        steady_trend=trend.verdict(steady, kpi.polarity, settings.trend),
        step_month=step.month if step else "",
        step_change=step.change if step else np.nan,
        step_compared=step.compared if step else 0,
        step_first_month=step.first_month if step else "",
    )
    return _Analysed(row, chart, on_chart, gap_rows)


def _increasing(months: np.ndarray) -> bool:
    """Each month after the one before it (no month twice)."""
    return bool(len(months) < 2 or (months[1:] > months[:-1]).all())


SPC_COLUMNS = ("excluded", "segment", "mean", "lower_limit", "upper_limit", "special_cause", "rules", "point_class")


def _charts_points(history: SeriesRows, analysed: list[_Analysed]) -> list[pd.DataFrame]:
    """Each chart's points (`_chart_points`): those of the charts without gaps picked out of the history together,
    and those of the charts with gaps together, each then a slice of the one frame; a chart whose months repeat,
    or whose rows already have a column of SPC's name, alone."""
    months, clash = history.month, set(SPC_COLUMNS) & set(history.frame.columns)
    together: dict[bool, list[int]] = {False: [], True: []}  # by whether the chart has gaps
    points: dict[int, pd.DataFrame] = {}
    for i, a in enumerate(analysed):
        every = np.concatenate([a.on_chart, a.gap_rows])
        if len(a.on_chart) and not clash and _increasing(np.sort(months[every])) and _increasing(months[a.on_chart]):
            together[bool(len(a.gap_rows))].append(i)
        else:
            points[i] = _chart_points(history, a.on_chart, a.chart.points, a.gap_rows)
    for chosen in together.values():
        if chosen:
            for i, chart_points in zip(chosen, _points_together(history, [analysed[i] for i in chosen]), strict=True):
                points[i] = chart_points
    return [points[i] for i in range(len(analysed))]


def _points_together(history: SeriesRows, analysed: list[_Analysed]) -> list[pd.DataFrame]:
    """The charts' points, as `_chart_points` makes each (all with gaps, or all without; none whose months repeat):
    their rows picked out of the history at once, their SPC columns beside them, then cut into each chart's."""
    taken, values_at, ends = [], [], [0]
    for a in analysed:
        every = np.concatenate([a.on_chart, a.gap_rows])
        order = np.argsort(history.month[every], kind="stable")  # gaps in month order among the months shown
        taken.append(every[order])
        values_at.append(ends[-1] + np.flatnonzero(order < len(a.on_chart)))
        ends.append(ends[-1] + len(every))
    # a copy: picking out every row of the history in order would otherwise share its memory
    rows = history.frame.take(np.concatenate(taken)).reset_index(drop=True).copy()
    charts = spc.points_frame([a.chart.columns for a in analysed])[list(SPC_COLUMNS)]
    with_gaps = ends[-1] > len(charts)
    if with_gaps:  # a gap's SPC columns are missing (NaN), as a concatenation leaves them
        charts = charts.set_axis(np.concatenate(values_at)).reindex(range(ends[-1]))
    every_chart = pd.concat([rows, charts.reset_index(drop=True)], axis=1)
    cut = [every_chart.iloc[start:end].reset_index(drop=True) for start, end in itertools.pairwise(ends)]
    return [_blanks_filled(points) for points in cut] if with_gaps else cut


def _chart_points(history: SeriesRows, on_chart: np.ndarray, chart: pd.DataFrame, gap_rows: np.ndarray) -> pd.DataFrame:
    """The charted months' rows of `history` (positions `on_chart`) with their SPC columns, and the rows `gap_rows`
    among them in month order, without SPC, for a chart whose points are not made with others' (`_charts_points`):
    nothing charted with a value, a month there twice, or a column of SPC's name taken. Made as one series at a
    time always was: merged on month, the gaps added after."""
    one, months = history.frame, history.month
    if not len(on_chart) and not len(gap_rows):
        return one.take(on_chart)  # nothing on the chart
    if not len(on_chart) and _increasing(months[gap_rows]):  # every charted month hidden: gaps alone, no SPC
        return _blanks_filled(one.take(gap_rows).reset_index(drop=True))
    points = one.take(on_chart)
    if len(on_chart):
        points = _beside(points, chart)
    if not len(gap_rows):
        return points
    points = pd.concat([points, one.take(gap_rows)], ignore_index=True).sort_values("month", ignore_index=True)
    return points.assign(withheld=points["withheld"].fillna(""), suppressed=points["suppressed"].fillna(False))


def _blanks_filled(points: pd.DataFrame) -> pd.DataFrame:
    """A chart's points with gaps: nothing withheld or hidden where a row does not say."""
    for column, blank in (("withheld", ""), ("suppressed", False)):
        if points[column].isna().any():
            points[column] = points[column].fillna(blank)
    return points


def _beside(on_chart: pd.DataFrame, chart: pd.DataFrame) -> pd.DataFrame:
    """Each charted month's row with its SPC columns: the chart is of these months, in this order, so each column is
    set beside them (a merge on month costs twice as much); a merge where a month is there twice or a name taken."""
    spc = [c for c in chart.columns if c not in ("month", "value")]
    if not on_chart["month"].is_unique or set(spc) & set(on_chart.columns):
        return on_chart.merge(chart.drop(columns="value"), on="month", how="left")
    points = on_chart.reset_index(drop=True)
    for column in spc:
        points[column] = chart[column].values
    return points


def variation_since(chart: spc.SpcResult) -> str:
    """The month the latest point's run of special cause (the same way) began, where it began before the latest
    month: 'an unusually good run since March 2019'. '' where the latest point is common cause or alone."""
    points = chart.columns
    if not len(points.month) or chart.limits is None:
        return ""
    used = ~points.excluded & ~np.isnan(points.value)
    sides = points.special_cause[used]
    if not len(sides) or sides[-1] == 0:
        return ""
    start = len(sides) - 1
    while start > 0 and sides[start - 1] == sides[-1]:
        start -= 1
    return str(np.array(points.month, dtype=object)[used][start]) if start < len(sides) - 1 else ""


def trend_table(
    history: pd.DataFrame,
    catalogue: KpiCatalogue,
    settings: TrendSettings,
    month: str,
    areas: list[str],
    analyse: Callable[[pd.DataFrame, KpiDefinition], SeriesAnalysis] | None = None,
) -> pd.DataFrame:
    """One row per KPI x area x cohort for the areas given (in their order): the columns of `lacperf trend`.
    `analyse`: how an edition analyses each series (its history, its KPI), in place of `analyse_series`."""
    rows = []
    for area in areas:
        for (kpi_id, cohort), one in history.loc[history["area"] == area].groupby(["kpi_id", "cohort"], sort=False):
            kpi = catalogue.get(str(kpi_id))
            analysis = analyse(one, kpi) if analyse is not None else analyse_series(one, kpi, settings, month)
            rows.append({"kpi_id": kpi_id, "area": area, "cohort": cohort, **analysis.row.columns()})
    return pd.DataFrame(rows, columns=[*TREND_COLUMNS, *TREND_EXTRA_COLUMNS])
