"""The appendix's sections: heading, summary, scorecard table, notes and provenance footer.

Each section is a `Section` (HTML that displays itself in JupyterLab) filled in from a Jinja partial in
present/templates, with autoescaping, from typed rows (present/views.py) of published figures only. The
look (colours, print layout) lives in the appendix template's stylesheet; here each cell only gets a
class, so the rating reads as a word as well as a colour (greyscale print, colour-blind readers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup

from lacperf_helpers.config.definitions import KpiCatalogue, KpiDefinition, Settings
from lacperf_helpers.config.editions import MARKS, Edition
from lacperf_helpers.config.formatting import DASH, NOT_SHOWN, fmt_count, fmt_figure, fmt_value, missing, slug
from lacperf_helpers.config.periods import (
    financial_year,
    latest_quarter,
    month_label,
    quarter_months,
    quarter_slug,
    rolling_months,
)
from lacperf_helpers.config.vocabulary import ALL, TOTAL, in_natural_order
from lacperf_helpers.disclose.publishing import Published, published_rows, shown_csv, shown_table_csv
from lacperf_helpers.ingest.rules import CODES as LACPERF_CODES
from lacperf_helpers.ingest.validation import VALIDATION_PAGE, short_path
from lacperf_helpers.present import chart_drawing, charts, icons
from lacperf_helpers.present.appendix import Appendix, Standout
from lacperf_helpers.present.narrative import Summary, direction_statement
from lacperf_helpers.present.quarterly import QuarterAppendix
from lacperf_helpers.present.templating import TEMPLATES, Section, render
from lacperf_helpers.present.views import (
    BreakdownRow,
    FigureRow,
    KpiRow,
    NationalRow,
    QuarterRow,
    kpi_rows,
    rows_of,
)
from lacperf_helpers.rate import rating

DIRECTION_ARROWS = {
    rating.IMPROVED: "▲ Improved",
    rating.SAME: "► Same",
    rating.WORSE: "▼ Worse",
    rating.NOT_COMPARABLE: f"{DASH} Not comparable",
    rating.NOT_SHOWN: f"{DASH} Not shown",  # small numbers: the key says why
}
TABLE_COLUMNS = (
    "KPI", "This month", "Target", "Floor", "Rating", "Last month", "Direction", "Variation", "Assurance",
    "Children to change rating", "England",
)  # fmt: skip
COHORT_COLUMN = "Excluding UASC"  # beside "This month" where a KPI has a figure for that cohort


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""
    icon: Section | None = None  # a Making Data Count icon before the words


@dataclass(frozen=True)
class Table:
    id: str  # fixed, so the same figures give the same HTML
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    css: str = "lacperf-scorecard"
    row_headers: bool = True  # each row's first cell names it (a KPI)


def lab_styles() -> Section:
    """The appendix's stylesheet and the icons' drawings, for JupyterLab: the sections then look as they do on
    the rendered page (the rating colours, the icons, the tables). The rendered page has them already."""
    css = (TEMPLATES / "appendix.css").read_text()
    drawings = icons.symbols(icons.every_icon())
    return Section("<style>{}</style>{}").format(Markup(css), drawings)  # our own file, not data


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
        internal=appendix.edition is Edition.INTERNAL,
    )


def _cohort_label(cohort: str) -> str:
    return "" if cohort == ALL else f" · {cohort}"


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
            f"No KPI here is counted from each child's record, so none is broken down by {name}."
        )
    groups = {g: i for i, g in enumerate(in_natural_order(list(rows["group"].unique()), breakdown))}
    kpis = {k: i for i, k in enumerate(rows["kpi_id"].unique())}
    rows = rows.sort_values(  # each KPI's groups in the order a reader expects: age bands by age
        ["kpi_id", "group"], key=lambda column: column.map(kpis if column.name == "kpi_id" else groups), kind="stable"
    )
    small = appendix.settings.small_cohort_denominator
    cells = tuple(
        (
            Cell(r.title),
            Cell(r.group),
            Cell(fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small, r.withheld)),
            Cell(r.rag, _rag_class(r.rag)),
            Cell(NOT_SHOWN if r.previous_withheld else fmt_value(r.previous_value, r.unit, r.decimals)),
        )
        for r in rows_of(rows, BreakdownRow)
    )
    caption = (
        f"{appendix.area}, {month_label(appendix.month)}: the KPIs counted from each child's record by {name}, "
        "each group rated against the KPI's own target."
    )
    columns = ("KPI", name.capitalize(), "This month", "Rating", "Last month")
    return heading + table_section(Table(f"breakdown-{breakdown}", caption, columns, cells))


def summary_html(s: Summary, period: str) -> Section:
    """The director's summary: headline, ratings that changed, the Amber and Red KPIs by direction."""
    return render("summary.html.j2", s=s, period=period)


def scorecard_cells(
    r: KpiRow,
    note: int,
    small_cohort: float,
    cohort_figure: str | None = None,
    band: str = "",
    previous_label: str = "",
) -> tuple[Cell, ...]:
    """One KPI's row of the overview table as a reader sees it: every cell text, with its class and icon.
    `cohort_figure`: the KPI's figure excluding UASC, where the page has that column; `band`: the authority's
    national quartile band, on the authority's page."""
    now = fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small_cohort, r.withheld)
    before = fmt_value(r.previous_value, r.unit, r.decimals)  # its children: in the annex
    previous = (
        NOT_SHOWN
        if r.previous_withheld
        else DASH
        if r.previous_rag == rating.NO_DATA
        else f"{before} · {r.previous_rag}"
    )
    children = r.children_to_change_rating
    variation = icons.variation(r.variation, r.polarity)
    assurance = icons.assurance(r.assurance)
    cells = [
        Cell(f"{r.title} [{note}]"),
        Cell(now),
        *([] if cohort_figure is None else [Cell(cohort_figure)]),
        Cell(fmt_value(r.target, r.unit, r.decimals)),
        Cell(fmt_value(r.floor, r.unit, r.decimals)),
        Cell(r.rag, _rag_class(r.rag)),
        Cell(previous, "previous " + _rag_class(r.previous_rag)),
        _direction_cell(r, previous_label or "last month"),  # 'YYYY-MM' of the month compared with
        _verdict_cell(variation, "variation"),
        _verdict_cell(assurance, "assurance"),
        Cell(DASH if missing(children) else str(int(children))),
        Cell(_england(r, "this month", band), "england"),
    ]
    return tuple(cells)


def _verdict_cell(verdict: icons.Verdict | None, kind: str) -> Cell:
    if verdict is None:
        return Cell(DASH, "verdict")
    return Cell(verdict.words, "verdict", icons.icon(verdict, kind))


def _direction_cell(r: KpiRow, previous_label: str, period: str = "month") -> Cell:
    """The direction and the SPC verdict as one statement ('▼ Worse than August 2019, but still within an
    unusually good run since March 2019'), so the row does not say two things."""
    said = direction_statement(r, previous_label, period) or DIRECTION_ARROWS.get(r.direction, r.direction)
    return Cell(said, _direction_class(r.direction))


def _direction_class(direction: str) -> str:
    return "direction direction-" + direction.lower().replace(" ", "-")


def _england(r: KpiRow, compared: str = "", band: str = "") -> str:
    """'2018/19: 85.0% (band A) · this month: better': England's one figure, of the latest published year at or
    before this month's financial year, headed by its year, the authority's band that year beside it, then how
    `compared` (this month, the quarter) compares with it."""
    if missing(r.england):
        return DASH
    shown = fmt_value(r.england, r.unit, r.decimals) + (f" (band {band})" if band else "")
    shown = f"{r.benchmark_year}: {shown}" if r.benchmark_year else shown
    if not r.against_england:
        return shown
    return f"{shown} · {compared}: {r.against_england}" if compared else f"{shown} · {r.against_england}"


def cohort_figures(appendix: Appendix, cohort: str = "excluding UASC") -> dict[str, str]:
    """Each KPI's figure for `cohort` this month, as the table shows it (only on a page of all children)."""
    if appendix.cohort != ALL:
        return {}
    frame = appendix.slices.frame
    rows = frame.loc[(frame["area"] == appendix.area) & (frame["cohort"] == cohort) & (frame["breakdown"] == TOTAL)]
    small = appendix.settings.small_cohort_denominator
    return {
        str(kpi_id): fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small, r.withheld)
        for kpi_id, r in zip(rows["kpi_id"], rows_of(rows, BreakdownRow), strict=True)
    }


def national_bands(appendix: Appendix) -> dict[str, tuple[str, str]]:
    """Each KPI's national quartile band, on the authority's own page (the bands are the authority's published
    figure's, of the DfE's year): (band, year)."""
    if appendix.area != appendix.settings.authority or appendix.national.empty:
        return {}
    national = appendix.national
    bands = zip(national["kpi_id"], national["quartile"], national["year"], strict=True)
    return {str(k): (str(b), str(y)) for k, b, y in bands if b}


def _band(r: KpiRow, bands: dict[str, tuple[str, str]]) -> str:
    """'A' where the band is of England's year beside it, 'A, 2017/18' where it is of another year."""
    band, year = bands.get(r.kpi_id, ("", ""))
    return band if not band or year == r.benchmark_year else f"{band}, {year}"


def scorecard_table(appendix: Appendix) -> Section:
    """Every KPI in one table: figure, standards, rating (colour and word), direction, the Making Data Count
    verdicts as icons with words, and (on a page of all children) the figure excluding UASC beside it."""
    small = appendix.settings.small_cohort_denominator
    by_cohort = cohort_figures(appendix)
    rows = kpi_rows(appendix.card.frame)
    bands = national_bands(appendix)
    previous = str(appendix.card.frame["previous_month"].iloc[0])
    cells = tuple(
        scorecard_cells(r, n, small, by_cohort.get(r.kpi_id, DASH) if by_cohort else None, _band(r, bands), previous)
        for n, r in enumerate(rows, start=1)
    )
    columns: tuple[str, ...] = (
        TABLE_COLUMNS if not by_cohort else (*TABLE_COLUMNS[:2], COHORT_COLUMN, *TABLE_COLUMNS[2:])
    )
    england_shown = not all(missing(r.england) for r in rows)
    if not england_shown:  # no benchmarks or national tables given: no column of dashes (England is last)
        columns, cells = columns[:-1], tuple(row[:-1] for row in cells)
    caption = (
        f"{appendix.area}, {month_label(appendix.month)}: every KPI with its figure, standards and rating"
        + (
            ", and its figure excluding unaccompanied asylum-seeking children (UASC) where it is measured"
            if by_cohort
            else ""
        )
        + "."
    )
    # what the columns mean goes in the key below the table: the caption names the table, short enough to
    # keep the whole table on the paper's first two pages
    columns_key = (
        "Children to change rating: for a Green KPI, how many children's outcomes turning the other way would lose "
        "Green; otherwise, how many more would reach the target"
        + (
            ". England: one figure per KPI, of the latest year published (the year first), from the DfE's national "
            "tables where they publish the KPI and otherwise from the benchmarks file (the notes name each KPI's "
            "source), then how this month's figure compares with it"
            if england_shown
            else ""
        )
        + (
            f"; band: where {appendix.area}'s own published figure that year ranks among every authority in "
            "England, A the best quarter and D the worst (the annex has the detail)."
            if bands and england_shown
            else "."
        )
    )
    download = csv_download(
        published_rows(appendix.card, columns=DOWNLOAD_COLUMNS),
        f"{page_name(appendix)}-{appendix.month}-kpis.csv",
        appendix.catalogue,
    )
    hidden_key = NOT_SHOWN_KEY if appendix.edition is Edition.PUBLIC else ""  # the internal edition hides nothing
    key = Section('<p class="lacperf-key">{} {} {}</p>').format(columns_key, icons.KEY, hidden_key)
    return table_section(Table("scorecard", caption, columns, cells)) + key + download


NOT_SHOWN_KEY = (
    "“Not shown”: a figure that counts, or would let a reader work out, 1 to 4 children is not published, and has no "
    "rating; where a figure this month or last is not shown, which way it moved is not given."
)
DOWNLOAD_COLUMNS = [
    "month", "area", "cohort", "kpi_id", "title", "numerator", "denominator", "value", "withheld", "target", "floor",
    "rag", "previous_value", "previous_withheld", "previous_rag", "direction", "variation", "assurance",
    "children_to_change_rating", "england", "benchmark_year",
]  # fmt: skip


def page_name(appendix: Appendix) -> str:
    """'south-kent', 'south-kent--excluding-uasc': the page's file name without '.html'."""
    return slug(appendix.area) + ("" if appendix.cohort == ALL else f"--{slug(appendix.cohort)}")


def csv_download(view: Published, file: str, catalogue: KpiCatalogue) -> Section:
    """A link that saves the table's published figures as CSV, as the page shows them (each value to its KPI's
    decimals, the verdicts in the page's words), from the page itself (no network); the internal edition's file
    is named, and every row marked, not for publication."""
    kpis = {kpi.id: kpi for kpi in catalogue.kpis}
    frame = view.frame
    decimals = frame["kpi_id"].map(lambda k: kpis[k].decimals if k in kpis else None)
    polarity = frame["kpi_id"].map(lambda k: kpis[k].polarity if k in kpis else "H")
    words = {}
    for column in [c for c in frame.columns if c.endswith("variation")]:
        shown = [
            icons.variation(v, p)
            for v, p in zip(frame[column].where(frame[column].notna(), None), polarity, strict=True)
        ]
        words[column] = pd.Series([v.words if v else "" for v in shown], index=frame.index)
    for column in [c for c in frame.columns if c.endswith("assurance")]:
        verdicts = [icons.assurance(v) for v in frame[column].where(frame[column].notna(), None)]
        words[column] = pd.Series([v.words if v else "" for v in verdicts], index=frame.index)
    return _download(shown_csv(view, decimals, words), file, view.edition)


def table_download(table: Table, file: str, edition: Edition) -> Section:
    """A link that saves a table of figures already published (the DfE's, rates shown only where their count is)
    as its cells read."""
    rows = [tuple(cell.text for cell in row) for row in table.rows]
    return _download(shown_table_csv(table.columns, rows, edition), file, edition)


def _download(data: str, file: str, edition: Edition) -> Section:
    internal = edition is Edition.INTERNAL
    name = file.replace(".csv", "--internal-not-for-publication.csv") if internal else file
    return render("download.html.j2", data=data, file=name, internal=internal, mark=MARKS[edition])


def overview(appendix: Appendix) -> Section:
    """What the panel needs first: the headline, the ratings that changed, and every KPI in one table."""
    return render("overview.html.j2", s=appendix.summary, period="month", table=scorecard_table(appendix))


def annex(appendix: Appendix) -> Section:
    """The start of the detail (a new printed page): each Amber and Red KPI in a sentence, by direction; and, in
    the internal edition, each figure the return also gives for a KPI computed from a file, reconciled."""
    return render("annex.html.j2", s=appendix.summary, period="month", reconciled=reconciled_rows(appendix))


SOURCE_WORDS = {
    "ssda903": "each child's record in the children looked after return to the DfE, SSDA903",
    "annex_a": "the council's Annex A lists for Ofsted",
}


def reconciled_rows(appendix: Appendix) -> list[dict[str, str]]:
    """Each KPI the page shows as computed from a file whose figure the return gives too: the two, and the
    difference, in words."""
    rows = []
    records: list[dict[str, Any]] = appendix.reconciled.to_dict("records")  # type: ignore[assignment]
    for r in records:
        kpi = appendix.catalogue.get(str(r["kpi_id"]))
        difference = float(r["difference"])
        if missing(difference):
            said = "not comparable: one of the two has no figure"
        elif round(difference, kpi.display_decimals) == 0:
            said = "none: they agree"
        else:
            unit = {"percent": " points", "days": " days"}.get(kpi.unit, "")
            direction = "higher" if difference > 0 else "lower"
            said = f"{abs(difference):.{kpi.display_decimals}f}{unit} {direction} on the scorecard"
            more = float(r["numerator"]) - float(r["returned_numerator"]) if kpi.unit == "percent" else math.nan
            if not missing(more) and more != 0:
                counted = "child" if abs(more) == 1 and kpi.counts == "children" else kpi.counts
                said += f": the return counts {fmt_count(abs(more))} {'fewer' if more > 0 else 'more'} {counted}"
        rows.append({
            "title": kpi.title + ("" if r["cohort"] == ALL else f" ({r['cohort']})"),
            "source": SOURCE_WORDS.get(str(r["source"]), str(r["source"])),
            "shown": _with_counts(kpi, r["value"], r["numerator"], r["denominator"]),
            "returned": _with_counts(kpi, r["returned_value"], r["returned_numerator"], r["returned_denominator"]),
            "difference": said,
        })  # fmt: skip
    return rows


def _with_counts(kpi: KpiDefinition, value: float, numerator: float, denominator: float) -> str:
    """'9.0% (137 of 1,522 children)'; '416 days'; 'no figure'."""
    if missing(value):
        return "no figure"
    shown = fmt_value(value, kpi.unit, kpi.display_decimals)
    if kpi.unit == "percent" and not missing(denominator):
        return f"{shown} ({fmt_count(numerator)} of {fmt_count(denominator)} {kpi.counts})"
    return shown


def national_section(appendix: Appendix) -> Section:
    """Each KPI the DfE publishes for every authority: England, region, neighbours, rank, quartile band."""
    national = appendix.national
    if national.empty:
        return Section()
    authority = appendix.settings.authority or "the authority"
    rows = []
    for r in rows_of(national, NationalRow):
        shown = {name: fmt_value(getattr(r, name), r.unit, r.decimals) for name in ("authority", "england", "region")}
        rank = f"{r.rank} of {r.ranked}" if r.rank else DASH
        rows.append((
            Cell(str(r.title)), Cell(shown["authority"]), Cell(shown["england"]), Cell(shown["region"]),
            Cell(f"{fmt_value(r.neighbours, r.unit, r.decimals)} ({r.neighbours_with_figures})"),
            Cell(rank), Cell(r.quartile or DASH, f"quartile quartile-{r.quartile.lower()}" if r.quartile else ""),
            Cell(f"{r.best}: {fmt_value(r.best_value, r.unit, r.decimals)}"),
            Cell(f"{r.worst}: {fmt_value(r.worst_value, r.unit, r.decimals)}"),
        ))  # fmt: skip
    region = str(national["region_name"].iloc[0]) or "its"
    columns = ("KPI", f"{authority} (published)", "England", region, "Statistical neighbours (how many)",
               "Rank", "Quartile band", "Best", "Worst")  # fmt: skip
    caption = f"{authority} against every authority in England, {national['year'].iloc[0]}."
    made = Table("national", caption, columns, tuple(rows))
    file = f"england-{national['year'].iloc[0]}-{slug(authority)}.csv".replace("/", "-")
    table = table_section(made) + table_download(made, file, appendix.edition)
    return render(
        "national.html.j2", year=national["year"].iloc[0], authority=authority, region=region, table=table,
        rates=rates_table(appendix),
    )  # fmt: skip


def rates_table(appendix: Appendix) -> Section:
    """Children looked after, started and unaccompanied per 10,000 children aged 0-17: this month's (from the
    SSDA903 extract and the ONS population), beside the DfE's published rates for the year."""
    rates = appendix.rates
    if rates.empty:
        return Section()
    authority = appendix.settings.authority or "the authority"
    rows = []
    for r in rates.to_dict("records"):
        rate, children = float(r["rate"]), float(r["children"] if r["children"] is not None else math.nan)
        now = DASH if missing(rate) else f"{rate:.0f} ({fmt_count(children)} children)"  # whole, as the DfE's
        published = (float(r[c]) for c in ("authority", "england", "region", "neighbours"))
        rows.append((Cell(str(r["title"])), Cell(now), *(Cell(DASH if missing(v) else f"{v:.1f}") for v in published)))
    first = rates.iloc[0]
    columns = (
        "Per 10,000 children aged 0-17", f"{authority} this month", f"{authority} {first['year']} (published)",
        "England", str(appendix.national["region_name"].iloc[0] or "Region") if len(appendix.national) else "Region",
        "Statistical neighbours",
    )  # fmt: skip
    caption = (
        f"Rates per 10,000 children aged 0-17 ({fmt_count(first['population'])} in {authority}, ONS "
        f"{first['population_year']} estimate); the DfE's for {first['year']}. A dash: not published (a rate "
        "gives its count back, so it is shown only where the count itself is published)."
    )
    shown = Table("rates", caption, columns, tuple(rows))
    file = f"rates-per-10000-{appendix.month}-{slug(authority)}.csv"
    return table_section(shown) + table_download(shown, file, appendix.edition)


def areas_table(appendix: Appendix) -> Section:
    """Every KPI x area: each area's figure and rating (colour and word), the authority's first; this page's
    area marked. Then the areas that stand out, by name, with figure and since when."""
    frame = appendix.all_areas.frame
    authority = appendix.settings.authority
    every = list(dict.fromkeys(frame["area"]))
    if len(every) < 2:
        return Section()
    areas = areas_shown(every, appendix.area, authority)
    small = appendix.settings.small_cohort_denominator
    by_area, download = _every_area(appendix.all_areas, tuple(areas), appendix.month, appendix.catalogue)
    rows = []
    for kpi in appendix.catalogue.kpis:
        cells = [Cell(kpi.title)]
        for area in areas:
            r = by_area.get((kpi.id, area))
            if r is None:
                cells.append(Cell(DASH))
                continue
            figure = _short_figure(r, small)
            marked = " this-area" if area == appendix.area else ""
            # 'No data', not '– · No data'; a hidden figure 'not shown' once, as everywhere on the page (its
            # rating is hidden with it); a figure with no standard of the area's to rate it by, unrated
            unrated = figure == NOT_SHOWN or r.rag == rating.NO_AREA_STANDARD
            shown = r.rag if figure == DASH else figure if unrated else f"{figure} · {r.rag}"
            cells.append(Cell(shown, _rag_class(r.rag) + marked))
        rows.append(tuple(cells))
    columns = tuple(f"{a} (this page)" if a == appendix.area else a for a in areas)
    caption = (
        f"Every KPI in each area, {month_label(appendix.month)}"
        + (f", {authority} as a whole first" if authority in areas else "")
        + ": the figure and its rating against the KPI's target and floor (a count's are the authority's: in an "
        "area it is shown unrated, unless the area has standards of its own)."
        + (f" {not_listed(len(every) - len(areas))}" if len(every) > len(areas) else "")
    )
    table = table_section(Table("areas", caption, ("KPI", *columns), tuple(rows)))
    return render(
        "areas.html.j2",
        standouts=[_standout_sentence(s, by_area, authority or "", small) for s in appendix.standouts],
        period="month",
        authority=authority or "the authority",
        table=table + download,
    )


def _every_area(
    every: Published, areas: tuple[str, ...], month: str, catalogue: KpiCatalogue
) -> tuple[dict[tuple[str, str], FigureRow], Section]:
    """Every area's figures by KPI and area, and the download of those of `areas`: the same on every area's page of
    a month and edition, so worked out once for these figures in this process (a worker's kernel renders a month's
    pages one after another), not once a page. Callers must not change them."""
    for known, its_areas, its_month, its_catalogue, made in _EVERY_AREA:
        if known is every and its_catalogue is catalogue and (its_areas, its_month) == (areas, month):
            return made
    by_area = {(r.kpi_id, r.area): r for r in rows_of(every.frame, FigureRow)}
    download = csv_download(
        published_rows(every, every.frame["area"].isin(areas), columns=DOWNLOAD_COLUMNS),
        f"all-areas-{month}-kpis.csv",
        catalogue,
    )
    _EVERY_AREA[:] = [(every, areas, month, catalogue, (by_area, download)), *_EVERY_AREA[:3]]
    return by_area, download


# the figures themselves, not a copy, so they are known again by identity (the edition's view is kept per process)
_EVERY_AREA: list[
    tuple[Published, tuple[str, ...], str, KpiCatalogue, tuple[dict[tuple[str, str], FigureRow], Section]]
] = []


# A page lists at most this many areas (side by side, in its links): a return of 5,000 areas would make a page
# of hundreds of megabytes nobody could open. The index of the month lists every page.
AREAS_ON_A_PAGE = 40


def areas_shown(areas: list[str], this: str, authority: str | None) -> list[str]:
    """The areas a page lists: every one, or the first AREAS_ON_A_PAGE with the authority and this page's own
    among them, in the return's order."""
    if len(areas) <= AREAS_ON_A_PAGE:
        return areas
    kept = {a for a in (authority, this) if a in areas}
    kept |= set([a for a in areas if a not in kept][: AREAS_ON_A_PAGE - len(kept)])
    return [a for a in areas if a in kept]


def _area_links(every: list[str], current: str, settings: Settings) -> list[tuple[str, str, bool]]:
    """Each listed area's page (name, file, whether it is this page), then a link to the index for the rest."""
    listed = areas_shown(every, current, settings.authority)
    links = [(area, f"{slug(area)}.html", area == current) for area in listed]
    if len(listed) < len(every):
        links.append((f"and {len(every) - len(listed):,} more: every page of the period", "index.html", False))
    return links


def not_listed(count: int) -> str:
    return (
        f"{count:,} more area(s) are not listed on this page: each has its own page (see every page of the "
        "month), and lacperf scorecard writes every area's figures as CSV."
    )


def _short_figure(r: FigureRow, small: float) -> str:
    """'80.3%'; '5 of 5 (100.0%)' where so few children are counted that one moves it far; or 'not shown'."""
    if r.withheld:
        return NOT_SHOWN
    if r.unit == "percent" and not missing(r.denominator) and 0 < r.denominator < small:
        return fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small)
    return fmt_value(r.value, r.unit, r.decimals)


def _standout_sentence(s: Standout, by_area: dict[tuple[str, str], FigureRow], authority: str, small: float) -> str:
    """'Placement stability: South Kent 29.7% (Red) against Kent's 45.0% (Amber); month-on-month improvement
    since March 2018 when it was 23.0%.'"""
    r, whole = by_area[(s.kpi_id, s.area)], by_area.get((s.kpi_id, authority))
    hidden = "figure not shown"  # small numbers: the table says why
    shown = (
        hidden if r.withheld else fmt_figure(r.value, r.numerator, r.denominator, r.unit, r.decimals, r.counts, small)
    )
    sentence = f"{s.title}: {s.area} {shown} ({s.rag})"
    if whole is not None:
        theirs = hidden if whole.withheld else fmt_value(whole.value, whole.unit, whole.decimals)
        sentence += f" against {authority}'s {theirs} ({s.authority_rag})"
    return sentence + (f"; {s.since_when}." if s.since_when else ".")


def navigation(appendix: Appendix) -> Section:
    """Links to this page's parts, the other areas' pages of the month, the previous and next months' and
    the quarter's pages, and the indexes (pages sit at <out>/<period>/<area>.html)."""
    contents = [("overview", "Overview"), ("areas", "Areas side by side"), ("annex", "Annex"),
                ("amber-red", "Amber and Red KPIs"), ("national", "England"), ("trends", "Each KPI's months"),
                ("measures", "How measured"), ("data-quality", "Data quality")]  # fmt: skip
    if appendix.national.empty:
        contents = [c for c in contents if c[0] != "national"]
    if appendix.all_areas.frame["area"].nunique() < 2:
        contents = [c for c in contents if c[0] != "areas"]
    this = page_name(appendix)
    every = list(dict.fromkeys(appendix.all_areas.frame["area"]))
    areas = _area_links(every, appendix.area if appendix.cohort == ALL else "", appendix.settings)
    months = list(appendix.months)
    periods = []
    at = months.index(appendix.month) if appendix.month in months else -1
    if at > 0:
        periods.append((f"previous month, {month_label(months[at - 1])}", f"../{months[at - 1]}/{this}.html"))
    if 0 <= at < len(months) - 1:
        periods.append((f"next month, {month_label(months[at + 1])}", f"../{months[at + 1]}/{this}.html"))
    quarter = latest_quarter(appendix.month)
    if quarter_months(quarter)[-1] in months:
        periods.append((f"the quarter, {quarter}", f"../{quarter_slug(quarter)}/{slug(appendix.area)}.html"))
    periods += [(f"every page of {month_label(appendix.month)}", "index.html"), ("every month", "../index.html")]
    return render(
        "navigation.html.j2",
        contents=contents,
        period_label=f"{month_label(appendix.month)}, by area",
        areas=areas,
        periods=periods,
    )


def notes(appendix: Appendix) -> Section:
    """How each KPI is measured, numbered as in the table, and what 'Target' and 'Floor' mean."""
    rows = kpi_rows(appendix.card.frame)
    return render(
        "notes.html.j2", rows=rows, small=appendix.settings.small_cohort_denominator, england=england_sources(rows)
    )


def england_sources(rows: list[KpiRow]) -> str:
    """Where each England figure comes from, once per source and year: "2018/19, from the DfE's national tables
    (KPIs 11, 12 and 22); 2018/19, from ... (KPIs 4, 5)", numbered as in the table."""
    by_source: dict[tuple[str, str], list[str]] = {}
    for n, r in enumerate(rows, start=1):
        if not missing(r.england) and r.england_source:
            by_source.setdefault((r.benchmark_year, r.england_source), []).append(str(n))
    said = []
    for (year, source), numbers in by_source.items():
        listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        said.append(f"{year}, from {source} (KPI{'' if len(numbers) == 1 else 's'} {listed})")
    return "; ".join(said)


def data_quality(appendix: Appendix) -> Section:
    """What checking the inputs found (warnings: errors stop a page), and what disclosure control hid."""
    dfe = ~appendix.problems["code"].isin(LACPERF_CODES)  # a code of the DfE's own rules ('120')
    failed = appendix.problems.loc[dfe, "code"]
    problems = appendix.problems.loc[~dfe]
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
        internal=appendix.edition is Edition.INTERNAL,
        smallest_shown=appendix.settings.disclosure.smallest_shown,
        hidden=int(appendix.slices.frame["suppressed"].sum()),
        validation_page=VALIDATION_PAGE,
        dfe_failures=len(failed),
        dfe_rules=failed.nunique(),
        dfe_asked=appendix.inputs.dfe_rules,
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
    variation, assurance = icons.variation(r.variation, r.polarity), icons.assurance(r.assurance)
    if variation is not None:
        parts.append(f"variation: {variation.words.lower()}")
    if assurance is not None:
        parts.append(f"{assurance.words.lower()} ({fmt_value(r.target, r.unit, r.decimals)})")
    england = _england(r)
    if england != DASH:
        parts.append(f"England {england}")
    return "; ".join(parts) + "."


def _key(label: str, style: tuple[str, str, float, str]) -> tuple[str, str, str, float]:
    """A line of the chart key (label, dash, colour, width) in the style chart_drawing draws it."""
    _title, colour, width, dash = style
    return label, dash.replace(",", " "), colour, width


def _reference_key(label: str, kind: int) -> tuple[str, str, str, float]:
    dash = " ".join(map(str, chart_drawing.BENCHMARK_DASHES[kind]))
    return label, dash, chart_drawing.BENCHMARK_COLOURS[kind], chart_drawing.REFERENCE_WIDTH


CHART_LINES = (
    _key("the figure each month", chart_drawing.FIGURE_LINE),
    _key("target", chart_drawing.STANDARD_LINES["target"]),
    _key("floor standard", chart_drawing.STANDARD_LINES["floor"]),
    _key("average over the months shown", chart_drawing.MEAN_LINE),
    _key("the range of normal variation (process limits)", chart_drawing.LIMIT_LINE),
    _reference_key("England, where published", 0),
    _reference_key("statistical neighbours' average, where the DfE publishes the KPI", 1),
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
    axes: dict[str, str] = {}  # the charts' x axes: each drawn once, by the first chart of its months
    national = {n.kpi_id: n for n in rows_of(appendix.national, NationalRow)}
    for r in kpi_rows(appendix.card.frame):
        analysis = appendix.series.get(r.kpi_id)
        if analysis is None or analysis.points["value"].isna().all():
            continue  # no month of it shown: no chart (the grid above says so month by month)
        frames = charts.kpi_chart_frames(
            analysis.points, r.unit, r.decimals, r.counts, r.polarity, *_reference_lines(r, national.get(r.kpi_id))
        )
        figures.append(charts.kpi_figure(frames, kpi_chart_headline(r, appendix.month), heading=r.title, axes=axes))
    shown = published_rows(
        appendix.history,
        appendix.history.frame["month"].isin(months),
        columns=["month", "area", "cohort", "kpi_id", "title", "rag", "withheld"],
    )
    download = csv_download(shown, f"{page_name(appendix)}-ratings-{months[0]}-to-{months[-1]}.csv", appendix.catalogue)
    return render(
        "trends.html.j2",
        grid=ratings_grid(recent, titles, months, grid_text) + download,
        chart_months=appendix.trend_settings.spc.window,  # the charts' months (SPC's), not the grid's window
        key=render("chart_key.html.j2", lines=CHART_LINES),
        chart_style=Markup(chart_drawing.stylesheet()),  # our own rules, from the drawing's constants
        charts=figures,
    )


def _reference_lines(r: KpiRow, national: NationalRow | None) -> tuple[float | None, str, float | None, str]:
    """England and the statistical neighbours' average from the DfE's table, for a KPI it publishes (with its
    year); else England from benchmarks.csv. (England, its label, neighbours, their label.)"""
    if national is not None and not missing(national.england):
        england = f"England {national.year}: {fmt_value(national.england, r.unit, r.decimals)}"
        if missing(national.neighbours):
            return national.england, england, None, ""
        near = f"Statistical neighbours {national.year}: {fmt_value(national.neighbours, r.unit, r.decimals)}"
        return national.england, england, national.neighbours, near
    if missing(r.england):
        return None, "", None, ""
    return r.england, f"England {r.benchmark_year}: {fmt_value(r.england, r.unit, r.decimals)}", None, ""


RAG_LETTERS = {"Green": "G", "Amber": "A", "Red": "R"}


def ratings_grid(history: pd.DataFrame, titles: list[str], months: list[str], caption: str) -> Section:
    """KPIs down, months across, each cell the rating as colour and as a letter (G, A, R; a dash for none), and
    as a word on hover and to a screen reader (the month and the KPI are the cell's headers: 288 cells saying
    'September 2019: ' again were 4 kB of a page).

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
                {"css": _rag_class(rag), "title": rag, "text": RAG_LETTERS.get(rag, DASH)}
                for month in months
                for rag in [rags.get((title, month), rating.NO_DATA)]
            ],
        )
        for title in titles
    ]
    heads = [f"{pd.Timestamp(f'{m}-01'):%b %y}" for m in months]
    return render("ratings_grid.html.j2", caption=caption, months=heads, rows=rows)


def _period_figure(r: QuarterRow, prefix: str, small_cohort: float, with_rating: bool = True) -> str:
    """A period's figure ('previous_quarter_', 'year_to_date_' ...) with its rating, or a dash."""
    p = r.periods[prefix]
    if p.rag == rating.NO_DATA:
        return DASH
    if p.withheld:
        return NOT_SHOWN
    shown = fmt_figure(p.value, p.numerator, p.denominator, r.unit, r.decimals, r.counts, small_cohort, p.withheld)
    partial = f" ({p.months_covered} of {p.months_expected} months)" if p.months_covered < p.months_expected else ""
    return f"{shown}{partial} · {p.rag}" if with_rating else shown + partial


QUARTER_COLUMNS = (
    "KPI", "Quarter", "Target (floor)", "Rating", "Previous quarter", "Direction", "Same quarter last year",
    "Year to date", "Rolling 12 months", "Variation", "England",
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
        internal=q.month_end.edition is Edition.INTERNAL,
    )


def quarter_table(q: QuarterAppendix) -> Section:
    small = q.month_end.settings.small_cohort_denominator
    previous = str(q.card.frame["previous_quarter"].iloc[0])
    cells = tuple(
        (
            Cell(f"{r.title} ({r.period_basis}) [{note}]"),
            Cell(_period_figure(r, "", small, with_rating=False)),
            Cell(f"{_standard(r, r.target)} ({_standard(r, r.floor)})"),
            Cell(r.rag, _rag_class(r.rag)),
            Cell(_period_figure(r, "previous_quarter_", small)),
            _direction_cell(r, previous, "quarter"),
            Cell(_period_figure(r, "last_year_", small)),
            Cell(_period_figure(r, "year_to_date_", small)),
            Cell(_period_figure(r, "rolling_12_", small)),
            _verdict_cell(icons.variation(r.variation, r.polarity), "variation"),
            Cell(_england(r, "the quarter"), "england"),
        )
        for note, r in enumerate(rows_of(q.card.frame, QuarterRow), start=1)
    )
    caption = (
        f"{q.area}, {q.quarter}. Each KPI says what its period figures are: snapshots and rolling measures are "
        "the figure at the period's end; flows counted month by month are the months' counts added up (a child "
        "may be counted in more than one month, so these are not numbers of children), or the months' average "
        "for days and numbers. Each period is rated against the target of its own financial year."
    )
    download = csv_download(q.card, f"{slug(q.area)}-{quarter_slug(q.quarter)}-kpis.csv", q.month_end.catalogue)
    return table_section(Table("quarter", caption, QUARTER_COLUMNS, cells)) + download


QUARTER_CONTENTS = [
    ("T_quarter", "The quarter's table"), ("trends", "Each KPI's months"), ("measures", "How measured"),
    ("data-quality", "Data quality"),
]  # fmt: skip


def quarter_navigation(q: QuarterAppendix) -> Section:
    """Links to the table and detail, the other areas' quarterly pages, this area's pages of the quarter's
    months, and the indexes."""
    months = q.month_end.months
    area = slug(q.area)
    periods = [(month_label(m), f"../{m}/{area}.html") for m in quarter_months(q.quarter) if m in months]
    periods += [(f"every page of {q.quarter}", "index.html"), ("every month and quarter", "../index.html")]
    return render(
        "navigation.html.j2",
        contents=QUARTER_CONTENTS,
        period_label=f"{q.quarter}, by area",
        areas=_area_links(list(dict.fromkeys(q.month_end.all_areas.frame["area"])), q.area, q.month_end.settings),
        periods=periods,
    )


def quarter_footer(q: QuarterAppendix) -> Section:
    return footer(q.month_end, period=f"{q.quarter} (to {q.month_end.month})")
