"""The internal paper's forward look: what falls due before the next month end, and what each month-end figure
becomes if none of it is met, so that what will turn Red next month is seen this month.

Sentences for the page's area (the authority, or one area) and a table of what falls due in the next 4 and 8
weeks by team. Internal edition only: the counts are by team, small by nature, and the public edition's page has
no such section (`page_forward_look` gives it nothing). No child is named: the figures are counts.
"""

from __future__ import annotations

import pandas as pd

from lacperf_helpers.config.definitions import KpiCatalogue, KpiDefinition
from lacperf_helpers.config.editions import Edition
from lacperf_helpers.config.periods import MONTH_NAMES
from lacperf_helpers.config.vocabulary import ALL, AREA_NOT_KNOWN
from lacperf_helpers.disclose.disclosure import Published
from lacperf_helpers.measures.forward_look import ALL_TEAMS, TIMESCALES, Timescale
from lacperf_helpers.month.forward_look import page_forward_look
from lacperf_helpers.present.appendix import Appendix
from lacperf_helpers.present.templating import Section, render
from lacperf_helpers.rate import rating

# The scorecard's figures, whose month-end value is projected (health and dental: the 12-month cohort, as the DfE's)
SENTENCE_MEASURES = (
    "reviews_in_timescale", "visits_in_timescale", "health_assessment_up_to_date", "dental_check_up_to_date",
)  # fmt: skip
# What a team has to do: every child looked after
TABLE_MEASURES = (
    "reviews_in_timescale", "visits_in_timescale", "health_assessment_up_to_date_all", "dental_check_up_to_date_all",
)  # fmt: skip
BY_MEASURE: dict[str, Timescale] = {t.measure: t for t in TIMESCALES}


def day_label(iso: str) -> str:
    """'2024-02-29' -> '29 February'."""
    day = pd.Timestamp(iso)
    return f"{day.day} {MONTH_NAMES[day.month - 1]}"


def forward_sentence(
    measure: str,
    falling_due: int,
    before: str,
    now: float | None,
    then: float | None,
    ratings: tuple[str, str] | None = None,
) -> str:
    """One measure's forward look, e.g. '5 reviews fall due before 31 January; if they are missed, reviews in
    timescale falls from 95.0% to 91.8%.' `before`: the date ahead (ISO); `now`, `then`: the figure (percent) at
    the month end and at that date if none is met, None where no child is counted; `ratings`: each one's rating
    against the KPI's target and floor, where a KPI of the catalogue is this measure ('95.0% (Green)')."""
    timescale = BY_MEASURE[measure]
    on = day_label(before)
    if now is None or then is None or pd.isna(now) or pd.isna(then):
        return f"No children are counted in {timescale.figure} now or by {on}."
    was, will_be = f"{now:.1f}%", f"{then:.1f}%"
    if ratings is not None:
        was, will_be = f"{was} ({ratings[0]})", f"{will_be} ({ratings[1]})"
    moves = f"{'falls' if then < now else 'rises'} from {was} to {will_be}"
    change = f"stays at {was}" if was == will_be else moves
    if falling_due == 0:
        # the figure can still move: children reaching 12 months in care join the 12-month cohorts
        return f"No {timescale.many} fall due before {on}; {timescale.figure} {change}" + (
            "." if was == will_be else f" by {on}, as children reach 12 months in care."
        )
    things = f"{falling_due:,} {timescale.one if falling_due == 1 else timescale.many}"
    verb, them = ("falls", "it is") if falling_due == 1 else ("fall", "they are")
    return f"{things} {verb} due before {on}; if {them} missed, {timescale.figure} {change}."


def kpi_of(catalogue: KpiCatalogue | None, measure: str) -> KpiDefinition | None:
    """The catalogue's KPI of this Annex A measure over every child (no cohort of its own), if there is one."""
    for kpi in catalogue.kpis if catalogue is not None else ():
        if kpi.source == "annex_a" and kpi.measure == measure and kpi.cohort in (None, ALL):
            return kpi
    return None


def _rating(kpi: KpiDefinition, month: str, numerator: int, denominator: int) -> str:
    standards = kpi.thresholds_for(month)
    value = rating.percent_value(pd.Series([float(numerator)]), pd.Series([float(denominator)]))
    one = {"target": standards.target, "floor": standards.floor, "polarity": kpi.polarity}
    rated = rating.rate(value, *(pd.Series([one[k]]) for k in ("target", "floor", "polarity")))
    return str(rated.iloc[0])


def _sentence(row: pd.Series, catalogue: KpiCatalogue | None) -> str:
    def percent(name: str) -> float | None:
        value = row[name]
        return None if pd.isna(value) else float(value)

    kpi = kpi_of(catalogue, str(row["measure"]))
    ratings = None
    if kpi is not None and int(row["children_now"]) and int(row["children_then"]):
        ratings = (
            _rating(kpi, str(row["month"]), int(row["in_timescale_now"]), int(row["children_now"])),
            _rating(kpi, str(row["horizon"])[:7], int(row["in_timescale_then"]), int(row["children_then"])),
        )
    return forward_sentence(
        str(row["measure"]), int(row["falling_due"]), str(row["horizon"]), percent("percent_now"),
        percent("percent_then"), ratings,
    )  # fmt: skip


def _pick(frame: pd.DataFrame, measure: str, weeks: int | None) -> pd.DataFrame:
    chosen = frame["measure"] == measure
    return frame.loc[chosen & (frame["weeks"].isna() if weeks is None else frame["weeks"] == weeks)]


def _place(area: str, team: str) -> str:
    return f"{area}, all teams" if team == ALL_TEAMS else f"{team} ({area})"


def forward_look_view(
    view: Published, area: str, authority: str, catalogue: KpiCatalogue | None = None
) -> dict[str, object]:
    """What the section shows for the page's `area`: its sentences (the next month end) and, for each of its
    teams (on the authority's page, every area's), the counts falling due in each number of weeks ahead."""
    frame = view.frame
    headline = _pick(frame, SENTENCE_MEASURES[0], None)
    sentences = []
    for measure in SENTENCE_MEASURES:
        found = _pick(frame, measure, None)
        found = found.loc[(found["area"] == area) & (found["team"] == ALL_TEAMS)]
        if len(found):
            sentences.append(_sentence(found.iloc[0], catalogue))
    weeks = sorted({int(w) for w in frame["weeks"].dropna()})
    # Places in the table's order: each area's teams, then the area; children of no known area, then the authority
    places = headline.loc[(headline["area"] == area) | (area == authority), ["area", "team"]]
    places = places.assign(
        last=places["area"] == authority, unknown=places["area"] == AREA_NOT_KNOWN, total=places["team"] == ALL_TEAMS
    )
    places = places.sort_values(["last", "unknown", "area", "total", "team"], kind="stable")
    rows = []
    for place in places.itertuples(index=False):
        cells = []
        for measure in TABLE_MEASURES:
            for w in weeks:
                found = _pick(frame, measure, w)
                found = found.loc[(found["area"] == place.area) & (found["team"] == place.team)]
                cells.append(f"{int(found['falling_due'].iloc[0]):,}" if len(found) else "0")
        rows.append((_place(str(place.area), str(place.team)), cells))
    return {
        "sentences": sentences,
        "before": day_label(str(headline["horizon"].iloc[0])) if len(headline) else "",
        "weeks": weeks,
        "until": {w: day_label(str(_pick(frame, SENTENCE_MEASURES[0], w)["horizon"].iloc[0])) for w in weeks},
        "measures": [BY_MEASURE[m].many.capitalize() for m in TABLE_MEASURES],
        "rows": rows,
    }


def forward_look_section(appendix: Appendix) -> Section:
    """The internal paper's forward look for the page's area; nothing on a public page, or without an Annex A."""
    authority = appendix.settings.authority or appendix.area
    view = page_forward_look(appendix.inputs.returns, appendix.month, edition=appendix.edition, authority=authority)
    if view is None or view.edition is not Edition.INTERNAL:
        return Section()
    shown = forward_look_view(view, appendix.area, authority, appendix.catalogue)
    return render("forward_look.html.j2", **shown, area=appendix.area)
