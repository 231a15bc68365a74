"""The appendix's sections: heading, summary, scorecard table, notes and provenance footer.

Each section is a `Section` (HTML that displays itself in JupyterLab) filled in from a Jinja partial in
present/templates, with autoescaping, from typed rows (present/views.py) of published figures only. The
look (colours, print layout) lives in the appendix template's stylesheet; here each cell only gets a
class, so the rating reads as a word as well as a colour (greyscale print, colour-blind readers).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lacperf_helpers.config.formatting import DASH, fmt_figure, fmt_value, missing
from lacperf_helpers.config.periods import financial_year, month_label, quarter_months, rolling_months
from lacperf_helpers.ingest.validation import VALIDATION_PAGE, short_path
from lacperf_helpers.present import charts
from lacperf_helpers.present.appendix import Appendix
from lacperf_helpers.present.narrative import Summary
from lacperf_helpers.present.quarterly import QuarterAppendix
from lacperf_helpers.present.templating import Section, render
from lacperf_helpers.present.views import BreakdownRow, KpiRow, QuarterRow, kpi_rows, rows_of
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


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""


@dataclass(frozen=True)
class Table:
    id: str  # fixed, so the same figures give the same HTML
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    css: str = "lacperf-scorecard"


def table_section(table: Table) -> Section:
    return render("table.html.j2", table=table)


def _rag_class(rag: str) -> str:
    return "rag rag-" + rag.lower().replace(" ", "-")


def header(appendix: Appendix) -> Section:
    previous = month_label(str(appendix.card.frame["previous_month"].iloc[0]))
    return render(
        "header.html.j2",
        kicker="Children in Care performance scorecard · appendix",
        title=f"{appendix.area}{_cohort_label(appendix.cohort)} · {month_label(appendix.month)}",
        meta=f"Financial year {financial_year(appendix.month)} · figures at the end of {month_label(appendix.month)}, "
        f"compared with {previous}",
        notice=appendix.settings.notice,
    )


def _cohort_label(cohort: str) -> str:
    return "" if cohort == "all" else f" · {cohort}"


BREAKDOWN_NAMES = {
    "age_band": "age band", "sex": "sex", "ethnicity": "ethnicity group", "legal_status": "legal status",
    "placement_type": "placement type",
}  # fmt: skip


def breakdown_section(appendix: Appendix, breakdown: str) -> Section:
    """The KPIs measured from SSDA903 data, broken down as a director asked (blank: nothing shown)."""
    if not breakdown:
        return Section()
    name = BREAKDOWN_NAMES.get(breakdown)
    if name is None:
        known = ", ".join(BREAKDOWN_NAMES)
        return Section("<p>{}</p>").format(f"There is no breakdown {breakdown!r}; the breakdowns are: {known}.")
    frame = appendix.slices.frame
    rows = frame.loc[
        (frame["area"] == appendix.area) & (frame["cohort"] == appendix.cohort) & (frame["breakdown"] == breakdown)
    ]
    heading = Section("<h2>By {}</h2>").format(name)
    if rows.empty:
        return heading + Section("<p>{}</p>").format(
            f"No KPI here is measured from SSDA903 data, so none is broken down by {name}."
        )
    small = appendix.settings.small_cohort_denominator
    cells = tuple(
        (
            Cell(r.title),
            Cell(r.group),
            Cell(fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small, r.withheld)),
            Cell(r.rag, _rag_class(r.rag)),
            Cell(r.previous_withheld or fmt_value(r.previous_value, r.unit, r.decimals)),
        )
        for r in rows_of(rows, BreakdownRow)
    )
    caption = (
        f"{appendix.area}, {month_label(appendix.month)}: the KPIs from SSDA903 data by {name}, "
        "each group rated against the KPI's own target."
    )
    columns = ("KPI", name.capitalize(), "This month", "Rating", "Last month")
    return heading + table_section(Table(f"breakdown-{breakdown}", caption, columns, cells))


def summary(appendix: Appendix) -> Section:
    return summary_html(appendix.summary, "month")


def summary_html(s: Summary, period: str) -> Section:
    """The director's summary: headline, ratings that changed, the Amber and Red KPIs by direction."""
    return render("summary.html.j2", s=s, period=period)


def scorecard_cells(r: KpiRow, note: int, small_cohort: float) -> tuple[Cell, ...]:
    """One KPI's row of the scorecard as a reader sees it: every cell text, with its class."""
    now = fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small_cohort, r.withheld)
    before = fmt_figure(
        r.previous_value, r.previous_numerator, r.previous_denominator, r.unit, r.decimals, r.counts,
        small_cohort, r.previous_withheld,
    )  # fmt: skip
    previous = DASH if r.previous_rag == rating.NO_DATA else f"{before} · {r.previous_rag}"
    children = r.children_to_change_rating
    return (
        Cell(f"{r.title} [{note}]"),
        Cell(now),
        Cell(fmt_value(r.target, r.unit, r.decimals)),
        Cell(fmt_value(r.floor, r.unit, r.decimals)),
        Cell(r.rag, _rag_class(r.rag)),
        Cell(previous, "previous " + _rag_class(r.previous_rag)),
        Cell(DIRECTION_ARROWS.get(r.direction, r.direction), _direction_class(r.direction)),
        Cell(DASH if missing(children) else str(int(children))),
        Cell(r.trend or DASH, _trend_class(r.trend)),
        Cell(_england(r)),
    )


def _direction_class(direction: str) -> str:
    return "direction direction-" + direction.lower().replace(" ", "-")


def _trend_class(trend: str | None) -> str:
    return "trend trend-" + (trend or "").lower().replace(" ", "-")


def scorecard_rows(card: pd.DataFrame, small_cohort: float) -> pd.DataFrame:
    """The scorecard as a reader sees it: one row per KPI, every cell text (for tests and analysts)."""
    rows = [[c.text for c in scorecard_cells(r, n, small_cohort)] for n, r in enumerate(kpi_rows(card), start=1)]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def _england(r: KpiRow) -> str:
    """'85.0% · better' (the latest published year at or before this month's financial year)."""
    if missing(r.england):
        return DASH
    shown = fmt_value(r.england, r.unit, r.decimals)
    return f"{shown} · {r.against_england}" if r.against_england else shown


def scorecard_table(appendix: Appendix) -> Section:
    """The scorecard table: the rating cell carries its colour class and its word."""
    small = appendix.settings.small_cohort_denominator
    cells = tuple(scorecard_cells(r, n, small) for n, r in enumerate(kpi_rows(appendix.card.frame), start=1))
    caption = (
        f"{appendix.area}, {month_label(appendix.month)}: every KPI with its figure, standards and "
        "rating. Children to change rating: for a Green KPI, how many children's outcomes turning the "
        "other way would lose Green; otherwise, how many more would reach the target. Trend: over the "
        f"last {appendix.trend_settings.window} months, by the Mann-Kendall test. England: the latest "
        "published figure and how this one compares."
    )
    return table_section(Table("scorecard", caption, TABLE_COLUMNS, cells))


def notes(appendix: Appendix) -> Section:
    """How each KPI is measured, numbered as in the table, and what 'Target' and 'Floor' mean."""
    rows = kpi_rows(appendix.card.frame)
    return render("notes.html.j2", rows=rows, small=appendix.settings.small_cohort_denominator)


def data_quality(appendix: Appendix) -> Section:
    """What checking the inputs found (warnings: errors stop a page), and what disclosure control hid."""
    problems = appendix.problems
    places = problems["file"].map(short_path)
    rules = [
        {"rule": str(rule), "count": len(found), "where": _files_phrase(sorted(set(places.loc[found.index])))}
        for rule, found in problems.groupby("rule", sort=False)
    ]
    return render(
        "data_quality.html.j2",
        rules=rules,
        warnings=len(problems),
        files=problems["file"].nunique(),
        disclosure_control=appendix.disclosure_control,
        smallest_shown=appendix.settings.disclosure.smallest_shown,
        hidden=int(appendix.slices.frame["suppressed"].sum()),
        validation_page=VALIDATION_PAGE,
    )


def _files_phrase(files: list[str]) -> str:
    """'2019-09/kpi_return.csv', or '12 files, 2018-10/903 to 2019-09/903'."""
    return files[0] if len(files) == 1 else f"{len(files)} files, {files[0]} to {files[-1]}"


def footer(appendix: Appendix, period: str = "") -> Section:
    """Where the page came from: the manifest (also written as JSON beside the page)."""
    return render(
        "footer.html.j2",
        area=appendix.area,
        period=period or f"{month_label(appendix.month)} ({appendix.month})",
        kpis_file=appendix.inputs.kpis.name,
        manifest=appendix.manifest,
        data_files=", ".join(f"{p.parent.name}/{p.name}" for p in appendix.data_files),
        version=appendix.version,
        made_at=appendix.made_at,
    )


def kpi_chart_headline(r: KpiRow, month: str) -> str:
    """The text alternative of a KPI's chart: its figure, rating, trend, variation and assurance."""
    figure_now = fmt_value(r.value, r.unit, r.decimals)
    parts = [f"{r.title}: {figure_now} in {month_label(month)}, rated {r.rag}"]
    if r.trend is not None:
        parts.append(f"trend since {month_label(r.window_start)}: {r.trend.lower()}")
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


def trend_section(appendix: Appendix) -> Section:
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
    figures = []
    for r in kpi_rows(appendix.card.frame):
        analysis = appendix.series.get(r.kpi_id)
        if analysis is None or analysis.points.empty:
            continue
        frames = charts.kpi_chart_frames(
            analysis.points, r.unit, r.decimals, r.counts, r.polarity,
            benchmark=None if missing(r.england) else r.england,
            benchmark_label=f"England {r.benchmark_year}: {fmt_value(r.england, r.unit, r.decimals)}",
        )  # fmt: skip
        chart = charts.kpi_chart_svg(frames)
        figures.append(charts.figure(chart, kpi_chart_headline(r, appendix.month), heading=r.title))
    return render(
        "trends.html.j2",
        grid=ratings_grid(recent, titles, months, grid_text),
        window=window,
        key=CHART_KEY,
        charts=figures,
    )


RAG_LETTERS = {"Green": "G", "Amber": "A", "Red": "R"}


def ratings_grid(history: pd.DataFrame, titles: list[str], months: list[str], caption: str) -> Section:
    """KPIs down, months across, each cell the rating as colour and as a letter (G, A, R; a dash for none).

    A table rather than a chart: it reads aloud row by row, prints sharp, and costs nothing to draw.
    """
    rags = {
        (str(t), str(m)): str(r)
        for t, m, r in zip(history["title"], history["month"], history["rag"].fillna(rating.NO_DATA), strict=True)
    }
    rows = [
        (
            title,
            [
                {"css": _rag_class(rag), "title": f"{month_label(month)}: {rag}", "text": RAG_LETTERS.get(rag, DASH)}
                for month in months
                for rag in [rags.get((title, month), rating.NO_DATA)]
            ],
        )
        for title in titles
    ]
    heads = [f"{pd.Timestamp(f'{m}-01'):%b %y}" for m in months]
    return render("ratings_grid.html.j2", caption=caption, months=heads, rows=rows)


def areas_section(appendix: Appendix) -> Section:
    """Where this area sits among the authority's areas on every KPI, and how it moved since last month."""
    areas = appendix.all_areas.frame["area"].unique()
    if len(areas) < 2:
        return Section("<p>There is only one area in this month's return.</p>")
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


def _period_figure(r: QuarterRow, prefix: str, small_cohort: float, with_rating: bool = True) -> str:
    """A period's figure ('previous_quarter_', 'year_to_date_' ...) with its rating, or a dash."""
    p = r.periods[prefix]
    if p.rag == rating.NO_DATA:
        return DASH
    shown = fmt_figure(p.value, p.numerator, p.denominator, r.unit, r.decimals, r.counts, small_cohort, p.withheld)
    partial = f" ({p.months_covered} of {p.months_expected} months)" if p.months_covered < p.months_expected else ""
    return f"{shown}{partial} · {p.rag}" if with_rating else shown + partial


QUARTER_COLUMNS = (
    "KPI", "Quarter", "Target (floor)", "Rating", "Previous quarter", "Direction", "Same quarter last year",
    "Year to date", "Rolling 12 months", "Trend", "England",
)  # fmt: skip


def _standard(r: KpiRow, value: float) -> str:
    return fmt_value(value, r.unit, r.decimals)


def quarter_header(q: QuarterAppendix) -> Section:
    months = quarter_months(q.quarter)
    frame = q.card.frame
    return render(
        "header.html.j2",
        kicker="Children in Care performance scorecard · quarterly appendix",
        title=f"{q.area} · {q.quarter}",
        meta=f"{month_label(months[0])} to {month_label(months[-1])}, compared with "
        f"{frame['previous_quarter'].iloc[0]} and with {frame['last_year_quarter'].iloc[0]}",
        notice=q.month_end.settings.notice,
    )


def quarter_table(q: QuarterAppendix) -> Section:
    small = q.month_end.settings.small_cohort_denominator
    cells = tuple(
        (
            Cell(f"{r.title} ({r.period_basis}) [{note}]"),
            Cell(_period_figure(r, "", small, with_rating=False)),
            Cell(f"{_standard(r, r.target)} ({_standard(r, r.floor)})"),
            Cell(r.rag, _rag_class(r.rag)),
            Cell(_period_figure(r, "previous_quarter_", small)),
            Cell(DIRECTION_ARROWS.get(r.direction, r.direction), _direction_class(r.direction)),
            Cell(_period_figure(r, "last_year_", small)),
            Cell(_period_figure(r, "year_to_date_", small)),
            Cell(_period_figure(r, "rolling_12_", small)),
            Cell(r.trend or DASH, _trend_class(r.trend)),
            Cell(_england(r)),
        )
        for note, r in enumerate(rows_of(q.card.frame, QuarterRow), start=1)
    )
    caption = (
        f"{q.area}, {q.quarter}. Each KPI says what its period figures are: snapshots and rolling measures are "
        "the figure at the period's end; flows counted month by month are the months' counts added up (a child "
        "may be counted in more than one month, so these are not numbers of children), or the months' average "
        "for days and numbers. Each period is rated against the target of its own financial year."
    )
    return table_section(Table("quarter", caption, QUARTER_COLUMNS, cells))


def quarter_footer(q: QuarterAppendix) -> Section:
    return footer(q.month_end, period=f"{q.quarter} (to {q.month_end.month})")
