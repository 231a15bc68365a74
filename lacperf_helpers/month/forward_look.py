"""The month's forward look, from its Annex A: what falls due before the next month end and in the weeks asked
for, by area and team (measures/forward_look.py), as the internal edition's figures only.

Counts by team are small by nature and are for the council's own managers, to act on this month what would turn
Red next month: the forward look is never published (no public edition is made of it), and no child's ID, name,
date of birth or postcode is in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lacperf_helpers.config.editions import Edition
from lacperf_helpers.config.errors import InputError
from lacperf_helpers.config.periods import month_end
from lacperf_helpers.disclose.disclosure import Published, no_hidden, publish_figures, published_rows
from lacperf_helpers.ingest.annex_a import LIST_8, AnnexA, area_of, load_annex_a
from lacperf_helpers.ingest.annex_a_codes import ALLOCATED_TEAM, CHILD_ID
from lacperf_helpers.ingest.layout import annex_a_path
from lacperf_helpers.measures.forward_look import DUE_COLUMNS, falling_due, horizons

DEFAULT_WEEKS = (4, 8)


def list8_areas(annex: AnnexA) -> pd.Series | None:
    """Each List 8 row's area by child_area.csv, else its allocated team's by team_area.csv; None where the
    council gives neither (the teams are then the authority's)."""
    if not len(annex.child_areas) and not len(annex.team_areas):
        return None
    children = annex.list(LIST_8)
    return area_of(annex, children[CHILD_ID], children[ALLOCATED_TEAM])


def forward_look_table(annex: AnnexA, month: str, *, authority: str, weeks: Sequence[int] = DEFAULT_WEEKS) -> Published:
    """The forward look of a month's Annex A as read, in the internal edition (every count exact)."""
    at = pd.Timestamp(month_end(month))
    table = falling_due(
        annex.list(LIST_8), at, horizons(at, weeks), areas=list8_areas(annex), authority=authority, month=month
    )
    view = publish_figures(table, no_hidden(), Edition.INTERNAL)
    return published_rows(view, columns=list(DUE_COLUMNS))


def forward_look(returns: Path, month: str, *, authority: str, weeks: Sequence[int] = DEFAULT_WEEKS) -> Published:
    """The month's forward look from `<returns>/<YYYY-MM>/annex_a/`. InputError where there is no Annex A for the
    month; ValidationError (every problem, file, row and column) where it has errors: a list read wrongly would
    count the wrong children due."""
    folder = annex_a_path(returns, month)
    if not folder.is_dir():
        raise InputError(folder, "no Annex A for this month (the workbook, or a CSV per list, goes here)")
    annex = load_annex_a(folder, month_end=month_end(month))  # read once while unchanged; errors raise
    if LIST_8 not in annex.lists:
        raise InputError(folder, "no List 8 (children in care) in this month's Annex A: nothing can fall due")
    return forward_look_table(annex, month, authority=authority, weeks=weeks)


def page_forward_look(returns: Path, month: str, *, edition: Edition, authority: str) -> Published | None:
    """The forward look an appendix shows: the internal edition's only (the public edition has none, so None),
    and None where the month has no Annex A folder. Errors in the Annex A stop the page, as any input's do."""
    if edition is not Edition.INTERNAL or not annex_a_path(returns, month).is_dir():
        return None
    return forward_look(returns, month, authority=authority)
