"""The tidy scorecard: one row per month x area x KPI, with RAG, last month and direction of travel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lacperf_helpers.config.definitions import KpiCatalogue, Settings
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.periods import previous_month
from lacperf_helpers.config.vocabulary import ALL, BREAKDOWNS, HEADLINE, SLICE, TOTAL
from lacperf_helpers.rate import rating

# The contract of `lacperf scorecard --out`: these columns first, in this order.
SCORECARD_COLUMNS = (
    "month", "area", "kpi_id", "numerator", "denominator", "value", "target", "floor", "rag",
    "previous_value", "previous_rag", "direction", "children_to_change_rating",
)  # fmt: skip
EXTRA_COLUMNS = (
    "title", "polarity", "unit", "decimals", "counts", "guidance", "change", "previous_numerator",
    "previous_denominator", "numerator_change", "denominator_change", "previous_month",
    "previous_target", "previous_floor",
)  # fmt: skip


def kpi_frame(catalogue: KpiCatalogue, month: str) -> pd.DataFrame:
    """The KPI definitions as a frame, with the target and floor in force in `month`'s financial year."""
    rows = []
    for order, kpi in enumerate(catalogue.kpis):
        thresholds = kpi.thresholds_for(month)
        rows.append(
            {
                "kpi_id": kpi.id,
                "kpi_order": order,
                "title": kpi.title,
                "polarity": kpi.polarity,
                "unit": kpi.unit,
                "decimals": kpi.display_decimals,
                "guidance": kpi.guidance,
                "counts": kpi.counts,
                "target": thresholds.target,
                "floor": thresholds.floor,
            }
        )
    return pd.DataFrame(rows)


def with_area_standards(joined: pd.DataFrame, catalogue: KpiCatalogue, authority: str | None) -> pd.DataFrame:
    """Each row's target and floor for its area and month (KpiDefinition.area_thresholds): the authority's
    standards for the authority and for percentages, an area's own where kpis.yaml gives them, none (NaN: the
    figure is shown unrated) for a number or days KPI in an area without its own."""
    if authority is None or joined.empty:
        return joined
    kpis = {kpi.id: kpi for kpi in catalogue.kpis}
    pairs = [
        kpis[str(k)].area_thresholds(str(m), str(a), authority) if str(k) in kpis else None
        for k, m, a in zip(joined["kpi_id"], joined["month"], joined["area"], strict=True)
    ]
    if {"cohort", "breakdown"} <= set(joined.columns):  # a count of some of the children is not the KPI's count
        whole = [
            str(k) not in kpis or kpis[str(k)].rated_in_every_area
            or (str(c) == (kpis[str(k)].cohort or ALL) and str(b) == TOTAL)
            for k, c, b in zip(joined["kpi_id"], joined["cohort"], joined["breakdown"], strict=True)
        ]  # fmt: skip
        pairs = [p if w else None for p, w in zip(pairs, whole, strict=True)]
    return joined.assign(
        target=[p.target if p else np.nan for p in pairs], floor=[p.floor if p else np.nan for p in pairs]
    )


def rate_joined(
    joined: pd.DataFrame, catalogue: KpiCatalogue | None = None, authority: str | None = None
) -> pd.DataFrame:
    """Add value (percent KPIs: from numerator/denominator) and RAG to figures already joined to their KPIs; with
    the catalogue and the authority, each area rated against its own standards (with_area_standards)."""
    rated = joined.copy() if catalogue is None else with_area_standards(joined, catalogue, authority).copy()
    is_percent = rated["unit"] == "percent"
    rated["value"] = rated["value"].mask(is_percent, rating.percent_value(rated["numerator"], rated["denominator"]))
    nobody = is_percent & (rated["denominator"] == 0) & (rated["numerator"] == 0)
    rated["rag"] = rating.rate(rated["value"], rated["target"], rated["floor"], rated["polarity"], nobody)
    return rated


def rate_figures(
    figures: pd.DataFrame, kpis: pd.DataFrame, catalogue: KpiCatalogue | None = None, authority: str | None = None
) -> pd.DataFrame:
    """Join figures to `kpis` (the definitions in force in one month) and rate them (each area against its own
    standards, given the catalogue and the authority)."""
    return rate_joined(figures.merge(kpis, on="kpi_id", how="left", validate="many_to_one"), catalogue, authority)


BREAKDOWN_ORDER = (TOTAL, *BREAKDOWNS)


def build_scorecard(
    figures: pd.DataFrame, catalogue: KpiCatalogue, month: str, settings: Settings | None = None
) -> pd.DataFrame:
    """The scorecard of `month` from checked figures (which may hold other months too).

    One row per area x KPI x cohort x breakdown x group. In the headline (cohort all, breakdown total,
    group all) every area in this month's figures gets every KPI: one it did not report is 'No data',
    not absent. Other cohorts and breakdowns hold the KPIs computed for them (from SSDA903 data).
    """
    settings = settings or Settings()
    figures = with_slice(figures)
    figures = figures.loc[figures["month"].isin([month, previous_month(month)])]  # all a scorecard compares
    areas = order_areas(figures.loc[figures["month"] == month, "area"].unique().tolist(), settings.authority)
    is_headline = (
        (figures["cohort"] == HEADLINE[0]) & (figures["breakdown"] == HEADLINE[1]) & (figures["group"] == HEADLINE[2])
    )
    # every KPI is in the headline, but for one measured on another cohort only
    everyone = [k.id for k in catalogue.kpis if k.cohort in (None, ALL)]
    headline_card = _build_slice(
        figures.loc[is_headline].drop(columns=list(SLICE)), catalogue, month, areas, everyone, None, settings.authority
    )
    cards = [headline_card.assign(**dict(zip(SLICE, HEADLINE, strict=True)))]
    others = figures.loc[~is_headline]
    if len(others):  # other cohorts and breakdowns: the rows measured, all slices rated in one pass
        cards.append(_build_slice(others, catalogue, month, areas, catalogue.ids, list(SLICE), settings.authority))
    card = pd.concat(cards, ignore_index=True)
    order = {  # cohorts and breakdowns as the measures list them (the cohorts file's order), headline first
        "area": {a: i for i, a in enumerate(areas)},
        "cohort": _first_seen([HEADLINE[0], *figures["cohort"]]),
        "breakdown": _first_seen([*BREAKDOWN_ORDER, *figures["breakdown"]]),
    }
    card = card.sort_values(
        ["area", "cohort", "breakdown", "kpi_order", "group"],
        key=lambda column: column.map(order[column.name]).fillna(99) if column.name in order else column,
        kind="stable",
    ).reset_index(drop=True)
    return card.loc[:, [*SCORECARD_COLUMNS, *SLICE, *EXTRA_COLUMNS]]


def _first_seen(names: list[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(dict.fromkeys(names))}


def with_slice(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures with cohort, breakdown and group (figures without them are the headline)."""
    missing = {column: value for column, value in zip(SLICE, HEADLINE, strict=True) if column not in figures}
    return figures.assign(**missing) if missing else figures


def headline(card: pd.DataFrame, cohort: str = ALL) -> pd.DataFrame:
    """A cohort's headline rows (breakdown total, group all): what an appendix rates."""
    card = with_slice(card)
    chosen = (card["cohort"] == cohort) & (card["breakdown"] == TOTAL) & (card["group"] == ALL)
    return card.loc[chosen].reset_index(drop=True)


def _build_slice(
    figures: pd.DataFrame,
    catalogue: KpiCatalogue,
    month: str,
    areas: list[str],
    kpi_ids: list[str],
    keys: list[str] | None = None,
    authority: str | None = None,
) -> pd.DataFrame:
    """Rate this month against last. Without `keys` (the headline), every area gets every KPI, 'No data'
    where it has no figure; with them (cohort, breakdown, group), the rows measured."""
    last = previous_month(month)
    current = figures.loc[figures["month"] == month]
    kpis = kpi_frame(catalogue, month)
    kpis = kpis.loc[kpis["kpi_id"].isin(kpi_ids)]
    join = ["area", "kpi_id", *(keys or [])]
    figure_columns = [*join, "numerator", "denominator", "value"]
    if keys:
        now = rate_figures(
            current.loc[current["kpi_id"].isin(kpi_ids), figure_columns].assign(month=month), kpis, catalogue, authority
        )
    else:
        grid = pd.MultiIndex.from_product([areas, kpis["kpi_id"]], names=["area", "kpi_id"]).to_frame(index=False)
        grid.insert(0, "month", month)
        now = rate_figures(grid.merge(current[figure_columns], on=join, how="left"), kpis, catalogue, authority)

    earlier = figures.loc[figures["month"] == last, figure_columns].assign(month=last)
    before = rate_figures(earlier, kpi_frame(catalogue, last), catalogue, authority).loc[
        :, [*join, "numerator", "denominator", "value", "rag", "target", "floor"]
    ]
    before.columns = join + [f"previous_{c}" for c in ("numerator", "denominator", "value", "rag", "target", "floor")]
    card = now.merge(before, on=join, how="left", validate="one_to_one")
    card["previous_month"] = last
    card["previous_rag"] = card["previous_rag"].fillna(rating.NO_DATA)
    card["direction"] = rating.direction(card["value"], card["previous_value"], card["polarity"], card["decimals"])
    card["change"] = card["value"] - card["previous_value"]
    card["numerator_change"] = card["numerator"] - card["previous_numerator"]
    card["denominator_change"] = card["denominator"] - card["previous_denominator"]
    card["children_to_change_rating"] = rating.children_to_change_rating(
        card["numerator"], card["denominator"], card["target"], card["polarity"], card["rag"],
        card["unit"] == "percent",
    )  # fmt: skip
    return card


def order_areas(areas: list[str], authority: str | None) -> list[str]:
    """The authority as a whole first, then its areas alphabetically."""
    return sorted(areas, key=lambda area: (area != authority, area.casefold()))


def require_area(areas: list[str], area: str, source: str | Path = "the return") -> None:
    """An area not in the return is named with the areas that are."""
    if area not in areas:
        known = ", ".join(areas)
        raise InputError(source, f"no area {area!r} in this month's return; areas are: {known}", column="area")


def select_area(card: pd.DataFrame, area: str, source: str | Path = "the return") -> pd.DataFrame:
    """One area's rows of the scorecard."""
    require_area(list(card["area"].unique()), area, source)
    return card.loc[card["area"] == area].reset_index(drop=True)
