"""Disclosure control: no count of 1 to 4 children leaves the analyst's machine, nor can one be worked out.

Primary suppression hides a figure whose numerator or denominator counts 1 to 4 children (the
`smallest_shown` of settings.yaml is 5): its numerator, denominator, value and the changes and
"children to change rating" made from them. Secondary suppression then hides the next smallest figure
wherever one suppressed figure could be worked out by subtraction from a total that is shown: among
the groups of one breakdown (they add up to the total) and among the areas (they add up to the
authority). Ratings stay: they are what the report is for, and a band does not give the count away.

Staff figures (a KPI whose `counts` are FTE posts) are not about children and are not suppressed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lacperf_helpers.definitions import DisclosureRule, KpiCatalogue

FIGURES = ("numerator", "denominator", "value")
KEYS = ("month", "area", "kpi_id", "cohort", "breakdown", "group")
# Columns of the scorecard made from this month's or last month's figures, hidden with them.
NOW_COLUMNS = ("numerator", "denominator", "value", "change", "numerator_change", "denominator_change",
               "children_to_change_rating")  # fmt: skip
PREVIOUS_COLUMNS = ("previous_numerator", "previous_denominator", "previous_value", "change", "numerator_change",
                    "denominator_change")  # fmt: skip


def shown_as(rule: DisclosureRule) -> str:
    return f"<{rule.smallest_shown}"


def _small(x: pd.Series, rule: DisclosureRule) -> pd.Series:
    return (x > 0) & (x < rule.smallest_shown)


def about_children(catalogue: KpiCatalogue) -> set[str]:
    """KPIs whose numerators and denominators count children (not staff posts)."""
    return {k.id for k in catalogue.kpis if "FTE" not in k.counts and "post" not in k.counts}


def primary(figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule) -> pd.Series:
    """Figures that would show 1 to 4 children: a numerator or denominator of 1 to 4 (without a
    catalogue, every figure counts children, as every SSDA903 measure does)."""
    children = figures["kpi_id"].isin(about_children(catalogue)) if catalogue else True
    return children & (_small(figures["numerator"], rule) | _small(figures["denominator"], rule))


def _size(figures: pd.DataFrame) -> pd.Series:
    """How many children a figure stands for: its denominator, else its numerator (a count)."""
    return figures["denominator"].fillna(figures["numerator"]).fillna(figures["value"])


def _secondary(figures: pd.DataFrame, hidden: pd.Series, keys: list[str], among: pd.Series) -> pd.Series:
    """Where exactly one figure of a set that adds up is hidden, hide the smallest other non-zero one too."""
    part = figures.loc[among]
    sets = [part[k] for k in keys]
    lone = hidden.loc[among].astype(int).groupby(sets).transform("sum") == 1
    size = _size(part).where(~hidden.loc[among] & (_size(part) > 0))
    smallest = size.groupby(sets).transform("min")
    more = lone & (size == smallest) & size.notna()
    first = more & (more.astype(int).groupby(sets).cumsum() == 1)  # one per set, where two share the smallest
    out = hidden.copy()
    out.loc[first.index[first.to_numpy()]] = True
    return out


def suppressed(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str
) -> pd.Series:
    """Which figures are hidden: primary, then secondary among groups and among areas until none is new."""
    hidden = primary(figures, catalogue, rule)
    groups = figures["breakdown"] != "total"
    areas = figures["area"] != authority
    for _ in range(10):  # each pass can only add; in practice two or three passes settle
        before = int(hidden.sum())
        hidden = _secondary(figures, hidden, ["month", "area", "kpi_id", "cohort", "breakdown"], groups)
        if figures.loc[areas, "area"].nunique() > 1:
            hidden = _secondary(figures, hidden, ["month", "kpi_id", "cohort", "breakdown", "group"], areas)
        if int(hidden.sum()) == before:
            break
    return hidden


WITHHELD = "withheld"  # a figure hidden so that a small one cannot be worked out: it is not itself small


def hidden_keys(
    figures: pd.DataFrame, catalogue: KpiCatalogue | None, rule: DisclosureRule, authority: str
) -> pd.DataFrame:
    """The keys (month, area, KPI, cohort, breakdown, group) of every figure to hide, and what it shows
    instead: '<5' for a small figure, 'withheld' for one hidden so a small one cannot be worked out."""
    mask = suppressed(figures, catalogue, rule, authority)
    small = primary(figures, catalogue, rule)
    hidden = figures.loc[mask, list(KEYS)].assign(shown=np.where(small.loc[mask], shown_as(rule), WITHHELD))
    return hidden.drop_duplicates(list(KEYS)).reset_index(drop=True)


def no_hidden() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in (*KEYS, "shown")})


def _shown(frame: pd.DataFrame, hidden: pd.DataFrame, month_column: str | None, month: str | None) -> np.ndarray:
    """Per row of `frame`, what a hidden figure shows instead ('' where it is shown)."""
    keys = [k for k in KEYS if k != "month"]
    probe = frame.loc[:, keys].copy()
    probe["month"] = frame[month_column] if month_column else month
    joined = probe.merge(hidden, on=list(KEYS), how="left")
    return joined["shown"].fillna("").astype(str).to_numpy()


def hide_in_card(card: pd.DataFrame, hidden: pd.DataFrame, month: str, previous: str) -> pd.DataFrame:
    """The scorecard with hidden figures blanked and flagged: `withheld` and `previous_withheld` say what
    each shows instead ('' where it is shown)."""
    out = card.copy()
    out["withheld"] = _shown(out, hidden, None, month)
    out["previous_withheld"] = _shown(out, hidden, None, previous)
    out["suppressed"] = out["withheld"] != ""
    out["previous_suppressed"] = out["previous_withheld"] != ""
    for column in NOW_COLUMNS:
        if column in out:
            out.loc[out["suppressed"], column] = np.nan
    for column in PREVIOUS_COLUMNS:
        if column in out:
            out.loc[out["previous_suppressed"], column] = np.nan
    return out


def hide_in_history(history: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """Month-by-month rows (with a `month` column) with hidden figures blanked and flagged."""
    out = history.copy()
    out["withheld"] = _shown(out, hidden, "month", None)
    out["suppressed"] = out["withheld"] != ""
    for column in FIGURES:
        if column in out:
            out.loc[out["suppressed"], column] = np.nan
    return out


def hide_in_scorecard(
    card: pd.DataFrame, catalogue: KpiCatalogue, rule: DisclosureRule, authority: str, month: str, previous: str
) -> pd.DataFrame:
    """A tidy scorecard for export (a CSV that leaves the analyst's machine), its small figures hidden."""
    now = card.loc[:, [k for k in KEYS if k != "month"] + list(FIGURES)].assign(month=month)
    before = card.loc[:, [k for k in KEYS if k != "month"] + [f"previous_{c}" for c in FIGURES]].assign(month=previous)
    before.columns = [*(k for k in KEYS if k != "month"), *FIGURES, "month"]
    hidden = hidden_keys(pd.concat([now, before], ignore_index=True), catalogue, rule, authority)
    return hide_in_card(card, hidden, month, previous)


def hide_in_measures(table: pd.DataFrame, rule: DisclosureRule, authority: str) -> pd.DataFrame:
    """The SSDA903 measures table for export, its small figures hidden ('withheld' says what stands for each)."""
    figures = table.rename(columns={"measure": "kpi_id"})
    hidden = hidden_keys(figures, None, rule, authority)
    out = hide_in_history(figures, hidden).rename(columns={"kpi_id": "measure"})
    return out.drop(columns="suppressed")


def hide_in_periods(
    card: pd.DataFrame, prefixes: list[str], catalogue: KpiCatalogue, rule: DisclosureRule, authority: str
) -> pd.DataFrame:
    """A card of several periods side by side (columns `<prefix>numerator` ...: the quarter, the previous
    quarter, the year to date ...), every area's rows, with each period's small figures hidden as in a
    month: `<prefix>withheld` says what stands for each."""
    periods = []
    for prefix in prefixes:
        one = card.loc[:, ["area", "kpi_id", *(prefix + c for c in FIGURES)]]
        periods.append(one.set_axis(["area", "kpi_id", *FIGURES], axis=1).assign(month=prefix))
    figures = pd.concat(periods, ignore_index=True).assign(cohort="all", breakdown="total", group="all")
    hidden = hidden_keys(figures, catalogue, rule, authority)
    out = card.assign(cohort="all", breakdown="total", group="all")
    for prefix in prefixes:
        out[prefix + "withheld"] = _shown(out, hidden, None, prefix)
        for column in FIGURES:
            out.loc[out[prefix + "withheld"] != "", prefix + column] = np.nan
    return out.drop(columns=["cohort", "breakdown", "group"])
