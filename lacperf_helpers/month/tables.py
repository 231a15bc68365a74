"""The month's tables as `lacperf scorecard`, `measures`, `trend` and `due` write them: each a `Published`
view of one edition, chosen from the month's figures after its one disclosure decision (so a row left out of
the CSV never changes what is hidden in those written)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lacperf_helpers.config.cohorts import load_cohorts
from lacperf_helpers.config.definitions import load_settings, load_trend_settings
from lacperf_helpers.config.editions import Edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.inputs import Inputs
from lacperf_helpers.config.periods import month_end
from lacperf_helpers.config.vocabulary import TOTAL
from lacperf_helpers.disclose.publishing import Published, published_rows
from lacperf_helpers.ingest.layout import return_path
from lacperf_helpers.month.data import month_measures, pages_for, with_authority
from lacperf_helpers.month.edition import areas_of, edition_view, trend_rows
from lacperf_helpers.month.forward_look import DEFAULT_WEEKS, forward_look
from lacperf_helpers.rate.scorecard import require_area


def scorecard_table(
    month: str,
    *,
    inputs: Inputs,
    edition: Edition,
    area: str | None = None,
    cohort: str | None = None,
    breakdown: str | None = None,
) -> Published:
    """The tidy scorecard of the month in `edition`: every row, or those of one area, cohort and breakdown."""
    view = edition_view(month, inputs=inputs, edition=edition)
    card = view.slices.frame
    if area:
        require_area(list(card["area"].unique()), area, return_path(inputs.returns, month))
    if cohort is not None:
        view.data.cohorts.require_exact(cohort, "--cohort")
    chosen = pd.Series(True, index=card.index)
    for column, wanted in (("area", area), ("cohort", cohort), ("breakdown", breakdown)):
        if wanted is not None:
            chosen &= card[column] == wanted
    return published_rows(view.slices, chosen)


def measures_table(
    month: str,
    *,
    inputs: Inputs,
    edition: Edition,
    authority: str | None = None,
    measures: Sequence[str] = (),
    cohort: str | None = None,
    breakdowns: Sequence[str] = (),
) -> tuple[Published, pd.DataFrame]:
    """The SSDA903 and Annex A measures of the month in `edition` (all of them, or `measures`; every cohort is
    decided, then `cohort`'s written), with the extracts' data-quality findings."""
    from lacperf_helpers.ingest.annex_a import load_annex_a
    from lacperf_helpers.ingest.ssda903 import load_903
    from lacperf_helpers.measures import annex_a
    from lacperf_helpers.measures.registry import MEASURES, data_quality

    every = [*MEASURES, *annex_a.MEASURES]
    unknown = sorted(set(measures) - set(every))
    if unknown:
        raise InputError("--measure", f"no measure {', '.join(unknown)}; measures are: {', '.join(every)}")
    defined = load_cohorts(inputs.cohorts)
    if cohort is not None:
        defined.require(cohort, "--cohort")
    for one in breakdowns:
        if one != TOTAL and one not in defined.breakdown_names:  # 'total': the headline rows, as the CSV says
            known = ", ".join([TOTAL, *defined.breakdown_names])
            raise InputError("--breakdown", f"no breakdown {one!r}; the breakdowns in {inputs.cohorts} are: {known}")
    # the total is always written; asked for alone, it is all that is written
    chosen = None if not breakdowns else [one for one in breakdowns if one != TOTAL]
    returns = Path(inputs.returns)
    folder = returns / month / "903"
    rules = load_settings(inputs.settings)
    # without it no sum of the areas to the authority is formed: a hidden count could follow
    name = authority or with_authority(rules, returns, month, inputs.settings).authority or ""
    view = month_measures(
        returns, month, authority=name, rule=rules.disclosure, cohorts=defined, edition=edition,
        measures=list(measures) or None, breakdowns=chosen, pages=pages_for(month, inputs),
    )  # fmt: skip
    annex = returns / month / "annex_a"
    if view is None:
        load_903(folder)  # says what is wrong with the folder, in one line
        raise InputError(folder, "no SSDA903 extract and no Annex A for this month")
    at = pd.Timestamp(month_end(month))
    notes = [data_quality(load_903(folder), at, folder)] if folder.is_dir() else []
    if annex.is_dir():
        notes.append(annex_a.data_quality(load_annex_a(annex, month_end=at.date()), at))
    if cohort is not None:  # decided over every cohort, then one written: the same cells hidden either way
        view = published_rows(view, view.frame["cohort"] == cohort)
    return view, pd.concat(notes, ignore_index=True)


def trend_table(
    month: str, *, inputs: Inputs, edition: Edition, window: int | None = None, area: str | None = None
) -> Published:
    """Each KPI's direction of travel and SPC over the trend window ending with `month` (`window` months, else
    the trend file's), by area (every area, or `area`) and cohort, worked out in `edition`."""
    rules = load_trend_settings(inputs.trend)
    if window is not None:
        rules = rules.model_copy(update={"window": window})
    view = edition_view(month, inputs=inputs, edition=edition)
    areas = areas_of(view)
    if area is not None:
        require_area(areas, area, return_path(inputs.returns, month))
        areas = [area]
    return trend_rows(view, areas, rules)


def due_table(
    returns: Path, month: str, *, settings: Path, authority: str | None = None, weeks: Sequence[int] = ()
) -> Published:
    """What falls due in the coming `weeks` (default: 4 and 8) by area and team, from the month's Annex A (the
    internal edition: exact counts). The authority is named here, in the settings, or taken from the month's
    return, as for pages."""
    name = authority or with_authority(load_settings(settings), returns, month, settings).authority
    if not name:
        raise InputError(settings, "no authority is named: name it here or with --authority", column="authority")
    return forward_look(returns, month, authority=name, weeks=sorted(set(weeks or DEFAULT_WEEKS)))
