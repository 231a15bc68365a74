"""The summary a director reads first, written from the figures in the Corporate Parenting Panel style.

"Of the 24 KPIs, 14 are rated Green, 10 Amber and 0 Red"; every KPI whose rating changed since last
month, with both values and both ratings; then the Amber and Red KPIs grouped by direction of travel,
each with its figures, the change in children and how many children would reach the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from lacperf_helpers.config.formatting import (
    fmt_change,
    fmt_count,
    fmt_figure,
    fmt_value,
    missing,
    noun,
    of_phrase,
)
from lacperf_helpers.config.periods import month_label, shift_month
from lacperf_helpers.present.views import KpiRow, kpi_rows
from lacperf_helpers.rate import rating
from lacperf_helpers.trend import spc
from lacperf_helpers.trend.trend import DETERIORATING, IMPROVING

DIRECTION_GROUPS = (
    (rating.IMPROVED, "Improved since last {period}"),
    (rating.SAME, "No change since last {period}"),
    (rating.WORSE, "Worse since last {period}"),
    (rating.NOT_COMPARABLE, "No figure last {period} to compare with"),
    (rating.NOT_SHOWN, "Direction not shown: small numbers"),
)
# What a sentence says in place of every hidden figure: one wording, so it says nothing of the figure's size.
HIDDEN_FIGURE = "not shown, to protect a small number of children"


@dataclass(frozen=True)
class Summary:
    headline: str
    previous: str  # the ratings of the period compared with
    rating_changes: list[str] = field(default_factory=list)
    amber_red: list[tuple[str, list[str]]] = field(default_factory=list)  # (group heading, items)
    not_rated: list[str] = field(default_factory=list)


def summarise(card: pd.DataFrame, small_cohort: float, period: str = "month", previous_label: str = "") -> Summary:
    """The summary of one area's scorecard (rows of one period x area, in KPI order).

    `period` is the word for the comparison ("month", or "quarter" with `previous_label` 'Q1 2019/20').
    """
    rows = kpi_rows(card)
    previous_label = previous_label or month_label(str(card["previous_month"].iloc[0]))
    amber_red = []
    for direction, heading in DIRECTION_GROUPS:
        items = [
            amber_red_item(r, small_cohort, period, previous_label)
            for r in rows
            if r.rag in (rating.AMBER, rating.RED) and r.direction == direction
        ]
        if items:
            amber_red.append((heading.format(period=period), items))
    return Summary(
        headline=headline(card["rag"]),
        previous=previous_line(card["previous_rag"], previous_label),
        rating_changes=[rating_change(r, small_cohort) for r in rows if _rating_changed(r)],
        amber_red=amber_red,
        not_rated=[not_rated_item(r) for r in rows if r.rag not in rating.RAG_ORDER],
    )


def _rag_counts(rags: pd.Series) -> str:
    counts = rags.value_counts()
    green, amber, red = (int(counts.get(band, 0)) for band in rating.RAG_ORDER)
    return f"{green} {'is' if green == 1 else 'are'} rated Green, {amber} Amber and {red} Red"


def headline(rags: pd.Series) -> str:
    """'Of the 24 KPIs, 14 are rated Green, 10 Amber and 0 Red.' plus any without a rating."""
    text = f"Of the {len(rags)} KPIs, {_rag_counts(rags)}"
    no_data = int((rags == rating.NO_DATA).sum())
    not_applicable = int((rags == rating.NOT_APPLICABLE).sum())
    if no_data:
        text += f"; {no_data} {'has' if no_data == 1 else 'have'} no figure this month"
    if not_applicable:
        verb = "is" if not_applicable == 1 else "are"
        text += f"; {not_applicable} {verb} not applicable (no children in the cohort this month)"
    unrated = int((rags == rating.NO_AREA_STANDARD).sum())
    if unrated:
        verb = "is" if unrated == 1 else "are"
        # an area's count, or a cohort's, beside a target for all the authority's children
        text += f"; {unrated} {verb} not rated here (the target and floor are for all the authority's children)"
    hidden = int((rags == rating.NOT_SHOWN).sum())
    if hidden:
        text += f"; {hidden} {'is' if hidden == 1 else 'are'} not shown, to protect a small number of children"
    return text + "."


def previous_line(previous_rags: pd.Series, previous_label: str) -> str:
    """'In August 2019: 7 Green, 13 Amber and 4 Red.'"""
    if previous_rags.isin(rating.RAG_ORDER).sum() == 0:
        return f"There are no figures for {previous_label} to compare with."
    counts = previous_rags.value_counts()
    green, amber, red = (int(counts.get(band, 0)) for band in rating.RAG_ORDER)
    return f"In {previous_label}: {green} Green, {amber} Amber and {red} Red."


def _rating_changed(r: KpiRow) -> bool:
    return bool(r.rag in rating.RAG_ORDER and r.previous_rag in rating.RAG_ORDER and r.rag != r.previous_rag)


def withheld(r: KpiRow, prefix: str = "") -> str:
    """What a figure hidden by disclosure control shows instead ('' if it is shown): this period's figure,
    or (prefix 'previous_') the last period's."""
    return r.previous_withheld if prefix == "previous_" else r.withheld


def hidden_in_words(r: KpiRow, prefix: str = "") -> str:
    """A hidden figure in a sentence, in plain words ('' if it is shown)."""
    return HIDDEN_FIGURE if withheld(r, prefix) else ""


def _threshold(r: KpiRow, which: str) -> str:
    return fmt_value(r.target if which == "target" else r.floor, r.unit, r.decimals)


def _short(value: float, numerator: float, denominator: float, r: KpiRow, small_cohort: float) -> str:
    """A value as the sentence needs it: '65.6%', or '1 of 3 (33.3%)' for a small cohort."""
    if r.unit == "percent" and not missing(denominator) and 0 < denominator < small_cohort:
        return f"{fmt_count(numerator)} of {fmt_count(denominator)} ({fmt_value(value, r.unit, r.decimals)})"
    return fmt_value(value, r.unit, r.decimals)


def rating_change(r: KpiRow, small_cohort: float) -> str:
    """'X rose from 93.9% to 100.0%, achieving the target of 100.0% and moving the rating from Amber to Green.'"""
    before = _short(r.previous_value, r.previous_numerator, r.previous_denominator, r, small_cohort)
    now = fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small_cohort)
    rose = (r.direction == rating.IMPROVED) == (r.polarity == "H")
    # the same figure with another rating: the target or floor changed
    moved = f"stayed at {now}" if r.direction == rating.SAME else f"{'rose' if rose else 'fell'} from {before} to {now}"
    return f"{r.title} {moved}, {_crossing(r)} and moving the rating from {r.previous_rag} to {r.rag}."


def _crossing(r: KpiRow) -> str:
    """What the new figure did against the standards, in the KPI's own direction."""
    missed, kept = ("falling below", "above") if r.polarity == "H" else ("rising above", "below")
    target, floor = _threshold(r, "target"), _threshold(r, "floor")
    if r.rag == rating.GREEN:
        return f"achieving the target of {target}"
    if r.rag == rating.RED:
        return f"{missed} the floor standard of {floor}"
    if r.previous_rag == rating.RED:
        return f"back to the floor standard of {floor} but short of the target of {target}"
    return f"{missed} the target of {target} (still {kept} the floor of {floor})"


def children_phrase(r: KpiRow) -> str:
    """'3 more children would reach the target of 85.0%' / '1 fewer child would lose Green'."""
    k = r.children_to_change_rating
    if missing(k) or pd.isna(k):
        return ""
    k = int(k)
    if r.rag == rating.GREEN:
        change = "fewer" if r.polarity == "H" else "more"
        return f"{k} {change} {noun(k, r.counts)} would lose Green"
    change = "more" if r.polarity == "H" else "fewer"
    return f"{k} {change} {noun(k, r.counts)} would reach the target of {_threshold(r, 'target')}"


def amber_red_item(r: KpiRow, small_cohort: float, period: str = "month", previous_label: str = "") -> str:
    """'Title: 80.6% (50 of 62 children), Amber; up 8.5 percentage points from 72.1% (44 of 61) ...'"""
    now = hidden_in_words(r) or fmt_figure(
        r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small_cohort
    )
    parts = [f"{r.title}: {now}, {r.rag}"]
    if withheld(r, "previous_") and not withheld(r):
        parts.append(f"last {period}'s figure {hidden_in_words(r, 'previous_')}")
    elif r.direction not in (rating.NOT_COMPARABLE, rating.NOT_SHOWN):
        before = fmt_value(r.previous_value, r.unit, r.decimals)
        if r.unit == "percent" and not missing(r.previous_denominator):
            before += f" ({fmt_count(r.previous_numerator)} of {fmt_count(r.previous_denominator)})"
        # the change between the figures as printed, so the words agree with the group the KPI is listed under
        change = fmt_change(
            _as_shown(r.value, r.decimals) - _as_shown(r.previous_value, r.decimals), r.unit, r.decimals
        )
        text = (
            f"{change} from {before} last {period}"
            if change != "unchanged"
            else f"unchanged from {before} last {period}"
        )
        parts.append(text)
    parts.extend(p for p in (children_phrase(r), trend_phrase(r, period, previous_label), england_phrase(r)) if p)
    return "; ".join(parts) + "."


def _as_shown(value: float, decimals: int) -> float:
    return float(f"{value:.{int(decimals)}f}")


def trend_phrase(r: KpiRow, period: str = "month", previous_label: str = "") -> str:
    """Only what the trend says, in plain words: a one-month step ('up 155 in December 2023, the largest monthly
    change in two years'), 'improving steadily since October 2018' (not where a step is all there is to it), a
    run of months ('month-on-month decline since June 2019 when it was 80.3%'), and the SPC verdict in one
    statement with the direction ('worse than August 2019, but still within an unusually good run since March
    2019'); '' where none says anything."""
    said = []
    step = step_phrase(r)
    if step:
        said.append(step)
    steady = r.steady_trend if r.step_month else r.trend
    if steady in (IMPROVING, DETERIORATING):
        said.append(
            f"{'improving' if steady == IMPROVING else 'getting worse'} steadily since {month_label(r.window_start)}"
        )
    if r.run_length >= 2 and r.since_when:
        said.append(r.since_when)
    if r.variation in (spc.SPECIAL_IMPROVING, spc.SPECIAL_CONCERNING):
        said.append(movement(r, previous_label or f"last {period}", period))
    return ", ".join(said)


def step_phrase(r: KpiRow) -> str:
    """'up 155 in December 2023, the largest monthly change in two years' ('' without a step)."""
    if not r.step_month or missing(r.step_change):
        return ""
    months_on_chart = r.step_compared + 1
    span = (
        f"in {'two years' if months_on_chart == 24 else f'{months_on_chart // 12} years'}"
        if months_on_chart % 12 == 0 and months_on_chart >= 24
        else f"since {month_label(r.step_first_month)}"
        if r.step_first_month
        else "on the chart"
    )
    change = fmt_change(r.step_change, r.unit, r.decimals)
    return f"{change} in {month_label(r.step_month)}, the largest monthly change {span}"


DIRECTION_WORDS = {rating.IMPROVED: "better than", rating.SAME: "the same as", rating.WORSE: "worse than"}


def movement(r: KpiRow, previous_label: str, period: str = "month", name: Callable[[str], str] = month_label) -> str:
    """The direction since the last period and the SPC verdict of the latest month as one statement, reconciled
    where they pull apart: 'worse than August 2019, but still within an unusually good run since March 2019';
    'better than Q1 2019/20, but September 2019 was still unusually poor (beyond normal variation)'. Without a
    special cause, the direction alone ('worse than August 2019'); '' without either. `name` says a month."""
    moved = f"{DIRECTION_WORDS[r.direction]} {previous_label}" if r.direction in DIRECTION_WORDS else ""
    if r.variation not in (spc.SPECIAL_IMPROVING, spc.SPECIAL_CONCERNING):
        return moved
    good = r.variation == spc.SPECIAL_IMPROVING
    kind = "good" if good else "poor"
    against = r.direction == (rating.WORSE if good else rating.IMPROVED)  # the month moved against the run
    still = "still " if against else ""
    since = f"within an unusually {kind} run since {name(r.variation_since)}" if r.variation_since else ""
    if period == "month":  # the verdict is this month's
        unusual = since or f"an unusually {kind} month (beyond normal variation)"
        unusual = still + unusual
    else:  # a quarter's verdict is of its last month, named: a quarter is not a month
        latest = name(r.window_end) if r.window_end else f"the {period}'s last month"
        unusual = f"{latest} was {still}" + (since or f"unusually {kind} (beyond normal variation)")
    if not moved:
        return unusual
    return f"{moved}, {'but ' if against else ''}{unusual}"


def within_a_year(reporting: str) -> Callable[[str], str]:
    """A month named as a table cell needs it: 'August' within the year to `reporting`, 'December 2018' before."""

    def name(month: str) -> str:
        if reporting and shift_month(reporting, -11) <= month <= reporting:
            return month_label(month).split(" ")[0]
        return month_label(month)

    return name


ARROWS = {rating.IMPROVED: "▲", rating.SAME: "►", rating.WORSE: "▼"}


def direction_statement(r: KpiRow, previous_month: str, period: str = "month") -> str:
    """A row's direction as one statement (the overview's Direction column), its months named short (without the
    year within the year to this month): '▼ Worse than August, but still within an unusually good run since
    March'; a step this month after it ('; up 155, the largest monthly change in two years'). `previous_month`
    'YYYY-MM', or a quarter's label. '' where there is nothing to compare (the table says why)."""
    name = within_a_year(r.window_end if period == "month" else "")
    previous = name(previous_month) if period == "month" and previous_month[:4].isdigit() else previous_month
    said = movement(r, previous, period, name)
    if r.direction not in ARROWS or not said:
        return ""
    said = said.replace(" (beyond normal variation)", "")  # the Variation column beside it says so
    if period == "month" and r.step_month and r.step_month == r.window_end:
        said += "; " + step_phrase(r).replace(f" in {month_label(r.step_month)}", "")
    return f"{ARROWS[r.direction]} {said[0].upper()}{said[1:]}"


def england_phrase(r: KpiRow) -> str:
    """'better than England (85.0%, 2018/19)'; empty without a benchmark."""
    against = r.against_england
    if against not in ("better", "worse"):  # England only where it matters: a clear difference
        return ""
    england = f"England ({fmt_value(r.england, r.unit, r.decimals)} in {r.benchmark_year})"
    return f"{against} than {england}"


def not_rated_item(r: KpiRow) -> str:
    if r.rag == rating.NOT_SHOWN:
        return f"{r.title}: {HIDDEN_FIGURE}."
    if r.rag == rating.NOT_APPLICABLE:
        return f"{r.title}: not applicable ({of_phrase(0, 0, r.counts)})."
    if r.rag == rating.NO_AREA_STANDARD:
        shown = fmt_value(r.value, r.unit, r.decimals)
        return f"{r.title}: {shown}, not rated (its target and floor are for the authority as a whole, not an area)."
    return f"{r.title}: no figure in the return."
