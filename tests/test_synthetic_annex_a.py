"""The synthetic Annex A agrees with the SSDA903 extract cut from the same histories, reads back through the
Annex A reader in every form it is written in, and is the same file every time."""

from pathlib import Path

import pandas as pd
import pytest

from lacperf_helpers.ingest.annex_a import annex_a_of_lists, read_annex_a
from lacperf_helpers.ingest.annex_a_codes import (
    CEASED_LOOKED_AFTER,
    CHILD_ID,
    LEGAL_STATUS,
    PLACEMENT_TYPE,
    PLACEMENTS_12_MONTHS,
    STARTED_LOOKED_AFTER,
)
from lacperf_helpers.ingest.synthetic import extract_at, synthetic_903
from lacperf_helpers.ingest.synthetic_annex_a import STYLES, synthetic_annex_a, teams_of, write_annex_a
from lacperf_helpers.measures.annex_a import annex_a_measure_table
from lacperf_helpers.measures.registry import measure_table, year_before

AT = pd.Timestamp("2019-09-30")
AREAS = ("East", "West")


@pytest.fixture(scope="module")
def histories():  # type: ignore[no-untyped-def]
    return synthetic_903(400, 11, AREAS)


@pytest.mark.parametrize(("style", "form"), [("template", "xlsx"), ("codes", "csv"), ("words", "xlsx")])
def test_each_form_reads_back_as_the_extracts_children(histories, style: str, form: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lists = synthetic_annex_a(histories, AT, style=style, authority="Kent")
    write_annex_a(lists, tmp_path, form, "List {n}" if form == "xlsx" else "list_{n}", team_areas=teams_of(AREAS))
    annex = read_annex_a(tmp_path, month_end=AT.date())
    errors = annex.problems.loc[annex.problems["severity"] == "error"]
    assert errors.empty, errors.head().to_string()
    assert {n: len(f) for n, f in annex.lists.items()} == {n: len(f) for n, f in lists.items()}
    list_8 = annex.lists[8]
    # the children looked after at the month end by List 8's own dates are the extract's, with its legal
    # status and placement (read back as bare codes, whatever the style wrote)
    extract = extract_at(histories, AT, since=year_before(AT))
    episodes = extract.table("episodes")
    open_now = episodes.loc[episodes["DEC"].isna()].set_index("CHILD")
    looked_after = list_8.loc[(list_8[STARTED_LOOKED_AFTER] <= AT) & list_8[CEASED_LOOKED_AFTER].isna()]
    assert set(looked_after[CHILD_ID]) == set(open_now.index)
    by_child = looked_after.set_index(CHILD_ID)
    assert (by_child[LEGAL_STATUS] == open_now.loc[by_child.index, "LS"]).all()
    assert (by_child[PLACEMENT_TYPE] == open_now.loc[by_child.index, "PLACE"]).all()
    assert all(c.startswith("0") and len(c) == 7 for c in list_8[CHILD_ID])  # text: leading zeros kept
    # every child looked after in the 12 months is there: the extract's children, and no one else
    assert set(list_8[CHILD_ID]) == set(extract.table("header")["CHILD"])


def test_placements_in_the_12_months_agree_with_the_dfes_count_from_the_extract(histories) -> None:  # type: ignore[no-untyped-def]
    lists = synthetic_annex_a(histories, AT, style="codes")
    table = lists[8]
    extract = extract_at(histories, AT, since=year_before(AT))
    dfe = measure_table(extract, "2019-09", "LA", ["placement_stability_short"], breakdowns=[])
    dfe = dfe.loc[(dfe["area"] == "LA") & (dfe["cohort"] == "all")].iloc[0]
    looked_after = table.loc[table[CEASED_LOOKED_AFTER].isna()]
    # two counts written apart: the generator's, child by child, and the SSDA903 measure's, by the DfE's rules
    assert (len(looked_after), int((looked_after[PLACEMENTS_12_MONTHS] >= 3).sum())) == (
        int(dfe["denominator"]), int(dfe["numerator"]),
    )  # fmt: skip


def test_the_annex_a_measure_and_the_ssda903_measure_of_3_placements_agree_by_area(
    histories,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    write_annex_a(synthetic_annex_a(histories, AT), tmp_path, "csv", "list_{n}", team_areas=teams_of(AREAS))
    annex = annex_a_measure_table(read_annex_a(tmp_path, month_end=AT.date()), "2019-09", "LA",
                                  ["placements_3plus_12m"], breakdowns=[])  # fmt: skip
    dfe = measure_table(extract_at(histories, AT, since=year_before(AT)), "2019-09", "LA",
                        ["placement_stability_short"], breakdowns=[])  # fmt: skip
    pick = ["area", "numerator", "denominator"]
    annex = annex.loc[annex["cohort"] == "all", pick].sort_values("area").reset_index(drop=True)
    dfe = dfe.loc[(dfe["cohort"] == "all") & dfe["area"].isin(set(annex["area"])), pick]
    pd.testing.assert_frame_equal(annex, dfe.sort_values("area").reset_index(drop=True), check_dtype=False)


def test_the_same_histories_give_the_same_files(histories, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("one", "two"):
        write_annex_a(synthetic_annex_a(histories, AT, style="template"), tmp_path / name)
    assert (tmp_path / "one" / "Annex_A.xlsx").read_bytes() == (tmp_path / "two" / "Annex_A.xlsx").read_bytes()


def test_a_review_is_the_same_review_a_month_later(histories) -> None:  # type: ignore[no-untyped-def]
    september = synthetic_annex_a(histories, AT)[8].set_index(CHILD_ID)
    october = synthetic_annex_a(histories, pd.Timestamp("2019-10-31"))[8].set_index(CHILD_ID)
    review = "Date of Latest Statutory Review"
    both = september.index.intersection(october.index)
    unchanged = october.loc[both, review] <= AT  # no review held in October: October's latest is September's
    assert unchanged.sum() > 50
    assert (october.loc[both[unchanged], review] == september.loc[both[unchanged], review]).all()


def test_an_unknown_style_is_refused(histories) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="style 'fancy': one of template, codes, words"):
        synthetic_annex_a(histories, AT, style="fancy")
    assert STYLES == ("template", "codes", "words")


@pytest.mark.parametrize("style", ["template", "codes", "words"])
def test_lists_read_in_memory_are_the_lists_read_from_their_files(histories, style: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # data/make_sample.py derives the return's figures of months without a file from the lists in memory: they
    # must be what the files would give, list by list and in the measures (areas by the same teams)
    lists = synthetic_annex_a(histories, AT, style=style, authority="Kent")
    write_annex_a(lists, tmp_path, "xlsx", team_areas=teams_of(AREAS))
    from_files = read_annex_a(tmp_path, month_end=AT.date())
    in_memory = annex_a_of_lists(lists, month_end=AT.date(), team_areas=teams_of(AREAS))
    assert in_memory.problems.loc[in_memory.problems["severity"] == "error"].empty
    assert sorted(in_memory.lists) == sorted(from_files.lists) == [8, 9, 10, 11]
    for n, frame in from_files.lists.items():
        pd.testing.assert_frame_equal(in_memory.lists[n], frame)
    assert in_memory.team_areas.to_dict() == from_files.team_areas.to_dict()
    both = [annex_a_measure_table(a, "2019-09", "LA", breakdowns=[]) for a in (in_memory, from_files)]
    pd.testing.assert_frame_equal(both[0], both[1])
