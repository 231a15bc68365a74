"""Everything one appendix (one month x area, in one edition) shows, gathered once for the notebook to lay out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from lacperf_helpers import __version__
from lacperf_helpers.config.definitions import KpiCatalogue, Settings, TrendSettings
from lacperf_helpers.config.editions import DEFAULT, Edition, parse_edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.vocabulary import ALL
from lacperf_helpers.disclose.publishing import Published, derived
from lacperf_helpers.ingest.layout import return_path
from lacperf_helpers.ingest.manifest import Manifest, describe
from lacperf_helpers.month.data import months_held, return_files
from lacperf_helpers.month.edition import (
    TREND_FOR_CARD,
    Standout,
    area_history,
    area_series,
    edition_view,
)
from lacperf_helpers.present.narrative import Summary, summarise
from lacperf_helpers.rate.scorecard import select_area
from lacperf_helpers.trend.series import SeriesAnalysis

__all__ = ["TREND_FOR_CARD", "Appendix", "Standout", "load_appendix"]


@dataclass(frozen=True)
class Appendix:
    month: str
    area: str
    edition: Edition  # public: small numbers hidden and everything worked out from what is shown; internal: all
    # What the page shows is Published, in its edition: made by disclosure control
    card: Published  # this area's rows of the tidy scorecard, in KPI order, with trend and benchmarks
    all_areas: Published  # every area's headline rows of this cohort this month, for comparing areas
    slices: Published  # every row of the month's scorecard: areas x KPIs x cohorts x breakdowns x groups
    figures: Published  # every area's figures up to this month, as the edition shows them
    hidden: pd.DataFrame  # what the edition hides of every figure (month or period, area ...): none internally
    cohort: str
    history: Published  # this area's rated figures for every month up to `month`
    series: dict[str, SeriesAnalysis]  # per KPI id: trend, SPC and the window's points
    summary: Summary
    catalogue: KpiCatalogue
    settings: Settings
    trend_settings: TrendSettings
    inputs: Inputs  # the files it was made from
    data_files: tuple[Path, ...]  # the return files this month's and last month's figures came from
    months: tuple[str, ...]  # every month the returns folder holds: the pages before and after this one
    problems: pd.DataFrame  # every warning in the inputs up to this month (errors stop a page being made)
    standouts: list[Standout]  # areas whose rating stands apart from the authority's, with their runs
    national: pd.DataFrame  # each KPI against every authority in England (rate/national.py): published figures
    rates: pd.DataFrame  # children looked after, started, UASC per 10,000 children: this month's, and the DfE's
    manifest: Manifest  # every input with its SHA-256, the KPI definitions' hash, version, time made
    version: str
    made_at: str
    # internal edition only (public: empty): this area's figures the return gives for a KPI computed from a file,
    # beside the computed one the page shows (measures/figures.py reconciliation)
    reconciled: pd.DataFrame = field(default_factory=pd.DataFrame)


def load_appendix(
    month: str,
    area: str,
    *,
    inputs: Inputs | None = None,
    cohort: str = ALL,
    made_at: str = "",
    edition: Edition | str = DEFAULT,
    manifest: Manifest | None = None,
) -> Appendix:
    """Load, check and rate the returns up to `month` and gather `area`'s appendix (no inputs: the project's).

    `cohort` other than 'all' (one named in the cohorts file, e.g. 'excluding UASC') shows the KPIs measured
    for that cohort from SSDA903 data. `edition` 'public' (the default: safe to publish) hides every figure of
    1 to 4 children and any that would give one away, then works out every rating, trend and sentence from the
    figures it shows; 'internal' shows every figure, for the council's own staff, marked not for publication.
    `manifest` is what lacperf render made of the inputs; without one (in JupyterLab) it is made here.
    """
    inputs = inputs or Inputs()
    edition = parse_edition(edition, "edition")
    view = edition_view(month, inputs=inputs, edition=edition, cohort=cohort)
    if view.card.frame.empty:
        where = return_path(inputs.returns, month)
        raise InputError(where, f"no KPI is measured for the cohort {cohort!r} this month", column="cohort")
    catalogue, settings, trend_settings = view.data.catalogue, view.data.settings, view.data.trend_settings
    area_card = derived(view.card, lambda card: select_area(card, area, return_path(inputs.returns, month)))
    history = area_history(view.figures, area, cohort, catalogue, settings.authority)
    series = area_series(history, catalogue, trend_settings, month)
    trend_rows = pd.DataFrame(
        [{"kpi_id": k, **{c: getattr(s.row, c) for c in TREND_FOR_CARD}} for k, s in series.items()]
    )
    if len(trend_rows):
        area_card = derived(area_card, lambda card: card.merge(trend_rows, on="kpi_id", how="left"))
    made = made_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    reconciled = view.data.reconciled
    internal = edition is Edition.INTERNAL and len(reconciled) > 0
    reconciled = reconciled.loc[reconciled["area"] == area].reset_index(drop=True) if internal else pd.DataFrame()
    return Appendix(
        month=month,
        area=area,
        edition=edition,
        card=area_card,
        all_areas=view.card,
        slices=view.slices,
        figures=view.figures,
        hidden=view.hidden,
        cohort=cohort,
        history=history,
        series=series,
        summary=summarise(area_card.frame, settings.small_cohort_denominator),
        standouts=view.standouts,
        national=view.national,
        rates=view.rates,
        catalogue=catalogue,
        settings=settings,
        trend_settings=trend_settings,
        inputs=inputs,
        data_files=return_files(month, inputs),
        months=months_held(inputs),
        problems=view.data.problems,
        manifest=manifest
        or describe(inputs, month, {"month": month, "area": area, "cohort": cohort, "edition": edition.value}, made),
        version=__version__,
        made_at=made,
        reconciled=reconciled,
    )
