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
