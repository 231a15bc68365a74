"""The appendix's HTML pieces: heading, summary, scorecard table, notes and provenance footer.

Every piece is a string of HTML built from aggregate figures only. The look (colours, print layout) lives
in the appendix template's stylesheet; here each cell only gets a class, so the rating reads as a word
as well as a colour (greyscale print, colour-blind readers).
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from lacperf_helpers.config.formatting import DASH, fmt_figure, fmt_value, missing
from lacperf_helpers.config.periods import financial_year, month_label, quarter_months, rolling_months
from lacperf_helpers.ingest.validation import VALIDATION_PAGE, short_path
from lacperf_helpers.present import charts
from lacperf_helpers.present.appendix import Appendix
from lacperf_helpers.present.narrative import Summary, kpi_rows, withheld
from lacperf_helpers.present.quarterly import QuarterAppendix
from lacperf_helpers.rate import rating

DIRECTION_ARROWS = {
    rating.IMPROVED: "▲ Improved",
    rating.SAME: "► Same",
    rating.WORSE: "▼ Worse",
    rating.NOT_COMPARABLE: f"{DASH} Not comparable",
    rating.NOT_SHOWN: f"{DASH} Not shown (small numbers)",
}
TABLE_COLUMNS = (
    "KPI", "This month", "Target", "Floor", "Rating", "Last month", "Direction", "Children to change rating",
    "Trend", "England",
)  # fmt: skip


def _rag_class(rag: str) -> str:
    return "rag rag-" + rag.lower().replace(" ", "-")


def header(appendix: Appendix) -> str:
    notice = appendix.settings.notice
    return (
        '<header class="lacperf-header">'
        f'<p class="lacperf-kicker">Children in Care performance scorecard · appendix</p>'
        f"<h1>{escape(appendix.area)}{_cohort_label(appendix.cohort)} · {month_label(appendix.month)}</h1>"
        f'<p class="lacperf-meta">Financial year {financial_year(appendix.month)} · figures at the end of '
        f"{month_label(appendix.month)}, compared with "
        f"{month_label(str(appendix.card.frame['previous_month'].iloc[0]))}"
        "</p>" + (f'<p class="lacperf-notice">{escape(notice)}</p>' if notice else "") + "</header>"
    )


def _cohort_label(cohort: str) -> str:
    return "" if cohort == "all" else f" · {escape(cohort)}"


BREAKDOWN_NAMES = {
    "age_band": "age band", "sex": "sex", "ethnicity": "ethnicity group", "legal_status": "legal status",
    "placement_type": "placement type",
}  # fmt: skip


def breakdown_section(appendix: Appendix, breakdown: str) -> str:
    """The KPIs measured from SSDA903 data, broken down as a director asked (blank: nothing shown)."""
    if not breakdown:
        return ""
    name = BREAKDOWN_NAMES.get(breakdown)
    if name is None:
        known = ", ".join(BREAKDOWN_NAMES)
        return f"<p>There is no breakdown {escape(breakdown)!r}; the breakdowns are: {escape(known)}.</p>"
    rows = appendix.slices.frame.loc[
        (appendix.slices.frame["area"] == appendix.area)
        & (appendix.slices.frame["cohort"] == appendix.cohort)
        & (appendix.slices.frame["breakdown"] == breakdown)
    ]
    heading = f"<h2>By {escape(name)}</h2>"
    if rows.empty:
        return heading + f"<p>No KPI here is measured from SSDA903 data, so none is broken down by {escape(name)}.</p>"
    small = appendix.settings.small_cohort_denominator
    shown = pd.DataFrame(
        [
            {
                "KPI": r.title,
                escape(name.capitalize()): r.group,
                "This month": fmt_figure(
                    r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small, withheld(r)
                ),
                "Rating": r.rag,
                "Last month": withheld(r, "previous_") or fmt_value(r.previous_value, r.unit, r.decimals),
            }
            for r in kpi_rows(rows)
        ]
    )
    classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
    classes["Rating"] = rows["rag"].map(_rag_class).to_numpy()
    caption = (
        f"{appendix.area}, {month_label(appendix.month)}: the KPIs from SSDA903 data by {name}, "
        "each group rated against the KPI's own target."
    )
    return heading + _styled_table(shown, classes, caption, f"breakdown-{breakdown}")


def summary(appendix: Appendix) -> str:
    return summary_html(appendix.summary, "month")


def summary_html(s: Summary, period: str) -> str:
    """The director's summary: headline, ratings that changed, the Amber and Red KPIs by direction."""
    parts = [f'<p class="lacperf-headline">{escape(s.headline)}</p>', f"<p>{escape(s.previous)}</p>"]
    if s.rating_changes:
        parts.append(f"<h3>Ratings that changed since last {period}</h3>")
        parts.append(_list(s.rating_changes))
    else:
        parts.append(f"<p>No KPI changed its rating since last {period}.</p>")
    if s.amber_red:
        parts.append("<h3>Amber and Red KPIs</h3>")
        for heading, items in s.amber_red:
            parts.append(f"<h4>{escape(heading)}</h4>{_list(items)}")
    if s.not_rated:
        parts.append(f"<h3>Not rated this {period}</h3>")
        parts.append(_list(s.not_rated))
    return '<section class="lacperf-summary">' + "".join(parts) + "</section>"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def scorecard_rows(card: pd.DataFrame, small_cohort: float) -> pd.DataFrame:
    """The scorecard as a reader sees it: one row per KPI, every cell text."""
    rows = []
    for note, r in enumerate(kpi_rows(card), start=1):
        now = fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small_cohort, withheld(r))
        before = fmt_figure(
            r.previous_value, r.previous_numerator, r.previous_denominator, r.unit, r.decimals, r.counts,
            small_cohort, withheld(r, "previous_"),
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
                "Trend": _text(getattr(r, "trend", None)),
                "England": _england(r),
            }
        )
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def _text(value: object) -> str:
    return value if isinstance(value, str) and value else DASH


def _england(r: Any) -> str:
    """'85.0% · better' (the latest published year at or before this month's financial year)."""
    england = getattr(r, "england", None)
    if england is None or missing(england):
        return DASH
    return (
        f"{fmt_value(england, r.unit, r.decimals)} · {r.against_england}"
        if r.against_england
        else fmt_value(england, r.unit, r.decimals)
    )


def scorecard_table(appendix: Appendix) -> str:
    """The scorecard table (pandas Styler): the rating cell carries its colour class and its word."""
    shown = scorecard_rows(appendix.card.frame, appendix.settings.small_cohort_denominator)
    classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
    classes["Rating"] = appendix.card.frame["rag"].map(_rag_class).to_numpy()
    classes["Direction"] = "direction direction-" + appendix.card.frame["direction"].str.lower().str.replace(" ", "-")
    classes["Last month"] = (
        appendix.card.frame["previous_rag"].map(lambda rag: "previous " + _rag_class(rag)).to_numpy()
    )
    if "trend" in appendix.card.frame:
        classes["Trend"] = "trend trend-" + appendix.card.frame["trend"].fillna("").str.lower().str.replace(" ", "-")
    caption = (
        f"{appendix.area}, {month_label(appendix.month)}: every KPI with its figure, standards and "
        "rating. Children to change rating: for a Green KPI, how many children's outcomes turning the "
        "other way would lose Green; otherwise, how many more would reach the target. Trend: over the "
        f"last {appendix.trend_settings.window} months, by the Mann-Kendall test. England: the latest "
        "published figure and how this one compares."
    )
    return _styled_table(shown, classes, caption, "scorecard")


def notes(appendix: Appendix) -> str:
    """How each KPI is measured, numbered as in the table, and what 'Target' and 'Floor' mean."""
    items = []
    for r in kpi_rows(appendix.card.frame):
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


def data_quality(appendix: Appendix) -> str:
    """What checking the inputs found (warnings: errors stop a page), and what disclosure control hid."""
    problems = appendix.problems
    files = problems["file"].nunique()
    if problems.empty:
        found = "<p>Every input was checked against lacperf's rules: no errors and no warnings.</p>"
    else:
        places = problems["file"].map(short_path)
        rows = "".join(
            f"<li>{len(found)} exception(s) to the rule “{escape(str(rule))}”, in "
            f"{_files_phrase(sorted(set(places.loc[found.index])))}</li>"
            for rule, found in problems.groupby("rule", sort=False)
        )
        found = (
            f"<p>Every input was checked against lacperf's rules: no errors, and {len(appendix.problems)} "
            f"warning(s) in {files} file(s). Nothing was left out without being counted here:</p><ul>{rows}</ul>"
        )
    rule = appendix.settings.disclosure
    hidden = int(appendix.slices.frame["suppressed"].sum())
    control = (
        f"<p>Disclosure control: nothing on this page shows a count of 1 to {rule.smallest_shown - 1} "
        f"children, or lets one be worked out. A figure counting so few is shown as &lt;{rule.smallest_shown}; "
        "“withheld” stands for a figure that leaves out so few (as “46 of 50” would) or from which one could "
        "be worked out (from a total, the other areas, the other cohort or the other months of a quarter). "
        f"{hidden} figure(s) of this month's scorecard are hidden so. Their ratings are still given, worked "
        "out on the exact figures; which way a hidden figure moved is not.</p>"
        if appendix.disclosure_control
        else "<p>Disclosure control is off: this page is for the analyst's own use and must not be shared.</p>"
    )
    return (
        f'<section class="lacperf-data-quality">{found}{control}<p>Every problem, with its file, row and column: '
        f'<a href="{VALIDATION_PAGE}">{VALIDATION_PAGE}</a> beside this appendix.</p></section>'
    )


def _files_phrase(files: list[str]) -> str:
    """'2019-09/kpi_return.csv', or '12 files, 2018-10/903 to 2019-09/903'."""
    if len(files) == 1:
        return escape(files[0])
    return f"{len(files)} files, {escape(files[0])} to {escape(files[-1])}"


def footer(appendix: Appendix) -> str:
    """Where the page came from: the manifest (also written as JSON beside the page)."""
    files = ", ".join(escape(f"{p.parent.name}/{p.name}") for p in appendix.data_files)
    manifest = appendix.manifest
    inputs = "".join(
        f"<tr><td>{escape(i['file'])}</td><td><code>{i['sha256']}</code></td></tr>" for i in manifest["inputs"]
    )
    parameters = ", ".join(f"{escape(k)}: {escape(str(v))}" for k, v in manifest["parameters"].items())
    return (
        '<footer class="lacperf-footer">'
        f"<p>{escape(appendix.area)} · {month_label(appendix.month)} ({appendix.month}) · "
        f"KPI definitions: {escape(appendix.inputs.kpis.name)} (SHA-256 {manifest['kpi_definitions_sha256'][:12]}) · "
        f"data: {files} · made with lacperf {escape(appendix.version)} on {escape(appendix.made_at)}</p>"
        f"<details class='lacperf-manifest'><summary>Manifest: the {len(manifest['inputs'])} input files this page "
        f"was made from, with their SHA-256 (also in the JSON file of the same name)</summary>"
        f"<p>Parameters: {parameters}</p><table><thead><tr><th>file</th><th>SHA-256</th></tr></thead>"
        f"<tbody>{inputs}</tbody></table></details>"
        "</footer>"
    )


def kpi_chart_headline(r: Any, window_start: str) -> str:
    """The text alternative of a KPI's chart: its figure, rating, trend, variation and assurance."""
    figure_now = fmt_value(r.value, r.unit, r.decimals)
    parts = [f"{r.title}: {figure_now} in {month_label(r.month)}, rated {r.rag}"]
    trend = getattr(r, "trend", None)
    if isinstance(trend, str):
        parts.append(f"trend since {month_label(window_start)}: {trend.lower()}")
        parts.append(f"SPC: {str(r.variation).lower()}, {str(r.assurance).lower()} against the target of "
                     f"{fmt_value(r.target, r.unit, r.decimals)}")  # fmt: skip
    england = _england(r)
    if england != DASH:
        parts.append(f"England {england}")
    return "; ".join(parts) + "."


CHART_KEY = (
    "Each chart shows the months of the trend window: the figure (black line), the target (dashed) and floor "
    "standard (dotted) over green, amber and red bands, the SPC mean (grey line) and process limits (grey "
    "dots), and England (purple dash-dot) where published. Triangles mark special-cause months: pointing up "
    "(blue) for improvement, down (orange) for concern. Hover over a point for its figures."
)


def trend_section(appendix: Appendix) -> str:
    """RAG grid over the window, then one chart per KPI with its text alternative."""
    window = appendix.trend_settings.window
    months = rolling_months(appendix.month, window)
    titles = [kpi.title for kpi in appendix.catalogue.kpis]
    recent = appendix.history.frame.loc[appendix.history.frame["month"].isin(months)]
    grid_text = (
        f"Ratings of {appendix.area}'s {len(titles)} KPIs in each of the last {window} months "
        f"({month_label(months[0])} to {month_label(months[-1])}). This month: "
        f"{charts.rating_counts_sentence(appendix.card.frame['rag'])}."
    )
    parts = [
        f"<h3>Ratings month by month</h3>{ratings_grid(recent, titles, months, grid_text)}",
        f'<h3>Each KPI over {window} months</h3><p class="lacperf-key">{escape(CHART_KEY)}</p>',
        '<div class="lacperf-charts">',
    ]
    for r in kpi_rows(appendix.card.frame):
        analysis = appendix.series.get(r.kpi_id)
        if analysis is None or analysis.points.empty:
            continue
        england: float = getattr(r, "england", float("nan"))
        frames = charts.kpi_chart_frames(
            analysis.points, r.unit, r.decimals, r.counts, r.polarity,
            benchmark=None if missing(england) else float(england),
            benchmark_label=f"England {getattr(r, 'benchmark_year', '')}: {fmt_value(england, r.unit, r.decimals)}",
        )  # fmt: skip
        chart = charts.kpi_chart_svg(frames)
        parts.append(charts.figure(chart, kpi_chart_headline(r, str(analysis.row["window_start"])), heading=r.title))
    parts.append("</div>")
    return '<section class="lacperf-trends">' + "".join(parts) + "</section>"


RAG_LETTERS = {"Green": "G", "Amber": "A", "Red": "R"}


def ratings_grid(history: pd.DataFrame, titles: list[str], months: list[str], caption: str) -> str:
    """KPIs down, months across, each cell the rating as colour and as a letter (G, A, R; a dash for none).

    A table rather than a chart: it reads aloud row by row, prints sharp, and costs nothing to draw.
    """
    rags = {
        (str(t), str(m)): str(r)
        for t, m, r in zip(history["title"], history["month"], history["rag"].fillna(rating.NO_DATA), strict=True)
    }
    head = "".join(f'<th scope="col">{pd.Timestamp(f"{m}-01"):%b %y}</th>' for m in months)
    rows = []
    for title in titles:
        cells = []
        for month in months:
            rag = rags.get((title, month), rating.NO_DATA)
            cells.append(
                f'<td class="{_rag_class(rag)}" title="{escape(month_label(month))}: {escape(rag)}">'
                f"{RAG_LETTERS.get(rag, DASH)}</td>"
            )
        rows.append(f'<tr><th scope="row">{escape(title)}</th>{"".join(cells)}</tr>')
    return (
        f'<table class="lacperf-rag-grid"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">KPI</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def areas_section(appendix: Appendix) -> str:
    """Where this area sits among the authority's areas on every KPI, and how it moved since last month."""
    areas = appendix.all_areas.frame["area"].unique()
    if len(areas) < 2:
        return "<p>There is only one area in this month's return.</p>"
    titles = [kpi.title for kpi in appendix.catalogue.kpis]
    chart = charts.areas_compared(appendix.all_areas.frame, appendix.area, appendix.settings.authority, titles)
    text = (
        f"{appendix.area} (black) against the other {len(areas) - 1} areas"
        + (f" and {appendix.settings.authority} as a whole (blue diamond)" if appendix.settings.authority else "")
        + " on each KPI. Each row runs from the worst figure of any area this month or last (left) to the "
        "best (right), whichever way the KPI counts as better; the black line runs from this area's figure "
        "last month to this month's."
    )
    return charts.figure(chart, text)


def _period_figure(r: Any, prefix: str, small_cohort: float, with_rating: bool = True) -> str:
    """A period's figure ('previous_quarter_', 'year_to_date_' ...) with its rating, or a dash."""
    rag = getattr(r, f"{prefix}rag")
    if rag == rating.NO_DATA:
        return DASH
    shown = fmt_figure(
        getattr(r, f"{prefix}value"), getattr(r, f"{prefix}numerator"), getattr(r, f"{prefix}denominator"),
        r.unit, r.decimals, r.counts, small_cohort, withheld(r, prefix),
    )  # fmt: skip
    covered, expected = getattr(r, f"{prefix}months_covered"), getattr(r, f"{prefix}months_expected")
    partial = f" ({int(covered)} of {int(expected)} months)" if covered < expected else ""
    return f"{shown}{partial} · {rag}" if with_rating else shown + partial


QUARTER_COLUMNS = (
    "KPI", "Quarter", "Target (floor)", "Rating", "Previous quarter", "Direction", "Same quarter last year",
    "Year to date", "Rolling 12 months", "Trend", "England",
)  # fmt: skip


def _standard(r: Any, which: str) -> str:
    return fmt_value(getattr(r, which), r.unit, r.decimals)


def quarter_header(q: QuarterAppendix) -> str:
    months = quarter_months(q.quarter)
    notice = q.month_end.settings.notice
    return (
        '<header class="lacperf-header">'
        '<p class="lacperf-kicker">Children in Care performance scorecard · quarterly appendix</p>'
        f"<h1>{escape(q.area)} · {escape(q.quarter)}</h1>"
        f'<p class="lacperf-meta">{month_label(months[0])} to {month_label(months[-1])}, compared with '
        f"{escape(str(q.card.frame['previous_quarter'].iloc[0]))} and with "
        f"{escape(str(q.card.frame['last_year_quarter'].iloc[0]))}</p>"
        + (f'<p class="lacperf-notice">{escape(notice)}</p>' if notice else "")
        + "</header>"
    )


def quarter_table(q: QuarterAppendix) -> str:
    small = q.month_end.settings.small_cohort_denominator
    rows = []
    for note, r in enumerate(kpi_rows(q.card.frame), start=1):
        rows.append(
            {
                "KPI": f"{r.title} ({r.period_basis}) [{note}]",
                "Quarter": _period_figure(r, "", small, with_rating=False),
                "Target (floor)": f"{_standard(r, 'target')} ({_standard(r, 'floor')})",
                "Rating": r.rag,
                "Previous quarter": _period_figure(r, "previous_quarter_", small),
                "Direction": DIRECTION_ARROWS.get(r.direction, r.direction),
                "Same quarter last year": _period_figure(r, "last_year_", small),
                "Year to date": _period_figure(r, "year_to_date_", small),
                "Rolling 12 months": _period_figure(r, "rolling_12_", small),
                "Trend": _text(getattr(r, "trend", None)),
                "England": _england(r),
            }
        )
    shown = pd.DataFrame(rows, columns=list(QUARTER_COLUMNS))
    classes = pd.DataFrame("", index=shown.index, columns=shown.columns)
    classes["Rating"] = q.card.frame["rag"].map(_rag_class).to_numpy()
    classes["Direction"] = "direction direction-" + q.card.frame["direction"].str.lower().str.replace(" ", "-")
    caption = (
        f"{q.area}, {q.quarter}. Each KPI says what its period figures are: snapshots and rolling measures are "
        "the figure at the period's end; flows counted month by month are the months' counts added up (a child "
        "may be counted in more than one month, so these are not numbers of children), or the months' average "
        "for days and numbers. Each period is rated against the target of its own financial year."
    )
    return _styled_table(shown, classes, caption, "quarter")


def _styled_table(shown: pd.DataFrame, classes: pd.DataFrame, caption: str, uuid: str) -> str:
    styler = (
        shown.style.hide(axis="index")
        .format(escape="html")
        .set_td_classes(classes)
        .set_table_attributes('class="lacperf-scorecard"')
        .set_caption(escape(caption))
    )
    styler.set_uuid(uuid)  # a fixed id, so the same figures give the same HTML
    return str(styler.to_html(cell_ids=False, doctype_html=False))


def quarter_footer(q: QuarterAppendix) -> str:
    return footer(q.month_end).replace(
        f"{escape(q.area)} · {month_label(q.month_end.month)} ({q.month_end.month})",
        f"{escape(q.area)} · {escape(q.quarter)} (to {q.month_end.month})",
    )
