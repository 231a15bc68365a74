"""Small hand-made fixtures: a three-KPI catalogue and returns written as a person would write them."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from lacperf_helpers.definitions import KpiCatalogue, load_kpis

KPIS_YAML = dedent(
    """\
    kpis:
      - id: reviews_on_time
        title: Reviews held on time
        polarity: H
        unit: percent
        target: 90
        floor: 80
        source: return
        years:
          "2019/20": {target: 95, floor: 85}
      - id: moves_3plus
        title: Children with 3 or more placements
        polarity: L
        unit: percent
        target: 10
        floor: 12
        source: return
      - id: days_to_adoption
        title: Days from care to adoptive family
        polarity: L
        unit: days
        target: 426
        floor: 500
        source: return
    """
)

HEADER = "month,area,kpi_id,numerator,denominator,value\n"


@pytest.fixture
def kpis_file(tmp_path: Path) -> Path:
    path = tmp_path / "kpis.yaml"
    path.write_text(KPIS_YAML)
    return path


@pytest.fixture
def catalogue(kpis_file: Path) -> KpiCatalogue:
    return load_kpis(kpis_file)


def write_return(returns: Path, month: str, body: str, header: str = HEADER) -> Path:
    """Write `<returns>/<month>/kpi_return.csv` from CSV text (the header added unless given)."""
    folder = returns / month
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kpi_return.csv"
    path.write_text(header + dedent(body))
    return path
