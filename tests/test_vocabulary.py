"""Each code list has one home (config/vocabulary.py), and a child's group follows its code, never a position
in a display order: the DfE's placement codes (SSDA903 guidance, PLACE) and age bands, by hand."""

from __future__ import annotations

import pandas as pd

from lacperf_helpers.config import vocabulary
from lacperf_helpers.config.cohorts import DFE_AGE_BANDS
from lacperf_helpers.ingest.ssda903 import CODES
from lacperf_helpers.measures.children import age_band, placement_type


def test_each_placement_code_has_its_type_by_code() -> None:
    codes = pd.Series(["U3", "A5", "P1", "K2", "R5", "S1", "P2", "T0", "Z1", "H5", "u1", "X9", "", None])
    assert placement_type(codes).tolist() == [
        "Foster care", "Placed for adoption", "Placed with parents", "Residential", "Residential", "Residential",
        "Independent living", "Other", "Other", "Other", "Foster care", "Other", "unknown", "unknown",
    ]  # fmt: skip
    assert set(vocabulary.PLACEMENT_TYPE_OF.values()) == set(vocabulary.PLACEMENT_TYPES)
    assert CODES["PLACE"] == frozenset(vocabulary.PLACEMENT_TYPE_OF)  # the extract is checked against the same list


def test_age_bands_start_and_end_where_the_dfe_says() -> None:
    ages = pd.Series([0, 0.9, 1, 4, 5, 9, 10, 15, 16, 17, float("nan")])
    assert age_band(ages).tolist() == ["under 1", "under 1", "1-4", "1-4", "5-9", "5-9", "10-15", "10-15",
                                       "16 and over", "16 and over", "unknown"]  # fmt: skip
    assert [(r.first, r.last) for r in DFE_AGE_BANDS.values()] == [(0, 0), (1, 4), (5, 9), (10, 15), (16, None)]


def test_the_extract_is_checked_against_the_one_list_of_each_code() -> None:
    assert CODES["LS"] == frozenset(vocabulary.LEGAL_STATUSES)
    assert CODES["ETHNIC"] == frozenset(vocabulary.ETHNIC_CODES)
    assert CODES["SEX"] == frozenset(vocabulary.SEX_CODES)
