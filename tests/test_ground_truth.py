"""The sample's published figures are what tests/ground_truth holds (snapshots: regenerate.py says when
and how to remake them). Hand-worked values are tested elsewhere; this catches a change nobody meant."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "ground_truth"))
from regenerate import HERE, SNAPSHOTS, write


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_the_sample_publishes_its_ground_truth(name: str, tmp_path: Path) -> None:
    write(tmp_path)
    assert (tmp_path / name).read_text() == (HERE / name).read_text(), (
        f"{name} differs from tests/ground_truth: if the change is meant, run tests/ground_truth/regenerate.py"
    )
