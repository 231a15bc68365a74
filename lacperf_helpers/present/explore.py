"""For analysts in JupyterLab: one SSDA903 measure by cohort and breakdown over months, as a table and a chart.

Only aggregated frames leave here: one row per month x area x group, never a row per child.
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from lacperf_helpers.config.cohorts import CohortCatalogue, load_cohorts
from lacperf_helpers.config.definitions import DisclosureRule
from lacperf_helpers.config.editions import DEFAULT, Edition, parse_edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.formatting import NOT_SHOWN, fmt_count
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import month_label
from lacperf_helpers.config.vocabulary import ALL, TOTAL, in_natural_order
from lacperf_helpers.measures.annex_a import MEASURES as ANNEX_A_MEASURES
from lacperf_helpers.measures.annex_a import AnnexAMeasure
from lacperf_helpers.measures.registry import MEASURES as SSDA903_MEASURES
from lacperf_helpers.measures.registry import Measure
from lacperf_helpers.month.data import month_measures, pages_for

# what can be explored: each source's measures
MEASURES: dict[str, Measure | AnnexAMeasure] = {**SSDA903_MEASURES, **ANNEX_A_MEASURES}


def cohort_table(
    returns_dir: str | Path,
    months: list[str],
    measure: str,
    cohort: str,
    breakdown: str,
    authority: str,
    edition: Edition | str = DEFAULT,
    rule: DisclosureRule | None = None,
    cohorts: CohortCatalogue | None = None,
) -> pd.DataFrame:
    """The measure for each month with an extract: month, area, group, numerator, denominator, value.

    `cohorts`: the cohorts and breakdowns to choose from (default parameters/cohorts.yaml). In the public
    `edition` (the default), figures of 1 to 4 children and any that would give one away are hidden as
    `lacperf measures` hides them; the internal edition shows every figure, for the council's own staff."""
    cohorts = cohorts or load_cohorts()
    edition = parse_edition(edition, "edition")
    if measure not in MEASURES:
        raise InputError("measure", f"no measure {measure!r}; measures are: {', '.join(MEASURES)}")
    cohorts.require(cohort, "cohort")
    if breakdown not in breakdown_choices(cohorts):
        known = ", ".join(breakdown_choices(cohorts))
        raise InputError("breakdown", f"no breakdown {breakdown!r}; breakdowns are: {known}")
    # a crossed breakdown with its two parts: the sums of its rows and columns are decided with it
    parts = [b for b in [breakdown, *(getattr(cohorts.breakdown(breakdown), "by", None) or ())] if b != TOTAL]
    frames = []
    for month in months:
        view = month_measures(
            Path(returns_dir), month, authority=authority, rule=rule or DisclosureRule(), cohorts=cohorts,
            edition=edition, measures=[measure], breakdowns=parts,
            pages=pages_for(month, Inputs.of(returns=returns_dir)),
        )  # fmt: skip
        if view is not None:
            table = view.frame
            frames.append(table.loc[(table["cohort"] == cohort) & (table["breakdown"] == breakdown)])
    if not frames:
        raise InputError(returns_dir, f"no SSDA903 extract in any of the months {months[0]} to {months[-1]}")
    chosen = pd.concat(frames, ignore_index=True)
    chosen["figure"] = [
        NOT_SHOWN if w else (fmt_count(n) if pd.isna(d) else f"{fmt_count(n)} of {fmt_count(d)}")
        for n, d, w in zip(chosen["numerator"], chosen["denominator"], chosen["withheld"], strict=True)
    ]
    chosen["month_label"] = chosen["month"].map(month_label)
    columns = [
        "month", "month_label", "area", "group", "numerator", "denominator", "value", "figure", "withheld",
    ]  # fmt: skip
    return chosen.loc[:, columns]


def require_area(table: pd.DataFrame, area: str) -> None:
    """Refuse an area the figures do not have (a misspelling would otherwise show an empty table, and a note
    that every figure is shown), naming the nearest and every known area."""
    known = list(dict.fromkeys(table["area"]))
    if area in known:
        return
    folded = {a.casefold(): a for a in known}
    near = [folded[a] for a in get_close_matches(area.casefold(), list(folded), n=1, cutoff=0.6)]
    hint = f"did you mean {near[0]!r}? " if near else ""
    raise InputError("area", f"no area {area!r} in these figures; {hint}the areas are: {', '.join(known)}")


def title(measure: str, cohort: str, breakdown: str, area: str) -> str:
    """'Children looked after at the month end: Kent, excluding UASC, by age band'."""
    by = "" if breakdown == TOTAL else f", by {breakdown.replace('_', ' ')}"
    who = "all children" if cohort == ALL else cohort
    return f"{MEASURES[measure].title}: {area}, {who}{by}"


def months_across(table: pd.DataFrame, area: str, breakdown: str) -> pd.DataFrame:
    """One area's figures with months across and groups down, in their natural order; hidden figures read
    'not shown' as on the appendix."""
    require_area(table, area)
    one = table.loc[table["area"] == area]
    wide = one.pivot_table(index="group", columns="month", values="figure", aggfunc="first", sort=False)
    wide = wide.loc[in_natural_order(list(wide.index), breakdown)]
    wide.columns = [month_label(str(m)) for m in wide.columns]
    wide.index.name = breakdown.replace("_", " ") if breakdown != TOTAL else ALL
    return wide


def hidden_note(table: pd.DataFrame, area: str, published_exactly: bool = True) -> str:
    """What the table hides, and why. `published_exactly`: the cohort and breakdown are published at all
    (CohortCatalogue.published_exactly); the public edition shows no figure of one that is not."""
    require_area(table, area)
    mine = table.loc[table["area"] == area]
    hidden = int((mine["withheld"] != "").sum())
    if not hidden:
        return "Every figure is shown."
    if not published_exactly:
        return (
            "No figure of this cohort or breakdown is published: its conditions overlap the other cohorts every way, "
            "so a count could be differenced. The internal edition (edition = internal) shows them, not for "
            "publication."
        )
    return (
        f"{hidden} figure(s) are hidden to protect small numbers of children: “{NOT_SHOWN}” in the table, "
        "and gaps in the lines of the chart."
    )


def breakdown_choices(cohorts: CohortCatalogue | None = None) -> list[str]:
    """The total, the built-in breakdowns and the cohorts file's own."""
    return [TOTAL, *(cohorts or load_cohorts()).breakdown_names]


def choices(cohorts: CohortCatalogue | None = None) -> pd.DataFrame:
    """What can be explored: every measure with its unit; the cohorts and breakdowns."""
    cohorts = cohorts or load_cohorts()
    listed = pd.DataFrame([{"measure": m.id, "title": m.title, "unit": m.unit} for m in MEASURES.values()])
    return listed.assign(cohorts=", ".join(cohorts.names), breakdowns=", ".join(breakdown_choices(cohorts)))


def cohort_chart(table: pd.DataFrame, measure: str, area: str, cohort: str = ALL, breakdown: str = TOTAL) -> alt.Chart:
    """Each group's line over the months for one area; click the legend to pick groups; hover for figures.
    A hidden figure is a gap in its line (its value is not drawn)."""
    require_area(table, area)
    data = table.loc[table["area"] == area].assign(date=lambda f: f["month"] + "-01")
    data = data.assign(value=data["value"].where(data["withheld"] == ""))
    order = in_natural_order(list(data["group"].unique()), breakdown)
    pick = alt.selection_point(fields=["group"], bind="legend")
    unit = MEASURES[measure].unit
    return (
        alt.Chart(data, title=title(measure, cohort, breakdown, area))
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %y")),
            y=alt.Y("value:Q", title="%" if unit == "percent" else "children"),
            color=alt.Color("group:N", title="Group", sort=order),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)),
            tooltip=[
                alt.Tooltip("month_label:N", title="Month"),
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("figure:N", title="Numerator of denominator"),
                alt.Tooltip("value:Q", title="Value", format=".1f"),
            ],
        )
        .add_params(pick)
        .properties(width=520, height=260)
    )


INLINE_CHARTS = "lacperf-inline"  # the renderer `charts_inline` enables
_SCRIPT = re.compile(r'(<script type="text/javascript">)(.*?)(</script>)', re.S)


def _inline_html(spec: dict[str, Any], **options: Any) -> dict[str, str]:
    """Altair's 'inline' HTML (Vega carried in the output: nothing fetched), each script in a function of its
    own. JupyterLab runs every output's scripts in one global scope, where a second chart's top-level
    `const spec` (and its Vega bundle's own top-level constants) would be declared again, and the second chart
    would fail with "Identifier 'spec' has already been declared"."""
    renderer = alt.utils.display.HTMLRenderer(
        mode="vega-lite", template="inline", vega_version=alt.VEGA_VERSION,
        vegaembed_version=alt.VEGAEMBED_VERSION, vegalite_version=alt.VEGALITE_VERSION,
    )  # fmt: skip
    bundle = dict(renderer(spec, **options))
    bundle["text/html"] = _SCRIPT.sub(
        lambda m: f"{m[1]}(function () {{\n{m[2]}\n}})();{m[3]}", str(bundle["text/html"])
    )
    return bundle


def charts_inline() -> None:
    """Show altair charts as HTML that carries its own Vega (in JupyterLab and on a rendered page, offline),
    any number of them on one page."""
    alt.renderers.register(INLINE_CHARTS, _inline_html)
    alt.renderers.enable(INLINE_CHARTS)
