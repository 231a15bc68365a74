"""Each edition of a month: the public one worked out from the figures it publishes, the internal one from
every figure.

The public edition takes the month's decision first (month/data.py), blanks every hidden figure, and only
then rates, compares and analyses: ratings, directions, children to change a rating, trends and SPC, runs and
"since when", the summary, the areas that stand out, the quarter, the year to date and 12 months. Nothing
on a public page is worked out from a figure it does not show, so nothing on it can say more than its figures
do. The internal edition does the same from every figure, for the council's own staff.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.config import cache
from lacperf_helpers.config.definitions import KpiCatalogue, KpiDefinition, TrendSettings
from lacperf_helpers.config.editions import Edition
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import previous_month, rolling_months
from lacperf_helpers.config.vocabulary import ALL, TOTAL
from lacperf_helpers.disclose.publishing import (
    Published,
    derived,
    hide_in_periods,
    publish_card,
    publish_figures,
    published_rows,
)
from lacperf_helpers.disclose.solver import no_hidden
from lacperf_helpers.month.data import MonthData, decided_month
from lacperf_helpers.month.stamp import KEPT_DECISION, Stamp, inputs_stamp
from lacperf_helpers.rate import rating
from lacperf_helpers.rate.benchmarks import with_benchmarks
from lacperf_helpers.rate.national import national_comparison, rates_per_10000
from lacperf_helpers.rate.period_figures import quarter_scorecard
from lacperf_helpers.rate.scorecard import build_scorecard, headline, order_areas
from lacperf_helpers.trend.series import (
    SeriesAnalysis,
    SeriesRows,
    analyse_each,
    analyse_series,
    rated_history,
    trend_table,
)
from lacperf_helpers.trend.trend import NO_RUN

TREND_FOR_CARD = (
    "trend", "since_when", "run_length", "variation", "assurance", "window_start", "window_end", "points",
    "variation_since", "steady_trend", "step_month", "step_change", "step_compared", "step_first_month",
)  # fmt: skip


@dataclass(frozen=True)
class Standout:
    """An area rated apart from the authority on a KPI: Red where the authority is not, or Green where the
    authority is Red. Figures as the edition shows them; `since_when` the area's month-on-month run."""

    kpi_id: str
    title: str
    area: str
    rag: str
    authority_rag: str
    since_when: str


STANDOUTS_SHOWN = 10  # a paragraph, not a list of every difference


@dataclass(frozen=True)
class EditionView:
    """What every page of a month, cohort and edition shows alike: every figure up to the month as the edition
    shows it, the month's scorecard and the cohort's headline card of every area (rated from those figures),
    the areas that stand out, and the authority beside England and its neighbours."""

    month: str
    edition: Edition
    data: MonthData  # the month's definitions and settings (its exact figures are not for pages: use `figures`)
    hidden: pd.DataFrame  # what this edition hides (the internal edition: nothing)
    figures: Published  # every figure up to the month: areas x KPIs x cohorts x breakdowns x groups
    slices: Published  # the month's scorecard: every row, rated from `figures`
    card: Published  # the cohort's headline rows of every area
    standouts: list[Standout]
    national: pd.DataFrame  # each KPI against every authority in England (the DfE's published figures)
    rates: pd.DataFrame  # children looked after, started, UASC per 10,000 children
    # the cohort's headline figures of every area, every month, rated (`every_area_history`): worked out with the
    # view, once a batch, not once in each worker's kernel (a twentieth of a second each)
    history: Published


def edition_view(month: str, *, inputs: Inputs, edition: Edition, cohort: str = ALL) -> EditionView:
    """The month's view in `edition` for `cohort`, worked out once per worker (not once per page)."""
    stamp = inputs_stamp(month, inputs)
    return _edition_view(month, inputs, stamp, cohort, edition)


# What every area's page of a month, cohort and edition shares: worked out once per batch (the batch's plan
# works it out to count each page's ratings, and the workers' kernels read it from the disk cache), not once
# per worker or per page. Frames callers must not change, as _month_data's.
@functools.lru_cache(maxsize=4)
def _edition_view(month: str, inputs: Inputs, stamp: Stamp, cohort: str, edition: Edition) -> EditionView:
    key = _view_key(month, inputs, stamp, cohort, edition)
    view = cache.kept_or_worked_out(key, EditionView, lambda: _work_out_view(month, inputs, stamp, cohort, edition))
    _remember_history(view.figures, cohort, view.data.catalogue, view.data.settings.authority, view.history)
    return view


def _view_key(month: str, inputs: Inputs, stamp: Stamp, cohort: str, edition: Edition) -> str:
    """Every file the view is made from, by content: the month's inputs and what published months hid."""
    kept = [] if inputs.published is None else sorted(inputs.published.glob(f"*/{KEPT_DECISION}"))
    return cache.cache_key(
        "view",
        [month, cohort, edition.value, str(inputs.returns), *map(str, inputs.parameter_files()),
         f"dfe rules {inputs.dfe_rules}", f"published {inputs.published}"],
        [*(Path(name) for name, _, _ in stamp), *(f for f in kept if f.parent.name <= month)],
    )  # fmt: skip


def _work_out_view(month: str, inputs: Inputs, stamp: Stamp, cohort: str, edition: Edition) -> EditionView:
    data = decided_month(month, inputs, stamp)
    data.cohorts.require_exact(cohort, inputs.cohorts, column="cohort")
    hidden = data.hidden if edition is Edition.PUBLIC else no_hidden()
    figures = publish_figures(data.figures, hidden, edition)
    catalogue, settings = data.catalogue, data.settings
    national = national_comparison(inputs.national, catalogue, settings, month)

    # England's one figure per KPI and year: the DfE's tables' where they publish it. The CSV commands compare with
    # nothing (inputs.benchmarks None: their CSVs are the council's own figures), so neither source is read for them.
    england = national if inputs.benchmarks is not None else None

    def scorecard(frame: pd.DataFrame) -> pd.DataFrame:
        return with_benchmarks(build_scorecard(frame, catalogue, month, settings), data.benchmarks, month, england)

    slices = publish_card(derived(figures, scorecard), hidden, month, previous_month(month))
    card = published_rows(slices, (slices.frame["cohort"] == cohort) & _is_headline(slices.frame))
    card = derived(card, lambda frame: frame.reset_index(drop=True))  # empty: no KPI for the cohort this month
    history = every_area_history(figures, cohort, catalogue, settings.authority)
    apart = standouts(card, figures, catalogue, data.trend_settings, settings.authority or "", month, cohort)
    rates = rates_per_10000(inputs.national, settings, month, data.children[edition])
    return EditionView(month, edition, data, hidden, figures, slices, card, apart, national, rates, history)


def _is_headline(frame: pd.DataFrame) -> pd.Series:
    return (frame["breakdown"] == TOTAL) & (frame["group"] == ALL)


def area_history(
    figures: Published, area: str, cohort: str, catalogue: KpiCatalogue, authority: str | None = None
) -> Published:
    """The area's headline figures of `cohort`, every month, each rated against its own year's standards (and its
    area's: a number KPI in an area without its own standards unrated); a hidden month unrated."""
    every = every_area_history(figures, cohort, catalogue, authority)
    return derived(every, lambda frame: frame.loc[frame["area"] == area].reset_index(drop=True))


def every_area_history(
    figures: Published, cohort: str, catalogue: KpiCatalogue, authority: str | None = None
) -> Published:
    """`area_history` of every area at once (each row is rated on its own, so an area's rows are the same), worked
    out once for these figures in this process: a worker's kernel rates a month's figures once for all its pages,
    not once a page. Frames callers must not change."""
    for known, its_cohort, its_catalogue, its_authority, history in _EVERY_AREA_HISTORY:
        if known is figures and its_catalogue is catalogue and (its_cohort, its_authority) == (cohort, authority):
            return history
    history = derived(figures, lambda frame: _rated(headline(frame, cohort), catalogue, authority))
    _remember_history(figures, cohort, catalogue, authority, history)
    return history


def _remember_history(
    figures: Published, cohort: str, catalogue: KpiCatalogue, authority: str | None, history: Published
) -> None:
    """`every_area_history` of these figures is `history` (worked out here, or read with its edition's view)."""
    if not any(known is history for *_, known in _EVERY_AREA_HISTORY):
        _EVERY_AREA_HISTORY[:] = [(figures, cohort, catalogue, authority, history), *_EVERY_AREA_HISTORY[:3]]


# the figures themselves, not a copy, so they are known again by identity (the edition's view is kept per process)
_EVERY_AREA_HISTORY: list[tuple[Published, str, KpiCatalogue, str | None, Published]] = []


def _rated(figures: pd.DataFrame, catalogue: KpiCatalogue, authority: str | None = None) -> pd.DataFrame:
    """Each month's figures rated against its own year's standards; a hidden month (blank) reads Not shown, not
    No data."""
    history = rated_history(figures, catalogue, authority)
    history.loc[history["suppressed"].astype(bool), "rag"] = rating.NOT_SHOWN
    return history


def area_series(
    history: Published, catalogue: KpiCatalogue, settings: TrendSettings, month: str
) -> dict[str, SeriesAnalysis]:
    """Each KPI's trend, SPC and run, from the months the edition shows (a hidden month is a gap: no slope,
    limit or run goes through it), with the hidden months on the chart as gaps."""
    if history.frame.empty:
        return {}
    codes, kpi_ids = pd.factorize(history.frame["kpi_id"])  # in the order they come, as a groupby(sort=False)
    each = [(np.flatnonzero(codes == code), catalogue.get(str(kpi_id))) for code, kpi_id in enumerate(kpi_ids)]
    analysed = _with_gaps(SeriesRows.of(history.frame, month), each, settings, month)
    return {str(kpi_id): analysis for kpi_id, analysis in zip(kpi_ids, analysed, strict=True)}


def _with_gaps(
    history: SeriesRows, each: list[tuple[np.ndarray, KpiDefinition]], settings: TrendSettings, month: str
) -> list[SeriesAnalysis]:
    """The analysis of each series (its rows' positions, its KPI), with the chart's hidden months put back as gaps;
    a verdict on the latest point, or a run up to it, is not given when this month is hidden (it would speak of
    an earlier month as if of this one)."""
    charted = np.isin(history.month, rolling_months(month, settings.spc.window))
    hidden = history.frame["suppressed"].to_numpy(dtype=bool) & charted
    series = [(rows, kpi, rows[hidden[rows]]) for rows, kpi in each]
    analysed = analyse_each(history, series, settings, month)
    return [
        _no_verdict_on_a_hidden_month(analysis, month in set(history.month[gap_rows]))
        for analysis, (_, _, gap_rows) in zip(analysed, series, strict=True)
    ]


def _no_verdict_on_a_hidden_month(analysis: SeriesAnalysis, month_hidden: bool) -> SeriesAnalysis:
    """The analysis, without its verdict on the latest point and its run where this month is hidden."""
    if not month_hidden:
        return analysis
    row = dataclasses.replace(analysis.row, variation=None, assurance=None, run_direction=NO_RUN, run_since="",
               run_length=0, run_since_value=np.nan, since_when="", variation_since="")  # fmt: skip
    return SeriesAnalysis(row, analysis.points)


def standouts(
    card: Published, figures: Published, catalogue: KpiCatalogue, trend_settings: TrendSettings, authority: str,
    month: str, cohort: str,
) -> list[Standout]:  # fmt: skip
    """Areas rated apart from the authority this month, in KPI order (at most STANDOUTS_SHOWN), each with
    its run as its own page tells it."""
    frame = card.frame
    if authority not in set(frame["area"]):
        return []
    overall = frame.loc[frame["area"] == authority].set_index("kpi_id")["rag"]
    apart = frame.loc[frame["area"] != authority].assign(authority_rag=lambda c: c["kpi_id"].map(overall))
    apart = apart.loc[apart["authority_rag"].isin(rating.RAG_ORDER)]  # apart from a rating, not from a hidden one
    chosen = apart.loc[
        ((apart["rag"] == rating.RED) & (apart["authority_rag"] != rating.RED))
        | ((apart["rag"] == rating.GREEN) & (apart["authority_rag"] == rating.RED))
    ].head(STANDOUTS_SHOWN)
    found = []
    histories: dict[str, Published] = {}  # an area that stands out on several KPIs is rated once
    for r in chosen.itertuples(index=False):
        area = str(r.area)
        if area not in histories:
            histories[area] = area_history(figures, area, cohort, catalogue, authority)
        one = histories[area].frame.loc[histories[area].frame["kpi_id"] == r.kpi_id]
        row = analyse_series(one, catalogue.get(str(r.kpi_id)), trend_settings, month).row
        since = row.since_when if row.run_length >= 2 else ""
        found.append(Standout(str(r.kpi_id), str(r.title), area, str(r.rag), str(r.authority_rag), since))
    return found


def quarter_card(view: EditionView, quarter: str) -> Published:
    """Every area's quarter beside the previous quarter, last year's, the year to date and 12 months, added up
    from the months the edition shows; a period with a hidden month hidden (`<prefix>withheld`), unrated."""
    areas = list(view.card.frame["area"].unique())
    catalogue = view.data.catalogue

    def work_out(frame: pd.DataFrame) -> pd.DataFrame:
        card = quarter_scorecard(headline(frame), catalogue, quarter, areas, view.data.settings.authority)
        return hide_in_periods(card, quarter, view.hidden, catalogue)

    return derived(view.figures, work_out)


def trend_rows(view: EditionView, areas: list[str], settings: TrendSettings) -> Published:
    """`lacperf trend`'s table: each KPI x area x cohort's trend, SPC and run, from the figures the edition shows."""
    catalogue = view.data.catalogue

    def work_out(frame: pd.DataFrame) -> pd.DataFrame:
        history = _rated(frame.loc[frame["breakdown"] == TOTAL], catalogue, view.data.settings.authority)

        def with_gaps(one: pd.DataFrame, kpi: KpiDefinition) -> SeriesAnalysis:
            return _with_gaps(SeriesRows.of(one, view.month), [(np.arange(len(one)), kpi)], settings, view.month)[0]

        return trend_table(history, catalogue, settings, view.month, areas, with_gaps)

    return derived(view.figures, work_out)


def rating_counts(view: EditionView, notebook: str, period: str) -> dict[str, dict[str, int]]:
    """Per area, the Green / Amber / Red / not rated counts of its page in this edition, for the index."""
    card = view.card.frame if notebook == "scorecard" else quarter_card(view, period).frame
    counts = {}
    for area, rags in card.groupby("area")["rag"]:
        tally = rags.value_counts()
        rated = {band: int(tally.get(band, 0)) for band in ("Green", "Amber", "Red")}
        counts[str(area)] = {**rated, "Not rated": int(len(rags) - sum(rated.values()))}
    return counts


def areas_of(view: EditionView) -> list[str]:
    """The month's areas, the authority first."""
    return order_areas(list(view.card.frame["area"].unique()), view.data.settings.authority)
