"""The trend test and slopes against independent implementations, on random series with ties, gaps and short
lengths: pymannkendall (the Mann-Kendall test as hydrologists publish it) and scipy.stats (Kendall's tau and
the Theil-Sen slope). Both are dev-only dependencies."""

from __future__ import annotations

import math

import numpy as np
import pymannkendall
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lacperf_helpers.trend import trend
from lacperf_helpers.trend.trend import TrendTest

# Figures as a scorecard has them: few distinct values (so many ties), 3 to 36 months, some months missing.
values = st.lists(st.integers(min_value=0, max_value=6).map(float), min_size=3, max_size=36)


@st.composite
def series(draw: st.DrawFn) -> tuple[list[str], np.ndarray]:
    ys = draw(values)
    kept = draw(st.lists(st.booleans(), min_size=len(ys) + 12, max_size=len(ys) + 12))
    months = [f"{2015 + i // 12}-{i % 12 + 1:02d}" for i, keep in enumerate(kept) if keep or i < 3][: len(ys)]
    return months, np.array(ys[: len(months)])


@settings(max_examples=300, deadline=None)
@given(series())
def test_mann_kendall_agrees_with_pymannkendall(drawn: tuple[list[str], np.ndarray]) -> None:
    months, y = drawn
    fitted = trend.fit(months, y)
    reference = pymannkendall.original_test(y)
    assert fitted.mann_kendall_s == reference.s
    if reference.var_s > 0:
        assert math.isclose(fitted.p_value, reference.p, rel_tol=1e-9, abs_tol=1e-12)
    verdict = trend.verdict(fitted, "H", TrendTest(alpha=0.05, min_points=3))
    expected = {"increasing": "Improving", "decreasing": "Deteriorating", "no trend": "No clear change"}
    assert verdict == expected[reference.trend]


@settings(max_examples=300, deadline=None)
@given(series())
def test_s_has_the_sign_of_kendalls_tau_and_theil_sen_agrees_with_scipy(drawn: tuple[list[str], np.ndarray]) -> None:
    months, y = drawn
    t = trend.month_index(months)
    fitted = trend.fit(months, y)
    if len(set(y)) > 1:
        tau = stats.kendalltau(t, y).statistic
        assert np.sign(fitted.mann_kendall_s) == np.sign(round(tau, 12))
    assert math.isclose(fitted.theil_sen_slope, stats.theilslopes(y, t).slope, abs_tol=1e-12)
    if len(y) >= 2:
        assert math.isclose(fitted.slope_per_month, stats.linregress(t, y).slope, rel_tol=1e-9, abs_tol=1e-12)
