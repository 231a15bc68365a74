"""Publishing: figures as they may leave the analyst's machine, in one edition (`Published`), and the CSVs
written from them.

The public edition blanks every figure the month's decision hides (solver.py) before anything is worked out
from them (`publish_figures`, then `derived`), so nothing on a public page can say more than its figures do;
the internal edition shows every figure, marked not for publication. Only this module makes a `Published`
view; a CSV is written from one, never from a frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import InitVar, dataclass

import numpy as np
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue
from lacperf_helpers.config.definitions import DisclosureRule, KpiCatalogue
from lacperf_helpers.config.editions import MARKS, Edition
from lacperf_helpers.config.paths import csv_text
from lacperf_helpers.config.vocabulary import ALL, TOTAL
from lacperf_helpers.disclose.flows import FlowRule
from lacperf_helpers.disclose.solver import HIDDEN, Decision, GroupTwin, Twin, hidden_keys, no_hidden
from lacperf_helpers.disclose.sums import FIGURES, KEYS, period_keys
from lacperf_helpers.measures.adding_up import missing_from_grid
from lacperf_helpers.rate import rating

# Columns of the scorecard made from this month's or last month's figures, hidden with them.
NOW_COLUMNS = ("numerator", "denominator", "value", "change", "numerator_change", "denominator_change",
               "children_to_change_rating")  # fmt: skip
PREVIOUS_COLUMNS = ("previous_numerator", "previous_denominator", "previous_value", "change", "numerator_change",
                    "denominator_change")  # fmt: skip


def _shown(frame: pd.DataFrame, hidden: pd.DataFrame, month_column: str | None, month: str | None) -> np.ndarray:
    """Per row of `frame`, what a hidden figure shows instead ('' where it is shown)."""
    keys = [k for k in KEYS if k != "month"]
    probe = frame.loc[:, keys].copy()
    probe["month"] = frame[month_column] if month_column else month
    joined = probe.merge(hidden, on=list(KEYS), how="left")
    return joined["shown"].fillna("").astype(str).to_numpy()


def hide_in_card(card: pd.DataFrame, hidden: pd.DataFrame, month: str, previous: str) -> pd.DataFrame:
    """The scorecard with hidden figures blanked and flagged: `withheld` and `previous_withheld` say what
    each shows instead ('' where it is shown). A hidden figure has no rating, and no direction beside it
    ("fell from c to c", or "Amber" against 90/80, would narrow it)."""
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
    for rag, flag in (("rag", "suppressed"), ("previous_rag", "previous_suppressed")):
        if rag in out:
            out.loc[out[flag], rag] = rating.NOT_SHOWN
    if "direction" in out:
        either = out["suppressed"] | out["previous_suppressed"]
        out.loc[either, "direction"] = rating.NOT_SHOWN
    return out


def hide_in_history(history: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """Month-by-month rows (with a `month` column) with hidden figures blanked, unrated and flagged."""
    out = history.copy()
    out["withheld"] = _shown(out, hidden, "month", None)
    out["suppressed"] = out["withheld"] != ""
    for column in FIGURES:
        if column in out:
            out.loc[out["suppressed"], column] = np.nan
    if "rag" in out:
        out.loc[out["suppressed"], "rag"] = rating.NOT_SHOWN
    return out


# Only disclosure control makes a Published view: the token below is this module's own.
_DISCLOSURE_CONTROL = object()


@dataclass(frozen=True)
class Published:
    """Figures as they may leave the analyst's machine, in one edition: made only here. The public edition
    holds no figure it may not show, and everything worked out from one (`derived`) is worked out from what
    it shows; the internal edition holds every figure, for the council's own staff. A CSV is written from
    this type, never from a frame (`published_csv`), and says which edition it is."""

    frame: pd.DataFrame
    edition: Edition
    made_by: InitVar[object] = None

    def __post_init__(self, made_by: object) -> None:
        if made_by is not _DISCLOSURE_CONTROL:
            raise TypeError("a Published view is made by disclosure control only (lacperf_helpers.disclose)")

    def _repr_html_(self) -> str | None:  # shown as its table in JupyterLab
        shown: str | None = self.frame._repr_html_()  # type: ignore[operator]
        return shown


def _published(frame: pd.DataFrame, edition: Edition) -> Published:
    return Published(frame, edition, _DISCLOSURE_CONTROL)


def publish_figures(figures: pd.DataFrame, hidden: pd.DataFrame, edition: Edition) -> Published:
    """Every figure as the edition shows it: the public edition's hidden figures blanked and flagged
    (`withheld`, `suppressed`), before anything is worked out from them; the internal edition's all shown."""
    if edition is Edition.INTERNAL:
        return _published(figures.assign(withheld="", suppressed=False), edition)
    return _published(hide_in_history(figures, hidden), edition)


def derived(view: Published, work_out: Callable[[pd.DataFrame], pd.DataFrame]) -> Published:
    """What is worked out from published figures alone (ratings, changes, trends, the quarter's sums) is
    itself as published as they are: no figure it may not show goes in, so none can come out."""
    return _published(work_out(view.frame), view.edition)


def publish_card(card: Published, hidden: pd.DataFrame, month: str, previous: str) -> Published:
    """The month's scorecard, rated from published figures, with each hidden figure flagged and unrated
    (`hide_in_card`); in the internal edition nothing is hidden."""
    shown = no_hidden() if card.edition is Edition.INTERNAL else hidden
    return derived(card, lambda frame: hide_in_card(frame, shown, month, previous))


def published_rows(view: Published, rows: pd.Series | None = None, columns: list[str] | None = None) -> Published:
    """Some rows and columns of a published view: still published (nothing hidden is shown by leaving out)."""
    frame = view.frame if rows is None else view.frame.loc[rows]
    return _published(frame.loc[:, [c for c in columns if c in frame.columns]] if columns else frame, view.edition)


# In a CSV, each hidden figure's cells read HIDDEN: the flag column of each kind of figure, and its cells.
_HIDDEN_CELLS = {
    "withheld": (*NOW_COLUMNS, "rag"),
    "previous_withheld": (*PREVIOUS_COLUMNS, "previous_rag"),
}


def published_csv(view: Published) -> str:
    """The view as CSV, for a spreadsheet: every hidden figure's cells read 'c' (as the DfE publishes), and an
    `edition` column says which edition every row is ('internal: not for publication')."""
    frame = view.frame.drop(columns=[c for c in view.frame.columns if c.endswith("suppressed")])
    flags = {
        **_HIDDEN_CELLS,
        **{f"{p}withheld": (*(p + c for c in FIGURES), p + "rag") for p in _period_prefixes(frame)},
    }
    for flag, columns in flags.items():
        if flag not in frame:
            continue
        hidden = frame[flag].astype(str) != ""
        for column in columns:
            if column in frame and hidden.any():
                frame[column] = frame[column].astype(object).where(~hidden, HIDDEN)
    return csv_text(frame.assign(edition=MARKS[view.edition]))


# "Figures as shown": the columns a page shows as a KPI's value (to its decimals) and as counts (whole, or to
# one decimal for full-time equivalents), by the ends of their names (this month's, last month's, a period's).
_SHOWN_AS_VALUES = ("value", "target", "floor", "england", "change")
_SHOWN_AS_COUNTS = ("numerator", "denominator", "numerator_change", "denominator_change", "children_to_change_rating")


def shown_csv(view: Published, decimals: pd.Series, words: dict[str, pd.Series] | None = None) -> str:
    """`published_csv` of the figures as a page shows them, for its "download this table": each value to its
    KPI's `decimals` (a Series on the view's rows: 59.9, not 59.86159169550173), counts whole (or to one
    decimal: full-time equivalents), and each column of `words` (Series on the same rows) in the page's words
    ('Normal variation', not the SPC term 'Common cause'). Hidden figures read 'c' as in `published_csv`."""
    frame = view.frame.copy()
    places = decimals.reindex(frame.index)
    for column in frame.columns:
        if column.endswith(_SHOWN_AS_VALUES) and pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = [_to_places(v, d) for v, d in zip(frame[column], places, strict=True)]
        elif column.endswith(_SHOWN_AS_COUNTS) and pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = [_as_count(v) for v in frame[column]]
    for column, shown in (words or {}).items():
        if column in frame:
            frame[column] = shown.reindex(frame.index).fillna("")
    return published_csv(_published(frame, view.edition))


def _to_places(value: object, decimals: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    places = 1 if decimals is None or pd.isna(decimals) else int(decimals)  # type: ignore[call-overload]
    return f"{float(value):.{places}f}"  # type: ignore[arg-type]


def _as_count(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    text = f"{float(value):.1f}"  # type: ignore[arg-type]
    return text.removesuffix(".0")


def shown_table_csv(columns: tuple[str, ...], rows: list[tuple[str, ...]], edition: Edition) -> str:
    """A page's table as its cells read, for "download this table" where the table is made of figures already
    published (the DfE's national tables, rates shown only where their count is), with the edition's mark."""
    frame = pd.DataFrame(rows, columns=list(columns))
    return csv_text(frame.assign(edition=MARKS[edition]))


def _period_prefixes(frame: pd.DataFrame) -> list[str]:
    return [c.removesuffix("withheld") for c in frame.columns if c.endswith("_withheld") and c != "previous_withheld"]


def measures_decided(
    table: pd.DataFrame, rule: DisclosureRule, authority: str, cohorts: CohortCatalogue,
    same_children: tuple[Twin, ...] = (), wider: frozenset[str] = frozenset(), flows: FlowRule | None = None,
    same_as_group: tuple[GroupTwin, ...] = (),
) -> pd.DataFrame:  # fmt: skip
    """The keys (the measure as `kpi_id`) of the figures of a month's measures table (every measure, breakdown and
    cohort published exactly) that the public edition hides, decided as the KPI measured by a measure decides
    it (the same figures, the same sums), with `flows` across the months before it and the twins `same_children`
    and `same_as_group` (one a group of a breakdown) hidden together."""
    figures = table.rename(columns={"measure": "kpi_id"})
    # a cohort's breakdown groups beside all children's (excluding UASC by age band, say) are hidden from the
    # start, as the month's decision hides them (month/data.py): only a cohort's total is published. They are
    # decided with the rest all the same: a reader bounds them (a group of all children less the unaccompanied
    # children in all), and the sums must keep what they bound from narrowing a count of 1-4
    exact = _published_exactly(figures, cohorts) & ~figures["kpi_id"].isin(wider)
    groups = exact & (figures["cohort"] != ALL) & (figures["breakdown"] != TOTAL)
    return hidden_keys(
        figures.loc[exact], None, rule, authority, cohorts.exact_only(), same_children=same_children,
        already_hidden=figures.loc[groups, list(KEYS)], flows=flows, same_as_group=same_as_group,
    )  # fmt: skip


def hide_in_measures(
    table: pd.DataFrame, hidden: pd.DataFrame | None, cohorts: CohortCatalogue, edition: Edition = Edition.PUBLIC,
    wider: frozenset[str] = frozenset(),
) -> Published:  # fmt: skip
    """The SSDA903 and Annex A measures table for export. Public: the figures `measures_decided` hides of the
    month's whole table (`hidden`), whichever measures and breakdowns `table` holds (`withheld` says what stands
    for each); cohorts and breakdowns not published exactly (`CohortCatalogue.published_exactly`), and measures
    holding another's children (`wider`: one less the other is a count no sum holds), not shown at all.
    Internal: every figure exact."""
    grid = missing_from_grid(table, cohorts)  # the run's cohorts: a breakdown of its own has its own groups
    if edition is Edition.INTERNAL:
        return _published(_in_grid_order(table, grid).assign(withheld=""), edition)
    figures = table.rename(columns={"measure": "kpi_id"})
    exact = _published_exactly(figures, cohorts) & ~figures["kpi_id"].isin(wider)
    decided = hidden.loc[:, list(KEYS)].assign(shown=HIDDEN) if hidden is not None else no_hidden()
    # Cohorts with conditions beyond UASC and breakdowns of the file's own overlap the exact ones every way: no
    # pattern of hidden cells covers every difference a reader can form, and counts rounded to the nearest 5
    # beside exact ones still narrowed hidden counts (an age group 0-4 of 15, rounded, less an exact 1-4 of 15,
    # put the hidden under-1s at 0-2; the audit found 22 such on the sample). They are the internal edition's.
    inexact = figures.loc[~exact, list(KEYS)].assign(shown=HIDDEN)
    # the groups no child is in, published hidden: their rows say nothing of their size (the sums may show them
    # to be 0s: the decision above is made as though a reader knew them for 0s, which hiding them only makes safer)
    empty = grid.rename(columns={"measure": "kpi_id"}).loc[:, list(KEYS)].assign(shown=HIDDEN)
    everything = pd.concat([decided, inexact, empty], ignore_index=True)
    gridded = _in_grid_order(table, grid).rename(columns={"measure": "kpi_id"})
    out = hide_in_history(gridded, everything).rename(columns={"kpi_id": "measure"})
    return _published(out.drop(columns="suppressed"), edition)


EMPTY_GROUP = "no child in this group: hidden, so that a group's row being there says nothing of its children"


def with_empty_groups(
    figures: pd.DataFrame, decided: Decision, cohorts: CohortCatalogue, kpis: list[str]
) -> tuple[pd.DataFrame, Decision]:
    """The figures of KPIs computed from files (`kpis`) made a complete grid of groups, each added group a 0
    (`missing_from_grid`), and the decision with those hidden (the public edition's pages show them as the
    figures it hides; the internal edition's, 0) and logged. The decision was made without them, as though a
    reader knew them for 0s: hiding them only makes it safer."""
    grid = missing_from_grid(figures.loc[figures["kpi_id"].isin(kpis)], cohorts, measure="kpi_id")
    if grid.empty:
        return figures, decided
    grid = grid.assign(step=grid["month"]) if "step" in figures else grid
    keys = grid.loc[:, list(KEYS)]
    log = keys.assign(
        numerator=0.0, denominator=grid["denominator"], complement=grid["denominator"], reason=EMPTY_GROUP,
        protects="", sum="",
    )  # fmt: skip
    return (
        pd.concat([figures, grid], ignore_index=True),
        Decision(
            pd.concat([decided.hidden, keys.assign(shown=HIDDEN)], ignore_index=True),
            pd.concat([decided.log, log.loc[:, list(decided.log.columns)]], ignore_index=True),
        ),
    )


def _in_grid_order(table: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """The table with its grid's missing rows, each beside its breakdown's others (groups A-Z, as measured)."""
    if grid.empty:
        return table
    keys = ["month", "measure", "breakdown", "cohort", "area"]
    out = pd.concat([table, grid.loc[:, [c for c in table.columns if c in grid.columns]]], ignore_index=True)
    first = {k: {v: i for i, v in enumerate(dict.fromkeys(table[k]))} for k in keys}
    order = pd.DataFrame({k: out[k].map(first[k]) for k in keys}).assign(group=out["group"].astype(str))
    return out.iloc[order.sort_values([*keys, "group"], kind="stable").index].reset_index(drop=True)


def _published_exactly(figures: pd.DataFrame, cohorts: CohortCatalogue) -> pd.Series:
    pairs = zip(figures["cohort"], figures["breakdown"], strict=True)
    return pd.Series([cohorts.published_exactly(c, b) for c, b in pairs], index=figures.index, dtype=bool)


def hide_in_periods(card: pd.DataFrame, quarter: str, hidden: pd.DataFrame, catalogue: KpiCatalogue) -> pd.DataFrame:
    """A quarter's card (columns `<prefix>numerator` ...: the quarter, the previous quarter, the same quarter
    last year, the year to date, 12 months), every area's rows, with the figures the month's decision hides
    hidden: an added-up period by its own label, any other KPI's period by its last month's figure.
    `<prefix>withheld` says what stands for each."""
    summed = card["kpi_id"].isin({k.id for k in catalogue.kpis if k.aggregation == "sum"})
    out = card.assign(cohort=ALL, breakdown=TOTAL, group=ALL)
    for prefix, (label, end) in period_keys(quarter).items():
        if prefix + "numerator" not in out:
            continue
        as_summed = _shown(out, hidden, None, label)
        as_latest = _shown(out, hidden, None, end)
        out[prefix + "withheld"] = np.where(summed, as_summed, as_latest)
        for column in FIGURES:
            out.loc[out[prefix + "withheld"] != "", prefix + column] = np.nan
        if prefix + "rag" in out:
            out.loc[out[prefix + "withheld"] != "", prefix + "rag"] = rating.NOT_SHOWN
    for direction, prefix in (("direction", "previous_quarter_"), ("direction_on_last_year", "last_year_")):
        if direction in out and prefix + "withheld" in out:
            either = (out["withheld"] != "") | (out[prefix + "withheld"] != "")
            out.loc[either, direction] = rating.NOT_SHOWN
    return out.drop(columns=["cohort", "breakdown", "group"])
