"""The attacker's audit (disclosure_audit.py) of everything published for the sample's month and quarter,
and of generated figures with many small cells: no hidden count of 1-4 children can be worked out."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE_MONTH
from disclosure_audit import Audit, audit

from lacperf_helpers.config import paths
from lacperf_helpers.config.cohorts import load_cohorts
from lacperf_helpers.config.definitions import DisclosureRule, KpiCatalogue, load_kpis, load_settings
from lacperf_helpers.disclose.disclosure import decide, figure_cells, period_relations, relations
from lacperf_helpers.measures.figures import load_returns_to
from lacperf_helpers.rate.scorecard import with_slice

FIGURES: dict[str, str] = {}  # printed at the end of the run (conftest)


def _audit(figures: pd.DataFrame, catalogue: KpiCatalogue, authority: str, scope: str) -> Audit:
    cells = figure_cells(with_slice(figures), catalogue)
    # every sum a page forms: with the cohorts file's (a cohort's groups within all children's total ...)
    members = relations(cells, authority, load_cohorts(), DisclosureRule())
    hidden, labelled = decide(cells, members, DisclosureRule(), authority)
    periods = period_relations(cells)
    every_sum = pd.concat(
        [members, periods.assign(relation=periods["relation"] + int(members["relation"].max()) + 1)],
        ignore_index=True,
    )
    # the month's every figure, and the months before it as far as the quarter's added-up periods reach
    in_scope = (
        (cells["step"] >= scope) | (cells["month"] == cells["step"]) & (cells["breakdown"] == "total")
    ).to_numpy()
    return audit(cells, hidden, every_sum, DisclosureRule().smallest_shown, labelled, in_scope=in_scope)


def test_no_hidden_count_can_be_worked_out_from_the_sample_month_and_quarter() -> None:
    catalogue = load_kpis(paths.KPIS_FILE)
    authority = load_settings(paths.SETTINGS_FILE).authority or ""
    figures = load_returns_to(paths.SAMPLE_RETURNS, SAMPLE_MONTH, catalogue, authority)
    found = _audit(figures, catalogue, authority, SAMPLE_MONTH)
    FIGURES["sample"] = found.line()
    assert found.published > 0 and found.sensitive > 100  # the audit saw the month's small figures
    assert found.recoverable == []
    assert found.narrowed == []


STRESS_KPIS = dedent(
    """\
    kpis:
      - {id: seen_in_month, title: Seen in the month, polarity: H, unit: percent, target: 90, floor: 80,
         aggregation: sum, source: return}
      - {id: stable, title: Stable placements, polarity: H, unit: percent, target: 70, floor: 60, source: return}
    """
)


def stress_figures(seed: int, children: int = 70) -> pd.DataFrame:
    """Two months (a quarter's last two) of figures added up from made-up children spread thinly over five
    areas, two cohorts and two breakdowns: most cells hold 0 to 6 children."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in ("2019-08", "2019-09"):
        for kpi, rate in (("seen_in_month", 0.85), ("stable", 0.6)):
            child = pd.DataFrame({
                "area": rng.choice([f"Area {i}" for i in range(1, 6)], children),
                "uasc": rng.random(children) < 0.1,
                "age_band": rng.choice(["under 1", "1-4", "5-9", "10-15", "16 and over"], children),
                "sex": rng.choice(["F", "M"], children),
                "counted": rng.random(children) < rate,
            })  # fmt: skip
            for cohort, who in (("all", child), ("excluding UASC", child.loc[~child["uasc"]])):
                for area, there in [("Stress", who), *who.groupby("area")]:
                    for breakdown in ("total", "age_band", "sex"):
                        groups = [("all", there)] if breakdown == "total" else list(there.groupby(breakdown))
                        for group, members in groups:
                            rows.append((month, area, kpi, cohort, breakdown, group, int(members["counted"].sum()),
                                         len(members)))  # fmt: skip
    return pd.DataFrame(
        rows, columns=["month", "area", "kpi_id", "cohort", "breakdown", "group", "numerator", "denominator"]
    ).assign(value=0.0)


@pytest.mark.parametrize("seed", [1, 2])
def test_no_hidden_count_can_be_worked_out_from_many_small_cells(seed: int, tmp_path: Path) -> None:
    (tmp_path / "kpis.yaml").write_text(STRESS_KPIS)
    figures = stress_figures(seed)
    found = _audit(figures, load_kpis(tmp_path / "kpis.yaml"), "Stress", "2019-08")
    FIGURES[f"stress data (seed {seed})"] = found.line()
    assert found.sensitive > 100
    assert found.recoverable == []
    assert found.narrowed == []


def test_the_audit_finds_what_hiding_only_the_small_figures_leaves() -> None:
    # the audit is no formality: with primary suppression alone, a reader gets counts back by subtraction
    catalogue = load_kpis(paths.KPIS_FILE)
    authority = load_settings(paths.SETTINGS_FILE).authority or ""
    figures = with_slice(load_returns_to(paths.SAMPLE_RETURNS, "2017-10", catalogue, authority))
    cells = figure_cells(figures, catalogue)
    values = cells[["numerator", "denominator", "complement"]].to_numpy(float)
    small = (values >= 1) & (values < 5)
    only_small = small.any(axis=1)
    found = audit(cells, only_small, relations(cells, authority), 5, small[:, :2].any(axis=1))
    assert len(found.recoverable) >= 3 and len(found.narrowed) >= 1  # the first month alone: 5 and 2
