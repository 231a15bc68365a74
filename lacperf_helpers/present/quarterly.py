"""The quarterly appendix: a financial-year quarter per area, beside the previous quarter, the same
quarter last year, the year to date and the rolling 12 months, with the trend at the quarter's end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import quarter_months
from lacperf_helpers.disclose.disclosure import Published, hide_in_periods
from lacperf_helpers.ingest.manifest import describe
from lacperf_helpers.present.appendix import TREND_FOR_CARD, Appendix, load_appendix
from lacperf_helpers.present.narrative import Summary, summarise
from lacperf_helpers.rate import rating
from lacperf_helpers.rate.period_figures import BASIS_SNAPSHOT, PERIOD_PREFIXES, quarter_scorecard
from lacperf_helpers.rate.scorecard import headline

BENCHMARK_FOR_CARD = ("england", "statistical_neighbours", "benchmark_year", "against_england")


@dataclass(frozen=True)
class QuarterAppendix:
    quarter: str
    area: str
    card: Published  # this area's KPIs for the quarter and the periods it is compared with
    summary: Summary
    month_end: Appendix  # the quarter's last month: trends, charts, benchmarks, provenance


def with_previous_quarter(card: pd.DataFrame) -> pd.DataFrame:
    """The quarter's card in the scorecard's own terms (previous_* is the previous quarter), so the
    monthly summary and table read it unchanged."""
    out = card.copy()
    for column in ("numerator", "denominator", "value", "rag", "withheld"):
        out[f"previous_{column}"] = out[f"previous_quarter_{column}"]
    out["change"] = out["value"] - out["previous_value"]
    out["numerator_change"] = out["numerator"] - out["previous_numerator"]
    out["denominator_change"] = out["denominator"] - out["previous_denominator"]
    # only where the figure counts children once each: not for monthly counts added up over the quarter
    counts_children_once = (out["unit"] == "percent") & (out["period_basis"] == BASIS_SNAPSHOT)
    out["children_to_change_rating"] = rating.children_to_change_rating(
        out["numerator"], out["denominator"], out["target"], out["polarity"], out["rag"], counts_children_once
    )
    return out


def load_quarter_appendix(
    quarter: str,
    area: str,
    *,
    inputs: Inputs | None = None,
    made_at: str = "",
    disclosure_control: bool = True,
    manifest: dict[str, Any] | None = None,
) -> QuarterAppendix:
    """Everything the quarterly appendix shows; the quarter's last month must have a return.

    With `disclosure_control` (always, when lacperf renders), each period's figures of 1 to 4 children,
    and any that would give one away (from the authority's and the other areas' figures), are hidden."""
    months = quarter_months(quarter)
    inputs = inputs or Inputs()
    month_end = load_appendix(
        months[-1],
        area,
        inputs=inputs,
        made_at=made_at,
        disclosure_control=disclosure_control,
        manifest=manifest or describe(inputs, months[-1], {"quarter": quarter, "area": area}, made_at),
    )
    areas = list(month_end.all_areas.frame["area"].unique())
    every_area = quarter_scorecard(headline(month_end.figures), month_end.catalogue, quarter, areas)
    if disclosure_control:
        every_area = hide_in_periods(every_area, quarter, month_end.hidden, month_end.catalogue)
    else:
        every_area = every_area.assign(**{prefix + "withheld": "" for prefix in PERIOD_PREFIXES})
    quarter_card = every_area.loc[every_area["area"] == area].reset_index(drop=True)
    extra = month_end.card.frame.loc[:, ["kpi_id", *TREND_FOR_CARD, *BENCHMARK_FOR_CARD]]
    card = with_previous_quarter(quarter_card).merge(extra, on="kpi_id", how="left")
    summary = summarise(
        card, month_end.settings.small_cohort_denominator, "quarter", str(card["previous_quarter"].iloc[0])
    )
    return QuarterAppendix(quarter, area, Published(card), summary, month_end)
