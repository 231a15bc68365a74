"""Everything one appendix (one month x area) shows, gathered once for the notebook to lay out."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lacperf_helpers import __version__
from lacperf_helpers.config import cache
from lacperf_helpers.config.cohorts import load_cohorts
from lacperf_helpers.config.definitions import (
    KpiCatalogue,
    Settings,
    TrendSettings,
    load_kpis,
    load_settings,
    load_trend_settings,
)
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import previous_month, rolling_months
from lacperf_helpers.config.vocabulary import BREAKDOWNS
from lacperf_helpers.disclose.disclosure import (
    Published,
    hidden_keys,
    hide_in_card,
    hide_in_history,
    hide_in_measures,
    hide_in_trend,
    no_hidden,
)
from lacperf_helpers.ingest.dfe_rules import dfe_problems
from lacperf_helpers.ingest.layout import available_months, month_files, return_path, ssda903_path
from lacperf_helpers.ingest.manifest import describe
from lacperf_helpers.ingest.returns import require_month
from lacperf_helpers.ingest.ssda903 import load_903
from lacperf_helpers.ingest.validation import as_problems, combine, raise_on_errors
from lacperf_helpers.measures.figures import input_problems, load_returns_to
from lacperf_helpers.measures.registry import measure_table
from lacperf_helpers.present.narrative import Summary, summarise
from lacperf_helpers.rate import rating
from lacperf_helpers.rate.benchmarks import benchmark_problems, load_benchmarks, with_benchmarks
from lacperf_helpers.rate.national import national_comparison, national_problems, rates_per_10000
from lacperf_helpers.rate.scorecard import build_scorecard, headline, order_areas, select_area, with_slice
from lacperf_helpers.trend.series import SeriesAnalysis, analyse_series, rated_history

TREND_FOR_CARD = ("trend", "since_when", "run_length", "variation", "assurance", "window_start", "points")


@dataclass(frozen=True)
class Standout:
    """An area rated apart from the authority on a KPI: Red where the authority is not, or Green where the
    authority is Red. Figures as published; `since_when` the area's month-on-month run (as its own page
    tells it: never through a hidden month)."""

    kpi_id: str
    title: str
    area: str
    rag: str
    authority_rag: str
    since_when: str


STANDOUTS_SHOWN = 10  # a paragraph, not a list of every difference


@dataclass(frozen=True)
class Appendix:
    month: str
    area: str
    # What the page shows is Published: made by disclosure control (on, whenever lacperf renders)
    card: Published  # this area's rows of the tidy scorecard, in KPI order, with trend and benchmarks
    all_areas: Published  # every area's headline rows of this cohort this month, for comparing areas
    slices: Published  # every row of the month's scorecard: areas x KPIs x cohorts x breakdowns x groups
    hidden: pd.DataFrame  # the month's one publishable view: every figure (month or period, area ...) hidden
    cohort: str
    figures: pd.DataFrame  # every area's checked return figures up to this month
    history: Published  # this area's rated figures for every month up to `month`
    series: dict[str, SeriesAnalysis]  # per KPI id: trend, SPC and the window's points
    summary: Summary
    catalogue: KpiCatalogue
    settings: Settings
    trend_settings: TrendSettings
    inputs: Inputs  # the files it was made from
    data_files: tuple[Path, ...]  # the return files this month's and last month's figures came from
    problems: pd.DataFrame  # every warning in the inputs up to this month (errors stop a page being made)
    disclosure_control: bool  # figures of 1-4 children hidden (always, in a rendered appendix)
    standouts: list[Standout]  # areas whose rating stands apart from the authority's, with their runs
    national: pd.DataFrame  # each KPI against every authority in England (rate/national.py): published figures
    rates: pd.DataFrame  # children looked after, started, UASC per 10,000 children: this month's, and the DfE's
    manifest: dict[str, Any]  # every input with its SHA-256, the KPI definitions' hash, version, time made
    version: str
    made_at: str


def check_inputs(month: str, *, inputs: Inputs, before_work: Callable[[], None] | None = None) -> list[str]:
    """Read and check everything an appendix of `month` reads, once, before any notebook runs (`before_work`:
    as `month_data`'s).

    Returns the month's areas, the authority first. Raises InputError naming file, row and column.
    """
    data = month_data(month, inputs=inputs, before_work=before_work)
    return order_areas(list(data.card["area"].unique()), data.settings.authority)


def validate_month(month: str, *, inputs: Inputs) -> pd.DataFrame:
    """Every problem in what a page of `month` reads, as rows: definitions, settings, benchmarks, and each
    month's return and extract up to `month` (and the DfE's rules, if `inputs` asks). A file that cannot be
    read at all is one error row."""
    try:
        catalogue, *_ = _definitions(month, inputs)
    except InputError as error:
        return as_problems(error)
    months = [m for m in available_months(inputs.returns) if m <= month]
    return combine(
        [
            benchmark_problems(inputs.benchmarks, catalogue),
            national_problems(inputs.national),
            input_problems(inputs.returns, months, catalogue),
            _dfe_findings(month, inputs),
        ]
    )


def _definitions(month: str, inputs: Inputs) -> tuple[KpiCatalogue, Settings, TrendSettings, pd.DataFrame]:
    """The definitions, settings and benchmarks a page reads, each checked; and the month must have data."""
    catalogue = load_kpis(inputs.kpis)
    settings = load_settings(inputs.settings)
    trend_settings = load_trend_settings(inputs.trend)
    benchmarks = load_benchmarks(inputs.benchmarks, catalogue)
    require_month(inputs.returns, month)
    return catalogue, settings, trend_settings, benchmarks


def month_data(month: str, *, inputs: Inputs, before_work: Callable[[], None] | None = None) -> MonthData:
    """The month's checked inputs and every area's scorecard, read once while the files are unchanged.
    `before_work` is called first if they must be worked out (nothing has them yet)."""
    stamp = _stamp(month, inputs)
    if before_work is not None and not cache.has(_month_key(month, inputs, stamp)):
        before_work()
    return _month_data(month, inputs, stamp)


def _dfe_findings(month: str, inputs: Inputs) -> pd.DataFrame:
    """The DfE's rules' failures in the month's SSDA903 extract, when `inputs` asks for them (else none)."""
    folder = ssda903_path(inputs.returns, month)
    return dfe_problems(folder, month) if inputs.dfe_rules and folder.is_dir() else combine([])


@dataclass(frozen=True)
class MonthData:
    """What every area's appendix of one month shares: definitions, settings, figures, all areas' card."""

    catalogue: KpiCatalogue
    settings: Settings
    trend_settings: TrendSettings
    figures: pd.DataFrame
    card: pd.DataFrame
    problems: pd.DataFrame  # warnings only (errors stop the month): file, row, column, value, rule, severity
    hidden: pd.DataFrame  # the figures disclosure control hides: month, area, KPI, cohort, breakdown, group
    children: dict[str, float | None]  # counts given per 10,000 children (`published_counts`); None: not published


def _stamp(month: str, inputs: Inputs) -> tuple[tuple[str, int, int], ...]:
    """Each input file's name, size and modification time: a changed file is read again."""
    returns = inputs.returns
    read = [
        *inputs.parameter_files(),
        *(f for m in available_months(returns) if m <= month for f in month_files(returns, m)),
    ]
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in read if p.exists())


# A batch worker's warm kernel renders many areas of one month: the month's inputs are read, checked
# and rated once, not once per area. Keyed on every input file's size and modification time; callers
# get frames they must not change (every step after this builds new frames).
def _month_key(month: str, inputs: Inputs, stamp: tuple[tuple[str, int, int], ...]) -> str:
    return cache.cache_key(
        "month",
        [month, str(inputs.returns), *map(str, inputs.parameter_files()), f"dfe rules {inputs.dfe_rules}"],
        [Path(name) for name, _, _ in stamp],
    )


@functools.lru_cache(maxsize=4)
def _month_data(month: str, inputs: Inputs, stamp: tuple[tuple[str, int, int], ...]) -> MonthData:
    key = _month_key(month, inputs, stamp)
    cached = cache.load(key)
    if isinstance(cached, MonthData):  # another worker, or the batch's plan, has done this month already
        return cached
    data = _work_out_month(month, inputs)
    cache.store(key, data)
    return data


def _work_out_month(month: str, inputs: Inputs) -> MonthData:
    catalogue, settings, trend_settings, benchmarks = _definitions(month, inputs)
    returns = inputs.returns
    months = [m for m in available_months(returns) if m <= month]
    problems = raise_on_errors(  # every file, before any is used (the DfE's rules' failures are warnings)
        combine(
            [
                benchmark_problems(inputs.benchmarks, catalogue),
                national_problems(inputs.national),
                input_problems(returns, months, catalogue),
                _dfe_findings(month, inputs),
            ]
        )
    )
    cohorts = load_cohorts(inputs.cohorts)
    figures = load_returns_to(returns, month, catalogue, settings.authority, cohorts)
    card = with_benchmarks(build_scorecard(figures, catalogue, month, settings), benchmarks, month)
    hidden = hidden_keys(with_slice(figures), catalogue, settings.disclosure, settings.authority or "", cohorts)
    children = published_counts(month, inputs, settings)
    return MonthData(catalogue, settings, trend_settings, figures, card, problems, hidden, children)


def published_counts(month: str, inputs: Inputs, settings: Settings) -> dict[str, float | None]:
    """The authority's children looked after and unaccompanied at the month end, and started in the 12 months
    to it, as `lacperf measures` publishes them from each month's extract; None where that hides the figure,
    or a month has no extract (a rate per 10,000 gives its count back, so it may add nothing to what is
    published). Unaccompanied children: all less excluding UASC, both shown."""
    authority = settings.authority or "Authority"
    cohorts = load_cohorts(inputs.cohorts)

    def published(one: str, measures: list[str]) -> pd.DataFrame | None:
        """The authority's published totals of `measures` from the month's own extract (None: no extract)."""
        folder = ssda903_path(inputs.returns, one)
        if not folder.is_dir():
            return None
        table = measure_table(load_903(folder), one, authority, measures, cohorts.exact_only(), list(BREAKDOWNS))
        frame = hide_in_measures(table, settings.disclosure, authority, cohorts).frame
        return frame.loc[(frame["area"] == authority) & (frame["breakdown"] == "total")]

    def shown(frame: pd.DataFrame | None, measure: str, cohort: str) -> float | None:
        row = None if frame is None else frame.loc[(frame["measure"] == measure) & (frame["cohort"] == cohort)]
        return None if row is None or row.empty or row["withheld"].iloc[0] else float(row["numerator"].iloc[0])

    now = published(month, ["cla_count", "cla_starts"])
    looked_after, excluding = shown(now, "cla_count", "all"), shown(now, "cla_count", "excluding UASC")
    started: float | None = 0.0
    for one in rolling_months(month, 12):  # every month's own figure must be published, else no rate
        figure = shown(now if one == month else published(one, ["cla_starts"]), "cla_starts", "all")
        if figure is None:
            started = None
            break
        started = (started or 0.0) + figure
    return {
        "looked_after": looked_after,
        "uasc": None if looked_after is None or excluding is None else looked_after - excluding,
        "started": started,
    }


def _hide_in_series(series: dict[str, SeriesAnalysis], hidden: pd.DataFrame) -> dict[str, SeriesAnalysis]:
    """Each KPI's trend with its hidden months' figures blanked (the verdicts stand: they give no count
    away). Every KPI's points are looked up in one pass, not one pass per KPI."""
    if not series:
        return series
    points = hide_in_history(pd.concat([s.points for s in series.values()], ignore_index=True), hidden)
    starts = np.cumsum([0, *(len(s.points) for s in series.values())])
    return {
        kpi_id: SeriesAnalysis(*hide_in_trend(analysis.row, points.iloc[start:end].reset_index(drop=True)))
        for (kpi_id, analysis), start, end in zip(series.items(), starts[:-1], starts[1:], strict=True)
    }


def _standouts(
    card: pd.DataFrame,
    figures: pd.DataFrame,
    hidden: pd.DataFrame,
    catalogue: KpiCatalogue,
    trend_settings: TrendSettings,
    authority: str | None,
    month: str,
    cohort: str,
) -> list[Standout]:
    """Areas rated apart from the authority this month, in KPI order (at most STANDOUTS_SHOWN)."""
    if not authority or authority not in set(card["area"]):
        return []
    overall = card.loc[card["area"] == authority].set_index("kpi_id")["rag"]
    apart = card.loc[card["area"] != authority].assign(authority_rag=lambda c: c["kpi_id"].map(overall))
    chosen = apart.loc[
        ((apart["rag"] == rating.RED) & (apart["authority_rag"] != rating.RED))
        | ((apart["rag"] == rating.GREEN) & (apart["authority_rag"] == rating.RED))
    ].head(STANDOUTS_SHOWN)
    found = []
    histories: dict[str, pd.DataFrame] = {}  # an area that stands out on several KPIs is rated once
    for r in chosen.itertuples(index=False):
        own = hidden.loc[hidden["area"] == r.area]
        area = str(r.area)
        if area not in histories:
            histories[area] = rated_history(headline(figures.loc[figures["area"] == area], cohort), catalogue)
        history = histories[area]
        one = history.loc[history["kpi_id"] == r.kpi_id]
        analysis = analyse_series(one, catalogue.get(str(r.kpi_id)), trend_settings, month)
        row, _ = hide_in_trend(analysis.row, hide_in_history(analysis.points, own))
        since = str(row["since_when"]) if int(row.get("run_length") or 0) >= 2 else ""  # type: ignore[call-overload]
        found.append(Standout(str(r.kpi_id), str(r.title), str(r.area), str(r.rag), str(r.authority_rag), since))
    return found


# What every area's page of a month and cohort shares (the areas that stand out among them): worked out
# once per worker, not once per page. Frames callers must not change, as _month_data's.
@dataclass(frozen=True)
class MonthView:
    """What every page of a month and cohort shows alike: the month's figures and hidden keys, every
    published slice, the cohort's headline card of every area, the areas that stand out, and the authority
    beside England and its neighbours (the DfE's table, rates per 10,000)."""

    figures: pd.DataFrame
    hidden: pd.DataFrame
    slices: pd.DataFrame
    card: pd.DataFrame
    standouts: list[Standout]
    national: pd.DataFrame
    rates: pd.DataFrame


@functools.lru_cache(maxsize=4)
def _month_view(
    month: str, inputs: Inputs, stamp: tuple[tuple[str, int, int], ...], cohort: str, disclosure_control: bool
) -> MonthView:
    month_data = _month_data(month, inputs, stamp)
    figures = with_slice(month_data.figures)
    hidden = month_data.hidden if disclosure_control else no_hidden()
    slices = hide_in_card(month_data.card, hidden, month, previous_month(month))
    card = headline(slices, cohort)
    if card.empty:
        where = return_path(inputs.returns, month)
        raise InputError(where, f"no KPI is measured for the cohort {cohort!r} this month", column="cohort")
    catalogue, settings = month_data.catalogue, month_data.settings
    apart = _standouts(card, figures, hidden, catalogue, month_data.trend_settings, settings.authority, month, cohort)
    national = national_comparison(inputs.national, catalogue, settings, month)
    rates = rates_per_10000(inputs.national, settings, month, month_data.children)
    return MonthView(figures, hidden, slices, card, apart, national, rates)


def load_appendix(
    month: str,
    area: str,
    *,
    inputs: Inputs | None = None,
    cohort: str = "all",
    made_at: str = "",
    disclosure_control: bool = True,
    manifest: dict[str, Any] | None = None,
) -> Appendix:
    """Load, check and rate the returns up to `month` and gather `area`'s appendix (no inputs: the project's).

    `cohort` other than 'all' (one named in the cohorts file, e.g. 'excluding UASC') shows the KPIs measured
    for that cohort from SSDA903 data.
    Ratings, trends and SPC are worked out on the true figures; with `disclosure_control` (always, when
    lacperf renders), every figure of 1 to 4 children, and any that would give one away, is then hidden.
    `manifest` is what lacperf render made of the inputs; without one (in JupyterLab) it is made here.
    """
    inputs = inputs or Inputs()
    returns = inputs.returns
    stamp = _stamp(month, inputs)
    month_data = _month_data(month, inputs, stamp)
    catalogue, settings, trend_settings = month_data.catalogue, month_data.settings, month_data.trend_settings
    load_cohorts(inputs.cohorts).require_exact(cohort, inputs.cohorts, column="cohort")
    view = _month_view(month, inputs, stamp, cohort, disclosure_control)
    figures, hidden, slices, card = view.figures, view.hidden, view.slices, view.card
    area_card = select_area(card, area, return_path(returns, month))
    history = rated_history(headline(figures.loc[figures["area"] == area], cohort), catalogue)
    own = hidden.loc[hidden["area"] == area]  # the area's own: each KPI's look-up is then a small one
    series = _hide_in_series(
        {
            str(kpi_id): analyse_series(one, catalogue.get(str(kpi_id)), trend_settings, month)
            for kpi_id, one in history.groupby("kpi_id", sort=False)
        },
        own,
    )
    history = hide_in_history(history, own)
    trend_rows = pd.DataFrame([{"kpi_id": k, **{c: s.row[c] for c in TREND_FOR_CARD}} for k, s in series.items()])
    area_card = area_card.merge(trend_rows, on="kpi_id", how="left") if len(trend_rows) else area_card
    data_files = tuple(
        p for p in (return_path(returns, previous_month(month)), return_path(returns, month)) if p.is_file()
    )
    made = made_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Appendix(
        month=month,
        area=area,
        card=Published(area_card),
        all_areas=Published(card),
        slices=Published(slices),
        hidden=hidden,
        cohort=cohort,
        figures=figures,
        history=Published(history),
        series=series,
        summary=summarise(area_card, settings.small_cohort_denominator),
        standouts=view.standouts,
        national=view.national,
        rates=view.rates,
        catalogue=catalogue,
        settings=settings,
        trend_settings=trend_settings,
        inputs=inputs,
        data_files=data_files,
        problems=month_data.problems,
        disclosure_control=disclosure_control,
        manifest=manifest
        or describe(
            inputs,
            month,
            {"month": month, "area": area, "cohort": cohort, "disclosure_control": disclosure_control},
            made,
        ),
        version=__version__,
        made_at=made,
    )
