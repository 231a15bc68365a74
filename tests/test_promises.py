"""The docs' promises about editions, each tested (docs/architecture.md, docs/disclosure-control.md):
a Published view is made by disclosure control only (tests/test_architecture.py), and a public page never
receives a figure it may not show: every figure the month's decision hides is blank in everything the page
is given, not only in what it prints."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from lacperf_helpers.disclose.publishing import Published
from lacperf_helpers.disclose.sums import KEYS
from lacperf_helpers.present.appendix import Appendix, load_appendix
from tests.conftest import SAMPLE_MONTH

FIGURE_COLUMNS = ("numerator", "denominator", "value")


def test_a_public_page_never_receives_a_figure_it_may_not_show() -> None:
    page = load_appendix(SAMPLE_MONTH, "Kent")  # the public edition
    hidden = page.hidden.loc[:, list(KEYS)].astype(str).drop_duplicates()
    assert len(hidden) > 0  # the sample hides figures: the checks below read some
    views = {f.name: getattr(page, f.name) for f in dataclasses.fields(Appendix) if f.type in ("Published", Published)}
    assert set(views) == {"card", "all_areas", "slices", "figures", "history"}
    checked = 0
    for name, view in views.items():
        frame = view.frame
        month = frame["month"] if "month" in frame else pd.Series(SAMPLE_MONTH, index=frame.index)
        keys = frame.assign(month=month).loc[:, [k for k in KEYS if k in frame or k == "month"]].astype(str)
        on = list(keys.columns)
        at_hidden = keys.reset_index().merge(hidden.loc[:, on].drop_duplicates(), on=on)["index"].to_numpy()
        shown = frame.loc[at_hidden, [c for c in FIGURE_COLUMNS if c in frame]].to_numpy(dtype=float)
        assert np.isnan(shown).all(), f"{name}: a hidden figure is in the page's view"
        checked += len(at_hidden)
    assert checked > 0
