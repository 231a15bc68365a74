"""The appendix's HTML pieces: heading, summary, scorecard table, notes and provenance footer.

Every piece is a string of HTML built from aggregate figures only. The look (colours, print layout) lives
in the appendix template's stylesheet; here each cell only gets a class, so the rating reads as a word
as well as a colour (greyscale print, colour-blind readers).
"""

from __future__ import annotations

from html import escape

import pandas as pd

from lacperf_helpers import rating
from lacperf_helpers.appendix import Appendix
from lacperf_helpers.formatting import DASH, fmt_figure, fmt_value, missing
from lacperf_helpers.narrative import kpi_rows
from lacperf_helpers.periods import financial_year, month_label

DIRECTION_ARROWS = {
    rating.IMPROVED: "▲ Improved",
    rating.SAME: "► Same",
    rating.WORSE: "▼ Worse",
    rating.NOT_COMPARABLE: f"{DASH} Not comparable",
}
TABLE_COLUMNS = (
    "KPI", "This month", "Target", "Floor", "Rating", "Last month", "Direction", "Children to change rating",
)  # fmt: skip


def _rag_class(rag: str) -> str:
    return "rag rag-" + rag.lower().replace(" ", "-")


def header(appendix: Appendix) -> str:
    notice = appendix.settings.notice
    return (
        '<header class="lacperf-header">'
        f'<p class="lacperf-kicker">Children in Care performance scorecard · appendix</p>'
        f"<h1>{escape(appendix.area)} · {month_label(appendix.month)}</h1>"
        f'<p class="lacperf-meta">Financial year {financial_year(appendix.month)} · figures at the end of '
        f"{month_label(appendix.month)}, compared with {month_label(str(appendix.card['previous_month'].iloc[0]))}"
        "</p>" + (f'<p class="lacperf-notice">{escape(notice)}</p>' if notice else "") + "</header>"
    )


def summary(appendix: Appendix) -> str:
    s = appendix.summary
    parts = [f'<p class="lacperf-headline">{escape(s.headline)}</p>', f"<p>{escape(s.last_month)}</p>"]
    if s.rating_changes:
        parts.append("<h3>Ratings that changed since last month</h3>")
        parts.append(_list(s.rating_changes))
    else:
        parts.append("<p>No KPI changed its rating since last month.</p>")
    if s.amber_red:
        parts.append("<h3>Amber and Red KPIs</h3>")
        for heading, items in s.amber_red:
            parts.append(f"<h4>{escape(heading)}</h4>{_list(items)}")
    if s.not_rated:
        parts.append("<h3>Not rated this month</h3>")
        parts.append(_list(s.not_rated))
    return '<section class="lacperf-summary">' + "".join(parts) + "</section>"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def scorecard_rows(card: pd.DataFrame, small_cohort: float) -> pd.DataFrame:
    """The scorecard as a reader sees it: one row per KPI, every cell text."""
    rows = []
    for note, r in enumerate(kpi_rows(card), start=1):
        now = fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small_cohort)
        before = fmt_figure(
            r.previous_value, r.previous_numerator, r.previous_denominator, r.unit, r.decimals, r.counts,
            small_cohort,
        )  # fmt: skip
        previous = DASH if r.previous_rag == rating.NO_DATA else f"{before} · {r.previous_rag}"
        children = r.children_to_change_rating
        rows.append(
            {
                "KPI": f"{r.title} [{note}]",
                "This month": now,
                "Target": fmt_value(r.target, r.unit, r.decimals),
                "Floor": fmt_value(r.floor, r.unit, r.decimals),
                "Rating": r.rag,
                "Last month": previous,
                "Direction": DIRECTION_ARROWS.get(r.direction, r.direction),
                "Children to change rating": DASH if missing(children) or pd.isna(children) else str(children),
            }
        )
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def scorecard_table(appendix: Appendix) -> str:
    """The scorecard table (pandas Styler): the rating cell carries its colour class and its word."""
    shown = scorecard_rows(appendix.card, appendix.settings.small_cohort_denominator)
    classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
    classes["Rating"] = appendix.card["rag"].map(_rag_class).to_numpy()
    classes["Direction"] = "direction direction-" + appendix.card["direction"].str.lower().str.replace(" ", "-")
    classes["Last month"] = appendix.card["previous_rag"].map(lambda rag: "previous " + _rag_class(rag)).to_numpy()
    styler = (
        shown.style.hide(axis="index")
        .format(escape="html")
        .set_td_classes(classes)
        .set_table_attributes('class="lacperf-scorecard"')
        .set_caption(
            f"{escape(appendix.area)}, {month_label(appendix.month)}: every KPI with its figure, standards and "
            "rating. Children to change rating: for a Green KPI, how many children's outcomes turning the "
            "other way would lose Green; otherwise, how many more would reach the target."
        )
    )
    styler.set_uuid("scorecard")  # a fixed id, so the same figures give the same HTML
    return str(styler.to_html(cell_ids=False, doctype_html=False))


def notes(appendix: Appendix) -> str:
    """How each KPI is measured, numbered as in the table, and what 'Target' and 'Floor' mean."""
    items = []
    for r in kpi_rows(appendix.card):
        polarity = "higher is better" if r.polarity == "H" else "lower is better"
        guidance = f" {r.guidance}" if r.guidance else ""
        items.append(f"<li><strong>{escape(r.title)}</strong> ({polarity}).{escape(guidance)}</li>")
    small = appendix.settings.small_cohort_denominator
    return (
        '<section class="lacperf-notes"><ol>' + "".join(items) + "</ol>"
        "<p>Green: the target is met. Amber: below the target but at or above the floor standard. "
        "Red: below the floor standard. Percentages are rated on the exact figure and shown to one "
        f"decimal place. Where fewer than {small} children are counted, the figure leads with the "
        'children ("12 of 40"), because one child moves the percentage a long way.</p></section>'
    )


def footer(appendix: Appendix) -> str:
    files = ", ".join(escape(f"{p.parent.name}/{p.name}") for p in appendix.data_files)
    return (
        '<footer class="lacperf-footer">'
        f"<p>{escape(appendix.area)} · {month_label(appendix.month)} ({appendix.month}) · "
        f"KPI definitions: {escape(appendix.kpis_file.name)} · data: {files} · "
        f"made with lacperf {escape(appendix.version)} on {escape(appendix.made_at)}</p>"
        "</footer>"
    )
