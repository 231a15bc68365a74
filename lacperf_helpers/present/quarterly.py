"""The quarterly appendix: a financial-year quarter per area, beside the previous quarter, the same
quarter last year, the year to date and the rolling 12 months, with the trend at the quarter's end."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lacperf_helpers.config.editions import DEFAULT, Edition, parse_edition
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import quarter_months
from lacperf_helpers.disclose.publishing import Published, derived
from lacperf_helpers.ingest.manifest import Manifest, describe
from lacperf_helpers.month.edition import TREND_FOR_CARD, edition_view, quarter_card
from lacperf_helpers.present.appendix import Appendix, load_appendix
from lacperf_helpers.present.narrative import Summary, summarise
from lacperf_helpers.rate import rating
from lacperf_helpers.rate.benchmarks import compare
from lacperf_helpers.rate.period_figures import BASIS_SNAPSHOT

BENCHMARK_FOR_CARD = ("england", "statistical_neighbours", "benchmark_year", "against_england", "england_source")


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
    edition: Edition | str = DEFAULT,
    manifest: Manifest | None = None,
) -> QuarterAppendix:
    """Everything the quarterly appendix shows in `edition`; the quarter's last month must have a return.

    The public edition adds up each period from the months it shows, and hides a period with a hidden month."""
    months = quarter_months(quarter)
    inputs = inputs or Inputs()
    edition = parse_edition(edition, "edition")
    month_end = load_appendix(
        months[-1],
        area,
        inputs=inputs,
        made_at=made_at,
        edition=edition,
        manifest=manifest or describe(inputs, months[-1], {"quarter": quarter, "area": area}, made_at),
    )
    view = edition_view(months[-1], inputs=inputs, edition=edition)
    extra = month_end.card.frame.loc[:, ["kpi_id", *TREND_FOR_CARD, *BENCHMARK_FOR_CARD]]

    def this_area(every_area: pd.DataFrame) -> pd.DataFrame:
        quarter_card = every_area.loc[every_area["area"] == area].reset_index(drop=True)
        card = with_previous_quarter(quarter_card).merge(extra, on="kpi_id", how="left")
        # the quarter's own figure against England's, not the month's
        return card.assign(against_england=compare(card["value"], card["england"], card["polarity"], card["decimals"]))

    card = derived(quarter_card(view, quarter), this_area)
    summary = summarise(
        card.frame, month_end.settings.small_cohort_denominator, "quarter", str(card.frame["previous_quarter"].iloc[0])
    )
    return QuarterAppendix(quarter, area, card, summary, month_end)
