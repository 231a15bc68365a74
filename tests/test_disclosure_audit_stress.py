"""The attacker's audit (disclosure_audit.py) of the public edition as lacperf writes it, on generated returns
with many small cells (a file of its own, apart from the sample's audit, so that pytest-xdist can run the two
on different workers)."""

from __future__ import annotations

import shutil
from pathlib import Path
from textwrap import dedent

import numpy as np
import pandas as pd
import pytest
from test_disclosure_audit import run_lacperf

from lacperf_helpers.config import paths
from lacperf_helpers.ingest.synthetic import extract_at, synthetic_903, write_903  # made-up children only

FIGURES: dict[str, str] = {}  # printed at the end of the run (conftest)

# --- generated returns with many small cells ----------------------------------------------------------------

STRESS_KPIS = dedent(
    """\
    kpis:
      - {id: seen_in_month, title: Seen in the month, polarity: H, unit: percent, target: 90, floor: 80,
         aggregation: sum, source: return}
      - {id: stable, title: Stable placements, polarity: H, unit: percent, target: 70, floor: 60, source: return}
      - {id: moves_903, title: Three or more placements, polarity: L, unit: percent, target: 10, floor: 12,
         source: ssda903, measure: placement_stability_short}
    """
)
STRESS_MONTHS = [f"2019-{m:02d}" for m in range(4, 10)]


def write_stress_returns(folder: Path, seed: int, children: int = 40) -> None:
    """Six months of returns added up from made-up children spread thinly over five areas (most cells 0-6), each
    KPI of all children and of those excluding UASC (about one child in six unaccompanied: the return's cohort
    column), and the last month's SSDA903 extract of 80 made-up children: every measure by cohort and breakdown."""
    rng = np.random.default_rng(seed)
    for month in STRESS_MONTHS:
        rows = []
        for kpi, rate in (("seen_in_month", 0.85), ("stable", 0.6)):
            area = rng.choice([f"Area {i}" for i in range(1, 6)], children)
            counted = rng.random(children) < rate
            uasc = rng.random(children) < 1 / 6
            frame = pd.DataFrame({"area": area, "counted": counted, "uasc": uasc})
            for cohort, children_of in (("", frame), ("excluding UASC", frame.loc[~frame["uasc"]])):
                for name, there in [("Stress", children_of), *children_of.groupby("area")]:
                    rows.append((month, name, kpi, int(there["counted"].sum()), len(there), "", cohort))
        (folder / month).mkdir(parents=True)
        columns = ["month", "area", "kpi_id", "numerator", "denominator", "value", "cohort"]
        pd.DataFrame(rows, columns=columns).to_csv(folder / month / "kpi_return.csv", index=False)
    histories = synthetic_903(80, seed, tuple(f"Area {i}" for i in range(1, 6)))
    write_903(
        extract_at(histories, pd.Timestamp(STRESS_MONTHS[-1]) + pd.offsets.MonthEnd(0)),
        folder / STRESS_MONTHS[-1] / "903",
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_many_small_cells(seed: int, tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    write_stress_returns(returns, seed)
    (tmp_path / "kpis.yaml").write_text(STRESS_KPIS)
    (tmp_path / "settings.yaml").write_text("authority: Stress\nsmall_cohort_denominator: 50\n")
    shutil.copy(paths.COHORTS_FILE, tmp_path / "cohorts.yaml")
    run = run_lacperf(returns, "2019-09", "Q2 2019/20", tmp_path / "out", tmp_path / "kpis.yaml",
                      tmp_path / "settings.yaml", tmp_path / "cohorts.yaml")  # fmt: skip
    found = run.audit()
    FIGURES[f"stress data (seed {seed})"] = found.line()
    assert found.unsatisfied == []
    assert found.sensitive > 1000
    assert found.recoverable == []
    assert found.findings == []
    assert found.narrowed == []
