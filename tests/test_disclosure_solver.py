"""The solver's parts, on sums small enough to work out by hand: bounds carried from sum to sum, and a
system that never settles, which must stop the run rather than let a decision through that may miss a count."""

from __future__ import annotations

import numpy as np
import pytest

from lacperf_helpers.disclose.solver import NotSettled, Sums, propagate
from lacperf_helpers.disclose.sums import COUNTS, Count


def test_bounds_narrow_from_sum_to_sum() -> None:
    # x + y = 3 and y - z = 2, every count >= 0: y is 2 or 3 (z >= 0), so x is 0 or 1 and z 0 or 1
    rows = [(np.array([0, 1]), np.array([1.0, 1.0]), 3.0), (np.array([1, 2]), np.array([1.0, -1.0]), 2.0)]
    lo, hi = np.zeros(3), np.full(3, np.inf)
    propagate(Sums.of(rows), lo, hi)
    assert lo.tolist() == [0, 2, 0]
    assert hi.tolist() == [1, 3, 1]


def test_bounds_that_never_settle_stop_the_decision() -> None:
    # x = y + 1 and y = x + 1 hold for no counts: each round raises both lower bounds by 1, for ever
    rows = [(np.array([0, 1]), np.array([1.0, -1.0]), 1.0), (np.array([1, 0]), np.array([1.0, -1.0]), 1.0)]
    lo, hi = np.zeros(2), np.full(2, np.inf)
    with pytest.raises(NotSettled, match="still narrowed after 200 rounds"):
        propagate(Sums.of(rows), lo, hi)
    with pytest.raises(NotSettled, match="after 3 rounds"):
        propagate(Sums.of(rows), np.zeros(2), np.full(2, np.inf), rounds=3)


def test_the_three_counts_are_the_cells_columns_in_order() -> None:
    assert COUNTS == ("numerator", "denominator", "complement")
    assert [int(c) for c in Count] == [0, 1, 2]
    assert Count.COMPLEMENT.column == "complement"


def test_a_period_of_an_area_and_kpi_is_hidden_where_any_of_its_figures_is_hidden_in_a_month_of_it() -> None:
    """Any cohort or group of the area and KPI, in any month of the period; a month outside it, or another area's or
    KPI's, hides nothing; a period with no month in the figures stays as it was."""
    import pandas as pd

    from lacperf_helpers.disclose.solver import _hide_periods

    q2, ytd = "Q2 2019/20", "year to date to 2019-09"
    rows = [  # month, area, kpi, cohort, step, hidden
        ("2019-06", "A", "k", "all", "2019-06", True),  # in A's year to date, not its quarter
        ("2019-07", "A", "k", "all", "2019-07", False),
        ("2019-08", "B", "k", "all", "2019-08", False),
        ("2019-08", "B", "k", "excluding UASC", "2019-08", True),  # B's quarter, by a cohort
        ("2019-09", "A", "other", "all", "2019-09", True),  # another KPI
        (q2, "A", "k", "all", "2019-09", False),
        (ytd, "A", "k", "all", "2019-09", False),
        (q2, "B", "k", "all", "2019-09", False),
        (ytd, "B", "other", "all", "2019-09", False),
        (q2, "C", "k", "all", "2019-09", True),  # no month of C: hidden as it was
        (q2, "C", "other", "all", "2019-09", False),
        ("2019-08", None, "k", "all", "2019-08", True),  # of no area: hides nothing ...
        (q2, None, "k", "all", "2019-09", False),  # ... and nothing hides it
        (None, "A", "k", "all", "2019-09", False),  # of no period: as it was
    ]
    cells = pd.DataFrame(rows, columns=["month", "area", "kpi_id", "cohort", "step", "hidden"])
    hidden = cells.pop("hidden").to_numpy()
    is_month = (cells["month"] == cells["step"]).to_numpy()
    assert _hide_periods(cells, hidden, is_month).tolist() == [
        True, False, False, True, True,  # the months as they were
        False, True, True, False, True, False,
        True, False, False,
    ]  # fmt: skip
